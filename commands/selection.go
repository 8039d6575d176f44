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
	p := cleanPathname(path)
	item := extractItem{p, cleanPathname(tpath), dir, named}
	for _, o := range s.extract {
		if o.dump.Level == dump.Level && o.dump.Tapes == dump.Tapes {
			for i, f := range o.files {
				if f.path == p {
					o.files[i].named = f.named || named
					return o, false
				}
			}
			o.files = slices.Insert(o.files, 0, item)
			return o, true
		}
	}
	g = &group{dump: *dump, files: []extractItem{item}}
	at := len(s.extract)
	for i, o := range s.extract {
		if dump.Date < o.dump.Date {
			at = i
			break
		}
	}
	s.extract = slices.Insert(s.extract, at, g)
	return g, true
}

// deleteExtractItem removes a path from the group of its dump; false when it was not there.
func (s *Session) deleteExtractItem(dump *catalog.HistoryItem, path string) bool {
	p := cleanPathname(path)
	for i, g := range s.extract {
		if g.dump.Level != dump.Level || g.dump.Tapes != dump.Tapes {
			continue
		}
		j := slices.IndexFunc(g.files, func(f extractItem) bool { return f.path == p })
		if j < 0 {
			return false
		}
		g.files = slices.Delete(g.files, j, j+1)
		// A directory of `add *` no longer has all its entries chosen.
		g.exactDirs = slices.DeleteFunc(g.exactDirs, func(d string) bool { return strings.HasPrefix(p, d) })
		if len(g.files) == 0 {
			s.extract = slices.Delete(s.extract, i, i+1)
		}
		return true
	}
	return false
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
	for _, it := range s.dirList {
		if err != nil || !re.match(it.tpath) {
			continue
		}
		found = true
		if !isDir(it.tpath) {
			g, added := s.addExtractItem(it.dump, it.path, it.tpath, false, named)
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
			g, ok := s.addExtractItem(d, it.path, it.tpath, true, named)
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
	for _, it := range s.dirList {
		if err != nil || !re.match(it.tpath) {
			continue
		}
		found = true
		if !isDir(it.tpath) {
			if s.deleteExtractItem(it.dump, it.path) {
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
		for _, d := range owners {
			if s.deleteExtractItem(d, it.path) {
				s.printf("Deleted dir %s at date %s\n", tpath, nicedate(d.Date))
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
