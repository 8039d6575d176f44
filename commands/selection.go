package commands

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/amrshell/amrshell/catalog"
)

// The extract list and the commands that edit it: add, addx, delete, deletex, list, clear.
//
// The list is amrecover's: one group per dump (its tape string and level), groups in
// ascending date order, paths in a group newest first; a path is kept cleaned ("/docs",
// "/" for the top) with its translation for display.

type group struct {
	dump      catalog.HistoryItem
	files     []extractItem // newest first
	exactDirs []string      // cwds of `add *` that added to this group
}

type extractItem struct {
	path  string // raw, cleaned
	tpath string // translated, cleaned
	dir   bool
	named bool // chosen by its name, not by a wildcard: restored even if a later dump deleted it
}

// starRegex is what amrecover matches for the glob "*": every name but ".".
const (
	starGlobRegex = "[^/]*[/]*$"
	starRegex     = `([^/.]|\.[^/]+|[^/.][^/]*)[/]*$`
)

// addExtractItem adds a path to the group of its dump; added is false when it was there.
func (s *Session) addExtractItem(dump *catalog.HistoryItem, path, tpath string, dir, named bool) (g *group, added bool) {
	a := s.newAdder()
	defer a.flush()
	return a.add(dump, path, tpath, dir, named)
}

// adder adds the paths of one command to the extract list. amrecover searches and grows a
// group's list one path at a time, which is quadratic: its `add *` of 100 000 files takes
// most of a minute. The adder finds paths through a map of each group it touches and puts a
// group's new paths in front of the others once, at flush.
type adder struct {
	s     *Session
	index map[*group]map[string]int // path -> its index in files, or ^its index in fresh
	fresh map[*group][]extractItem  // the paths added, oldest first
}

func (s *Session) newAdder() *adder {
	return &adder{s: s, index: map[*group]map[string]int{}, fresh: map[*group][]extractItem{}}
}

func (a *adder) add(dump *catalog.HistoryItem, path, tpath string, dir, named bool) (g *group, added bool) {
	p := cleanPathname(path)
	item := extractItem{p, cleanPathname(tpath), dir, named}
	g = a.groupOf(dump)
	idx := a.index[g]
	if idx == nil {
		idx = make(map[string]int, len(g.files))
		for i, f := range g.files {
			idx[f.path] = i
		}
		a.index[g] = idx
	}
	if i, ok := idx[p]; ok {
		f := g.files
		if i < 0 {
			f, i = a.fresh[g], ^i
		}
		f[i].named = f[i].named || named
		return g, false
	}
	idx[p] = ^len(a.fresh[g])
	a.fresh[g] = append(a.fresh[g], item)
	return g, true
}

// groupOf returns the group of a dump's level and tapes, made (empty until flush) in date
// order when there is none.
func (a *adder) groupOf(dump *catalog.HistoryItem) *group {
	for _, o := range a.s.extract {
		if o.dump.Level == dump.Level && o.dump.Tapes == dump.Tapes {
			return o
		}
	}
	g := &group{dump: *dump}
	at := len(a.s.extract)
	for i, o := range a.s.extract {
		if dump.Date < o.dump.Date {
			at = i
			break
		}
	}
	a.s.extract = slices.Insert(a.s.extract, at, g)
	return g
}

// flush puts the paths added in front of their groups' lists, newest first.
func (a *adder) flush() {
	for g, items := range a.fresh {
		slices.Reverse(items)
		g.files = append(items, g.files...)
	}
	clear(a.fresh)
	clear(a.index)
}

// deleteExtractItem removes a path from the group of its dump; false when it was not there.
func (s *Session) deleteExtractItem(dump *catalog.HistoryItem, path string) bool {
	d := s.newDeleter()
	defer d.flush()
	return d.delete(dump, path)
}

// deleter removes the paths of one command from the extract list: like adder, through a map
// of each group it touches, and from the lists once, at flush.
type deleter struct {
	s     *Session
	index map[*group]map[string]int // path -> its index in files, for the paths still there
	gone  map[*group][]bool         // by index in files: removed
}

func (s *Session) newDeleter() *deleter {
	return &deleter{s: s, index: map[*group]map[string]int{}, gone: map[*group][]bool{}}
}

