package device

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// Amanda writes each file of a tape as one header block (the 32 KiB header, padded with NULs to
// the block size) and data blocks, the last one padded with NULs to the block size, then a file
// mark; two file marks in a row, or the end of the recorded data, end the tape. A drive in
// variable-block mode returns one block per read, whatever its size, so a tape is read into a
// buffer of the largest block size amrshell accepts.
const maxBlockSize = 512 << 10

var (
	// errEndOfData is what a drive says when it reads or spaces past the end of the recorded
	// data (a Linux st drive: EIO with GMT_EOD, or ENOSPC).
	errEndOfData = errors.New("end of recorded data")
	// errBlockTooLarge is what a drive says when a block does not fit the read buffer (ENOMEM,
	// EOVERFLOW on Linux); the block is lost, as the drive has moved past it.
	errBlockTooLarge = fmt.Errorf("tape block larger than the %d KiB read buffer", maxBlockSize>>10)
	// errNoTape is what a drive says when it holds no tape, or none ready.
	errNoTape = errors.New("no tape in the drive")
)

// tapeDrive is a tape drive opened for reading: what reading an Amanda tape needs of it.
type tapeDrive interface {
	// Rewind moves the tape to its beginning, the start of file 0.
	Rewind() error
	// SkipFiles spaces forward past n > 0 file marks: from anywhere in file k to the start of
	// file k+n. Spacing past the end of the data fails with errEndOfData.
	SkipFiles(n int) error
	// Read reads the next block, whole, into p: one block per call. At a file mark it returns
	// 0, nil and moves past the mark; at the end of the data it fails with errEndOfData.
	Read(p []byte) (int, error)
	Close() error
}

// tape is the drive of a tape volume and where its tape is, so that OpenFile spaces forward
// from there instead of rewinding when it can.
type tape struct {
	dev string // "tape:/dev/nst0", for errors

	mu      sync.Mutex
	drive   tapeDrive   // nil once unloaded
	buf     []byte      // the block read last
	file    int         // the file the tape is in
	start   bool        // the tape is at the start of file, before its header
	known   bool        // file and start are right: false after an error or the end of the tape
	reading *tapeReader // the file open on the tape, if any
}

// openTapeVolume reads the label of the tape in drive, named dev, and returns its volume. The
// drive is the volume's until unload; the caller closes it if this fails.
func openTapeVolume(dev string, drive tapeDrive) (*Volume, error) {
	v := &Volume{tape: &tape{dev: dev, drive: drive, buf: make([]byte, maxBlockSize)}}
	f, err := v.OpenFile(0)
	if err != nil {
		return nil, err
	}
	f.Close()
	v.Label, v.Datestamp = f.Header.Label, f.Header.Datestamp
	return v, nil
}

// openTapeFile spaces the tape to file n and reads its header, as Amanda's tape device does:
// NOOP files (written between the two final file marks of some drives) are skipped, so
// File.Number may be larger than n; an empty file (two file marks in a row) or the end of the
// data gives the synthetic TAPEEND, and so does a TAPEEND header (written by Amanda 2.x). The
// File's data ends at the file mark, and it includes the NULs padding the last block.
func (v *Volume) openTapeFile(n int) (*File, error) {
	t := v.tape
	t.mu.Lock()
	defer t.mu.Unlock()
	what := func(n int) string {
		if v.Label == "" {
			return fmt.Sprintf("%s file %d", t.dev, n)
		}
		return fmt.Sprintf("%s file %d (%s)", v.Label, n, t.dev)
	}
	if t.drive == nil {
		return nil, fmt.Errorf("open %s: the volume is no longer loaded: another volume was loaded since", what(n))
	}
	if r := t.reading; r != nil {
		return nil, fmt.Errorf("open %s: file %d is still open, and a tape reads one file at a time", what(n), r.number)
	}
	for ; ; n++ {
		end, err := t.seek(n)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", what(n), err)
		}
		var block []byte
		if !end {
			block, err = t.readBlock()
			end = errors.Is(err, errEndOfData) || err == nil && len(block) == 0
			if err != nil && !end {
				return nil, fmt.Errorf("read header of %s: %w", what(n), err)
			}
		}
		if end && n == 0 {
			return nil, &labelError{fmt.Errorf("volume in %s is unlabeled: the tape is blank", t.dev)}
		}
		if end {
			return tapeEnd(n), nil
		}
		if len(block) < HeaderSize {
			return nil, fmt.Errorf("read header of %s: the header block is too small: %d bytes", what(n), len(block))
		}
		h, err := ParseHeader(block[:HeaderSize])
		if n > 0 && err == nil && h.Type == NoOp {
			continue
		}
		if n > 0 && err == nil && h.Type == TapeEnd {
			f := tapeEnd(n)
			f.Header = h
			return f, nil
		}
		in := t.dev // names the file in checkHeader's errors, as a vfs file's path does
		if n == 0 {
			in = "file 0"
		}
		if err := v.checkHeader(n, in, h, err); err != nil {
			return nil, err
		}
		t.reading = &tapeReader{tape: t, what: what(n), number: n}
		return &File{Number: n, Header: h, Size: -1, ReadCloser: t.reading}, nil
	}
}

