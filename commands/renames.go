package commands

import (
	"context"
	"fmt"
	"slices"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/recover"
	"github.com/amrshell/amrshell/recover/gtar"
)

// Before extract, amrshell completes the extract list for directories renamed in the chain,
// which amrecover does not: the files of a renamed directory that did not change are only in
// the dumps older than the rename, under the old name, so `add NEWNAME` alone loses them.
//
//	chain   := the dumps of the view, and the groups of the list that are dumps of it
//	renames := Restorer.Renames of each dump but the level 0 (only the directories it holds)
//	plan    := recover.PlanRenames(chain, renames, chosen directories, ownership as add)
//	each addition goes to its dump's group (a new group if it had none), said on stderr

// renameReader is what a Restorer may add so that extract follows renamed directories:
// recover.Restorer is one. Without it the extract list is restored as it was made.
type renameReader interface {
	// Renames lists the renames a dump records, reading its volumes through device ("" for
	// the usual changers) as Restore would.
	Renames(ctx context.Context, copyID int64, device string) ([]gtar.Rename, error)
}

// followRenames adds to the extract list the old names of the chosen directories renamed in
// the view's chain, in the dumps that hold their unchanged files, and tells on stderr what it
// added and why. Groups of dumps outside the view (the date or disk changed after they were
// made) are left as they are. When a dump's renames cannot be read, it says so and goes on
// without them: the restore of that dump will report the same problem.
func (s *Session) followRenames(ctx context.Context) {
	rr, ok := s.restore.(renameReader)
	if !ok || s.srvHost == "" || s.srvDisk == "" {
		return
	}
	view, reply := s.view(ctx)
	if reply != "" {
		return
	}
	chain := slices.Clone(view)
	slices.Reverse(chain) // oldest first, as PlanRenames takes it
	groups := make([]*group, len(chain))
	dumps := make([]recover.PlanDump, len(chain))
	for _, g := range s.extract {
		if i := slices.IndexFunc(chain, func(d catalog.HistoryItem) bool { return d.DumpID == g.dump.DumpID }); i >= 0 {
			groups[i] = g
			for _, it := range s.groupOf(g).Items {
				dumps[i].Chosen = append(dumps[i].Chosen, it.Path)
			}
		}
	}
	if !mayRename(groups) {
		return
	}
	device := ""
	if s.deviceChosen && s.deviceSet {
		device = s.device
	}
	for i := 1; i < len(chain); i++ {
		renames, err := rr.Renames(ctx, chain[i].CopyID, device)
		if ctx.Err() != nil {
			return // interrupted: extract stops too
		}
		if err != nil {
			fmt.Fprintf(s.errOut, "amrshell: cannot tell which directories were renamed at date %s, so their unchanged files may be left out: %v\n", chain[i].Date, err)
			continue
		}
		dumps[i].Renames = renames
	}
	plan, err := recover.PlanRenames(dumps, func(dir string, in []int) ([]int, error) {
		ids := make([]int64, len(in))
		for j, d := range in {
			ids[j] = chain[d].DumpID
		}
		owners, err := s.idx.TreeOwners(ctx, ids, dir)
		return slices.DeleteFunc(slices.Clone(in), func(d int) bool { return !slices.Contains(owners, chain[d].DumpID) }), err
	})
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: cannot follow the renamed directories, so their unchanged files may be left out: %v\n", err)
		return
	}
	name := func(raw string) string { return quote(translate(raw, s.translate)) }
	for _, a := range plan.Additions {
		dump := &chain[a.Dump]
		if g := groups[a.Dump]; g != nil {
			dump = &g.dump
		}
		g, _ := s.addExtractItem(dump, a.Path, translate(a.Path, s.translate), true, false)
		groups[a.Dump] = g
		why := "for its unchanged files"
		if a.Dump == a.Renamed {
			why = "to make the rename"
		}
		fmt.Fprintf(s.errOut, "amrshell: %s was %s before %s: adding %s at date %s %s\n",
			name(a.To), name(a.From), nicedate(chain[a.Renamed].Date), name(a.Path), nicedate(dump.Date), why)
	}
	for _, in := range plan.Inside {
		fmt.Fprintf(s.errOut, "amrshell: warning: %s was %s before %s: files in %s that did not change since may be left out (they are in %s); add %s to restore them\n",
			name(in.To), name(in.From), nicedate(chain[in.Renamed].Date), name(in.Dir), name(in.Old), name(in.To))
	}
}

// mayRename reports whether following renames can add anything to the groups (by dump of
// the chain, nil for none): some directory is chosen, and some dump has no group choosing the
// whole disk.
func mayRename(groups []*group) bool {
	dir, whole := false, true
	for _, g := range groups {
		hasTop := false
		if g == nil {
			whole = false
			continue
		}
		for _, f := range g.files {
			dir = dir || f.dir
			hasTop = hasTop || f.path == "/"
		}
		whole = whole && hasTop
	}
	return dir && !whole
}
