package gtar

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Options control Extract.
type Options struct {
	Select    Selection // nil selects every member as Listed, like tar without a file list
	Verbose   io.Writer // tar -v lines ("./docs/", "./odd names/back\\slash.txt") and "amrshell: Deleting './x'" lines
	Notes     io.Writer // amrshell's own notes (stderr): silent purges, renames applied beyond tar, refusals, errors
	SameOwner bool      // set owners from the archive's numeric uid/gid (tar --same-owner --numeric-owner; root)
	// Keep protects entries from the purges of Exact directories: an entry (Member form) it
	// returns true for is left in place. Tar's own purges (Listed directories) ignore it:
	// amrecover warns before those. nil keeps nothing.
	Keep func(name string) bool
	// Restored, if not nil, is called each time a member other than a directory is complete
	// under its final name, with the bytes of content written for it (0 for links and special
	// files), for progress. It runs on Extract's goroutine.
	Restored func(size int64)
	// Overwrite says what becomes of an entry already in the restore directory where a member
	// other than a directory goes. The zero value, OverwriteAlways, replaces it, as GNU tar -x
	// (and so amrecover) does. Directories are merged whatever the policy, and the purges of
	// dumpdirs are not concerned (see Keep).
	Overwrite Overwrite
	// Preexisting, if not nil, tells the Overwrite policy which entries (Member form) were in
	// the restore directory before the restore began; the others were written by earlier dumps
	// of the chain and are replaced, as the later dump must win. nil: every entry found counts.
	Preexisting func(name string) bool
	// Verify reads each regular file back from the file system once written, before it gets
	// its final name, and fails the member if its SHA-256 is not that of the stream's data.
	Verify bool
}

// Stats counts what Extract did.
type Stats struct {
	Files   int      // non-directory members created: regular files, hard and symbolic links, special files
	Dirs    int      // directory members created or brought up to date
	Bytes   int64    // bytes of file content written
	Skipped int      // members not selected
	Deleted int      // entries removed because a dumpdir no longer lists them
	Renamed int      // directories moved by dumpdir rename records
	Kept    int      // members not extracted because the Overwrite policy kept what was there
	Refused []string // members refused (unsafe names or links, missing privilege), each with its reason
	Errors  []string // members that could not be extracted (the rest went on), each with its reason
}

// geteuid and getegid are os.Geteuid and os.Getegid; tests replace them to check what
// happens without root.
var (
	geteuid = os.Geteuid
	getegid = os.Getegid
)

// Extract restores the members of the GNU tar stream r that opts.Select selects into fsys, as
// GNU tar -xpG --numeric-owner with a file list does, plus amrshell's Exact choice and its
// handling of renames that tar would lose (see the package documentation).
//
// The error is non-nil when the stream could not be followed to its end (corrupt or truncated
// archive, read error) or ctx was cancelled; problems with single members are reported in
// Stats.Refused and Stats.Errors and on opts.Notes, and extraction goes on after them.
func Extract(ctx context.Context, r io.Reader, fsys FS, opts Options) (Stats, error) {
	x := &extractor{
		ctx:     ctx,
		fs:      fsys,
		sel:     opts.Select,
		verbose: opts.Verbose,
		notes:   opts.Notes,
		keep:    opts.Keep,
		onDone:  opts.Restored,
		owner:   opts.SameOwner,
		root:    geteuid() == 0,
		policy:  opts.Overwrite,
		before:  opts.Preexisting,
		verify:  opts.Verify,
		buf:     make([]byte, 1<<20),
		ghosts:  map[string]string{},
	}
	if x.sel == nil {
		x.sel = everything{}
	}
	if x.verbose == nil {
		x.verbose = io.Discard
	}
	if x.notes == nil {
		x.notes = io.Discard
	}
	if !x.verify {
		x.behind = startWriteBehind(x)
	}
	err := x.run(NewReader(r))
	if x.behind != nil {
		x.behind.close()
	}
	x.finishDirs()
	if err == nil {
		err = ctx.Err() // cancelled while the reader skipped or finished a member
	}
	return x.stats, err
}

type extractor struct {
	ctx     context.Context
	fs      FS
	sel     Selection
	verbose io.Writer
	notes   io.Writer
	keep    func(string) bool
	onDone  func(size int64)
	owner   bool
	root    bool
	policy  Overwrite
	before  func(string) bool
	verify  bool
	buf     []byte
	stats   Stats
	behind  *writeBehind // writes regular files on a goroutine of its own; nil: here

	dirs   []dirAttrs        // listed directories, whose attributes are set at the end
	ghosts map[string]string // directories amrshell moved where tar would have deleted them: from -> to
	okDir  string            // last directory checked to be a chain of real directories
}

