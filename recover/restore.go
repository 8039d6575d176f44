package recover

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/recover/dump"
	"github.com/amrshell/amrshell/recover/gtar"
)

// Request is one group of an extract list: the paths chosen in one dump, in the catalog's raw
// index form ("/docs/readme.txt", "/docs/" for a directory, "/" for the whole disk).
type Request struct {
	CopyID    int64
	Items     []Item
	ExactDirs []string // directories whose whole content was chosen (`add *`): restore them exactly
	// Device is the device or changer chosen in the session (setdevice, settape, "d" at a
	// Load tape prompt), read instead of the configured changers; "" for none.
	Device string
	// Extract is the extract this group belongs to (NewExtract); nil for a group on its own.
	Extract *Extract
	// Progress is told how the restore goes; nil shows nothing.
	Progress Progress
	// Verify reads each restored file back once written and checks it against the stream
	// (--verify).
	Verify bool
	// Overwrite is the policy for entries that were in the restore directory before the
	// extract (--overwrite); the zero value replaces them, as amrecover does.
	Overwrite gtar.Overwrite
	// Storages are the storages whose copies the restore falls back to first, in order
	// (the shell's `storage` command, --storage); the others come after them.
	Storages []string
}

// Extract is what the groups of one extract share: the entries that were in the exactly
// restored directories before the extract began, and the paths chosen by name in any group.
// The silent purges that make `add *` exact delete neither: amrecover's `add *` never touched
// what the user had in the restore directory, and a file chosen by name is restored even if a
// later dump deleted it.
type Extract struct {
	before map[string]bool // "target\x00member path" of entries there before
	listed map[string]bool // "target\x00dir" of the exact directories already listed
	named  map[string]bool // member paths chosen by name in any group
	walked map[string]bool // "target\x00path" of the chosen paths whose entries are in before

	// dumps is, for DUMP dumps, the tree each disk's levels left so far in a target, by
	// "target\x00host\x00disk": the next level moves what was renamed (recover/dump.State).
	dumps map[string]*dump.State
}

// NewExtract starts an extract of the given groups.
func NewExtract(groups []Request) *Extract {
	x := &Extract{before: map[string]bool{}, listed: map[string]bool{}, named: map[string]bool{}}
	for _, g := range groups {
		for _, it := range g.Items {
			if it.Named {
				x.named[memberName(it.Path)] = true
			}
		}
	}
	return x
}

// Item is one chosen path.
type Item struct {
	Path  string
	Dir   bool
	Named bool // chosen by its name, not matched by a wildcard: no exact purge deletes it
}

// Restorer restores the groups of an extract list from the volumes and holding files the
// catalog names.
type Restorer struct {
	catalog *catalog.Catalog
	device  string // -d: read every volume through this device or changer

	// Operator is asked for volumes no changer has; nil gives up the copy instead.
	Operator Operator
	// Notes is told when OpenCopy falls back to another copy; nil for nobody. (Restore tells
	// its notes argument.)
	Notes io.Writer

	mu       sync.Mutex
	changers map[string]Changer // by changer spec ("chg-disk:/vtapes/main")
}

// NewRestorer reads volumes through the changers the catalog records for each storage, or
// through device when it is not empty (-d).
func NewRestorer(cat *catalog.Catalog, device string) *Restorer {
	return &Restorer{catalog: cat, device: device, changers: map[string]Changer{}}
}

// clerk is the clerk for one request: its volumes come through the request's device, else
// the restorer's, else the changer of each copy's storage.
func (r *Restorer) clerk(device string, notes io.Writer, prog Progress, op Operator) *Clerk {
	if device == "" {
		device = r.device
	}
	changers := func(ctx context.Context, storage string) (Changer, error) {
		spec := device
		if spec == "" {
			var err error
			if spec, err = r.catalog.StorageChanger(ctx, storage); err != nil {
				return nil, err
			}
		}
		return r.changer(spec)
	}
	return &Clerk{Changers: changers, Device: r.changer, Operator: op, Notes: notes, Progress: prog}
}

