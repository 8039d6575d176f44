package recover

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/recover/gtar"
)

// planDump is a dump of a test chain: what its index lists (raw paths, as the catalog's
// WalkTree gives them), the renames it records and what the extract list chose in it.
type planDump struct {
	lists   []string
	renames []gtar.Rename
	chosen  []string
}

// listOwners answers as the catalog does for add: each path listed by the dumps is owned by
// the first of them (newest first) that lists it.
func listOwners(chain []planDump) Owners {
	return func(dir string, dumps []int) ([]int, error) {
		owns := map[int]bool{}
		seen := map[string]bool{}
		for _, d := range dumps {
			for _, p := range chain[d].lists {
				if (p == dir || strings.HasPrefix(p, dir)) && !seen[p] {
					seen[p] = true
					owns[d] = true
				}
			}
		}
		return slices.DeleteFunc(slices.Clone(dumps), func(d int) bool { return !owns[d] }), nil
	}
}

func TestPlanRenames(t *testing.T) {
	// The corpus' /home/alice as of run 3: level 1 renamed projects/alpha, whose files did not
	// change, and added a file; level 2 changed nothing in it.
	alice := []planDump{
		{lists: []string{"/", "/projects/", "/projects/alpha/", "/projects/alpha/file00.c", "/projects/alpha/sub/", "/projects/alpha/sub/notes.md", "/docs/", "/docs/readme.txt"}},
		{lists: []string{"/", "/projects/", "/projects/alpha-renamed/", "/projects/alpha-renamed/added.c", "/projects/alpha-renamed/sub/", "/docs/"},
			renames: []gtar.Rename{{From: "projects/alpha", To: "projects/alpha-renamed"}}},
		{lists: []string{"/", "/projects/", "/projects/alpha-renamed/", "/projects/alpha-renamed/sub/", "/docs/", "/docs/readme.txt"}},
	}
	with := func(chain []planDump, chosen ...[]string) []planDump {
		out := slices.Clone(chain)
		for i := range out {
			out[i].chosen = chosen[i]
		}
		return out
	}
	alphaRenamed := Addition{Dump: 0, Path: "/projects/alpha/", Renamed: 1, From: "/projects/alpha", To: "/projects/alpha-renamed"}

	tests := []struct {
		name   string
		chain  []planDump
		want   []Addition
		inside []Inside
	}{
		{
			name:  "rename at level 1, its new name chosen",
			chain: with(alice, nil, []string{"/projects/alpha-renamed/"}, []string{"/projects/alpha-renamed/"}),
			want:  []Addition{alphaRenamed},
		},
		{
			name:  "the old name chosen already, in its parent",
			chain: with(alice, []string{"/projects/"}, []string{"/projects/"}, []string{"/projects/"}),
		},
		{
			name:  "the whole disk chosen",
			chain: with(alice, []string{"/"}, []string{"/"}, []string{"/"}),
		},
		{
			name:  "a chosen file inside the renamed directory",
			chain: with(alice, nil, []string{"/projects/alpha-renamed/added.c"}, nil),
		},
		{
			name:  "a chosen directory inside the renamed directory",
			chain: with(alice, nil, []string{"/projects/alpha-renamed/sub/"}, []string{"/projects/alpha-renamed/sub/"}),
			inside: []Inside{{Dir: "/projects/alpha-renamed/sub/", Old: "/projects/alpha/sub/", Renamed: 1,
				From: "/projects/alpha", To: "/projects/alpha-renamed"}},
		},
		{
			name: "the renamed directory and one inside it chosen",
			chain: with(alice, nil, []string{"/projects/alpha-renamed/sub/", "/projects/alpha-renamed/"},
				[]string{"/projects/alpha-renamed/sub/", "/projects/alpha-renamed/"}),
			want: []Addition{alphaRenamed},
		},
		{
			name:  "no rename",
			chain: with(alice, []string{"/docs/"}, []string{"/docs/"}, []string{"/docs/"}),
		},
		{
			name: "renames at two levels chained",
			chain: []planDump{
				{lists: []string{"/", "/a/", "/a/f0"}},
				{lists: []string{"/", "/b/", "/b/f1"}, renames: []gtar.Rename{{From: "a", To: "b"}}},
				{lists: []string{"/", "/c/", "/c/f2"}, renames: []gtar.Rename{{From: "b", To: "c"}}, chosen: []string{"/c/"}},
				{lists: []string{"/", "/c/"}, chosen: []string{"/c/"}},
			},
			want: []Addition{
				{Dump: 1, Path: "/b/", Renamed: 2, From: "/b", To: "/c"},
				{Dump: 0, Path: "/a/", Renamed: 1, From: "/a", To: "/b"},
			},
		},
		{
			// Level 0 has a b of its own, gone when level 1 renamed a to b: the b that level 2
			// renamed is level 1's, and level 0's stale b must not be chosen.
			name: "an old name that an older dump used for another directory",
			chain: []planDump{
				{lists: []string{"/", "/a/", "/a/f0", "/b/", "/b/stale"}},
				{lists: []string{"/", "/b/", "/b/f1"}, renames: []gtar.Rename{{From: "a", To: "b"}}},
				{lists: []string{"/", "/c/", "/c/f2"}, renames: []gtar.Rename{{From: "b", To: "c"}}, chosen: []string{"/c/"}},
			},
			want: []Addition{
				{Dump: 1, Path: "/b/", Renamed: 2, From: "/b", To: "/c"},
				{Dump: 0, Path: "/a/", Renamed: 1, From: "/a", To: "/b"},
			},
		},
		{
			// add chose nothing in the renaming dump: everything it lists under the new name
			// is listed again by the newer one. It must be read for the rename to be made.
			name: "renaming dump without a group",
			chain: []planDump{
				{lists: []string{"/", "/a/", "/a/f0"}},
				{lists: []string{"/", "/b/"}, renames: []gtar.Rename{{From: "a", To: "b"}}},
				{lists: []string{"/", "/b/", "/b/f2"}, chosen: []string{"/b/"}},
			},
			want: []Addition{
				{Dump: 1, Path: "/b/", Renamed: 1, From: "/a", To: "/b"},
				{Dump: 0, Path: "/a/", Renamed: 1, From: "/a", To: "/b"},
			},
		},
		{
			// The old name is owned, as add decides, by each older dump listing something
			// under it that no newer one lists: level 1 (its directory, f1) and level 0 (f0).
			name: "old name in two older dumps",
			chain: []planDump{
				{lists: []string{"/", "/a/", "/a/f0", "/a/f1"}},
				{lists: []string{"/", "/a/", "/a/f1"}},
				{lists: []string{"/", "/b/", "/b/f2"}, renames: []gtar.Rename{{From: "a", To: "b"}}, chosen: []string{"/b/"}},
			},
			want: []Addition{
				{Dump: 1, Path: "/a/", Renamed: 2, From: "/a", To: "/b"},
				{Dump: 0, Path: "/a/", Renamed: 2, From: "/a", To: "/b"},
			},
		},
		{
			name: "old name superseded in the level 0",
			chain: []planDump{
				{lists: []string{"/", "/a/", "/a/f1"}},
				{lists: []string{"/", "/a/", "/a/f1"}},
				{lists: []string{"/", "/b/", "/b/f2"}, renames: []gtar.Rename{{From: "a", To: "b"}}, chosen: []string{"/b/"}},
			},
			want: []Addition{{Dump: 1, Path: "/a/", Renamed: 2, From: "/a", To: "/b"}},
		},
		{
			name: "a directory moved into the chosen one from outside",
			chain: []planDump{
				{lists: []string{"/", "/old/", "/old/x/", "/old/x/f0", "/projects/", "/projects/p0"}, chosen: []string{"/projects/"}},
				{lists: []string{"/", "/old/", "/projects/", "/projects/x/"}, renames: []gtar.Rename{{From: "old/x", To: "projects/x"}},
					chosen: []string{"/projects/"}},
			},
			want: []Addition{{Dump: 0, Path: "/old/x/", Renamed: 1, From: "/old/x", To: "/projects/x"}},
		},
		{
			// Raw index names are GNU tar escape-quoted; renames are in member form.
			name: "names that need quoting",
			chain: []planDump{
				{lists: []string{"/", `/caf\303\251 menu/`, `/caf\303\251 menu/back\\slash.txt`}},
				{lists: []string{"/", "/cafe/", "/cafe/new"}, renames: []gtar.Rename{{From: "caf\u00e9 menu", To: "cafe"}}, chosen: []string{"/cafe/"}},
			},
			want: []Addition{{Dump: 0, Path: `/caf\303\251 menu/`, Renamed: 1, From: `/caf\303\251 menu`, To: "/cafe"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chain := make([]PlanDump, len(tc.chain))
			for i, d := range tc.chain {
				chain[i] = PlanDump{Renames: d.renames, Chosen: d.chosen}
			}
			plan, err := PlanRenames(chain, listOwners(tc.chain))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(plan.Additions, tc.want) {
				t.Errorf("additions:\n%s\nwant:\n%s", fmtList(plan.Additions), fmtList(tc.want))
			}
			if !slices.Equal(plan.Inside, tc.inside) {
				t.Errorf("inside:\n%s\nwant:\n%s", fmtList(plan.Inside), fmtList(tc.inside))
			}
		})
	}
}

// An error of the ownership query ends the planning.
func TestPlanRenamesOwnersError(t *testing.T) {
	chain := []PlanDump{{}, {Renames: []gtar.Rename{{From: "a", To: "b"}}, Chosen: []string{"/b/"}}}
	failed := errors.New("catalog gone")
	_, err := PlanRenames(chain, func(string, []int) ([]int, error) { return nil, failed })
	if !errors.Is(err, failed) {
		t.Errorf("PlanRenames error = %v, want %v", err, failed)
	}
}

func fmtList[T any](xs []T) string {
	var b strings.Builder
	for _, x := range xs {
		fmt.Fprintf(&b, "\t%+v\n", x)
	}
	return b.String()
}
