package dump

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/amrshell/amrshell/recover/gtar"
)

// Options control Extract. They mean what gtar's do; there is no Verbose: amrecover runs
// restore without -v, which prints nothing for what it extracts.
type Options struct {
	Select    gtar.Selection // nil selects everything as Listed
	Notes     io.Writer      // amrshell's notes: deletions, refusals, errors
	SameOwner bool           // set owners from the dump's numeric uid/gid (root)
	Keep      func(name string) bool
	Restored  func(size int64)
	// Overwrite, Preexisting and Verify are gtar.Options': what becomes of a file already in
	// the restore directory, and the read-back of each file written.
	Overwrite   gtar.Overwrite
	Preexisting func(name string) bool
	Verify      bool
	// State is the tree the dumps restored before into the same directory left, for the
	// levels of one disk restored in order; Extract reads and updates it. nil: nothing known
	// (moves of unchanged files cannot be followed).
	State *State
}

// Stats counts what Extract did, as gtar.Extract's do.
type Stats = gtar.Stats

// State is what Extract knows of the tree restored so far: each directory's entries as of the
// last dump restored, by directory inode.
type State struct {
	dirs map[uint32][]Entry
}

// Size bounds: a directory or a symbolic link is read into memory whole.
const (
	maxDirSize     = 256 << 20
	maxSymlinkSize = 4095      // Linux's longest target
	maxFileSize    = 1 << 46   // 64 TiB; ext4's largest file is 16 TiB
	depthLimit     = 4096      // directories in a path
	checkEvery     = 1024      // blocks between looks at the context
	bufSize        = 1 << 20   // the file writer's buffer
	stagePrefix    = "rename-" // kind of the staging directory's temporary name
)

type extractor struct {
	ctx   context.Context
	fs    gtar.FS
	w     *gtar.Writer
	sel   gtar.Selection
	notes io.Writer
	keep  func(string) bool
	state *State
	rd    *Reader
	bw    *bufio.Writer

	newFormat    bool
	used, dumped []byte             // TS_CLRI and TS_BITS maps
	dirs         map[uint32][]Entry // the directories this dump holds
	bad          map[uint32][]badEntry
	dirHdr       map[uint32]*Header
	planned      bool
	tree         map[uint32][]Entry // the tree as of this dump, once planned
	now          layout
	skipped      int
	deleted      int
	renamed      int
}

// Extract restores what opts.Select selects of the dump stream r into fsys, as restore -x
// would, plus what restore -r does for an incremental level restored after the levels before
// it (opts.State): what the dump's directories no longer list is deleted, and what they list
// under a new name is moved there. See the package documentation.
//
// The error is non-nil when the stream cannot be followed to its end record or ctx was
// cancelled; problems with single inodes are in Stats.Refused and Stats.Errors and on Notes.
func Extract(ctx context.Context, r io.Reader, fsys gtar.FS, opts Options) (Stats, error) {
	x := &extractor{
		ctx: ctx,
		fs:  fsys,
		w: gtar.NewWriter(ctx, fsys, gtar.Options{Notes: opts.Notes, SameOwner: opts.SameOwner, Restored: opts.Restored,
			Overwrite: opts.Overwrite, Preexisting: opts.Preexisting, Verify: opts.Verify}),
		sel:    opts.Select,
		notes:  opts.Notes,
		keep:   opts.Keep,
		state:  opts.State,
		rd:     NewReader(r),
		dirs:   map[uint32][]Entry{},
		bad:    map[uint32][]badEntry{},
		dirHdr: map[uint32]*Header{},
	}
	if x.sel == nil {
		x.sel = gtar.PathSelection{"": gtar.Listed}
	}
	if x.notes == nil {
		x.notes = io.Discard
	}
	if x.keep == nil {
		x.keep = func(string) bool { return false }
	}
	err := x.run()
	st := x.w.Finish()
	st.Skipped, st.Deleted, st.Renamed = x.skipped, x.deleted, x.renamed
	if err == nil && x.state != nil {
		x.state.dirs = x.tree
	}
	return st, err
}

// readMaps reads the dump's volume header and its two inode maps, which come first.
func (x *extractor) readMaps() error {
	vol, err := x.rd.Next()
	if err != nil {
		return fmt.Errorf("read the dump's volume header: %w", err)
	}
	x.newFormat = vol.Flags&flagNewInodeFormat != 0
	if x.used, err = x.readMap(TypeClri, "inodes in use"); err != nil {
		return err
	}
	x.dumped, err = x.readMap(TypeBits, "inodes dumped")
	return err
}