// dirAttrs are a directory's attributes, set after its content as tar does.
type dirAttrs struct {
	name string
	attrs
}

type attrs struct {
	mode         fs.FileMode
	uid, gid     int
	atime, mtime time.Time
}

func attrsOf(h *Header) attrs {
	return attrs{mode: h.FileMode() &^ fs.ModeType, uid: h.Uid, gid: h.Gid, atime: h.Atime, mtime: h.Mtime}
}

// fatalError stops the extraction: the stream cannot be followed after it.
type fatalError struct{ err error }

func (e fatalError) Error() string { return e.err.Error() }
func (e fatalError) Unwrap() error { return e.err }

// refusal is a member amrshell will not extract, for safety or lack of privilege.
type refusal struct{ msg string }

func (e refusal) Error() string { return e.msg }

func refusef(format string, args ...any) error { return refusal{fmt.Sprintf(format, args...)} }

func (x *extractor) run(tr *Reader) error {
	for {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read archive: %w", err)
		}
		if err := x.member(tr, h); err != nil {
			return err
		}
	}
}

// member extracts one member; only fatal errors are returned.
func (x *extractor) member(tr *Reader, h *Header) error {
	name, why := memberPath(h.Name)
	if why != "" {
		return x.outcome(h.Name, refusal{why})
	}
	choice := x.sel.Member(name)
	if h.Typeflag == TypeDumpdir || h.Typeflag == TypeDir {
		x.settle(h, name)
		return x.outcome(h.Name, x.directory(h, name, choice))
	}
	if name == "" {
		return x.outcome(h.Name, refusal{"a member that is not a directory names the restore directory itself"})
	}
	if choice != Listed || h.Typeflag == TypeVolume {
		x.stats.Skipped++
		return nil
	}
	if h.Typeflag == 'M' || h.Typeflag == 'N' {
		x.stats.Skipped++
		fmt.Fprintf(x.notes, "amrshell: %s: skipped: member of type '%c' (multi-volume or old GNU names) cannot be extracted\n", EscapeName(h.Name), h.Typeflag)
		return nil
	}
	fmt.Fprintln(x.verbose, EscapeName(h.Name))
	x.settle(h, name)
	if err := x.checkParents(name); err != nil {
		return x.outcome(h.Name, err)
	}
	if x.kept(h, name) {
		return nil
	}
	var err error
	switch h.Typeflag {
	case TypeReg:
		err = x.regular(tr, h, name)
	case TypeLink:
		err = x.hardlink(h, name)
	case TypeSymlink:
		err = x.symlink(h, name)
	case TypeChar, TypeBlock, TypeFifo:
		err = x.special(h, name)
	default:
		fmt.Fprintf(x.notes, "amrshell: %s: Unknown file type '%c', extracted as normal file\n", EscapeName(h.Name), h.Typeflag)
		err = x.regular(tr, h, name)
	}
	return x.outcome(h.Name, err)
}

// outcome records a member's error and passes on only fatal ones.
func (x *extractor) outcome(name string, err error) error {
	var f fatalError
	var r refusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &f):
		return f.err
	case errors.As(err, &r):
		x.stats.Refused = append(x.stats.Refused, EscapeName(name)+": "+r.msg)
		fmt.Fprintf(x.notes, "amrshell: %s: refused: %s\n", EscapeName(name), r.msg)
	default:
		x.stats.Errors = append(x.stats.Errors, EscapeName(name)+": "+err.Error())
		fmt.Fprintf(x.notes, "amrshell: %s: %v\n", EscapeName(name), err)
	}
	return nil
}

// Linux's limits on names (PATH_MAX less its NUL, NAME_MAX). Longer names cannot be made in one
// system call, and refusing them up front spares making thousands of directories for nothing.
const (
	maxPath    = 4095
	maxElement = 255
)

// memberPath turns an archive name into the Member form ("./docs/" -> "docs", "./" -> ""), or
// says why the name is refused.
func memberPath(name string) (string, string) {
	if name == "" {
		return "", "empty member name"
	}
	if name[0] == '/' {
		return "", "absolute member name"
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", "member name contains a NUL byte"
	}
	c := path.Clean(name)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", "member name leads outside the restore directory"
	}
	if c == "." {
		return "", ""
	}
	if len(c) > maxPath {
		return "", fmt.Sprintf("member name of %d bytes: longer than the %d a path may have", len(c), maxPath)
	}
	for e := range strings.SplitSeq(c, "/") {
		if len(e) > maxElement {
			return "", fmt.Sprintf("member name has an element of %d bytes: longer than the %d a file name may have", len(e), maxElement)
		}
	}
	return c, ""
}

