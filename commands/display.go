package commands

import (
	"context"
	"sort"
	"strings"
)

// The display and directory commands: history, ls, pwd, cd, cdx.

// loadDirList is amrecover's suck_dir_list_from_server: the listing of the cwd (OLSD), kept in
// the order amrecover keeps it: it prepends each line of amindexd's reply (level 0 first,
// names ascending), so highest level first, names descending.
func (s *Session) loadDirList(ctx context.Context) {
	if s.diskPath == "" {
		s.printf("Directory must be set before getting listing\n")
		return
	}
	s.dirList = nil
	chain, reply := s.view(ctx)
	if reply != "" {
		s.printf("%s\n", reply)
		return
	}
	dir := dirSlash(s.diskPath)
	entries, err := s.idx.ListDir(ctx, dumpIDs(chain), dir)
	if err != nil {
		s.printf("%s\n", replyLine(err))
		return
	}
	byID := map[int64]int{} // dump id -> position in the chain
	for i := range chain {
		if _, dup := byID[chain[i].DumpID]; !dup {
			byID[chain[i].DumpID] = i
		}
	}
	items := make([]dirItem, 0, len(entries))
	for _, e := range entries {
		owner, ok := byID[e.DumpID]
		if !ok {
			continue
		}
		full := dir + e.Name
		path := full
		if full == s.diskPath || full == dir {
			path = dir + "." // the directory itself
		}
		items = append(items, dirItem{dump: &chain[owner], server: full, path: path, tpath: translate(path, s.translate)})
	}
	sortListing(items)
	s.dirList = items
}

// sortListing puts a listing in amrecover's order: the dump's level descending, then the name
// as amindexd listed it descending (so the directory itself, "/docs/", ends its level's group).
func sortListing(items []dirItem) {
	sort.SliceStable(items, func(i, j int) bool {
		if a, b := items[i].dump.Level, items[j].dump.Level; a != b {
			return a > b
		}
		return items[i].server > items[j].server
	})
}

// ls prints the listing straight to the output: amrecover pipes it through $PAGER, amrshell
// does not (a pager would stall scripts and adds nothing to a terminal that scrolls).
func (s *Session) ls() {
	if s.diskPath == "" {
		s.printf("Must select a disk before listing files; use the setdisk command.\n")
		return
	}
	skip := len(s.diskTPath)
	if skip != 1 {
		skip++
	}
	for _, it := range s.dirList {
		name := ""
		if skip <= len(it.tpath) {
			name = it.tpath[skip:]
		}
		s.printf("%s %s\n", nicedate(it.dump.Date), quote(name))
	}
}

