package gtar

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/spf13/afero"
	"golang.org/x/sys/unix"
)

// FS is where Extract writes. Names are slash-separated and relative to the restore directory
// ("." is the directory itself); Extract has already refused names that leave it. No method
// may follow a symbolic link in the last element of a name, except Chmod and Chtimes, which
// Extract calls only on directories and files it made.
type FS interface {
	Lstat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Mkdir(name string, perm fs.FileMode) error
	// Create makes a new regular file (exclusively, mode 0600) for writing.
	Create(name string) (File, error)
	Rename(oldname, newname string) error
	Remove(name string) error
	RemoveAll(name string) error
	Symlink(target, name string) error
	Link(oldname, newname string) error
	Chmod(name string, mode fs.FileMode) error
	Lchown(name string, uid, gid int) error
	Chtimes(name string, atime, mtime time.Time) error // zero times are left unchanged
	Lchtimes(name string, atime, mtime time.Time) error
	// Open opens a regular file for reading (Options.Verify, Compare). It fails on anything
	// else: a symbolic link is not followed, a fifo is not waited for.
	Open(name string) (io.ReadSeekCloser, error)
	Readlink(name string) (string, error)
	// Mknod makes a device node or fifo; mode holds the type bits (unix.S_IFCHR ...).
	Mknod(name string, mode uint32, dev uint64) error
	Close() error
}

// File is a file being written by Extract.
type File interface {
	io.Writer
	io.Seeker
	Truncate(size int64) error
	Close() error
}

// OSRoot returns an FS over the directory dir, through an os.Root: no name, symbolic link or
// hard link can reach outside dir.
func OSRoot(dir string) (FS, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return rootFS{r}, nil
}

type rootFS struct{ r *os.Root }

func (f rootFS) Lstat(name string) (fs.FileInfo, error) { return f.r.Lstat(name) }