// fsName is the FS name of a Member-form path.
func fsName(name string) string {
	if name == "" {
		return "."
	}
	return name
}

// directory handles a directory member: tar prints it, applies its dumpdir (renames, then
// deletion of what the dump no longer lists), then makes the directory.
func (x *extractor) directory(h *Header, name string, choice Choice) error {
	listed := choice == Listed
	if listed {
		fmt.Fprintln(x.verbose, EscapeName(h.Name))
	}
	if h.Typeflag == TypeDumpdir {
		if err := x.checkParents(name); err != nil {
			return err
		}
		x.renames(h, listed)
		if choice != NotSelected {
			x.purge(h, name, listed)
		}
	}
	switch choice {
	case Listed:
		return x.makeDir(h, name)
	case NotSelected:
		x.stats.Skipped++
	}
	return nil
}

func (x *extractor) makeDir(h *Header, name string) error {
	if name != "" {
		if err := x.makeParents(name); err != nil {
			return err
		}
		fi, err := x.fs.Lstat(name)
		switch {
		case err == nil && fi.IsDir():
		case err == nil:
			// A file or symbolic link where the dump has a directory: replace it.
			if err := x.fs.Remove(name); err != nil {
				return err
			}
			x.okDir = ""
			fallthrough
		case errors.Is(err, fs.ErrNotExist):
			if err := x.fs.Mkdir(name, 0o700); err != nil {
				return err
			}
		default:
			return err
		}
	}
	x.dirs = append(x.dirs, dirAttrs{fsName(name), attrsOf(h)})
	x.stats.Dirs++
	return nil
}

// purge deletes the entries of directory name that its dumpdir does not list (or lists with
// another type), as tar -G does; listed says whether the lines go to Verbose (tar would print
// them) or to Notes (amrshell's Exact).
func (x *extractor) purge(h *Header, name string, listed bool) {
	fi, err := x.fs.Lstat(fsName(name))
	if err != nil || !fi.IsDir() {
		return // nothing there yet (or not a directory, which makeDir replaces)
	}
	ents, err := x.fs.ReadDir(fsName(name))
	if err != nil {
		x.outcome(h.Name, fmt.Errorf("not purging: cannot read the directory: %w", err))
		return
	}
	want := make(map[string]byte, len(h.Dumpdir))
	for _, e := range h.Dumpdir {
		switch e.Code {
		case DumpdirIncluded, DumpdirUnchanged, DumpdirDirectory:
			want[e.Name] = e.Code
		}
	}
	type victim struct {
		name  string
		ghost bool // moved away by amrshell already: only tar's line is printed
	}
	var victims []victim
	for _, de := range ents {
		code, ok := want[de.Name()]
		if ok && (code == DumpdirUnchanged || (code == DumpdirDirectory) == de.IsDir()) {
			continue
		}
		victims = append(victims, victim{name: de.Name()})
	}
	for from := range x.ghosts {
		dir, base := splitPath(from)
		if dir != name {
			continue
		}
		delete(x.ghosts, from)
		if code, ok := want[base]; listed && (!ok || code == DumpdirIncluded) {
			victims = append(victims, victim{name: base, ghost: true})
		}
	}
	slices.SortFunc(victims, func(a, b victim) int { return strings.Compare(a.name, b.name) })
	prefix := h.Name
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	for _, v := range victims {
		if !listed && !v.ghost && x.keep != nil && x.keep(path.Join(name, v.name)) {
			fmt.Fprintf(x.notes, "amrshell: Keeping %s: it was there before the restore\n", quoteName(prefix+v.name))
			continue
		}
		line := "amrshell: Deleting " + quoteName(prefix+v.name)
		if listed {
			fmt.Fprintln(x.verbose, line)
		} else {
			fmt.Fprintln(x.notes, line)
		}
		if v.ghost {
			continue
		}
		x.okDir = ""
		if err := x.fs.RemoveAll(path.Join(name, v.name)); err != nil {
			x.outcome(prefix+v.name, fmt.Errorf("cannot remove: %w", err))
			continue
		}
		x.stats.Deleted++
	}
}

// splitPath splits a Member-form path into its directory ("" at the top) and last element.
func splitPath(p string) (string, string) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p
	}
	return p[:i], p[i+1:]
}

