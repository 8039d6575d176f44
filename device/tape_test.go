package device

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// record is what a tape holds, in order: blocks and file marks.
type record struct {
	block []byte // nil for a file mark
	err   error  // a block the drive fails to read, with err
}

var fileMark = record{}

// fakeTape is a cartridge: its records, then the end of the recorded data.
type fakeTape []record

// fakeDrive is a tape drive in variable-block mode as Linux's st driver presents it to Amanda:
// one block per read, a 0-byte read at a file mark (then past it), errors at the end of data.
type fakeDrive struct {
	lib    *fakeLibrary
	tape   fakeTape
	pos    int // index of the next record
	closed bool
}

func (d *fakeDrive) Rewind() error {
	if d.closed {
		return os.ErrClosed
	}
	d.lib.rewinds++
	d.pos = 0
	return nil
}

func (d *fakeDrive) SkipFiles(n int) error {
	if d.closed {
		return os.ErrClosed
	}
	if n <= 0 {
		return fmt.Errorf("MTFSF %d: %w", n, syscall.EINVAL)
	}
	d.lib.skips++
	for ; n > 0; d.pos++ {
		if d.pos == len(d.tape) {
			return fmt.Errorf("MTFSF: %w (%v)", errEndOfData, syscall.EIO)
		}
		if d.tape[d.pos].block == nil && d.tape[d.pos].err == nil {
			n--
		}
	}
	return nil
}

func (d *fakeDrive) Read(p []byte) (int, error) {
	if d.closed {
		return 0, os.ErrClosed
	}
	if d.pos == len(d.tape) {
		return 0, fmt.Errorf("%w (%v)", errEndOfData, syscall.EIO)
	}
	r := d.tape[d.pos]
	if r.err != nil {
		return 0, r.err // the drive stays at the bad block
	}
	d.pos++
	if len(r.block) > len(p) { // st moves past a block too large for the buffer
		return 0, fmt.Errorf("%w (%v)", errBlockTooLarge, syscall.ENOMEM)
	}
	return copy(p, r.block), nil
}

func (d *fakeDrive) Close() error {
	if d.closed {
		return os.ErrClosed
	}
	d.closed = true
	return nil
}

// fakeLibrary is an operator and a drive: the tape in the drive (nil for none) is read by the
// drives opened after it was put there.
type fakeLibrary struct {
	tape                  fakeTape
	opens, rewinds, skips int
	drives                []*fakeDrive
}

const fakeDev = "tape:/dev/fake"

func (l *fakeLibrary) open() (tapeDrive, error) {
	if l.tape == nil {
		return nil, fmt.Errorf("open tape drive /dev/fake: %w (no medium found)", errNoTape) // as ENOMEDIUM says
	}
	l.opens++
	d := &fakeDrive{lib: l, tape: l.tape}
	l.drives = append(l.drives, d)
	return d, nil
}

func (l *fakeLibrary) changer() *Single { return newSingleTape(fakeDev, l.open) }

// openDrives counts the drives not closed.
func (l *fakeLibrary) openDrives() int {
	n := 0
	for _, d := range l.drives {
		if !d.closed {
			n++
		}
	}
	return n
}

// padBlocks pads b with NULs to a whole number of blocks, as Amanda's tape device pads the
// last, short, block of a file.
func padBlocks(b []byte, blockSize int) []byte {
	if r := len(b) % blockSize; r != 0 {
		b = append(b[:len(b):len(b)], make([]byte, blockSize-r)...)
	}
	return b
}

// blocks cuts b in records of blockSize bytes.
func blocks(b []byte, blockSize int) []record {
	var rs []record
	for b = padBlocks(b, blockSize); len(b) > 0; b = b[blockSize:] {
		rs = append(rs, record{block: b[:blockSize:blockSize]})
	}
	return rs
}

// amandaFile records one Amanda file as tape-device.c writes it: the header block (the 32 KiB
// header padded to the block size), the data blocks, a file mark.
func amandaFile(header, data []byte, blockSize int) []record {
	rs := blocks(header, blockSize)
	rs = append(rs, blocks(data, blockSize)...)
	return append(rs, fileMark)
}