func (f rootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	// Only a directory: opening a fifo planted where one was expected would block for good.
	d, err := f.r.OpenFile(name, os.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return d.ReadDir(-1)
}

func (f rootFS) Mkdir(name string, perm fs.FileMode) error { return f.r.Mkdir(name, perm) }

func (f rootFS) Create(name string) (File, error) {
	return f.r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

func (f rootFS) Rename(oldname, newname string) error      { return f.r.Rename(oldname, newname) }
func (f rootFS) Remove(name string) error                  { return f.r.Remove(name) }
func (f rootFS) RemoveAll(name string) error               { return f.r.RemoveAll(name) }
func (f rootFS) Symlink(target, name string) error         { return f.r.Symlink(target, name) }
func (f rootFS) Link(oldname, newname string) error        { return f.r.Link(oldname, newname) }
func (f rootFS) Chmod(name string, mode fs.FileMode) error { return f.r.Chmod(name, mode) }
func (f rootFS) Lchown(name string, uid, gid int) error    { return f.r.Lchown(name, uid, gid) }
func (f rootFS) Chtimes(name string, atime, mtime time.Time) error {
	return f.r.Chtimes(name, atime, mtime)
}
func (f rootFS) Close() error                         { return f.r.Close() }
func (f rootFS) Readlink(name string) (string, error) { return f.r.Readlink(name) }

func (f rootFS) Open(name string) (io.ReadSeekCloser, error) {
	file, err := f.r.OpenFile(name, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err := file.Stat(); err != nil || !fi.Mode().IsRegular() {
		file.Close()
		if err == nil {
			err = &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
		}
		return nil, err
	}
	return file, nil
}

var errNotRegular = errors.New("not a regular file")

// Lchtimes and Mknod have no os.Root method: they run relative to the parent directory opened
// through the root, so they stay inside it as well.
func (f rootFS) Lchtimes(name string, atime, mtime time.Time) error {
	ts := []unix.Timespec{timespec(atime), timespec(mtime)}
	return f.inParent("lchtimes", name, func(dirfd int, base string) error {
		return unix.UtimesNanoAt(dirfd, base, ts, unix.AT_SYMLINK_NOFOLLOW)
	})
}

func (f rootFS) Mknod(name string, mode uint32, dev uint64) error {
	return f.inParent("mknod", name, func(dirfd int, base string) error {
		return unix.Mknodat(dirfd, base, mode, int(dev))
	})
}

func (f rootFS) inParent(op, name string, fn func(dirfd int, base string) error) error {
	d, err := f.r.Open(path.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	if err := fn(int(d.Fd()), path.Base(name)); err != nil {
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nil
}

func timespec(t time.Time) unix.Timespec {
	if t.IsZero() {
		return unix.Timespec{Nsec: unix.UTIME_OMIT}
	}
	return unix.NsecToTimespec(t.UnixNano())
}

// AferoFS returns an FS over an afero file system (tests use afero.NewMemMapFs). Names are
// taken relative to its root "/". Symbolic links work only where fsys supports them; hard
// links are made as copies, and device nodes and fifos are not supported.
func AferoFS(fsys afero.Fs) FS {
	return aferoFS{fsys}
}

type aferoFS struct{ fs afero.Fs }

func (a aferoFS) abs(name string) string { return path.Join("/", name) }

func (a aferoFS) Lstat(name string) (fs.FileInfo, error) {
	if l, ok := a.fs.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(a.abs(name))
		return fi, err
	}
	return a.fs.Stat(a.abs(name))
}

func (a aferoFS) ReadDir(name string) ([]fs.DirEntry, error) {
	infos, err := afero.ReadDir(a.fs, a.abs(name))
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, len(infos))
	for i, fi := range infos {
		out[i] = fs.FileInfoToDirEntry(fi)
	}
	return out, nil
}

func (a aferoFS) Mkdir(name string, perm fs.FileMode) error { return a.fs.Mkdir(a.abs(name), perm) }

func (a aferoFS) Create(name string) (File, error) {
	return a.fs.OpenFile(a.abs(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

func (a aferoFS) Rename(oldname, newname string) error {
	// Some afero file systems replace a directory target; rename(2) does only for empty ones.
	if fi, err := a.Lstat(newname); err == nil && fi.IsDir() {
		if ents, err := a.ReadDir(newname); err != nil || len(ents) > 0 {
			return &fs.PathError{Op: "rename", Path: newname, Err: errors.New("directory not empty")}
		}
	}
	return a.fs.Rename(a.abs(oldname), a.abs(newname))
}

func (a aferoFS) Remove(name string) error    { return a.fs.Remove(a.abs(name)) }
func (a aferoFS) RemoveAll(name string) error { return a.fs.RemoveAll(a.abs(name)) }

func (a aferoFS) Symlink(target, name string) error {
	if l, ok := a.fs.(afero.Linker); ok {
		return l.SymlinkIfPossible(target, a.abs(name))
	}
	return &fs.PathError{Op: "symlink", Path: name, Err: errors.ErrUnsupported}
}

// Link copies oldname: afero has no hard links. Only regular files are copied, so a symbolic
// link is never followed.
func (a aferoFS) Link(oldname, newname string) error {
	fi, err := a.Lstat(oldname)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &fs.PathError{Op: "link", Path: oldname, Err: errNotRegular}
	}
	if _, err := a.Lstat(newname); err == nil {
		return &fs.PathError{Op: "link", Path: newname, Err: fs.ErrExist}
	}
	src, err := a.fs.Open(a.abs(oldname))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := a.fs.OpenFile(a.abs(newname), os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	return a.fs.Chtimes(a.abs(newname), fi.ModTime(), fi.ModTime())
}

func (a aferoFS) Chmod(name string, mode fs.FileMode) error {
	return a.fs.Chmod(a.abs(name), mode)
}

func (a aferoFS) Lchown(name string, uid, gid int) error {
	fi, err := a.Lstat(name)
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return &fs.PathError{Op: "lchown", Path: name, Err: errors.ErrUnsupported}
	}
	return a.fs.Chown(a.abs(name), uid, gid)
}

func (a aferoFS) Chtimes(name string, atime, mtime time.Time) error {
	if atime.IsZero() {
		atime = mtime // afero has no "leave unchanged"
	}
	return a.fs.Chtimes(a.abs(name), atime, mtime)
}

func (a aferoFS) Lchtimes(name string, _, _ time.Time) error {
	return &fs.PathError{Op: "lchtimes", Path: name, Err: errors.ErrUnsupported}
}

func (a aferoFS) Mknod(name string, _ uint32, _ uint64) error {
	return &fs.PathError{Op: "mknod", Path: name, Err: errors.ErrUnsupported}
}

func (a aferoFS) Close() error { return nil }

func (a aferoFS) Open(name string) (io.ReadSeekCloser, error) {
	fi, err := a.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular}
	}
	return a.fs.Open(a.abs(name))
}

func (a aferoFS) Readlink(name string) (string, error) {
	if l, ok := a.fs.(afero.LinkReader); ok {
		return l.ReadlinkIfPossible(a.abs(name))
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: errors.ErrUnsupported}
}