func (x *extractor) run() error {
	if err := x.readMaps(); err != nil {
		return err
	}
	for {
		if err := x.ctx.Err(); err != nil {
			return err
		}
		h, err := x.rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if h.Type != TypeInode {
			return fmt.Errorf("inode %d: an inode map (record type %d) among the inodes", h.Ino, h.Type)
		}
		if h.Flags&flagExtAttributes != 0 {
			continue // extended attributes of the inode before: not restored, as tar's are not
		}
		if h.Inode.typ() == modeDir {
			if err := x.directory(h); err != nil {
				return err
			}
			continue
		}
		if !x.planned {
			x.plan()
		}
		if err := x.inode(h); err != nil {
			return err
		}
	}
	if !x.planned {
		x.plan()
	}
	return nil
}

// readMap reads the inode map of type typ, which must come next.
func (x *extractor) readMap(typ int32, what string) ([]byte, error) {
	h, err := x.rd.Next()
	if err == io.EOF {
		return nil, fmt.Errorf("the dump ends before its map of %s", what)
	}
	if err != nil {
		return nil, err
	}
	if h.Type != typ {
		return nil, fmt.Errorf("record type %d where the map of %s should be", h.Type, what)
	}
	var m []byte
	for {
		b, _, err := x.rd.ReadBlock()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, fmt.Errorf("map of %s: %w", what, err)
		}
		m = append(m, b...)
	}
}

// bit tells whether inode ino is in map m (bit ino-1, as dump writes them).
func bit(m []byte, ino uint32) bool {
	i := uint64(ino) - 1
	return ino > 0 && i/8 < uint64(len(m)) && m[i/8]&(1<<(i%8)) != 0
}

// directory reads a directory's entries; they all come before the first file.
func (x *extractor) directory(h *Header) error {
	label := "directory inode " + strconv.FormatUint(uint64(h.Ino), 10)
	if x.planned {
		return fmt.Errorf("%s comes after the files: dump writes every directory first", label)
	}
	if h.Inode.Size > maxDirSize {
		return x.w.Outcome(label, fmt.Errorf("not read: an absurd size of %d bytes", h.Inode.Size))
	}
	data, err := x.readAll(label)
	if err != nil {
		return x.w.Outcome(label, err)
	}
	ents, bad, err := parseDir(data, x.rd.bo, x.newFormat)
	if err != nil {
		return x.w.Outcome(label, err)
	}
	x.dirs[h.Ino], x.bad[h.Ino], x.dirHdr[h.Ino] = ents, bad, h
	return nil
}

// readAll reads the current inode's data (bounded by the callers' size checks). Errors that
// end the stream are wrapped with gtar.Fatal and start with what, the inode's name.
func (x *extractor) readAll(what string) ([]byte, error) {
	var data []byte
	for {
		b, _, err := x.rd.ReadBlock()
		switch {
		case err == io.EOF:
			return data, nil
		case errors.Is(err, ErrShort):
			return nil, err
		case err != nil:
			return nil, gtar.Fatal(fmt.Errorf("%s: %w", what, err))
		}
		data = append(data, b...)
	}
}

// listed tells whether the Member-form path p is selected: Listed itself or below a Listed
// directory.
func (x *extractor) listed(p string) bool { return x.sel.Member(p) == gtar.Listed }

// plan runs once the directories are read, before the first file: it works out the tree as
// of this dump and brings the restore directory to it, except for the files' content.
func (x *extractor) plan() {
	x.planned = true
	var old layout
	x.tree = map[uint32][]Entry{}
	if x.state != nil && x.state.dirs != nil {
		old = walk(x.state.dirs, nil)
		for ino, ents := range x.state.dirs {
			if bit(x.used, ino) && !bit(x.dumped, ino) {
				x.tree[ino] = ents // unchanged since
			}
		}
	}
	for ino, ents := range x.dirs {
		x.tree[ino] = ents
	}
	x.now = walk(x.tree, func(p string, err error) {
		if x.listed(p) {
			x.w.Outcome("./"+p, err)
		}
	})
	for ino := range x.tree {
		if _, ok := x.now.links[ino]; !ok {
			delete(x.tree, ino) // no longer reachable from the top
		}
	}
	x.refuseBad()
	x.move(old)
	x.purge()
	x.makeDirs()
}