// copiesOf returns the copies to read cp's dump from: cp first, then the complete (OK) copies
// in storages, in that order, then the others; oldest written first within a storage rank.
func (r *Restorer) copiesOf(ctx context.Context, cp *catalog.Copy, storages []string) ([]*catalog.Copy, error) {
	all, err := r.catalog.DumpCopies(ctx, cp.DumpID)
	if err != nil {
		return nil, err
	}
	rank := func(c *catalog.Copy) int {
		if i := slices.Index(storages, c.Storage); i >= 0 {
			return i
		}
		return len(storages)
	}
	others := slices.DeleteFunc(all, func(c *catalog.Copy) bool { return c.ID == cp.ID || c.Status != "OK" })
	slices.SortStableFunc(others, func(a, b *catalog.Copy) int {
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		return strings.Compare(a.WriteTimestamp, b.WriteTimestamp)
	})
	return append([]*catalog.Copy{cp}, others...), nil
}

// Close releases the devices the restorer opened (a tape drive stays open between the parts
// and dumps it reads, as Amanda's clerk keeps its device).
func (r *Restorer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for spec, c := range r.changers {
		if cl, ok := c.(io.Closer); ok {
			if err := cl.Close(); err != nil {
				errs = append(errs, fmt.Errorf("release %s: %w", spec, err))
			}
		}
		delete(r.changers, spec)
	}
	return errors.Join(errs...)
}

// changer opens (once) the changer a spec names.
func (r *Restorer) changer(spec string) (Changer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.changers[spec]; ok {
		return c, nil
	}
	if spec == "" {
		return nil, errNoChanger
	}
	c, err := device.OpenChanger(spec)
	if err != nil {
		return nil, err
	}
	r.changers[spec] = c
	return c, nil
}

// Restore restores the paths of one group into the directory target, printing tar's verbose
// lines on verbose and amrshell's own notes on notes, and telling req.Progress how it goes.
// When the data turn out damaged (a decompression error, a CRC that differs) and the dump has
// copies not read yet, it restores the dump again from them.
func (r *Restorer) Restore(ctx context.Context, req Request, target string, verbose, notes io.Writer) error {
	cp, err := r.catalog.Copy(ctx, req.CopyID)
	if err != nil {
		return fmt.Errorf("restore %w", err)
	}
	copies, err := r.copiesOf(ctx, cp, req.Storages)
	if err != nil {
		return fmt.Errorf("restore %s: %w", describe(cp), err)
	}
	// A restore again lists only the members the first did not: the stream is the same.
	listed := &lineSkipper{w: verbose}
	for {
		listed.skip, listed.seen = listed.seen, 0
		used, err := r.restoreFrom(ctx, req, copies, target, listed, notes)
		var damaged *dataError
		if err == nil || ctx.Err() != nil || !errors.As(err, &damaged) {
			return err
		}
		rest := slices.DeleteFunc(copies, func(c *catalog.Copy) bool { return slices.Contains(used, c) })
		if len(rest) == 0 {
			return err
		}
		fmt.Fprintf(notes, "amrshell: %v\n", err)
		fmt.Fprintf(notes, "amrshell: restoring %s again, from the %s\n", describe(cp), describeCopy(rest[0]))
		copies = rest
	}
}

