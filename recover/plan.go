package recover

import (
	"slices"
	"strings"

	"github.com/amrshell/amrshell/recover/gtar"
)

// Renamed directories in a restore's chain. When a directory is renamed between two dumps,
// GNU tar records the rename in the newer dump and leaves out the files that did not change:
// they are in the older dumps, under the old name, and only there does Amanda's index list
// them. Choosing the directory by its new name (amrecover's add) chooses nothing in those
// older dumps, and the unchanged files are not restored. PlanRenames finds what else to
// choose; the extractor then restores the old name from the older dumps and moves it to the
// new name when it reads the newer dump (gtar: a rename is made when its target is selected).
//
//	wanted := the chosen directories, named as in the newest dump
//	for k := newest dump .. 1:
//	    for each wanted directory w and each rename from -> to that dump k records:
//	        to == w, or to inside w: from is wanted in the dumps older than k; choose it in those
//	                                  that own something under it (as add), and choose to in
//	                                  dump k, so that it is read and the rename made
//	        w inside to:             the extractor moves whole renamed directories only, so w's
//	                                  old content cannot follow: report it
//	    wanted := the wanted directories as named in dump k-1

// PlanDump is one dump of a restore's chain, as PlanRenames sees it.
type PlanDump struct {
	Renames []gtar.Rename // the renames the dump records (Restorer.Renames)
	// Chosen are the paths chosen in the dump's group of the extract list, in raw index form:
	// "/docs/" for a directory ("/" for the whole disk), "/docs/readme.txt" for a file.
	Chosen []string
}

// Owners reports which of dumps (indexes in the chain, newest first) own something at or below
// the directory dir (raw index form: "/projects/alpha/"). As for amrecover's add, each path is
// owned by the first of dumps that lists it.
type Owners func(dir string, dumps []int) ([]int, error)

// Addition is a directory to choose in a dump of the chain because of a rename.
type Addition struct {
	Dump int    // the dump to choose Path in, as an index in the chain
	Path string // raw index form of a directory: "/projects/alpha/"
	// Dump Renamed (an index in the chain) renamed From to To (raw index form, without the
	// trailing "/"). When Dump == Renamed, Path is the new name, chosen so that the renaming
	// dump is read; else Path is the old name, chosen for the files that did not change after
	// Dump.
	Renamed  int
	From, To string
}

// Inside is a chosen directory inside a renamed one: its files that did not change after the
// older dumps are there under the old name, and the extractor moves them only with the whole
// renamed directory.
type Inside struct {
	Dir      string // raw index form, as named in dump Renamed: "/projects/alpha-renamed/sub/"
	Old      string // the directory's name before that dump: "/projects/alpha/sub/"
	Renamed  int    // the dump (index in the chain) that renamed From to To
	From, To string
}

// Plan is what PlanRenames finds.
type Plan struct {
	Additions []Addition // in the order found: newest rename first
	Inside    []Inside
}

// PlanRenames completes the choice of a restore for the directories renamed in its chain
// (oldest dump first). Only chosen directories count: a chosen file is in the dump that lists
// it, under the name it is chosen by. owners is asked which older dumps hold something under
// an old name, within the dumps where that name held.
func PlanRenames(chain []PlanDump, owners Owners) (Plan, error) {
	p := planner{owners: owners, chosen: make([][]string, len(chain))}
	var wanted []string
	for i, d := range chain {
		for _, c := range d.Chosen {
			if strings.HasSuffix(c, "/") {
				k := nameKey(c)
				p.chosen[i] = append(p.chosen[i], k)
				wanted = append(wanted, k)
			}
		}
		for _, r := range d.Renames {
			p.renames = append(p.renames, rawRename{i, gtar.EscapeName(r.From), gtar.EscapeName(r.To)})
		}
	}
	// Outer targets first, so that a directory renamed with its parent is chosen once.
	slices.SortStableFunc(p.renames, func(a, b rawRename) int { return strings.Count(a.to, "/") - strings.Count(b.to, "/") })
	for k := len(chain) - 1; k >= 1 && len(wanted) > 0; k-- {
		var next []string
		for _, w := range outermost(wanted) {
			r, ok := p.renameOf(w, k)
			switch {
			case ok && r.to == w:
				if err := p.follow(r); err != nil {
					return Plan{}, err
				}
				next = append(next, r.from)
			case ok:
				old := r.from + w[len(r.to):]
				dumps, err := p.ownersOf(old, k-1)
				if err != nil {
					return Plan{}, err
				}
				if len(dumps) > 0 {
					p.plan.Inside = append(p.plan.Inside, Inside{Dir: rawDir(w), Old: rawDir(old), Renamed: k, From: "/" + r.from, To: "/" + r.to})
				}
			default:
				next = append(next, w)
				for _, r := range p.renames {
					if r.dump == k && r.to != w && under(r.to, w) && !under(r.from, w) {
						if err := p.follow(r); err != nil {
							return Plan{}, err
						}
						next = append(next, r.from)
					}
				}
			}
		}
		wanted = next
	}
	return p.plan, nil
}