// refuseBad reports the refused entries of the selected directories.
func (x *extractor) refuseBad() {
	for _, ino := range sortedKeys(x.bad) {
		for _, l := range x.now.links[ino] {
			if !x.listed(l.path) {
				continue
			}
			for _, b := range x.bad[ino] {
				x.w.Outcome(dirLabel(l.path), gtar.Refusal("entry %q (inode %d): %s", b.Name, b.Ino, b.why))
			}
		}
	}
}

// A move takes what is at from (an old path of an inode, still on disk) to the first of to,
// and hard-links it to the others.
type move struct {
	ino  uint32
	from string
	to   []string
	dir  bool
	tmp  string
}

// move carries over what the restore directory holds of the inodes whose names changed:
// directories renamed or moved, files renamed or linked anew, wherever the new name is
// selected. Every source is first moved aside into a staging directory (deepest first, so
// that the paths of the others stay valid), then each is put at its new name (shallowest
// first, so that moved parents are in place); a new name of a file that kept an old one is
// a hard link to it.
func (x *extractor) move(old layout) {
	var moves []*move
	var links []*move // from: a name the inode keeps
	for _, ino := range sortedKeys(x.now.links) {
		now, was := x.now.links[ino], old.links[ino]
		if len(was) == 0 || was[0].dir != now[0].dir {
			continue // new, or the inode was freed and used again for another kind of file
		}
		oldRel := map[rel]bool{}
		for _, l := range was {
			oldRel[l.rel] = true
		}
		var kept, to []string
		for _, l := range now {
			switch {
			case oldRel[l.rel]:
				kept = append(kept, l.path)
			case x.listed(l.path):
				to = append(to, l.path)
			}
		}
		if len(to) == 0 {
			continue
		}
		if len(kept) > 0 {
			links = append(links, &move{ino: ino, from: kept[0], to: to})
			continue
		}
		for _, l := range was {
			if fi, err := x.lstat(l.path); err == nil && fi.IsDir() == l.dir {
				moves = append(moves, &move{ino: ino, from: l.path, to: to, dir: l.dir})
				break
			}
		}
	}
	if len(moves) > 0 {
		x.stageAndPlace(moves)
	}
	for _, m := range links {
		if _, err := x.lstat(m.from); err != nil {
			continue // not restored before
		}
		x.linkAll(m.from, m.to)
	}
}

func (x *extractor) stageAndPlace(moves []*move) {
	stage := gtar.TempName("", stagePrefix)
	if err := x.w.MakeParents(stage); err != nil {
		x.w.Outcome("./", fmt.Errorf("not moving renamed entries: %w", err))
		return
	}
	if err := x.fs.Mkdir(stage, 0o700); err != nil {
		x.w.Outcome("./", fmt.Errorf("not moving renamed entries: make staging directory: %w", err))
		return
	}
	slices.SortStableFunc(moves, func(a, b *move) int { return depth(b.from) - depth(a.from) })
	for i, m := range moves {
		tmp := stage + "/" + strconv.Itoa(i)
		if err := x.w.CheckParents(m.from); err != nil {
			x.w.Outcome("./"+m.from, fmt.Errorf("not moved to %s: %w", gtar.QuoteName("./"+m.to[0]), err))
			continue
		}
		if err := x.w.Rename(m.from, tmp); err != nil {
			x.w.Outcome("./"+m.from, fmt.Errorf("not moved to %s: %w", gtar.QuoteName("./"+m.to[0]), err))
			continue
		}
		m.tmp = tmp
	}
	slices.SortStableFunc(moves, func(a, b *move) int { return depth(a.to[0]) - depth(b.to[0]) })
	for _, m := range moves {
		if m.tmp == "" {
			continue
		}
		if err := x.place(m.tmp, m.to[0]); err != nil {
			x.w.Outcome("./"+m.to[0], fmt.Errorf("cannot move %s here: %w", gtar.QuoteName("./"+m.from), err))
			if err := x.place(m.tmp, m.from); err != nil {
				x.w.Outcome("./"+m.from, fmt.Errorf("its content is left in %s: %w", gtar.QuoteName("./"+m.tmp), err))
			}
			continue
		}
		if m.dir {
			x.renamed++
		}
		x.linkAll(m.to[0], m.to[1:])
	}
	if err := x.fs.Remove(stage); err != nil {
		x.w.Outcome("./"+stage, fmt.Errorf("remove staging directory: %w", err))
	}
}