func (d *deleter) delete(dump *catalog.HistoryItem, path string) bool {
	p := cleanPathname(path)
	for _, g := range d.s.extract {
		if g.dump.Level != dump.Level || g.dump.Tapes != dump.Tapes {
			continue
		}
		idx := d.index[g]
		if idx == nil {
			idx = make(map[string]int, len(g.files))
			for i, f := range g.files {
				idx[f.path] = i
			}
			d.index[g] = idx
			d.gone[g] = make([]bool, len(g.files))
		}
		i, ok := idx[p]
		if !ok {
			return false
		}
		delete(idx, p)
		d.gone[g][i] = true
		// A directory of `add *` no longer has all its entries chosen.
		g.exactDirs = slices.DeleteFunc(g.exactDirs, func(d string) bool { return strings.HasPrefix(p, d) })
		return true
	}
	return false
}

// flush removes the paths deleted, and the groups left empty.
func (d *deleter) flush() {
	for g, gone := range d.gone {
		kept := g.files[:0]
		for i, f := range g.files {
			if !gone[i] {
				kept = append(kept, f)
			}
		}
		clear(g.files[len(kept):])
		g.files = kept
	}
	d.s.extract = slices.DeleteFunc(d.s.extract, func(g *group) bool {
		_, touched := d.gone[g]
		return touched && len(g.files) == 0
	})
	clear(d.gone)
	clear(d.index)
}

// addGlob is "add GLOB": a glob with a directory part is matched in that directory, which is
// entered (silently) for the while.
func (s *Session) addGlob(ctx context.Context, raw string) {
	s.withPattern(ctx, raw, true, "%s is not a valid shell wildcard pattern: %s\n", func(path, re string) {
		name, _ := fileOfPath(path)
		s.addFile(ctx, path, re, !strings.ContainsAny(name, "*?["))
	})
}

func (s *Session) addRegex(ctx context.Context, raw string) {
	s.withPattern(ctx, raw, false, "\"%s\" is not a valid regular expression: %s\n", func(path, re string) {
		s.addFile(ctx, path, re, false)
	})
}

// withPattern checks the pattern argument of add, addx, delete and deletex and runs act on it,
// inside the pattern's directory part if it has one. A glob is first turned into amrecover's
// regular expression; invalid tells how to say that the pattern is not valid.
func (s *Session) withPattern(ctx context.Context, raw string, glob bool, invalid string, act func(path, re string)) {
	if s.diskPath == "" {
		s.printf("Must select directory before adding files\n")
		return
	}
	path := unquote(raw)
	pat, dir := fileOfPath(path)
	cd := s.cdRegex
	if glob {
		cd = s.cdGlob
	}
	sdir, ok := s.enter(ctx, dir, cd)
	if !ok {
		return
	}
	re := pat
	if glob {
		re = globToRegex(pat)
	}
	if msg := regexValid(re); msg != "" {
		s.printf(invalid, pat, msg)
	} else {
		if glob {
			re = re[1:len(re)-1] + "[/]*$"
		}
		act(path, re)
	}
	s.leave(ctx, sdir)
}

// enter changes to the directory part of a pattern, if any, with cd (which unquotes it once
// more, as amrecover's does), returning where to come back to.
func (s *Session) enter(ctx context.Context, dir string, cd func(context.Context, string, bool) bool) (sdir string, ok bool) {
	if dir == "" {
		return "", true
	}
	sdir = mergePath(s.mountPoint, s.diskPath)
	return sdir, cd(ctx, dir, false)
}

func (s *Session) leave(ctx context.Context, sdir string) {
	if sdir != "" {
		s.setDirectory(ctx, sdir, false)
	}
}

// addFile adds what regex (relative to the cwd) matches in the cwd's listing: a file to the
// group of the dump that owns it, a directory to the group of every dump of the view that
// owns something at or below it. For "*" the cwd also becomes an exact directory of the
// groups it went to: amrecover's "*" leaves out the cwd itself, and with it what tar needs to
// restore the cwd as it was (deletions, renames); the Restorer makes up for that.
func (s *Session) addFile(ctx context.Context, path, regex string, named bool) {
	star := false
	switch regex {
	case "/[/]*$": // "/" is "."
		regex = `\.[/]*$`
	case starGlobRegex:
		regex, star = starRegex, true
	default:
		regex = strings.TrimRight(regex, "/")
	}
	pattern := s.cwdRegex() + regex
	if s.diskPath == "/" && strings.HasPrefix(regex, "/") {
		pattern = regex
	}
	re, err := compileRegex(pattern)
	found := false
	var touched []*group
	a := s.newAdder()
	defer a.flush()
	for _, it := range s.dirList {
		if err != nil || !re.match(it.tpath) {
			continue
		}
		found = true
		if !isDir(it.tpath) {
			g, added := a.add(it.dump, it.path, it.tpath, false, named)
			if added {
				s.printf("Added file %s\n", quote(it.tpath))
			} else {
				s.printf("File %s already added\n", quote(it.tpath))
			}
			touched = append(touched, g)
			continue
		}
		dir := cleanPathname(it.path)
		owners, reply := s.owners(ctx, dir)
		if reply != "" {
			s.printf("%s\n", reply)
			return
		}
		added := false
		for _, d := range owners {
			g, ok := a.add(d, it.path, it.tpath, true, named)
			if ok {
				s.printf("Added dir %s at date %s\n", quote(it.tpath), nicedate(d.Date))
				added = true
			}
			touched = append(touched, g)
		}
		if !added {
			s.printf("dir %s already added\n", quote(dir))
		}
	}
	if !found {
		s.printf("File %s doesn't exist in directory\n", quote(path))
	}
	a.flush()
	if star {
		cwd := dirSlash(s.diskPath)
		for _, g := range touched {
			if !slices.Contains(g.exactDirs, cwd) && slices.Contains(s.extract, g) {
				g.exactDirs = append(g.exactDirs, cwd)
			}
		}
	}
}

