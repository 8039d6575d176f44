package gtar

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
)

// Writer writes entries into an FS exactly as Extract does (safe parents, temporary names,
// owners, modes and times, directories' attributes at the end, refusals and errors counted in
// Stats and told on Notes), for extractors of other archive formats: recover/dump. Those read
// their own streams and choose what to write; names are in the Member form ("docs/a.txt").
type Writer struct{ x *extractor }

// NewWriter writes into fsys with opts' Notes, SameOwner, Restored, Overwrite, Preexisting and
// Verify; the other options are the caller's business.
func NewWriter(ctx context.Context, fsys FS, opts Options) *Writer {
	x := &extractor{
		ctx:    ctx,
		fs:     fsys,
		sel:    everything{},
		notes:  opts.Notes,
		onDone: opts.Restored,
		owner:  opts.SameOwner,
		policy: opts.Overwrite,
		before: opts.Preexisting,
		verify: opts.Verify,
		root:   geteuid() == 0,
		buf:    make([]byte, 1<<20),
		ghosts: map[string]string{},
	}
	x.verbose = io.Discard
	if x.notes == nil {
		x.notes = io.Discard
	}
	return &Writer{x}
}

// Dir makes the directory name if it is missing (replacing a non-directory there) and sets
// h's owner, mode and times on it at Finish, after its content.
func (w *Writer) Dir(h *Header, name string) error { return w.x.makeDir(h, name) }

// Keep applies the Overwrite policy to the member h, other than a directory, about to be written
// at name: it reports whether what is there stays (said on Notes, counted in Stats.Kept).
func (w *Writer) Keep(h *Header, name string) bool { return w.x.kept(h, name) }

// File writes the regular file name: fill writes the content into a new temporary file beside
// it and returns the bytes written; the file then gets h's owner, mode and times and is renamed
// into place. With Verify, it is read back first and compared with what fill wrote (h.Size
// bytes, holes as zeros). Errors fill wraps with Fatal stop the extraction (see Outcome).
func (w *Writer) File(h *Header, name string, fill func(File) (int64, error)) error {
	x := w.x
	if err := x.makeParents(name); err != nil {
		return err
	}
	tmp, f, err := x.createTemp(path.Dir(name))
	if err != nil {
		return err
	}
	var sf *summingFile
	if x.verify {
		sf = &summingFile{File: f, sum: sha256.New()}
		f = sf
	}
	n, err := fill(f)
	x.stats.Bytes += n
	if err != nil {
		f.Close()
		x.fs.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		x.fs.Remove(tmp)
		return fmt.Errorf("write: %w", err)
	}
	if sf != nil {
		if err := sf.verify(x, tmp, h); err != nil {
			x.fs.Remove(tmp)
			return err
		}
	}
	attrErr := x.setAttrs(tmp, x.safeAttrs(h))
	if err := x.replace(tmp, name); err != nil {
		x.fs.Remove(tmp)
		return err
	}
	x.done(n)
	return attrErr
}

// Entry makes a hard link to h.Linkname (TypeLink, a name in the Member form), a symbolic link
// (TypeSymlink), a device node (TypeChar, TypeBlock; root only) or a fifo (TypeFifo) at name,
// replacing what is there.
func (w *Writer) Entry(h *Header, name string) error {
	switch h.Typeflag {
	case TypeLink:
		return w.x.hardlink(h, name)
	case TypeSymlink:
		return w.x.symlink(h, name)
	case TypeChar, TypeBlock, TypeFifo:
		return w.x.special(h, name)
	}
	return fmt.Errorf("entry of type '%c' cannot be written", h.Typeflag)
}

// CheckParents refuses a name whose existing parents include a symbolic link.
func (w *Writer) CheckParents(name string) error { return w.x.checkParents(name) }

// MakeParents makes the missing directories above name, refusing symbolic links among them.
func (w *Writer) MakeParents(name string) error { return w.x.makeParents(name) }

// Rename renames from to to (both Member form, parents already checked).
func (w *Writer) Rename(from, to string) error {
	w.x.okDir = ""
	return w.x.fs.Rename(fsName(from), fsName(to))
}

// RemoveAll removes name and everything below it.
func (w *Writer) RemoveAll(name string) error {
	w.x.okDir = ""
	return w.x.fs.RemoveAll(fsName(name))
}

// Outcome records the result of writing the entry shown as name ("./docs/a.txt"): refusals in
// Stats.Refused, other errors in Stats.Errors, both told on Notes. It returns only the errors
// made with Fatal, which end the extraction.
func (w *Writer) Outcome(name string, err error) error { return w.x.outcome(name, err) }

// Stats is what the writer did so far; callers count their own Skipped, Deleted and Renamed.
func (w *Writer) Stats() *Stats { return &w.x.stats }

// Finish sets the attributes of the directories made with Dir, deepest first, and returns the
// final counts.
func (w *Writer) Finish() Stats {
	w.x.finishDirs()
	return w.x.stats
}

// Refusal is the error of an entry refused for safety or lack of privilege (Stats.Refused).
func Refusal(format string, args ...any) error { return refusef(format, args...) }

// Fatal marks an error after which the stream cannot be followed: Outcome returns it.
func Fatal(err error) error { return fatalError{err} }

// QuoteName quotes a name as tar's messages do ("'./x'").
func QuoteName(name string) string { return quoteName(name) }

// TempName is a new name of the kind Extract uses in dir (".amrshell-KINDxxxxxxxx").
func TempName(dir, kind string) string { return tempName(dir, kind) }

// summingFile hashes what is written to a File in file order, a hole (a seek forward) as the
// zeros it reads back as, for Writer.File's Verify.
type summingFile struct {
	File
	sum       hash.Hash
	pos, end  int64 // where the next write goes, and how far the sum has come
	unordered bool  // written behind what was summed: the sum says nothing
}

func (f *summingFile) Write(p []byte) (int, error) {
	f.advance(f.pos)
	n, err := f.File.Write(p)
	if !f.unordered {
		f.sum.Write(p[:n])
		f.end += int64(n)
	}
	f.pos += int64(n)
	return n, err
}

func (f *summingFile) Seek(offset int64, whence int) (int64, error) {
	pos, err := f.File.Seek(offset, whence)
	if err == nil {
		f.pos = pos
	}
	return pos, err
}

func (f *summingFile) Truncate(size int64) error {
	if size < f.end {
		f.unordered = true
	}
	return f.File.Truncate(size)
}

// advance sums the zeros of a hole up to to; a write before the sum's end unorders it.
func (f *summingFile) advance(to int64) {
	if to < f.end {
		f.unordered = true
	}
	for zeros := make([]byte, 64<<10); !f.unordered && f.end < to; {
		n := min(int64(len(zeros)), to-f.end)
		f.sum.Write(zeros[:n])
		f.end += n
	}
}

// verify reads the file back from tmp and compares it with what was written, h.Size bytes.
func (f *summingFile) verify(x *extractor, tmp string, h *Header) error {
	f.advance(h.Size)
	if f.unordered {
		return errors.New("verify: the file was not written in order; it cannot be checked")
	}
	return x.verifyFile(tmp, h, f.sum.Sum(nil))
}
