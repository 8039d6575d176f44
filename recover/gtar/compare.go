package gtar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Difference is one way an entry on disk differs from its member, or that it is missing.
type Difference struct {
	Name string // the member's name as archived, escaped as tar prints it ("./docs/readme.txt")
	What string // "Contents differ", "Size differs: 10 in the dump, 12 on disk", "Missing" ...
}

func (d Difference) String() string { return d.Name + ": " + d.What }

// CompareStats says what Compare found.
type CompareStats struct {
	Members     int          // selected members compared
	Differ      int          // of them, those missing, different, or not comparable (refused names)
	Skipped     int          // members not selected
	Differences []Difference // every difference in archive order; a member may have several
}

// Compare checks what is in fsys against the members of the GNU tar stream r that opts.Select
// lists, as tar --compare does, without writing anything. For each member it reports (on
// opts.Notes and in CompareStats.Differences) a missing entry or another type, and for what
// is there: the mode, the mtime (not of symbolic links), the size and content (SHA-256) of
// regular files, the target of symbolic links, the file a hard link shares, device numbers,
// and the owner when opts.SameOwner is set. Listed members are printed on opts.Verbose as
// Extract prints them; dumpdirs are not applied and the other options are not used.
//
// The error is non-nil when the stream could not be followed to its end or ctx was cancelled.
func Compare(ctx context.Context, r io.Reader, fsys FS, opts Options) (CompareStats, error) {
	c := &comparer{extractor: extractor{ctx: ctx, fs: fsys, sel: opts.Select, verbose: opts.Verbose, notes: opts.Notes,
		owner: opts.SameOwner, buf: make([]byte, 1<<20)}}
	if c.sel == nil {
		c.sel = everything{}
	}
	if c.verbose == nil {
		c.verbose = io.Discard
	}
	if c.notes == nil {
		c.notes = io.Discard
	}
	tr := NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return c.stats, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return c.stats, ctx.Err()
		}
		if err != nil {
			return c.stats, fmt.Errorf("read archive: %w", err)
		}
		if err := c.member(tr, h); err != nil {
			return c.stats, err
		}
	}
}

type comparer struct {
	extractor
	stats CompareStats
	diffs []string // of the current member
}