// restoreFrom restores a group once, reading the dump from copies; it returns the copies it
// read data from.
func (r *Restorer) restoreFrom(ctx context.Context, req Request, copies []*catalog.Copy, target string, verbose, notes io.Writer) ([]*catalog.Copy, error) {
	cp := copies[0]
	prog := req.Progress
	if prog == nil {
		prog = noProgress{}
	}
	prog.Begin(describe(cp), mediaBytes(cp))
	defer prog.End() // deferred before n.Close, so run after it: no part is read after End
	n, err := r.openNative(ctx, copies, req.Device, notes, prog, r.Operator)
	if err != nil {
		return nil, fmt.Errorf("restore %w", err)
	}
	defer n.Close()
	h, what := n.header, n.what
	crc := newCRCReader(n)

	root, err := gtar.OSRoot(target)
	if err != nil {
		return nil, fmt.Errorf("open restore directory %s: %w", target, err)
	}
	defer root.Close()
	x := req.Extract
	if x == nil {
		x = NewExtract([]Request{req})
	}
	keep, err := x.keep(root, target, req.ExactDirs)
	if err != nil {
		return nil, fmt.Errorf("restore %s: %w", what, err)
	}
	opts := gtar.Options{
		Select:    selection(req),
		Verbose:   verbose,
		Notes:     notes,
		SameOwner: sameOwner(),
		Verify:    req.Verify,
		Keep:      keep,
		Restored:  prog.Restored,
		Overwrite: req.Overwrite,
	}
	if req.Overwrite != gtar.OverwriteAlways {
		if opts.Preexisting, err = x.preexisting(root, target, req.Items); err != nil {
			return nil, fmt.Errorf("restore %s: %w", what, err)
		}
	}
	recorded := cp.NativeCRC
	if recorded == "" && h.NativeCRC.Size > 0 {
		recorded = h.NativeCRC.String()
	}
	stats, err := extract(ctx, h, crc, root, x, target, req, opts)
	if err != nil {
		var damaged *dataError
		if !errors.As(err, &damaged) && n.parts.err == nil && ctx.Err() == nil {
			// Damage that still decompresses fails the archive's reader first: the rest of
			// the stream and its CRC tell whether the data, not the archive, is wrong.
			if _, rerr := io.Copy(io.Discard, crc); rerr != nil {
				err = fmt.Errorf("%w; then %w", err, rerr)
			} else if cerr := crc.check(recorded); cerr != nil {
				err = &dataError{err: fmt.Errorf("%w; %w", err, cerr), copies: n.parts.Used()}
			}
		}
		return n.parts.Used(), fmt.Errorf("restore %s: %w", what, err)
	}
	// The CRC covers the whole stream, tar's end blocks and padding included.
	if _, err := io.Copy(io.Discard, crc); err != nil {
		return n.parts.Used(), fmt.Errorf("restore %s: %w", what, err)
	}
	if err := crc.check(recorded); err != nil {
		return n.parts.Used(), fmt.Errorf("restore %s: %w", what, &dataError{err: err, copies: n.parts.Used()})
	}
	if n := len(stats.Refused) + len(stats.Errors); n > 0 {
		return nil, fmt.Errorf("restore %s: %d entries refused or not restored (named above)", what, n)
	}
	return nil, nil
}

// lineSkipper writes to w what is written to it but its first skip lines, and counts in seen
// the lines written to it.
type lineSkipper struct {
	w          io.Writer
	skip, seen int
}

func (l *lineSkipper) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		line, rest, full := bytes.Cut(p, []byte("\n"))
		if full {
			line = p[:len(line)+1]
		}
		if l.seen >= l.skip {
			if _, err := l.w.Write(line); err != nil {
				return 0, err
			}
		}
		if full {
			l.seen++
		}
		p = rest
	}
	return n, nil
}

// dataError is damage found in a dump's data after the clerk read it: the copies it came from
// cannot be trusted for this dump.
type dataError struct {
	err    error
	where  string // the part being read when it showed; "" at the end of the stream
	copies []*catalog.Copy
}

func (e *dataError) Error() string {
	var from []string
	for _, cp := range e.copies {
		from = append(from, describeCopy(cp))
	}
	msg := fmt.Sprintf("%v (data read from the %s", e.err, strings.Join(from, " and the "))
	if e.where != "" {
		msg += "; reading " + e.where
	}
	return msg + ")"
}

func (e *dataError) Unwrap() error { return e.err }

// dataReader reads the native stream and tells damaged data (an error of the decompressor)
// from a failure to read the media (an error of the clerk's stream, which has said why).
type dataReader struct {
	r      io.Reader
	stream *Stream
}

func (d *dataReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF && d.stream.err == nil && !errors.Is(err, context.Canceled) {
		err = &dataError{err: err, where: d.stream.Where(), copies: d.stream.Used()}
	}
	return n, err
}

// native is the native (uncompressed) stream of a dump, read through the clerk.
type native struct {
	io.Reader
	header *device.Header // the first part's
	what   string         // describe(copy), for errors
	parts  *Stream
	dec    io.Closer
}

// describe names a copy's dump as errors and progress do: "host:disk level N of TS".
func describe(cp *catalog.Copy) string {
	return fmt.Sprintf("%s:%s level %d of %s", cp.Host, cp.Disk, cp.Level, cp.Datestamp)
}

// mediaBytes is what the parts of a copy hold on the media as the catalog records it, 0 when
// the catalog does not know the size of one of them.
func mediaBytes(cp *catalog.Copy) int64 {
	var total int64
	for _, p := range cp.Parts {
		if p.Bytes <= 0 {
			return 0
		}
		total += p.Bytes
	}
	return total
}

