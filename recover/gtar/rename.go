package gtar

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// dumpdirMoves turns a dumpdir's R/T (and X) records into moves from paths as they were before
// the dump to paths as they are in it. GNU tar lists them as a sequence of renames to run in
// order, breaking cycles through a temporary name (an empty R or T name); the sequence is
// replayed here on names only, so the moves can be made all at once and in any order.
// Records that are malformed or leave the restore directory are returned as reasons.
func dumpdirMoves(dd []DumpdirEntry) (moves []Rename, bad []string) {
	const temp = "\x00" // cannot occur in a name
	type entry struct{ orig, now string }
	var cur []*entry
	var src string
	haveSrc := false
	resolve := func(n string) (string, bool) {
		if n == "" {
			return temp, true
		}
		p, why := memberPath(n)
		if why != "" || p == "" {
			if why == "" {
				why = "it names the top directory"
			}
			bad = append(bad, fmt.Sprintf("rename record %s: %s", quoteName(n), why))
			return "", false
		}
		return p, true
	}
	for _, e := range dd {
		switch e.Code {
		case DumpdirRename:
			src, haveSrc = e.Name, true
		case DumpdirTarget:
			if !haveSrc {
				bad = append(bad, "malformed dumpdir: 'T' not preceded by 'R'")
				continue
			}
			haveSrc = false
			s, ok1 := resolve(src)
			d, ok2 := resolve(e.Name)
			if !ok1 || !ok2 {
				continue
			}
			// Move whatever is now at s or below it; if nothing is exactly at s, s names a
			// directory not moved yet (possibly inside one already moved).
			exact := false
			for _, c := range cur {
				switch {
				case c.now == s:
					c.now, exact = d, true
				case strings.HasPrefix(c.now, s+"/"):
					c.now = d + c.now[len(s):]
				}
			}
			if !exact {
				orig := s
				for _, c := range cur {
					if strings.HasPrefix(s, c.now+"/") {
						orig = c.orig + s[len(c.now):]
						break
					}
				}
				cur = append(cur, &entry{orig, d})
			}
		}
	}
	if haveSrc {
		bad = append(bad, "malformed dumpdir: 'R' without its 'T'")
	}
	for _, c := range cur {
		if c.orig != c.now && c.orig != temp && c.now != temp {
			moves = append(moves, Rename{c.orig, c.now})
		}
	}
	return moves, bad
}

// renames applies the rename records of a dumpdir (GNU tar keeps them in the top directory's).
// When the member is Listed, tar would apply them all; amrshell does too, silently. When it is
// not, tar would not, and a later purge would delete the renamed directory's old name with all
// the unchanged files that the dump expects to find under the new name; amrshell moves every
// directory whose new name is selected, notes it, and remembers the old name so that the
// purge still prints tar's Deleting line for it.
//
// All sources are first moved aside into a staging directory (deepest first, so nested
// renames and cycles need no ordering), then to their targets (shallowest first). Whatever is
// at a target is stale: the dump says the renamed directory is there now.
func (x *extractor) renames(h *Header, listed bool) {
	moves, bad := dumpdirMoves(h.Dumpdir)
	for _, why := range bad {
		x.outcome(h.Name, refusal{why})
	}
	var todo []Rename
	for _, m := range moves {
		if !listed && !x.selectedTarget(m.To) {
			continue
		}
		if err := x.checkParents(m.From); err != nil {
			x.outcome(h.Name, fmt.Errorf("rename %s: %w", quoteName("./"+m.From), err))
			continue
		}
		if _, err := x.fs.Lstat(m.From); err != nil {
			if listed {
				fmt.Fprintf(x.notes, "amrshell: Cannot rename %s to %s: %v\n", quoteName("./"+m.From), quoteName("./"+m.To), err)
			}
			continue // not restored by an earlier level: nothing to carry over
		}
		todo = append(todo, m)
	}
	if len(todo) == 0 {
		return
	}
	x.okDir = ""
	stage := tempName(".", "rename-")
	if err := x.fs.Mkdir(stage, 0o700); err != nil {
		x.outcome(h.Name, fmt.Errorf("make staging directory for renames: %w", err))
		return
	}
	type staged struct {
		Rename
		tmp string
	}
	slices.SortStableFunc(todo, func(a, b Rename) int { return depth(b.From) - depth(a.From) })
	var st []staged
	for i, m := range todo {
		tmp := stage + "/" + strconv.Itoa(i)
		if err := x.fs.Rename(m.From, tmp); err != nil {
			x.outcome(h.Name, fmt.Errorf("rename %s: %w", quoteName("./"+m.From), err))
			continue
		}
		st = append(st, staged{m, tmp})
	}
	slices.SortStableFunc(st, func(a, b staged) int { return depth(a.To) - depth(b.To) })
	for _, s := range st {
		if err := x.place(s.tmp, s.To); err != nil {
			x.outcome(h.Name, fmt.Errorf("rename %s to %s: %w", quoteName("./"+s.From), quoteName("./"+s.To), err))
			if err := x.place(s.tmp, s.From); err != nil {
				x.outcome(h.Name, fmt.Errorf("its content is left in %s: %w", quoteName("./"+s.tmp), err))
			}
			continue
		}
		x.stats.Renamed++
		if !listed {
			fmt.Fprintf(x.notes, "amrshell: Renaming %s to %s, as the dump records\n", quoteName("./"+s.From), quoteName("./"+s.To))
			x.ghosts[s.From] = s.To
		}
	}
	if err := x.fs.Remove(stage); err != nil {
		x.outcome(h.Name, fmt.Errorf("remove staging directory: %w", err))
	}
}

// place moves a staged directory to name, replacing what is there.
func (x *extractor) place(tmp, name string) error {
	if err := x.makeParents(name); err != nil {
		return err
	}
	if _, err := x.fs.Lstat(name); err == nil {
		fmt.Fprintf(x.notes, "amrshell: Replacing %s by the directory renamed to it\n", quoteName("./"+name))
		if err := x.fs.RemoveAll(name); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	x.okDir = ""
	return x.fs.Rename(tmp, name)
}

func depth(p string) int { return strings.Count(p, "/") }