// place puts the staged tmp at name, replacing what is there: the dump says the moved inode
// is there now.
func (x *extractor) place(tmp, name string) error {
	if err := x.w.MakeParents(name); err != nil {
		return err
	}
	if _, err := x.lstat(name); err == nil {
		if err := x.w.RemoveAll(name); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return x.w.Rename(tmp, name)
}

// linkAll makes each of names a hard link to src.
func (x *extractor) linkAll(src string, names []string) {
	for _, n := range names {
		h := &gtar.Header{Name: "./" + n, Typeflag: gtar.TypeLink, Linkname: src}
		x.w.Outcome(h.Name, x.w.Entry(h, n))
	}
}

// purge deletes from each dumped directory that is selected what its entries no longer list,
// or list as another kind (directory or not). In a directory chosen Exact (amrecover's
// `add *`) it spares what opts.Keep keeps. Each deletion is told on Notes.
func (x *extractor) purge() {
	for _, ino := range sortedKeys(x.dirs) {
		for _, l := range x.now.links[ino] {
			choice := x.sel.Member(l.path)
			if !l.dir || choice == gtar.NotSelected {
				continue
			}
			x.purgeDir(ino, l.path, choice == gtar.Listed)
		}
	}
}

func (x *extractor) purgeDir(ino uint32, dir string, listed bool) {
	fi, err := x.lstat(dir)
	if err != nil || !fi.IsDir() {
		return // nothing there yet (or not a directory: makeDirs replaces it)
	}
	if err := x.w.CheckParents(path.Join(dir, "x")); err != nil {
		x.w.Outcome(dirLabel(dir), fmt.Errorf("not purged: %w", err))
		return
	}
	ents, err := x.fs.ReadDir(fsName(dir))
	if err != nil {
		x.w.Outcome(dirLabel(dir), fmt.Errorf("not purged: cannot read the directory: %w", err))
		return
	}
	want := map[string]kind{}
	for _, e := range x.dirs[ino] {
		want[e.Name] = x.kindOf(e)
	}
	for _, de := range ents {
		k, ok := want[de.Name()]
		if ok && (k == unknown || (k == isDir) == de.IsDir()) {
			continue
		}
		name := path.Join(dir, de.Name())
		if !listed && x.keep(name) {
			fmt.Fprintf(x.notes, "amrshell: Keeping %s: it was there before the restore\n", gtar.QuoteName("./"+name))
			continue
		}
		fmt.Fprintf(x.notes, "amrshell: Deleting %s\n", gtar.QuoteName("./"+name))
		if err := x.w.RemoveAll(name); err != nil {
			x.w.Outcome("./"+name, fmt.Errorf("cannot remove: %w", err))
			continue
		}
		x.deleted++
	}
}

type kind int

const (
	unknown kind = iota
	isDir
	notDir
)

// kindOf tells what an entry names: its d_type when the dump has one, else what the dump
// holds of its inode.
func (x *extractor) kindOf(e Entry) kind {
	switch {
	case e.Type == dtDir:
		return isDir
	case e.Type != dtUnknown:
		return notDir
	case x.tree[e.Ino] != nil:
		return isDir
	case bit(x.dumped, e.Ino):
		return notDir // dumped, and not among the directories
	}
	return unknown
}

// makeDirs makes the dumped directories that are Listed, parents first; their attributes are
// set at the end.
func (x *extractor) makeDirs() {
	var todo []link
	for ino := range x.dirs {
		for _, l := range x.now.links[ino] {
			if l.dir && x.listed(l.path) {
				todo = append(todo, l)
			}
		}
	}
	slices.SortFunc(todo, func(a, b link) int { return strings.Compare(a.path, b.path) })
	for _, l := range todo {
		h := x.gtarHeader(x.dirHdr[l.ino], dirLabel(l.path))
		h.Typeflag = gtar.TypeDir
		x.w.Outcome(h.Name, x.w.Dir(h, l.path))
	}
}

// inode restores a non-directory inode at its selected names.
func (x *extractor) inode(h *Header) error {
	var names []string
	for _, l := range x.now.links[h.Ino] {
		if !l.dir && x.listed(l.path) {
			names = append(names, l.path)
		}
	}
	if len(names) == 0 {
		x.skipped++
		return nil
	}
	gh := x.gtarHeader(h, "./"+names[0])
	if x.w.Keep(gh, names[0]) {
		return nil // the overwrite policy keeps what is there; the inode's data is skipped
	}
	var err error
	switch t := h.Inode.typ(); {
	case h.Flags&flagMetaOnly != 0:
		err = errors.New("not restored: the dump holds only its attributes (dump -m)")
	case t == modeReg:
		err = x.regular(h, gh, names[0])
	case t == modeLink:
		err = x.symlink(h, gh, names[0])
	case t == modeChar || t == modeBlock || t == modeFifo:
		gh.Typeflag = map[uint32]byte{modeChar: gtar.TypeChar, modeBlock: gtar.TypeBlock, modeFifo: gtar.TypeFifo}[t]
		gh.Devmajor, gh.Devminor = int64(h.Inode.Major), int64(h.Inode.Minor)
		err = x.w.Entry(gh, names[0])
	case t == modeSocket:
		fmt.Fprintf(x.notes, "amrshell: %s: socket ignored\n", gh.Name)
		x.skipped++
		return nil
	default:
		err = gtar.Refusal("inode %d has an unknown type (mode %#o)", h.Ino, h.Inode.Mode)
	}
	if err != nil {
		return x.w.Outcome(gh.Name, err) // its other names would link to nothing or to stale data
	}
	x.linkAll(names[0], names[1:])
	return nil
}

// regular writes a regular file's data, keeping its holes.
func (x *extractor) regular(h *Header, gh *gtar.Header, name string) error {
	if h.Inode.Size > maxFileSize {
		return fmt.Errorf("not restored: an absurd size of %d bytes", h.Inode.Size)
	}
	return x.w.File(gh, name, func(f gtar.File) (int64, error) {
		if x.bw == nil {
			x.bw = bufio.NewWriterSize(f, bufSize)
		}
		x.bw.Reset(f)
		var n int64
		for i := 0; ; i++ {
			if i%checkEvery == 0 {
				if err := x.ctx.Err(); err != nil {
					return n, gtar.Fatal(err) // the caller says what was cancelled
				}
			}
			b, hole, err := x.rd.ReadBlock()
			switch {
			case err == io.EOF:
				if err := x.bw.Flush(); err != nil {
					return n, fmt.Errorf("write: %w", err)
				}
				if err := f.Truncate(int64(h.Inode.Size)); err != nil {
					return n, fmt.Errorf("write: %w", err)
				}
				return n, nil
			case errors.Is(err, ErrShort):
				return n, err
			case err != nil:
				return n, gtar.Fatal(fmt.Errorf("%s: %w", gh.Name, err))
			}
			if hole {
				if err := x.bw.Flush(); err != nil {
					return n, fmt.Errorf("write: %w", err)
				}
				if _, err := f.Seek(int64(len(b)), io.SeekCurrent); err != nil {
					return n, fmt.Errorf("write: %w", err)
				}
				continue
			}
			if _, err := x.bw.Write(b); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
			n += int64(len(b))
		}
	})
}

// symlink makes a symbolic link; dump stores the target as the link's data.
func (x *extractor) symlink(h *Header, gh *gtar.Header, name string) error {
	if h.Inode.Size == 0 || h.Inode.Size > maxSymlinkSize {
		return fmt.Errorf("not restored: a symbolic link target of %d bytes", h.Inode.Size)
	}
	target, err := x.readAll(gh.Name)
	if err != nil {
		return err
	}
	if i := strings.IndexByte(string(target), 0); i >= 0 {
		return gtar.Refusal("symbolic link target %q holds a NUL byte", target[:i])
	}
	gh.Typeflag, gh.Linkname = gtar.TypeSymlink, string(target)
	return x.w.Entry(gh, name)
}

// gtarHeader gives a dumped inode's attributes the form gtar's writer takes.
func (x *extractor) gtarHeader(h *Header, name string) *gtar.Header {
	return &gtar.Header{
		Name:  name,
		Mode:  int64(h.Inode.Mode & 0o7777),
		Uid:   int(h.Inode.Uid),
		Gid:   int(h.Inode.Gid),
		Mtime: h.Inode.Mtime,
		Atime: h.Inode.Atime,
		Size:  int64(h.Inode.Size),
	}
}

func (x *extractor) lstat(name string) (fs.FileInfo, error) { return x.fs.Lstat(fsName(name)) }

// fsName is the FS name of a Member-form path.
func fsName(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// dirLabel shows a directory's Member-form path as tar names directories ("./a/", "./").
func dirLabel(p string) string {
	if p == "" {
		return "./"
	}
	return "./" + p + "/"
}

func depth(p string) int { return strings.Count(p, "/") }

func sortedKeys[V any](m map[uint32]V) []uint32 {
	keys := make([]uint32, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