func (s *Session) deleteGlob(ctx context.Context, raw string) {
	s.withPattern(ctx, raw, true, "\"%s\" is not a valid shell wildcard pattern: %s\n", func(path, re string) {
		s.deleteFile(ctx, path, re)
	})
}

// deleteRegex is "deletex REGEX". amrecover matches the argument as typed, directory part
// included, and names the last component in its message: reproduced.
func (s *Session) deleteRegex(ctx context.Context, raw string) {
	s.withPattern(ctx, raw, false, "\"%s\" is not a valid regular expression: %s\n", func(_, re string) {
		s.deleteFile(ctx, re, raw)
	})
}

func (s *Session) deleteFile(ctx context.Context, name, regex string) {
	if s.diskPath == "" {
		s.printf("Must select directory before deleting files\n")
		return
	}
	if regex == starGlobRegex {
		regex = starRegex
	} else {
		regex = strings.TrimRight(regex, "/")
	}
	pattern := s.cwdRegex() + regex
	if s.diskPath == "/" && strings.HasPrefix(regex, "/") {
		pattern = regex
		if regex == "/[/]*$" {
			pattern = `/\.[/]*$` // "/" is the directory itself
		}
	}
	re, err := compileRegex(pattern)
	found := false
	d := s.newDeleter()
	defer d.flush()
	for _, it := range s.dirList {
		if err != nil || !re.match(it.tpath) {
			continue
		}
		found = true
		if !isDir(it.tpath) {
			if d.delete(it.dump, it.path) {
				s.printf("Deleted %s\n", it.tpath)
			} else {
				s.printf("Warning - file '%s' not on tape list\n", it.tpath)
			}
			continue
		}
		tpath := cleanPathname(it.tpath)
		owners, reply := s.owners(ctx, cleanPathname(it.path))
		if reply != "" {
			s.printf("%s\n", reply)
			return
		}
		deleted := false
		for _, o := range owners {
			if d.delete(o, it.path) {
				s.printf("Deleted dir %s at date %s\n", tpath, nicedate(o.Date))
				deleted = true
			}
		}
		if !deleted {
			s.printf("Warning - dir '%s' not on tape list\n", tpath)
		}
	}
	if !found {
		s.printf("File %s doesn't exist in directory\n", name)
	}
}

// list prints the extract list, or writes it to a file (relative to the local directory).
// Like ls, it does not go through $PAGER as amrecover's does.
func (s *Session) list(raw string, toFile bool) {
	if !toFile {
		s.writeList(s.out)
		return
	}
	f, err := os.Create(s.localPath(unquote(raw)))
	if err != nil {
		s.printf("Can't open file %s to print extract list into\n", raw)
		return
	}
	w := bufio.NewWriter(f)
	s.writeList(w)
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: write extract list to %s: %v\n", raw, err)
		return
	}
	s.printf("Extract list written to file %s\n", raw)
}

func (s *Session) writeList(out io.Writer) {
	for _, g := range s.extract {
		fmt.Fprintf(out, "TAPE %s LEVEL %d DATE %s\n", g.dump.Tapes, g.dump.Level, g.dump.Date)
		for _, it := range g.files {
			fmt.Fprintf(out, "\t%s\n", it.tpath)
		}
	}
}

// localPath resolves a local path as the process would after amrecover's chdir (lcd).
func (s *Session) localPath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return s.localDir + "/" + p
}