// amandaTape records the files of the vfs volume dir on a tape, in blocks of blockSize, then
// end: what follows the last file's mark.
func amandaTape(t *testing.T, dir string, blockSize int, end ...record) fakeTape {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tp fakeTape
	for _, e := range entries { // sorted by name, so by file number
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tp = append(tp, amandaFile(b[:HeaderSize], b[HeaderSize:], blockSize)...)
	}
	return append(tp, end...)
}

// headerBlock builds h into a header block of blockSize bytes.
func headerBlock(t *testing.T, h Header, blockSize int) record {
	t.Helper()
	b, err := h.Build()
	if err != nil {
		t.Fatal(err)
	}
	return record{block: padBlocks(b, blockSize)}
}

func loadFake(t *testing.T, lib *fakeLibrary, label string) *Volume {
	t.Helper()
	v, err := lib.changer().Load(context.Background(), label)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// readTapeFile opens file n of v and reads its data.
func readTapeFile(t *testing.T, v *Volume, n int) (*File, []byte) {
	t.Helper()
	f, err := v.OpenFile(n)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read file %d: %v", n, err)
	}
	return f, data
}

// Every file of a vtape, recorded on a tape as Amanda records it, reads back with the same header
// and data (padded to the block size), whatever the block size and however the tape ends, and
// in any order.
func TestTapeMatchesVfs(t *testing.T) {
	root := corpus.Unpack(t)
	slot1 := filepath.Join(root, "vtapes/main/slot1")
	vfs, err := OpenVolume(slot1)
	if err != nil {
		t.Fatal(err)
	}
	const last = 6 // the last file of slot1
	tests := []struct {
		name      string
		blockSize int
		end       func(bs int) []record // after the last file's mark
		endFile   int                   // the Number of the TAPEEND after the last file
	}{
		{"two file marks", 32 << 10, func(int) []record { return []record{fileMark} }, last + 1},
		{"end of data after one mark", 32 << 10, func(int) []record { return nil }, last + 1},
		// A drive that writes one final mark gets a NOOP file before it; it is skipped.
		{"NOOP file", 32 << 10, func(bs int) []record {
			return []record{headerBlock(t, Header{Type: NoOp}, bs), fileMark}
		}, last + 2},
		{"256 KiB blocks", 256 << 10, func(int) []record { return []record{fileMark} }, last + 1},
		{"512 KiB blocks", 512 << 10, func(int) []record { return nil }, last + 1},
	}
	orders := [][]int{
		{1, 2, 3, 4, 5, 6},    // as the clerk reads: forward, without rewinding
		{6, 3, 0, 5, 1, 4, 2}, // back and forth
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lib := &fakeLibrary{tape: amandaTape(t, slot1, tc.blockSize, tc.end(tc.blockSize)...)}
			v := loadFake(t, lib, "DailySet1-01")
			if v.Label != vfs.Label || v.Datestamp != vfs.Datestamp || v.Dir != "" {
				t.Errorf("tape volume %+v, vfs %+v", *v, *vfs)
			}
			for i, order := range orders {
				rewinds := lib.rewinds
				for _, n := range order {
					want, wantData := readTapeFile(t, vfs, n)
					got, data := readTapeFile(t, v, n)
					if got.Number != n || got.Path != "" || got.Size != -1 || !reflect.DeepEqual(got.Header, want.Header) {
						t.Errorf("file %d: got %d %q size %d %s\nwant %s", n, got.Number, got.Path, got.Size,
							got.Header.Summary(), want.Header.Summary())
					}
					if !bytes.Equal(data, padBlocks(wantData, tc.blockSize)) {
						t.Errorf("file %d: %d data bytes differ from the vfs file's %d, padded to %d-byte blocks",
							n, len(data), len(wantData), tc.blockSize)
					}
				}
				if i == 0 && lib.rewinds != rewinds {
					t.Errorf("reading the files in order rewound %d times", lib.rewinds-rewinds)
				}
			}
			for _, n := range []int{last + 1, 100} {
				f, data := readTapeFile(t, v, n)
				wantN := max(n, tc.endFile)
				if f.Number != wantN || f.Header.Type != TapeEnd || f.Size != 0 || len(data) != 0 {
					t.Errorf("file %d: got %d %s size %d, %d bytes; want TAPEEND %d", n, f.Number, f.Header.Summary(), f.Size, len(data), wantN)
				}
			}
			// Past the end, the tape is read again from its beginning.
			if f, _ := readTapeFile(t, v, 1); f.Header.Disk != "/etc" {
				t.Errorf("file 1 after the end: %s", f.Header.Summary())
			}
		})
	}
}