// regular writes a file under a temporary name beside its final one and renames it into place
// when complete, so that no half-written file ever carries the final name.
func (x *extractor) regular(tr *Reader, h *Header, name string) (err error) {
	if err := x.makeParents(name); err != nil {
		return err
	}
	tmp, f, err := x.createTemp(path.Dir(name))
	if err != nil {
		return err
	}
	if x.writesBehind(h) {
		return x.behind.file(tr, h, name, tmp, f)
	}
	open, placed := true, false
	defer func() {
		if open {
			f.Close()
		}
		if !placed {
			x.fs.Remove(tmp)
		}
	}()
	var sum hash.Hash
	if x.verify {
		sum = sha256.New()
	}
	n, err := x.copyData(tr, f, h, sum)
	x.stats.Bytes += n
	if err != nil {
		return err
	}
	open = false
	if err := f.Close(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if sum != nil {
		// Before setAttrs: the dump's mode may not let us read the file.
		if err := x.verifyFile(tmp, h, sum.Sum(nil)); err != nil {
			return err
		}
	}
	attrErr := x.setAttrs(tmp, x.safeAttrs(h))
	if err := x.replace(tmp, name); err != nil {
		return err
	}
	placed = true
	x.done(n)
	return attrErr
}

// done counts a member other than a directory complete under its final name.
func (x *extractor) done(size int64) {
	x.stats.Files++
	if x.onDone != nil {
		x.onDone(size)
	}
}

// copyData copies the member's data to f, placing sparse fragments at their offsets so that
// holes stay holes, and into sum if not nil (the stored data: the fragments, without holes).
// Read errors and cancellation are fatal; write errors are the member's.
func (x *extractor) copyData(tr *Reader, f File, h *Header, sum hash.Hash) (int64, error) {
	if h.Sparse == nil {
		return x.copyN(tr, f, -1, sum)
	}
	var total int64
	for _, frag := range h.Sparse {
		if _, err := f.Seek(frag.Offset, io.SeekStart); err != nil {
			return total, fmt.Errorf("write: %w", err)
		}
		n, err := x.copyN(tr, f, frag.Length, sum)
		total += n
		if err != nil {
			return total, err
		}
	}
	if err := f.Truncate(h.Size); err != nil {
		return total, fmt.Errorf("write: %w", err)
	}
	return total, nil
}

// copyN copies n stored bytes (all that remain when n < 0).
func (x *extractor) copyN(tr *Reader, f File, n int64, sum hash.Hash) (int64, error) {
	var done int64
	for n < 0 || done < n {
		if err := x.ctx.Err(); err != nil {
			return done, fatalError{err}
		}
		p := x.buf
		if n >= 0 && int64(len(p)) > n-done {
			p = p[:n-done]
		}
		k, rerr := tr.readData(p)
		if k > 0 {
			if _, err := f.Write(p[:k]); err != nil {
				return done, fmt.Errorf("write: %w", err)
			}
			if sum != nil {
				sum.Write(p[:k])
			}
			done += int64(k)
		}
		if rerr == io.EOF && n < 0 {
			break
		}
		if rerr != nil {
			return done, fatalError{noEOF(rerr)}
		}
	}
	return done, nil
}

// createTemp makes a new file named .amrshell-XXXXXXXX in dir.
func (x *extractor) createTemp(dir string) (string, File, error) {
	for range 10 {
		name := tempName(dir, "")
		f, err := x.fs.Create(name)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, fmt.Errorf("create temporary file: %w", err)
		}
		return name, f, nil
	}
	return "", nil, fmt.Errorf("create temporary file in %s: names exhausted", dir)
}

func tempName(dir, kind string) string {
	return path.Join(dir, fmt.Sprintf(".amrshell-%s%08x", kind, rand.Uint32()))
}

// replace renames tmp to name, replacing what is there; a directory in the way is removed only
// when empty, as tar does.
func (x *extractor) replace(tmp, name string) error {
	return x.replaceAfter(tmp, name, x.fs.Rename(tmp, name))
}

// replaceAfter goes on with replace after its first rename, which returned err.
func (x *extractor) replaceAfter(tmp, name string, err error) error {
	if err == nil {
		return nil
	}
	if fi, lerr := x.fs.Lstat(name); lerr == nil && fi.IsDir() {
		if err := x.clear(name); err != nil {
			return err
		}
		err = x.fs.Rename(tmp, name)
	}
	if err != nil {
		return fmt.Errorf("cannot create: %w", err)
	}
	return nil
}

