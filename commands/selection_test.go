package commands

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/amrshell/amrshell/catalog"
)

// modelList is the extract list as amrecover keeps it, one path at a time: each group's paths
// newest first, a path found by searching its group, a group gone with its last path.
type modelList []*modelGroup

type modelGroup struct {
	dump  catalog.HistoryItem
	files []extractItem
}

func (m *modelList) add(d *catalog.HistoryItem, path string, dir, named bool) bool {
	for _, g := range *m {
		if g.dump.Level == d.Level && g.dump.Tapes == d.Tapes {
			for i := range g.files {
				if g.files[i].path == path {
					g.files[i].named = g.files[i].named || named
					return false
				}
			}
			g.files = append([]extractItem{{path, path, dir, named}}, g.files...)
			return true
		}
	}
	at := len(*m)
	for i, g := range *m {
		if d.Date < g.dump.Date {
			at = i
			break
		}
	}
	*m = slices.Insert(*m, at, &modelGroup{*d, []extractItem{{path, path, dir, named}}})
	return true
}

func (m *modelList) delete(d *catalog.HistoryItem, path string) bool {
	for gi, g := range *m {
		if g.dump.Level != d.Level || g.dump.Tapes != d.Tapes {
			continue
		}
		i := slices.IndexFunc(g.files, func(f extractItem) bool { return f.path == path })
		if i < 0 {
			return false
		}
		g.files = slices.Delete(g.files, i, i+1)
		if len(g.files) == 0 {
			*m = slices.Delete(*m, gi, gi+1)
		}
		return true
	}
	return false
}

// TestExtractListBatches checks that adding and deleting many paths per command (adder,
// deleter) leaves the extract list, and answers, as adding and deleting them one at a time.
func TestExtractListBatches(t *testing.T) {
	dumps := []catalog.HistoryItem{
		{DumpID: 1, Date: "2024-01-01-00-00-00", Level: 0, Tapes: "S:A-01:1"},
		{DumpID: 2, Date: "2024-01-02-00-00-00", Level: 1, Tapes: "S:A-02:1"},
		{DumpID: 3, Date: "2024-01-03-00-00-00", Level: 1, Tapes: "S:A-02:2"},
		{DumpID: 4, Date: "2024-01-02-00-00-00", Level: 1, Tapes: "S:A-02:1"}, // dump 2's group
	}
	for seed := range uint64(200) {
		rng := rand.New(rand.NewPCG(seed, 0))
		s := &Session{}
		var model modelList
		for cmd := range 30 {
			del := rng.IntN(3) == 0
			a, d := s.newAdder(), s.newDeleter()
			for range rng.IntN(20) {
				dump := &dumps[rng.IntN(len(dumps))]
				path := fmt.Sprintf("/d%d/f%d", rng.IntN(2), rng.IntN(12))
				if del {
					if got, want := d.delete(dump, path), model.delete(dump, path); got != want {
						t.Fatalf("seed %d command %d: delete %s of dump %d = %v, want %v", seed, cmd, path, dump.DumpID, got, want)
					}
					continue
				}
				dir, named := rng.IntN(2) == 0, rng.IntN(2) == 0
				if _, got := a.add(dump, path, path, dir, named); got != model.add(dump, path, dir, named) {
					t.Fatalf("seed %d command %d: add %s to dump %d = %v, want the opposite", seed, cmd, path, dump.DumpID, got)
				}
			}
			a.flush()
			d.flush()
			if got, want := listString(s.extract), modelString(model); got != want {
				t.Fatalf("seed %d after command %d:\ngot  %s\nwant %s", seed, cmd, got, want)
			}
		}
	}
}

func listString(l []*group) string {
	var out []string
	for _, g := range l {
		out = append(out, fmt.Sprintf("%s/%d %v", g.dump.Tapes, g.dump.Level, g.files))
	}
	return fmt.Sprint(out)
}

func modelString(m modelList) string {
	var out []string
	for _, g := range m {
		out = append(out, fmt.Sprintf("%s/%d %v", g.dump.Tapes, g.dump.Level, g.files))
	}
	return fmt.Sprint(out)
}