func (c *comparer) differ(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

// member compares one member; only fatal errors (reading the stream) are returned.
func (c *comparer) member(tr *Reader, h *Header) error {
	name, why := memberPath(h.Name)
	if why == "" {
		if c.sel.Member(name) != Listed || h.Typeflag == TypeVolume || h.Typeflag == 'M' || h.Typeflag == 'N' {
			c.stats.Skipped++
			return nil
		}
		fmt.Fprintln(c.verbose, EscapeName(h.Name))
	}
	c.stats.Members++
	c.diffs = c.diffs[:0]
	if why != "" {
		c.differ("Not compared: %s", why)
	} else if err := c.compare(tr, h, name); err != nil {
		return err
	}
	if len(c.diffs) > 0 {
		c.stats.Differ++
	}
	for _, d := range c.diffs {
		diff := Difference{Name: EscapeName(h.Name), What: d}
		c.stats.Differences = append(c.stats.Differences, diff)
		fmt.Fprintf(c.notes, "amrshell: %s\n", diff)
	}
	return nil
}

// typeNames name the file types in messages, as ls and tar do.
var typeNames = map[fs.FileMode]string{
	0: "regular file", fs.ModeDir: "directory", fs.ModeSymlink: "symbolic link", fs.ModeNamedPipe: "fifo",
	fs.ModeDevice: "block device", fs.ModeDevice | fs.ModeCharDevice: "character device", fs.ModeSocket: "socket",
}

func typeName(m fs.FileMode) string {
	if n, ok := typeNames[m.Type()]; ok {
		return n
	}
	return "file of unknown type"
}

// compare compares one member with what is on disk, noting the differences; the error is
// fatal (reading the stream).
func (c *comparer) compare(tr *Reader, h *Header, name string) error {
	if err := c.checkParents(name); err != nil {
		c.differ("Not compared: %v", err)
		return nil
	}
	fi, err := c.fs.Lstat(fsName(name))
	if errors.Is(err, fs.ErrNotExist) {
		c.differ("Missing on disk")
		return nil
	}
	if err != nil {
		c.differ("Cannot stat: %v", err)
		return nil
	}
	want := h.FileMode() // a dumpdir's is a directory's
	switch h.Typeflag {
	case TypeReg, TypeDir, TypeDumpdir, TypeSymlink, TypeChar, TypeBlock, TypeFifo:
	default:
		// A hard link names a regular file (its type is checked on the file it names);
		// unknown types are extracted as regular files.
		want = want.Perm() | want&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)
	}
	if fi.Mode().Type() != want.Type() {
		c.differ("File type differs: %s in the dump, %s on disk", typeName(want), typeName(fi.Mode()))
		return nil
	}
	if h.Typeflag == TypeLink {
		c.hardlink(h, name, fi)
		return nil
	}
	if h.Typeflag != TypeSymlink {
		perm := fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky
		if got, w := fi.Mode()&perm, want&perm; got != w {
			c.differ("Mode differs: %s in the dump, %s on disk", modeString(w), modeString(got))
		}
		if !fi.ModTime().Equal(h.Mtime) {
			c.differ("Mod time differs: %s in the dump, %s on disk", formatTime(h.Mtime), formatTime(fi.ModTime()))
		}
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	if c.owner && st != nil && (int(st.Uid) != h.Uid || int(st.Gid) != h.Gid) {
		c.differ("Owner differs: %d:%d in the dump, %d:%d on disk", h.Uid, h.Gid, st.Uid, st.Gid)
	}
	switch h.Typeflag {
	case TypeSymlink:
		target, err := c.fs.Readlink(name)
		if err != nil {
			c.differ("Cannot read the link: %v", err)
		} else if target != h.Linkname {
			c.differ("Symlink differs: to %s in the dump, to %s on disk", quoteName(h.Linkname), quoteName(target))
		}
	case TypeChar, TypeBlock:
		if st != nil && (int64(unix.Major(st.Rdev)) != h.Devmajor || int64(unix.Minor(st.Rdev)) != h.Devminor) {
			c.differ("Device number differs: %d,%d in the dump, %d,%d on disk", h.Devmajor, h.Devminor, unix.Major(st.Rdev), unix.Minor(st.Rdev))
		}
	case TypeDir, TypeDumpdir, TypeFifo:
	default:
		return c.contents(tr, h, name, fi)
	}
	return nil
}

// contents compares a regular file's size and, when equal, its content (the data fragments
// of a sparse file: holes are not read); the error is fatal.
func (c *comparer) contents(tr *Reader, h *Header, name string, fi fs.FileInfo) error {
	if fi.Size() != h.Size {
		c.differ("Size differs: %d bytes in the dump, %d on disk", h.Size, fi.Size())
		return nil // the reader skips the data
	}
	want := sha256.New()
	if _, err := io.CopyBuffer(want, readerFunc(tr.readData), c.buf); err != nil {
		return fatalError{err}
	}
	got, err := storedSum(c.fs, name, h, c.buf)
	if err != nil {
		c.differ("Cannot read: %v", err)
	} else if !bytes.Equal(got, want.Sum(nil)) {
		c.differ("Contents differ: SHA-256 of the %s %x in the dump, %x on disk", storedWhat(h), want.Sum(nil), got)
	}
	return nil
}

// readerFunc reads the stored data of a member (Reader.readData), without a sparse file's holes.
type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// hardlink checks that name is the file its link target is: the same inode, or with an
// AferoFS, which makes hard links as copies, the same content.
func (c *comparer) hardlink(h *Header, name string, fi fs.FileInfo) {
	target, why := memberPath(h.Linkname)
	if why != "" || target == "" {
		c.differ("Not compared: hard link to %s", quoteName(h.Linkname))
		return
	}
	tfi, err := c.fs.Lstat(target)
	if err != nil {
		c.differ("Not linked to %s: %v", quoteName(h.Linkname), err)
		return
	}
	if _, copies := c.fs.(aferoFS); copies {
		a, err1 := fileSum(c.fs, name, c.buf)
		b, err2 := fileSum(c.fs, target, c.buf)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			c.differ("Not linked to %s: another content", quoteName(h.Linkname))
		}
		return
	}
	if !os.SameFile(fi, tfi) {
		c.differ("Not linked to %s", quoteName(h.Linkname))
	}
}

// fileSum is the SHA-256 of a regular file.
func fileSum(fsys FS, name string, buf []byte) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// modeString gives a mode as tar and chmod write it: 04755.
func modeString(m fs.FileMode) string {
	bits := uint32(m.Perm())
	for _, b := range []struct {
		mode fs.FileMode
		bit  uint32
	}{{fs.ModeSetuid, 0o4000}, {fs.ModeSetgid, 0o2000}, {fs.ModeSticky, 0o1000}} {
		if m&b.mode != 0 {
			bits |= b.bit
		}
	}
	return fmt.Sprintf("%04o", bits)
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999999Z") }