// clear removes what is at name so that a link or special file can be made there: anything but
// a non-empty directory.
func (x *extractor) clear(name string) error {
	fi, err := x.fs.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		ents, err := x.fs.ReadDir(name)
		if err != nil {
			return err
		}
		if len(ents) > 0 {
			return errors.New("cannot replace it: a directory that is not empty is in the way")
		}
	}
	x.okDir = ""
	return x.fs.Remove(name)
}

// setAttrs sets owner (with SameOwner), mode and times, in tar's order: chown first, because
// it clears set-id bits.
func (x *extractor) setAttrs(name string, a attrs) error {
	var errs []error
	if x.owner {
		if err := x.fs.Lchown(name, a.uid, a.gid); err != nil {
			errs = append(errs, fmt.Errorf("cannot change ownership to uid %d, gid %d: %w", a.uid, a.gid, err))
		}
	}
	if err := x.fs.Chmod(name, a.mode); err != nil {
		errs = append(errs, fmt.Errorf("cannot change mode to %v: %w", a.mode, err))
	}
	if err := x.fs.Chtimes(name, a.atime, a.mtime); err != nil {
		errs = append(errs, fmt.Errorf("cannot set times: %w", err))
	}
	return errors.Join(errs...)
}

func (x *extractor) hardlink(h *Header, name string) error {
	target, why := memberPath(h.Linkname)
	if why != "" || target == "" {
		if why == "" {
			why = "it names the restore directory"
		}
		return refusef("hard link to %s: %s", quoteName(h.Linkname), why)
	}
	if target == name {
		return nil // a link to itself is already there
	}
	if err := x.checkParents(target); err != nil {
		return err
	}
	if err := x.makeParents(name); err != nil {
		return err
	}
	err := x.fs.Link(target, name)
	if errors.Is(err, fs.ErrExist) {
		if err := x.clear(name); err != nil {
			return err
		}
		err = x.fs.Link(target, name)
	}
	if err != nil {
		return fmt.Errorf("cannot hard link to %s: %w", quoteName(h.Linkname), err)
	}
	x.done(0)
	return nil
}

func (x *extractor) symlink(h *Header, name string) error {
	if strings.IndexByte(h.Linkname, 0) >= 0 {
		return refusef("symbolic link to %s: the target contains a NUL byte", quoteName(h.Linkname))
	}
	if err := x.makeParents(name); err != nil {
		return err
	}
	err := x.fs.Symlink(h.Linkname, name)
	if errors.Is(err, fs.ErrExist) {
		if err := x.clear(name); err != nil {
			return err
		}
		err = x.fs.Symlink(h.Linkname, name)
	}
	if err != nil {
		return fmt.Errorf("cannot create symlink to %s: %w", quoteName(h.Linkname), err)
	}
	x.okDir = ""
	x.done(0)
	var errs []error
	if x.owner {
		if err := x.fs.Lchown(name, h.Uid, h.Gid); err != nil && !errors.Is(err, errors.ErrUnsupported) {
			errs = append(errs, fmt.Errorf("cannot change ownership: %w", err))
		}
	}
	if err := x.fs.Lchtimes(name, h.Atime, h.Mtime); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		errs = append(errs, fmt.Errorf("cannot set times: %w", err))
	}
	return errors.Join(errs...)
}

// special makes fifos (any user, as tar does) and device nodes (root only).
func (x *extractor) special(h *Header, name string) error {
	var mode uint32
	switch h.Typeflag {
	case TypeChar:
		mode = unix.S_IFCHR
	case TypeBlock:
		mode = unix.S_IFBLK
	default:
		mode = unix.S_IFIFO
	}
	if mode != unix.S_IFIFO && !x.root {
		return refusef("device node (%d, %d) not created: that needs root", h.Devmajor, h.Devminor)
	}
	if err := x.makeParents(name); err != nil {
		return err
	}
	dev := unix.Mkdev(uint32(h.Devmajor), uint32(h.Devminor))
	err := x.fs.Mknod(name, mode|0o600, dev)
	if errors.Is(err, fs.ErrExist) {
		if err := x.clear(name); err != nil {
			return err
		}
		err = x.fs.Mknod(name, mode|0o600, dev)
	}
	if errors.Is(err, errors.ErrUnsupported) {
		return refusef("the restore file system cannot hold special files")
	}
	if err != nil {
		return fmt.Errorf("cannot mknod: %w", err)
	}
	x.done(0)
	return x.setAttrs(name, x.safeAttrs(h))
}

// safeAttrs are the attributes of a file member, without the set-user-ID and set-group-ID bits
// that would make it run as someone the dump does not name: the restoring user when not root
// and not the member's owner (GNU tar would keep them). The refusal is reported here; the file
// is still restored.
func (x *extractor) safeAttrs(h *Header) attrs {
	a, why := x.safeAttrsOf(h)
	if why != "" {
		x.outcome(h.Name, refusal{why})
	}
	return a
}

