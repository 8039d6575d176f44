package recover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/recover/dump"
	"github.com/amrshell/amrshell/recover/gtar"
)

// Index reads a copy's dump (falling back to the dump's other copies, as a restore does) and
// calls add with each line of the file index Amanda made of it when it was taken: "/" and
// "/path", directories ending in "/".
//
//	GNU tar (amgtar, GNUTAR): every member, as `tar -v` printed it while creating the archive
//	    ("./docs/readme.txt" -> "/docs/readme.txt", EscapeName quoting); an incremental level
//	    has every directory and the files it holds
//	DUMP: what `restore -t` lists (dump.List), raw; only the directories are read
func (r *Restorer) Index(ctx context.Context, cp *catalog.Copy, add func(line string) error) error {
	copies, err := r.copiesOf(ctx, cp, nil)
	if err != nil {
		return fmt.Errorf("index %s: %w", describe(cp), err)
	}
	// Nobody is asked for a volume: a scan reads what the changers hold.
	n, err := r.openNative(ctx, copies, "", r.Notes, noProgress{}, nil)
	if err != nil {
		return fmt.Errorf("index %w", err)
	}
	defer n.Close()
	if isDump(n.header) {
		err = dump.List(ctx, n, func(p string, dir bool) error {
			if dir && p != "" {
				p += "/"
			}
			return add("/" + p)
		})
	} else {
		err = tarIndex(ctx, n, add)
	}
	if err != nil {
		return fmt.Errorf("index %s: %w", n.what, err)
	}
	return nil
}

// tarIndex calls add with the index line of every member of a native GNU tar stream.
func tarIndex(ctx context.Context, native io.Reader, add func(line string) error) error {
	tr := gtar.NewReader(native)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag == gtar.TypeVolume {
			continue
		}
		// amgtar drops the "." of "./name"; GNU tar names the top directory "./".
		name, _ := strings.CutPrefix(h.Name, "./")
		if (h.Typeflag == gtar.TypeDir || h.Typeflag == gtar.TypeDumpdir) && name != "" && !strings.HasSuffix(name, "/") {
			name += "/"
		}
		if err := add("/" + gtar.EscapeName(name)); err != nil {
			return err
		}
	}
}
