package gtar

import (
	"context"
	"fmt"
	"io"
	"path"
)

// Writer writes entries into an FS exactly as Extract does (safe parents, temporary names,
// owners, modes and times, directories' attributes at the end, refusals and errors counted in
// Stats and told on Notes), for extractors of other archive formats: recover/dump. Those read
// their own streams and choose what to write; names are in the Member form ("docs/a.txt").
type Writer struct{ x *extractor }

// NewWriter writes into fsys with opts' Notes, SameOwner and Restored; the other options are
// the caller's business.
func NewWriter(ctx context.Context, fsys FS, opts Options) *Writer {
	x := &extractor{
		ctx:    ctx,
		fs:     fsys,
		sel:    everything{},
		notes:  opts.Notes,
		onDone: opts.Restored,
		owner:  opts.SameOwner,
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

// File writes the regular file name: fill writes the content into a new temporary file beside
// it and returns the bytes written; the file then gets h's owner, mode and times and is renamed
// into place. Errors fill wraps with Fatal stop the extraction (see Outcome).
func (w *Writer) File(h *Header, name string, fill func(File) (int64, error)) error {
	x := w.x
	if err := x.makeParents(name); err != nil {
		return err
	}
	tmp, f, err := x.createTemp(path.Dir(name))
	if err != nil {
		return err
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