// safeAttrsOf is safeAttrs without the report: it says why set-id bits were dropped instead.
func (x *extractor) safeAttrsOf(h *Header) (attrs, string) {
	a := attrsOf(h)
	if x.root || a.mode&(fs.ModeSetuid|fs.ModeSetgid) == 0 {
		return a, ""
	}
	var why []string
	if uid := geteuid(); a.mode&fs.ModeSetuid != 0 && h.Uid != uid {
		a.mode &^= fs.ModeSetuid
		why = append(why, fmt.Sprintf("set-user-ID bit not restored: the file would run as you (uid %d), not as its owner uid %d", uid, h.Uid))
	}
	if gid := getegid(); a.mode&fs.ModeSetgid != 0 && h.Gid != gid {
		a.mode &^= fs.ModeSetgid
		why = append(why, fmt.Sprintf("set-group-ID bit not restored: the file would run with your group (gid %d), not gid %d", gid, h.Gid))
	}
	return a, strings.Join(why, "; ")
}

// verifyFile reads back the file just written at name and checks that its stored data (the
// fragments of a sparse file) has the SHA-256 want, and its size is the member's.
func (x *extractor) verifyFile(name string, h *Header, want []byte) error {
	got, err := storedSum(x.fs, name, h, x.buf)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("verify: the file read back differs from the dump: SHA-256 of its %s %x, the dump's %x", storedWhat(h), got, want)
	}
	return nil
}

// storedSum is the SHA-256 of the bytes of file name where member h stores data: the whole
// file, or the fragments of a sparse file (its holes are not read: they may be huge). The
// file must have the member's size.
func storedSum(fsys FS, name string, h *Header, buf []byte) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sum := sha256.New()
	frags := h.Sparse
	if frags == nil {
		frags = []SparseEntry{{0, h.Size}}
	}
	for _, frag := range frags {
		if _, err := f.Seek(frag.Offset, io.SeekStart); err != nil {
			return nil, err
		}
		if n, err := io.CopyBuffer(sum, io.LimitReader(f, frag.Length), buf); err != nil || n != frag.Length {
			return nil, fmt.Errorf("read back %d of the %d bytes at offset %d: %v", n, frag.Length, frag.Offset, err)
		}
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	if size != h.Size {
		return nil, fmt.Errorf("the file on disk has %d bytes, the dump %d", size, h.Size)
	}
	return sum.Sum(nil), nil
}

func storedWhat(h *Header) string {
	if h.Sparse != nil {
		return "data fragments"
	}
	return "data"
}

// makeParents makes sure the directories above name exist as real directories, making missing
// ones as tar does; checkParents only checks those that exist. A symbolic link among them is
// refused: the archive may have planted it to make later members write elsewhere.
func (x *extractor) makeParents(name string) error  { return x.parents(name, true) }
func (x *extractor) checkParents(name string) error { return x.parents(name, false) }

func (x *extractor) parents(name string, create bool) error {
	dir := path.Dir(fsName(name))
	if dir == "." || dir == x.okDir || strings.HasPrefix(x.okDir, dir+"/") {
		return nil
	}
	// The directories dir shares with the last one checked are good: start below them (each
	// Lstat walks the whole name, so checking a deep name from the top costs its depth squared).
	start := 0
	for i := 0; i < len(dir) && i < len(x.okDir); i++ {
		if dir[i] != x.okDir[i] {
			break
		}
		if dir[i] == '/' {
			start = i + 1
		}
	}
	missing := false // a directory above is missing, so this one is: no need to look
	for i := start; i <= len(dir); i++ {
		if i < len(dir) && dir[i] != '/' {
			continue
		}
		p := dir[:i]
		var fi fs.FileInfo
		err := fs.ErrNotExist
		if !missing {
			fi, err = x.fs.Lstat(p)
		}
		switch {
		case err == nil && fi.IsDir():
		case err == nil && fi.Mode()&fs.ModeSymlink != 0:
			return refusef("%s is a symbolic link: refusing to write through it", quoteName("./"+p))
		case err == nil:
			return fmt.Errorf("%s is not a directory", quoteName("./"+p))
		case errors.Is(err, fs.ErrNotExist) && create:
			if err := x.fs.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("cannot make directory %s: %w", quoteName("./"+p), err)
			}
			missing = true
		case errors.Is(err, fs.ErrNotExist):
			return nil // nothing further down exists, so nothing can be followed
		default:
			return err
		}
	}
	x.okDir = dir
	return nil
}