// A file read in part, then closed, leaves the tape inside it: the next file is found by
// spacing forward, the same one by rewinding.
func TestTapePartialRead(t *testing.T) {
	root := corpus.Unpack(t)
	lib := &fakeLibrary{tape: amandaTape(t, filepath.Join(root, "vtapes/main/slot1"), 32<<10, fileMark)}
	v := loadFake(t, lib, "DailySet1-01")
	for _, step := range []struct {
		n, rewinds int
	}{{3, 0}, {4, 0}, {4, 1}, {6, 0}, {3, 1}} {
		rewinds := lib.rewinds
		f, err := v.OpenFile(step.n)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 100)
		if _, err := io.ReadFull(f, b); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if f.Header.Summary() == "" || f.Number != step.n || lib.rewinds-rewinds != step.rewinds {
			t.Errorf("file %d: got %d after %d rewinds, want %d", step.n, f.Number, lib.rewinds-rewinds, step.rewinds)
		}
		if _, err := f.Read(b); !errors.Is(err, os.ErrClosed) {
			t.Errorf("read after Close: %v", err)
		}
	}
}

// Only one file of a tape is open at a time.
func TestTapeOneFileAtATime(t *testing.T) {
	root := corpus.Unpack(t)
	lib := &fakeLibrary{tape: amandaTape(t, filepath.Join(root, "vtapes/main/slot1"), 32<<10, fileMark)}
	v := loadFake(t, lib, "DailySet1-01")
	f, err := v.OpenFile(1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); err != nil {
		t.Fatal(err)
	}
	_, err = v.OpenFile(2)
	wantErr(t, err, "open DailySet1-01 file 2 ("+fakeDev+")", "file 1 is still open", "one file at a time")
	f.Close()
	if f, _ := readTapeFile(t, v, 2); f.Header.Disk != "/srv/ext2vol" {
		t.Errorf("file 2 after closing file 1: %s", f.Header.Summary())
	}
}