// rawRename is a rename of dump (an index in the chain), its names in raw index form without
// the leading and trailing "/".
type rawRename struct {
	dump     int
	from, to string
}

type planner struct {
	owners  Owners
	renames []rawRename
	chosen  [][]string // by dump: the directories chosen or added, as nameKey
	plan    Plan
}

// follow makes rename r of a wanted directory happen in the restore: its old name is chosen in
// the older dumps that own something under it, and, if there are any, its new name in the
// renaming dump.
func (p *planner) follow(r rawRename) error {
	dumps, err := p.ownersOf(r.from, r.dump-1)
	if err != nil || len(dumps) == 0 {
		return err
	}
	p.choose(r.dump, r.to, r)
	for _, d := range dumps {
		p.choose(d, r.from, r)
	}
	return nil
}

// choose adds the directory name to the dump's choice, unless it is chosen there already.
func (p *planner) choose(dump int, name string, r rawRename) {
	for _, c := range p.chosen[dump] {
		if under(name, c) {
			return
		}
	}
	p.chosen[dump] = append(p.chosen[dump], name)
	p.plan.Additions = append(p.plan.Additions, Addition{Dump: dump, Path: rawDir(name), Renamed: r.dump, From: "/" + r.from, To: "/" + r.to})
}

// ownersOf asks which dumps own something under name among those from dump top down to the
// oldest that still knew it by that name: the one that renamed it to name, or to a directory
// above it.
func (p *planner) ownersOf(name string, top int) ([]int, error) {
	var span []int
	for d := top; d >= 0; d-- {
		span = append(span, d)
		if _, ok := p.renameOf(name, d); ok {
			break
		}
	}
	return p.owners(rawDir(name), span)
}

// renameOf finds the rename of dump that gave name its name: the one to name or to the
// closest directory above it.
func (p *planner) renameOf(name string, dump int) (rawRename, bool) {
	var best rawRename
	found := false
	for _, r := range p.renames {
		if r.dump == dump && under(name, r.to) && (!found || len(r.to) > len(best.to)) {
			best, found = r, true
		}
	}
	return best, found
}

// outermost returns the names that are not under another one, sorted, each once.
func outermost(names []string) []string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	var out []string
	for _, n := range slices.Compact(sorted) {
		// Sorted, a name comes after the names above it, though not always right after them
		// ("a", "a b", "a/c"): look at all kept so far.
		if !slices.ContainsFunc(out, func(o string) bool { return under(n, o) }) {
			out = append(out, n)
		}
	}
	return out
}

// nameKey is a raw index path without its leading and trailing "/": "" for the top.
func nameKey(p string) string { return strings.Trim(p, "/") }

// rawDir is the raw index form of a directory's nameKey: "/projects/alpha/", "/" for the top.
func rawDir(k string) string {
	if k == "" {
		return "/"
	}
	return "/" + k + "/"
}

// under reports whether name is dir or below it (every name is below the top, "").
func under(name, dir string) bool {
	return dir == "" || name == dir || strings.HasPrefix(name, dir+"/")
}
