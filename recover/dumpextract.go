package recover

import (
	"context"
	"io"
	"path"
	"strings"

	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/recover/dump"
	"github.com/amrshell/amrshell/recover/gtar"
)

// isDump tells the dumps made by the DUMP program: /sbin/dump (BSD dump format, of ext2/3/4
// with Linux dump). Amanda's file headers name it by its path ("program /sbin/dump"), its
// disklist by "DUMP".
func isDump(h *device.Header) bool {
	return h.Program == "DUMP" || path.Base(h.Program) == "dump"
}

// extract restores a native stream into root with the extractor of the dump's program: gtar's
// for GNU tar, recover/dump's for DUMP. For DUMP, x keeps the tree each level leaves in target
// so the next level of the same disk can move what was renamed, and opts give their Notes,
// SameOwner, Keep, Restored, Overwrite, Preexisting and Verify; nothing goes to Verbose, as
// amrecover runs restore without -v.
func extract(ctx context.Context, h *device.Header, native io.Reader, root gtar.FS, x *Extract, target string, req Request, opts gtar.Options) (gtar.Stats, error) {
	if !isDump(h) {
		return gtar.Extract(ctx, native, root, opts)
	}
	if x.dumps == nil {
		x.dumps = map[string]*dump.State{}
	}
	key := target + "\x00" + h.Host + "\x00" + h.Disk
	st := x.dumps[key]
	if st == nil {
		st = &dump.State{}
		x.dumps[key] = st
	}
	return dump.Extract(ctx, native, root, dump.Options{
		Select:      dumpSelection(req),
		Notes:       opts.Notes,
		SameOwner:   opts.SameOwner,
		Keep:        opts.Keep,
		Restored:    opts.Restored,
		State:       st,
		Overwrite:   opts.Overwrite,
		Preexisting: opts.Preexisting,
		Verify:      opts.Verify,
	})
}

// dumpSelection is selection for DUMP dumps: their index (restore -t) has the names as they
// are, not quoted as GNU tar's.
func dumpSelection(req Request) gtar.PathSelection {
	sel := gtar.PathSelection{}
	for _, it := range req.Items {
		sel.Add(strings.Trim(it.Path, "/"), gtar.Listed)
	}
	for _, dir := range req.ExactDirs {
		sel.Add(strings.Trim(dir, "/"), gtar.Exact)
	}
	return sel
}