// selectedTarget reports whether a rename target is selected: Listed itself or below a Listed
// directory.
func (x *extractor) selectedTarget(name string) bool {
	for p := name; ; {
		if x.sel.Member(p) == Listed {
			return true
		}
		if p == "" {
			return false
		}
		p, _ = splitPath(p)
	}
}

// finishDirs sets the attributes of the listed directories, deepest first, after everything
// in them was written (writing in a directory changes its mtime).
func (x *extractor) finishDirs() {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		if fi, err := x.fs.Lstat(d.name); err != nil || !fi.IsDir() {
			continue // removed or replaced later in the archive
		}
		if err := x.setAttrs(d.name, d.attrs); err != nil {
			x.outcome(dirLabel(d.name), err)
		}
	}
	x.dirs = nil
}

func dirLabel(name string) string {
	if name == "." {
		return "./"
	}
	return "./" + name + "/"
}

// Write-behind. Writing a file's data, closing it, setting its attributes and renaming it into
// place is the file system's work, about as costly here as decompressing the data: a goroutine
// of its own does it for regular files larger than x.buf (1 MiB), so that it overlaps the
// reading, decompression and parsing of the stream, which stay on Extract's goroutine with
// everything else. Smaller files are written in place: handing them over would cost more than
// writing them. Before a member that could see a file not finished yet (a directory, a link, a
// special file, a file at the same name or above it), Extract waits for every file
// queued (settle). The outcome of each file (Stats, Restored, errors and refusals on Notes) is
// taken back on Extract's goroutine, in archive order. Sparse files, and all files with
// Verify, are written as before.
const (
	behindBufs    = 8       // data buffers in flight
	behindBufSize = 1 << 20 // and the size of the writes
	behindFiles   = 64      // files queued and not taken back
)

type writeBehind struct {
	x       *extractor
	ops     chan behindOp
	free    chan []byte
	done    chan struct{} // a file written behind is finished, in the order queued
	exited  chan struct{}
	queue   []*behindFile   // files whose outcome is not taken back, in archive order
	pending map[string]bool // final names of the files written behind and not taken back
}

// behindFile is a regular file being written. When written behind, the writer goroutine owns
// the fields below attrs from the first op sent until it says the file is done.
type behindFile struct {
	hname, name, tmp string
	f                File
	behind           bool   // written by the writer goroutine
	attrs            attrs  // set on it
	why              string // why set-id bits were dropped, reported if the data were written

	n         int64 // bytes written
	abort     bool  // the stream failed inside the file: it was removed, the failure is run's
	err       error // writing or closing failed: the file was removed
	attrErr   error // setting owner, mode or times failed
	renameErr error // the rename into place failed: Extract's goroutine tries harder (replaceAfter)
}

type behindOp struct {
	file  *behindFile
	data  []byte // to write, from free; nil for none
	end   bool   // then finish the file
	abort bool   // remove it instead
}

func startWriteBehind(x *extractor) *writeBehind {
	w := &writeBehind{
		x:       x,
		ops:     make(chan behindOp, behindBufs),
		free:    make(chan []byte, behindBufs),
		done:    make(chan struct{}, behindFiles),
		exited:  make(chan struct{}),
		pending: map[string]bool{},
	}
	for range behindBufs {
		w.free <- make([]byte, behindBufSize)
	}
	go w.loop()
	return w
}

// loop is the writer goroutine.
func (w *writeBehind) loop() {
	defer close(w.exited)
	for op := range w.ops {
		if op.data != nil {
			w.write(op.file, op.data)
			w.free <- op.data[:cap(op.data)]
		}
		if op.end {
			op.file.abort = op.abort
			w.finish(op.file)
			w.done <- struct{}{}
		}
	}
}

// write writes data into f, unless writing it failed before.
func (w *writeBehind) write(f *behindFile, data []byte) {
	if f.err != nil {
		return
	}
	k, err := f.f.Write(data)
	f.n += int64(k)
	if err != nil {
		f.err = fmt.Errorf("write: %w", err)
	}
}

// finish does what regular does once the data are written: close, attributes, rename.
func (w *writeBehind) finish(f *behindFile) {
	x := w.x
	cerr := f.f.Close()
	if f.err == nil && cerr != nil {
		f.err = fmt.Errorf("write: %w", cerr)
	}
	if f.abort || f.err != nil {
		x.fs.Remove(f.tmp)
		return
	}
	f.attrErr = x.setAttrs(f.tmp, f.attrs)
	f.renameErr = x.fs.Rename(f.tmp, f.name)
}