// OpenCopy returns the header of a copy's first part and the copy's data as the media hold it
// (compressed or encrypted as written), its parts concatenated and their headers checked,
// reading volumes through device (Request.Device; "" for the usual changers) and telling prog
// of each part. amfetchdump's and amrecover's transfers both start here.
//
// A part that cannot be read is read from another copy of the dump (see Clerk), told to
// r.Notes.
func (r *Restorer) OpenCopy(ctx context.Context, cp *catalog.Copy, device string, prog Progress) (*device.Header, io.ReadCloser, error) {
	copies, err := r.copiesOf(ctx, cp, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", describe(cp), err)
	}
	h, parts, err := r.openParts(ctx, copies, device, r.Notes, prog, r.Operator)
	if err != nil {
		return nil, nil, err
	}
	return h, parts, nil
}

func (r *Restorer) openParts(ctx context.Context, copies []*catalog.Copy, device string, notes io.Writer, prog Progress, op Operator) (*device.Header, *Stream, error) {
	if prog == nil {
		prog = noProgress{}
	}
	h, parts, err := r.clerk(device, notes, prog, op).Open(ctx, copies)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", describe(copies[0]), err)
	}
	return h, parts, nil
}

// openNative opens the native stream of a copy, reading volumes through device (Request.Device)
// or the usual changers, and telling prog of each part and of the bytes read. Errors start with
// what is being read.
func (r *Restorer) openNative(ctx context.Context, copies []*catalog.Copy, device string, notes io.Writer, prog Progress, op Operator) (*native, error) {
	what := describe(copies[0])
	h, parts, err := r.openParts(ctx, copies, device, notes, prog, op)
	if err != nil {
		return nil, err
	}
	if err := checkProgram(h); err != nil {
		parts.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	dec, err := Decompress(h, &countingReader{ctx: ctx, r: parts, progress: prog})
	if err != nil {
		parts.Close()
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &native{Reader: &dataReader{r: dec, stream: parts}, header: h, what: what, parts: parts, dec: dec}, nil
}

func (n *native) Close() error {
	n.dec.Close()
	return n.parts.Close()
}

// keep lists, the first time the extract restores exactly into each of dirs under target, what
// is there already, and returns the test that spares those entries, and the paths chosen by
// name, from exact purges.
func (x *Extract) keep(root gtar.FS, target string, dirs []string) (func(name string) bool, error) {
	for _, d := range dirs {
		dir := memberName(d)
		if x.listed[target+"\x00"+dir] {
			continue
		}
		list := dir
		if list == "" {
			list = "."
		}
		ents, err := root.ReadDir(list)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("list what is in ./%s before restoring into it: %w", dir, err)
		}
		for _, e := range ents {
			x.before[target+"\x00"+path.Join(dir, e.Name())] = true
		}
		x.listed[target+"\x00"+dir] = true
	}
	return func(name string) bool { return x.named[name] || x.before[target+"\x00"+name] }, nil
}

// memberName turns a path in the index's raw form ("/docs/", "/") into the archive's member
// form ("docs", ""). It does not clean the path: a hostile "/../x" must stay what it is, for
// the extractor to refuse the member by name.
func memberName(raw string) string {
	return strings.Trim(gtar.UnescapeName(raw), "/")
}

// sameOwner says whether restored files get the owners the archive records: only root can.
func sameOwner() bool { return os.Geteuid() == 0 }

// isGNUTar says whether a dump is a GNU tar archive: made by GNUTAR, or by the amgtar
// application.
func isGNUTar(h *device.Header) bool {
	return h.Program == "GNUTAR" || h.Program == "APPLICATION" && (h.Application == "amgtar" || h.Application == "")
}

// programName names the program that made a dump, as its header does.
func programName(h *device.Header) string {
	return strings.TrimSpace(h.Program + " " + h.Application)
}

// checkProgram refuses dumps made by programs amrshell cannot extract yet.
func checkProgram(h *device.Header) error {
	if isGNUTar(h) || isDump(h) {
		return nil
	}
	return errors.New("dumps made by " + programName(h) + " cannot be extracted by amrshell yet")
}

// countingReader counts the bytes read from the volumes into progress, and stops the stream
// when ctx is cancelled: every stage after it (decompression, tar, the CRC) reads through it.
type countingReader struct {
	ctx      context.Context
	r        io.Reader
	progress Progress
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.progress.Read(int64(n))
	return n, err
}

// selection turns a group's chosen paths, in the index's raw form (GNU tar's escape quoting),
// into the archive's member names.
func selection(req Request) gtar.PathSelection {
	sel := gtar.PathSelection{}
	for _, it := range req.Items {
		sel.Add(memberName(it.Path), gtar.Listed)
	}
	for _, dir := range req.ExactDirs {
		sel.Add(memberName(dir), gtar.Exact)
	}
	return sel
}
