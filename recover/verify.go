package recover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"

	"github.com/amrshell/amrshell/recover/gtar"
)

// Verify checks what an extract restored into target against the dumps, as tar --compare does,
// writing nothing. The groups are those of the extract, in restore order (oldest dump first).
// A restore applies every dump's directory records, so the tree it leaves is the newest dump's:
// each path is checked against the newest dump of the groups that holds it, and only if the
// newest dump's directory records say it still exists. Differences are printed on out; the
// returned stats add up every dump's.
//
//	present := the entries the newest dump's dumpdirs list (read from its head)
//	for each group, newest dump first:
//	    compare its members that are chosen, not compared yet, and present
func (r *Restorer) Verify(ctx context.Context, groups []Request, target string, out io.Writer) (gtar.CompareStats, error) {
	var total gtar.CompareStats
	if len(groups) == 0 {
		return total, nil
	}
	root, err := gtar.OSRoot(target)
	if err != nil {
		return total, fmt.Errorf("open restore directory %s: %w", target, err)
	}
	defer root.Close()
	present, err := r.presentEntries(ctx, groups[len(groups)-1])
	if err != nil {
		return total, err
	}
	seen := map[string]bool{}
	for i := len(groups) - 1; i >= 0; i-- {
		st, err := r.verifyGroup(ctx, groups[i], root, out, verifySelection{selection(groups[i]), seen, present})
		total.Members += st.Members
		total.Differ += st.Differ
		total.Skipped += st.Skipped
		total.Differences = append(total.Differences, st.Differences...)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *Restorer) verifyGroup(ctx context.Context, req Request, root gtar.FS, out io.Writer, sel gtar.Selection) (gtar.CompareStats, error) {
	cp, err := r.catalog.Copy(ctx, req.CopyID)
	if err != nil {
		return gtar.CompareStats{}, fmt.Errorf("verify %w", err)
	}
	copies, err := r.copiesOf(ctx, cp, req.Storages)
	if err != nil {
		return gtar.CompareStats{}, fmt.Errorf("verify %s: %w", describe(cp), err)
	}
	n, err := r.openNative(ctx, copies, req.Device, out, noProgress{}, r.Operator)
	if err != nil {
		return gtar.CompareStats{}, fmt.Errorf("verify %w", err)
	}
	defer n.Close()
	if !isGNUTar(n.header) {
		return gtar.CompareStats{}, fmt.Errorf("verify %s: amrshell compares GNU tar dumps only, not dumps made by %s", n.what, programName(n.header))
	}
	st, err := gtar.Compare(ctx, n, root, gtar.Options{Select: sel, Notes: out, SameOwner: sameOwner()})
	if err != nil {
		return st, fmt.Errorf("verify %s: %w", n.what, err)
	}
	fmt.Fprintf(out, "Verified %s: %d member(s) compared, %d differ\n", n.what, st.Members, st.Differ)
	return st, nil
}

// presentEntries reads the dumpdirs at the head of a dump (GNU tar writes every directory
// first) and returns which member names they say exist at dump time: a directory's entries,
// by its member name. nil means the dump records no dumpdirs: everything counts as present.
func (r *Restorer) presentEntries(ctx context.Context, req Request) (entries, error) {
	cp, err := r.catalog.Copy(ctx, req.CopyID)
	if err != nil {
		return nil, fmt.Errorf("verify %w", err)
	}
	copies, err := r.copiesOf(ctx, cp, req.Storages)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", describe(cp), err)
	}
	n, err := r.openNative(ctx, copies, req.Device, r.Notes, noProgress{}, r.Operator)
	if err != nil {
		return nil, fmt.Errorf("verify %w", err)
	}
	defer n.Close()
	if !isGNUTar(n.header) {
		return nil, nil // Verify says why when it reads the dump
	}
	var present entries
	tr := gtar.NewReader(n)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return present, nil
		}
		if err != nil {
			return nil, fmt.Errorf("verify %s: read its directories: %w", n.what, err)
		}
		if h.Typeflag != gtar.TypeDumpdir {
			return present, nil // the directories are over
		}
		if present == nil {
			present = entries{}
		}
		dir := path.Clean(h.Name) // a hostile name matches nothing: Compare refuses it
		if dir == "." {
			dir = ""
		}
		names := map[string]bool{}
		for _, e := range h.Dumpdir {
			switch e.Code {
			case gtar.DumpdirIncluded, gtar.DumpdirUnchanged, gtar.DumpdirDirectory:
				names[e.Name] = true
			}
		}
		present[dir] = names
	}
}

// entries are the names each directory holds, by the directory's member name ("" the top).
type entries map[string]map[string]bool

// has reports whether name is in its directory's entries; the top always is.
func (e entries) has(name string) bool {
	if e == nil || name == "" {
		return true
	}
	dir, base := path.Split(name)
	return e[path.Clean("/" + dir)[1:]][base]
}

// verifySelection chooses the members Verify compares in one dump.
type verifySelection struct {
	chosen  gtar.PathSelection
	seen    map[string]bool // compared in a newer dump
	present entries
}

func (s verifySelection) Member(name string) gtar.Choice {
	if s.chosen.Member(name) != gtar.Listed || s.seen[name] || !s.present.has(name) {
		return gtar.NotSelected
	}
	s.seen[name] = true
	return gtar.Listed
}