// nicedate is a history date as amindexd sends it: at most 19 bytes.
func nicedate(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// pwd is amrecover's show_directory.
func (s *Session) pwd() {
	switch {
	case s.mountPoint == "" || s.diskPath == "":
		s.printf("Must select disk first\n")
	case s.mountPoint == "/":
		s.printf("%s\n", s.diskPath)
	case s.diskPath == "/":
		s.printf("%s\n", s.mountPoint)
	default:
		s.printf("%s%s\n", s.mountPoint, s.diskTPath)
	}
}

// listHistory is DHST, as amindexd answers it.
func (s *Session) listHistory(ctx context.Context) {
	switch {
	case s.srvHost == "":
		s.printf("502 Must set host,disk before listing history\n")
		return
	case s.srvDisk == "":
		s.printf("502 Must set disk before listing history\n")
		return
	}
	items, err := s.history(ctx)
	if err != nil {
		s.printf("%s\n", replyLine(err))
		return
	}
	head := "Dump history for config \"" + s.idx.ConfigName() + "\" host \"" + s.srvHost + "\" disk " + quote(s.srvDisk)
	s.printf("200- %s\n", head)
	for _, it := range items {
		s.printf("201- %s %d %s\n", nicedate(it.Date), it.Level, it.Tapes)
	}
	s.printf("200 %s\n", head)
}

// cdGlob is "cd GLOB"; raw is the argument as typed.
func (s *Session) cdGlob(ctx context.Context, raw string, verbose bool) bool {
	if s.disk == "" {
		s.printf("Must select disk before changing directory\n")
		return false
	}
	glob := unquote(raw)
	re := globToRegex(glob)
	if msg := regexValid(re); msg != "" {
		s.printf("\"%s\" is not a valid shell wildcard pattern: %s\n", raw, msg)
		return false
	}
	// Drop the ^ (the pattern is appended to the cwd) and end in "/$" to match a directory.
	rp := re[1:]
	if len(rp) < 2 || rp[len(rp)-2] != '/' {
		rp = rp[:len(rp)-1] + "/$"
	}
	return s.cdDir(ctx, s.cwdRegex()+rp, glob, verbose)
}

// cdRegex is "cdx REGEX". Below the top directory amrecover appends the argument as typed,
// not the unquoted one it checked, and without the "/" it added: reproduced.
func (s *Session) cdRegex(ctx context.Context, raw string, verbose bool) bool {
	if s.disk == "" {
		s.printf("Must select disk before changing directory\n")
		return false
	}
	orig := unquote(raw)
	re := orig
	switch n := len(re); {
	case n > 0 && re[n-1] == '$':
		if n < 2 || re[n-2] != '/' {
			re = re[:n-1] + "/$"
		}
	case n == 0 || re[n-1] != '/':
		re += "/"
	}
	if msg := regexValid(re); msg != "" {
		s.printf("\"%s\" is not a valid regular expression: %s\n", orig, msg)
		return false
	}
	if s.diskPath == "/" {
		return s.cdDir(ctx, "/"+re, orig, verbose)
	}
	return s.cdDir(ctx, cleanRegex(s.diskTPath)+"/"+raw, orig, verbose)
}

// cwdRegex is the cwd as the start of a pattern: "/" at the top, else the translated cwd with
// every non-alphanumeric byte escaped, and a '/'.
func (s *Session) cwdRegex() string {
	if s.diskPath == "/" {
		return "/"
	}
	return cleanRegex(s.diskTPath) + "/"
}

// cdDir changes to the one directory of the listing that the pattern matches, or else to the
// name as given.
func (s *Session) cdDir(ctx context.Context, pattern, name string, verbose bool) bool {
	re, err := compileRegex(pattern)
	if err != nil {
		return s.setDirectory(ctx, name, verbose)
	}
	found, dir := 0, ""
	for _, it := range s.dirList {
		if found > 1 {
			break
		}
		if re.match(it.tpath) && isDir(it.tpath) {
			found++
			d := strings.TrimSuffix(it.path, "/")
			dir = d[strings.LastIndexByte(d, '/')+1:]
		}
	}
	switch found {
	case 0:
		return s.setDirectory(ctx, name, verbose)
	case 1:
		return s.setDirectory(ctx, dir, verbose)
	}
	s.printf("Too many directories matching '%s'\n", name)
	return false
}

// setDirectory is amrecover's set_directory: dir relative to the cwd, or absolute below the
// mount point. A leading "../" is applied, yet the whole argument is then appended (amrecover
// does so), so "cd ../x" only works as "cd .." then "cd x".
func (s *Session) setDirectory(ctx context.Context, dir string, verbose bool) bool {
	if dir == "." {
		s.pwd()
		return true
	}
	if s.disk == "" {
		s.printf("Must select disk before setting directory\n")
		return false
	}
	ldir := cleanPathname(dir)
	var newDir string
	if strings.HasPrefix(ldir, "/") {
		switch {
		case s.mountPoint == "/":
			newDir = ldir
		case !strings.HasPrefix(ldir, s.mountPoint):
			s.printf("Invalid directory - Can't cd outside mount point \"%s\"\n", s.mountPoint)
			return false
		default:
			newDir = ldir[len(s.mountPoint):]
			if newDir == "" {
				newDir = "/"
			}
		}
	} else {
		newDir = s.diskPath
		up := func() {
			if de := strings.LastIndexByte(newDir, '/'); de <= 0 {
				newDir = "/"
			} else {
				newDir = newDir[:de]
			}
		}
		dp := ldir
		for strings.HasPrefix(dp, "../") {
			up()
			dp = dp[3:]
		}
		if dp == ".." {
			if newDir == "/" {
				s.printf("Invalid directory - Can't cd outside mount point \"%s\"\n", s.mountPoint)
				return false
			}
			up()
		} else {
			if newDir != "/" {
				newDir += "/"
			}
			newDir += ldir
		}
	}
	if reply := s.validDir(ctx, newDir); reply != "" {
		s.printf("%s\n", reply)
		s.printf("Invalid directory - %s\n", dir)
		return false
	}
	s.diskPath, s.diskTPath = newDir, translate(newDir, s.translate)
	s.loadDirList(ctx)
	if verbose {
		s.pwd()
	}
	return true
}
