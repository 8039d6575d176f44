package recover

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/amrshell/amrshell/recover/gtar"
)

// Renames returns the directory renames a dump records, from the names before it to the names
// in it, in the Member form of gtar ("projects/alpha" -> "projects/alpha-renamed"). It reads
// only the head of the dump: GNU tar writes every directory of an incremental dump, with its
// dumpdir and the rename records, before the first file, so the reading stops there. The
// volumes come through device as for Restore (Request.Device), or "" for the usual ones.
func (r *Restorer) Renames(ctx context.Context, copyID int64, device string) ([]gtar.Rename, error) {
	cp, err := r.catalog.Copy(ctx, copyID)
	if err != nil {
		return nil, fmt.Errorf("read the renames of %w", err)
	}
	copies, err := r.copiesOf(ctx, cp, nil)
	if err != nil {
		return nil, fmt.Errorf("read the renames of %s: %w", describe(cp), err)
	}
	// Nobody is asked for a volume: this reading only prepares the extract, whose own reading asks.
	n, err := r.openNative(ctx, copies, device, r.Notes, noProgress{}, nil)
	if err != nil {
		return nil, fmt.Errorf("read the renames of %w", err)
	}
	defer n.Close()
	if !isGNUTar(n.header) {
		return nil, nil // only GNU tar records renames; a DUMP level moves renamed inodes itself
	}
	renames, err := dumpRenames(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("read the renames of %s: %w", n.what, err)
	}
	return renames, nil
}

// dumpRenames reads the directory members at the head of a native GNU tar stream and returns
// the renames their dumpdirs record.
func dumpRenames(ctx context.Context, native io.Reader) ([]gtar.Rename, error) {
	tr := gtar.NewReader(native)
	var renames []gtar.Rename
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return renames, nil
		}
		if err != nil {
			return nil, err
		}
		switch h.Typeflag {
		case gtar.TypeDumpdir:
			renames = append(renames, gtar.Renames(h.Dumpdir)...)
		case gtar.TypeDir:
			// A directory without a dumpdir records no renames.
		default:
			return renames, nil
		}
	}
}