// Tapes that are damaged, or were not written by Amanda.
func TestTapeDamaged(t *testing.T) {
	root := corpus.Unpack(t)
	slot1 := filepath.Join(root, "vtapes/main/slot1")
	const bs = 32 << 10
	good := amandaTape(t, slot1, bs, fileMark)
	// start returns the index of the first record of file n of good.
	start := func(n int) int {
		i := 0
		for ; n > 0; i++ {
			if good[i].block == nil {
				n--
			}
		}
		return i
	}
	edit := func(f func(tp fakeTape) fakeTape) fakeTape { return f(append(fakeTape(nil), good...)) }
	eio := fmt.Errorf("read: %w", syscall.EIO)
	tapeEndHeader := headerBlock(t, Header{Type: TapeEnd, Datestamp: "20261122232846"}, bs)
	label := headerBlock(t, Header{Type: TapeStart, Datestamp: "X", Label: "DailySet1-01"}, bs)

	tests := []struct {
		name  string
		tape  fakeTape
		check func(t *testing.T, lib *fakeLibrary)
	}{
		{
			name: "I/O error inside a file",
			tape: edit(func(tp fakeTape) fakeTape { tp[start(3)+5].err = eio; return tp }),
			check: func(t *testing.T, lib *fakeLibrary) {
				v := loadFake(t, lib, "DailySet1-01")
				f, err := v.OpenFile(3)
				if err != nil {
					t.Fatal(err)
				}
				n, err := io.Copy(io.Discard, f)
				if !errors.Is(err, syscall.EIO) || n != 4*bs {
					t.Errorf("read file 3: %d bytes, %v", n, err)
				}
				wantErr(t, err, "read DailySet1-01 file 3 ("+fakeDev+")")
				if _, err := f.Read(make([]byte, 10)); !errors.Is(err, syscall.EIO) {
					t.Errorf("read again: %v, want the same error", err)
				}
				f.Close()
				// The position is lost: the tape is rewound to read on.
				rewinds := lib.rewinds
				if f, _ := readTapeFile(t, v, 4); f.Header.PartNum != 2 || lib.rewinds != rewinds+1 {
					t.Errorf("file 4 after the error: %s, %d rewinds", f.Header.Summary(), lib.rewinds-rewinds)
				}
			},
		},
		{
			name: "I/O error reading a header",
			tape: edit(func(tp fakeTape) fakeTape { tp[start(2)].err = eio; return tp }),
			check: func(t *testing.T, lib *fakeLibrary) {
				v := loadFake(t, lib, "DailySet1-01")
				_, err := v.OpenFile(2)
				if !errors.Is(err, syscall.EIO) {
					t.Errorf("open file 2: %v", err)
				}
				wantErr(t, err, "read header of DailySet1-01 file 2 ("+fakeDev+")")
				if f, _ := readTapeFile(t, v, 1); f.Header.Disk != "/etc" {
					t.Errorf("file 1 after the error: %s", f.Header.Summary())
				}
			},
		},
		{
			name: "the data ends inside a file",
			tape: good[:start(4)+3],
			check: func(t *testing.T, lib *fakeLibrary) {
				v := loadFake(t, lib, "DailySet1-01")
				f, err := v.OpenFile(4)
				if err != nil {
					t.Fatal(err)
				}
				n, err := io.Copy(io.Discard, f)
				f.Close()
				if !errors.Is(err, io.ErrUnexpectedEOF) || n != 2*bs {
					t.Errorf("read file 4: %d bytes, %v; want %d bytes, io.ErrUnexpectedEOF", n, err, 2*bs)
				}
				wantErr(t, err, "read DailySet1-01 file 4 ("+fakeDev+")", "tape ends inside the file")
				if f, _ := readTapeFile(t, v, 5); f.Header.Type != TapeEnd || f.Number != 5 {
					t.Errorf("file 5: %d %s", f.Number, f.Header.Summary())
				}
				f, err = v.OpenFile(4)
				if err != nil || f.Header.PartNum != 2 {
					t.Fatalf("file 4 again: %v", err)
				}
				f.Close()
			},
		},
		{
			name: "blocks larger than the read buffer",
			tape: amandaTape(t, slot1, 1<<20),
			check: func(t *testing.T, lib *fakeLibrary) {
				_, err := lib.changer().Load(context.Background(), "DailySet1-01")
				if !errors.Is(err, errBlockTooLarge) || errors.Is(err, ErrWrongVolume) {
					t.Errorf("Load: %v", err)
				}
				wantErr(t, err, "load 'DailySet1-01' from "+fakeDev, "read header of "+fakeDev+" file 0",
					"larger than the 512 KiB read buffer")
			},
		},
		{
			name: "header block too small",
			tape: edit(func(tp fakeTape) fakeTape { tp[start(5)].block = tp[start(5)].block[:1000]; return tp }),
			check: func(t *testing.T, lib *fakeLibrary) {
				_, err := loadFake(t, lib, "DailySet1-01").OpenFile(5)
				wantErr(t, err, "DailySet1-01 file 5 ("+fakeDev+")", "header block is too small: 1000 bytes")
			},
		},
		{
			name: "a data file with a label header",
			tape: append(good[:len(good)-1:len(good)-1], label, fileMark, fileMark),
			check: func(t *testing.T, lib *fakeLibrary) {
				_, err := loadFake(t, lib, "DailySet1-01").OpenFile(7)
				wantErr(t, err, "read header of DailySet1-01 file 7 ("+fakeDev+")", "invalid Amanda header", "start of tape")
			},
		},
		{
			name: "a TAPEEND file (Amanda 2.x)",
			tape: append(good[:len(good)-1:len(good)-1], tapeEndHeader, fileMark, fileMark),
			check: func(t *testing.T, lib *fakeLibrary) {
				f, data := readTapeFile(t, loadFake(t, lib, "DailySet1-01"), 7)
				if f.Number != 7 || f.Header.Type != TapeEnd || f.Header.Datestamp != "20261122232846" || len(data) != 0 {
					t.Errorf("file 7: %d %s, %d bytes", f.Number, f.Header.Summary(), len(data))
				}
			},
		},
		{
			name: "file 0 is not TAPESTART",
			tape: good[start(1):],
			check: func(t *testing.T, lib *fakeLibrary) {
				_, err := lib.changer().Load(context.Background(), "DailySet1-01")
				if !errors.Is(err, ErrWrongVolume) {
					t.Errorf("Load: %v, want ErrWrongVolume", err)
				}
				wantErr(t, err, "expected volume label 'DailySet1-01', but the volume in "+fakeDev+" is not labeled",
					"bad volume label in "+fakeDev+": file 0 is a SPLIT_FILE header", "not TAPESTART")
			},
		},
		{
			name: "file 0 is garbage",
			tape: append(blocks([]byte("not an Amanda tape"), bs), fileMark),
			check: func(t *testing.T, lib *fakeLibrary) {
				_, err := lib.changer().Load(context.Background(), "DailySet1-01")
				if !errors.Is(err, ErrWrongVolume) {
					t.Errorf("Load: %v, want ErrWrongVolume", err)
				}
				wantErr(t, err, "bad volume label in "+fakeDev+": file 0:")
			},
		},
	}
	for _, blank := range []fakeTape{{}, {fileMark}, {fileMark, fileMark}} {
		tests = append(tests, struct {
			name  string
			tape  fakeTape
			check func(t *testing.T, lib *fakeLibrary)
		}{
			name: "blank tape, " + strconv.Itoa(len(blank)) + " file marks",
			tape: blank,
			check: func(t *testing.T, lib *fakeLibrary) {
				_, err := lib.changer().Load(context.Background(), "DailySet1-01")
				if !errors.Is(err, ErrWrongVolume) {
					t.Errorf("Load: %v, want ErrWrongVolume", err)
				}
				wantErr(t, err, "expected volume label 'DailySet1-01', but the volume in "+fakeDev+" is not labeled",
					"the tape is blank")
			},
		})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lib := &fakeLibrary{tape: tc.tape}
			tc.check(t, lib)
			if lib.opens > 0 && lib.openDrives() > 1 {
				t.Errorf("%d drives left open", lib.openDrives())
			}
		})
	}
}