// seek moves the tape to the start of file n: forward from where it is when n is ahead, else
// from the beginning. It reports whether the tape ended before file n.
func (t *tape) seek(n int) (end bool, err error) {
	skip := n - t.file
	if !t.known || skip < 0 || skip == 0 && !t.start {
		t.known = false
		if err := t.drive.Rewind(); err != nil {
			return false, fmt.Errorf("rewind: %w", err)
		}
		t.file, t.start, t.known = 0, true, true
		skip = n
	}
	if skip == 0 {
		return false, nil
	}
	t.known = false
	err = t.drive.SkipFiles(skip)
	if errors.Is(err, errEndOfData) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("space forward %d files: %w", skip, err)
	}
	t.file, t.start, t.known = n, true, true
	return false, nil
}

// readBlock reads the next block of the file the tape is in; at the file's mark it returns no
// block, the tape now at the start of the next file. After an error (errEndOfData too) the
// position is unknown.
func (t *tape) readBlock() ([]byte, error) {
	n, err := t.drive.Read(t.buf)
	t.start = false
	if err != nil {
		t.known = false
		return nil, err
	}
	if n == 0 {
		t.file, t.start = t.file+1, true
	}
	return t.buf[:n], nil
}

// unload closes the drive; the volume can no longer be read.
func (t *tape) unload() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.drive == nil {
		return nil
	}
	err := t.drive.Close()
	t.drive, t.reading = nil, nil
	if err != nil {
		return fmt.Errorf("close %s: %w", t.dev, err)
	}
	return nil
}

// tapeReader reads the data of the file open on a tape, block by block, up to its file mark.
type tapeReader struct {
	tape   *tape
	what   string // "<label> file <n> (<device>)", for errors
	number int
	data   []byte // what is left of the block read last
	err    error  // io.EOF after the file mark, or the error that stopped reading
}

func (r *tapeReader) Read(p []byte) (int, error) {
	for len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// fill reads the next block into r.data, or sets r.err.
func (r *tapeReader) fill() {
	t := r.tape
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.drive == nil {
		r.err = fmt.Errorf("read %s: the volume is no longer loaded: another volume was loaded since", r.what)
		return
	}
	if t.reading != r {
		r.err = fmt.Errorf("read %s: %w", r.what, os.ErrClosed)
		return
	}
	block, err := t.readBlock()
	switch {
	case errors.Is(err, errEndOfData):
		r.err = fmt.Errorf("read %s: the tape ends inside the file, before its file mark: %w", r.what, io.ErrUnexpectedEOF)
	case err != nil:
		r.err = fmt.Errorf("read %s: %w", r.what, err)
	case len(block) == 0:
		r.err = io.EOF
	}
	r.data = block
}

// Close ends the reading of the file; the tape stays where it is, in the file or past its mark.
func (r *tapeReader) Close() error {
	t := r.tape
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.reading == r {
		t.reading = nil
	}
	r.data = nil
	if r.err == nil || r.err == io.EOF {
		r.err = fmt.Errorf("read %s: %w", r.what, os.ErrClosed)
	}
	return nil
}