// writesBehind says whether member h is a regular file that goes through the write-behind.
func (x *extractor) writesBehind(h *Header) bool {
	if x.behind == nil || h.Sparse != nil {
		return false
	}
	switch h.Typeflag {
	case TypeDir, TypeDumpdir, TypeLink, TypeSymlink, TypeChar, TypeBlock, TypeFifo:
		return false
	}
	return true
}

// file writes the data of member h, read from tr, into the temporary file f to be renamed to
// name: in place for a small file, else behind. Errors of the stream, and cancellation, are
// fatal and returned; the file's own are told when it is taken back.
func (w *writeBehind) file(tr *Reader, h *Header, name, tmp string, f File) error {
	x := w.x
	if len(w.queue) == behindFiles {
		w.takeFirst()
	}
	bf := &behindFile{hname: h.Name, name: name, tmp: tmp, f: f, behind: tr.remain > int64(len(x.buf))}
	bf.attrs, bf.why = x.safeAttrsOf(h)
	w.queue = append(w.queue, bf)
	if !bf.behind {
		err := x.ctx.Err()
		if err == nil {
			var k int
			k, err = fillData(tr, x.buf) // all of it: io.EOF, or the stream's error
			w.write(bf, x.buf[:k])
		}
		bf.abort = err != io.EOF
		w.finish(bf)
		if len(w.queue) == 1 {
			w.takeFirst() // nothing is written behind: tell it now
		}
		if bf.abort {
			return fatalError{noEOF(err)}
		}
		return nil
	}
	w.pending[name] = true
	for {
		if err := x.ctx.Err(); err != nil {
			w.ops <- behindOp{file: bf, end: true, abort: true}
			return fatalError{err}
		}
		buf := <-w.free
		k, rerr := fillData(tr, buf)
		op := behindOp{file: bf, data: buf[:k], end: rerr != nil, abort: rerr != nil && rerr != io.EOF}
		if k == 0 {
			op.data = nil
			w.free <- buf
		}
		w.ops <- op
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return fatalError{noEOF(rerr)}
		}
	}
}

// fillData reads the member's data into buf until it is full or the data end (io.EOF).
func fillData(tr *Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := tr.readData(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	if tr.remain == 0 {
		return n, io.EOF
	}
	return n, nil
}

// takeFirst takes back the first file queued, waiting for it to be finished.
func (w *writeBehind) takeFirst() {
	f := w.queue[0]
	if f.behind {
		<-w.done
	}
	w.queue = w.queue[1:]
	w.take(f)
}

// take tells the outcome of a finished file, as regular would have.
func (w *writeBehind) take(f *behindFile) {
	x := w.x
	delete(w.pending, f.name)
	x.stats.Bytes += f.n
	if f.abort {
		return
	}
	if f.err != nil {
		x.outcome(f.hname, f.err)
		return
	}
	if f.why != "" {
		x.outcome(f.hname, refusal{f.why})
	}
	if err := x.replaceAfter(f.tmp, f.name, f.renameErr); err != nil {
		x.fs.Remove(f.tmp)
		x.outcome(f.hname, err)
		return
	}
	x.done(f.n)
	x.outcome(f.hname, f.attrErr)
}

// settle takes back the files that are finished, and waits for all of them when member h at
// name could see one that is not.
func (x *extractor) settle(h *Header, name string) {
	w := x.behind
	if w == nil {
		return
	}
	w.poll()
	if len(w.pending) > 0 && (!x.writesBehind(h) || w.related(name)) {
		w.drain()
	}
}

// poll takes back the files finished, in order, without waiting.
func (w *writeBehind) poll() {
	for len(w.queue) > 0 {
		f := w.queue[0]
		if f.behind {
			select {
			case <-w.done:
			default:
				return
			}
		}
		w.queue = w.queue[1:]
		w.take(f)
	}
}

// related says whether a file written behind and not taken back is at name or above it. One
// below it is no concern: while it is written, its temporary file keeps the directory from
// being replaced, and the member's retry (replaceAfter) comes after it is taken back.
func (w *writeBehind) related(name string) bool {
	for p := name; ; {
		if w.pending[p] {
			return true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return false
		}
		p = p[:i]
	}
}

// drain waits for every file queued and takes it back.
func (w *writeBehind) drain() {
	for len(w.queue) > 0 {
		w.takeFirst()
	}
}

// close drains and stops the writer goroutine.
func (w *writeBehind) close() {
	w.drain()
	close(w.ops)
	<-w.exited
}