// FuzzTapeRead reads every file of tapes made of real header blocks, data blocks, file marks and
// bad blocks in any order: no panic, no endless loop, no file before the one asked for, no more
// data than the tape holds.
func FuzzTapeRead(f *testing.F) {
	// The header texts, without their NUL padding: header blocks are padded back to 32 KiB.
	label := bytes.TrimRight(readTestdata(f, "main-slot1-00000.DailySet1-01.hdr"), "\x00")
	dump := bytes.TrimRight(readTestdata(f, "main-slot1-00003.localhost._home_alice.0.hdr"), "\x00")
	noop, err := (&Header{Type: NoOp}).Build()
	if err != nil {
		f.Fatal(err)
	}
	// Layout bytes, by value mod 5: a file mark, a label block, a dump header block, a data block
	// of (v/5+1)*100 bytes, a block that cannot be read.
	f.Add([]byte{1, 0, 2, 3, 8, 0, 2, 13, 0, 0}, label, dump) // as Amanda writes
	f.Add([]byte{1, 0, 2, 3, 0, 2, 3}, label, dump)           // ends without a second mark
	f.Add([]byte{1, 0, 2, 4, 3, 0, 2, 3, 0, 2, 0, 0}, label, noop)
	f.Add([]byte{3, 0, 1, 0}, dump, label)
	f.Add([]byte{0, 0, 1}, label, label)
	f.Fuzz(func(t *testing.T, layout, label, dump []byte) {
		if len(layout) > 200 || len(label) > HeaderSize || len(dump) > HeaderSize {
			return
		}
		var tp fakeTape
		total, marks := 0, 0
		for _, v := range layout {
			var r record
			switch v % 5 {
			case 0:
				marks++
			case 1:
				r.block = padBlocks(label, HeaderSize)
			case 2:
				r.block = padBlocks(dump, HeaderSize)
			case 3:
				r.block = make([]byte, (int(v)/5+1)*100)
			case 4:
				r.err = syscall.EIO
			}
			total += len(r.block)
			tp = append(tp, r)
		}
		h, _ := ParseHeader(label)
		lib := &fakeLibrary{tape: tp}
		v, err := lib.changer().Load(context.Background(), h.Label)
		if err != nil {
			return
		}
		for n := 0; n <= marks+2; n++ {
			f, err := v.OpenFile(n)
			if err != nil {
				continue
			}
			if f.Number < n {
				t.Fatalf("OpenFile(%d) opened file %d", n, f.Number)
			}
			data, _ := io.ReadAll(f)
			if len(data) > total {
				t.Fatalf("file %d: %d bytes from a tape of %d", n, len(data), total)
			}
			f.Close()
		}
	})
}
