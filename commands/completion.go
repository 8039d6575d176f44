package commands

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Completion of the word before the cursor, for the shell's Tab. Candidates are written the way
// the command reads them back: its argument is lexed (a '"' starts a quoted string), unquoted
// (amrecover's unquote_string), and for cd, add and delete read as a shell wildcard; so a name
// with a space is quoted, and a '\', '"', '*', '?', '[' or ']' in it is escaped.

// maxCandidates bounds the candidates of one Tab: a directory of 100 000 entries must not build
// a list that long at each key, and no one reads past the first screenful.
const maxCandidates = 1000

// argKind says what a command's arguments name.
type argKind int

const (
	argCommand  argKind = iota // the first word
	argHost                    // sethost
	argDisk                    // setdisk, listdisk
	argDate                    // setdate
	argEntry                   // cd, add, delete: entries of the backup, as shell wildcards
	argEntryRE                 // cdx, addx, deletex: entries, as regular expressions
	argLocalDir                // lcd
	argLocal                   // list FILE
	argWords                   // fixed words (setmode, settranslate)
)

var commandArgs = map[string]struct {
	kind  argKind
	dirs  bool     // directories only
	words []string // argWords
}{
	"":             {kind: argCommand},
	"sethost":      {kind: argHost},
	"setdisk":      {kind: argDisk},
	"listdisk":     {kind: argDisk},
	"setdate":      {kind: argDate},
	"cd":           {kind: argEntry, dirs: true},
	"cdx":          {kind: argEntryRE, dirs: true},
	"add":          {kind: argEntry},
	"delete":       {kind: argEntry},
	"addx":         {kind: argEntryRE},
	"deletex":      {kind: argEntryRE},
	"lcd":          {kind: argLocalDir},
	"list":         {kind: argLocal},
	"setmode":      {kind: argWords, words: []string{"smb", "tar"}},
	"settranslate": {kind: argWords, words: []string{"off", "on"}},
}

// Complete returns the completions of the word that ends line, the text before the cursor: the
// word as typed (from its first byte, an opening quote included; "" after a space) and the
// candidates that may replace it, each exactly as it must be typed, sorted, at most
// maxCandidates.
func (s *Session) Complete(ctx context.Context, line string) (word string, candidates []string) {
	words, word := splitWords(line)
	arg, ok := commandArgs[""]
	if len(words) > 0 {
		if arg, ok = commandArgs[words[0]]; !ok {
			return word, nil
		}
	}
	// A word begun with a quote goes on quoted; what it names is the word unquoted.
	quoted := strings.HasPrefix(word, `"`)
	inner := strings.TrimSuffix(strings.TrimPrefix(word, `"`), `"`)
	var cands []string
	switch arg.kind {
	case argCommand:
		for name := range keywords {
			if name != "?" && strings.HasPrefix(name, word) {
				cands = append(cands, name)
			}
		}
	case argHost:
		hosts, _ := s.idx.Hosts(ctx)
		cands = literalCandidates(hosts, unquote(inner), quoted)
	case argDisk:
		if s.srvHost != "" {
			disks, _ := s.idx.Disks(ctx, s.srvHost)
			cands = literalCandidates(disks, unquote(inner), quoted)
		}
	case argDate:
		cands = literalCandidates(s.dumpDates(ctx), inner, false)
	case argWords:
		cands = literalCandidates(arg.words, inner, false)
	case argEntry, argEntryRE:
		cands = s.entryCandidates(ctx, inner, quoted, arg.kind == argEntryRE, arg.dirs)
	case argLocalDir, argLocal:
		cands = s.localCandidates(inner, quoted, arg.kind == argLocalDir)
	}
	slices.Sort(cands)
	cands = slices.Compact(cands)
	if len(cands) > maxCandidates {
		cands = cands[:maxCandidates]
	}
	return word, cands
}

// splitWords splits line as the lexer would into the words before the last one, unquoted
// enough to name the command, and the last one as typed; a line that ends in a space has ""
// as its last word.
func splitWords(line string) (before []string, last string) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		start := i
		if i < len(line) && line[i] == '"' {
			i++
			for i < len(line) && line[i] != '"' {
				if line[i] == '\\' {
					i++
				}
				i++
			}
			if i < len(line) {
				i++
			}
		} else {
			for i < len(line) && !isSpace(line[i]) {
				i++
			}
		}
		i = min(i, len(line))
		if i == len(line) {
			return before, line[start:]
		}
		before = append(before, line[start:i])
	}
}

// literalCandidates are the names that start with prefix, each written as the lexer and
// unquote_string need to give it back.
func literalCandidates(names []string, prefix string, quoted bool) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			if c, ok := quoteArg("", n, quoted); ok {
				out = append(out, c)
			}
		}
	}
	return out
}

// quoteArg writes the argument made of typed (a start already written as the user wants it,
// outer quotes removed) and s, so that the lexer reads one word and unquote_string gives back
// s: in s '\' and '"' are escaped, and the whole goes in quotes when s has a space or a
// quote, or when quoted says the user began with one. A control character cannot be given
// back whole (an octal escape also swallows the escaping of the byte after it): ok is false.
func quoteArg(typed, s string, quoted bool) (arg string, ok bool) {
	var b strings.Builder
	b.WriteString(typed)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isCntrl(c):
			return "", false
		case c == '\\' || c == '"':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
		if c == ' ' || c == '"' {
			quoted = true
		}
	}
	if quoted {
		return `"` + b.String() + `"`, true
	}
	return b.String(), true
}

// dumpDates are the dates setdate takes for the disk's dumps: the day, and the dump's time.
func (s *Session) dumpDates(ctx context.Context) []string {
	if s.srvHost == "" || s.srvDisk == "" {
		return nil
	}
	h, err := s.history(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range h {
		out = append(out, d.Date)
		if len(d.Date) > len("2006-01-02") {
			out = append(out, d.Date[:len("2006-01-02")])
		}
	}
	return out
}

// entryCandidates completes a path of the backup, relative to the current directory: typed is
// the word without its quotes. Its directory part is kept as typed; the names of that directory
// that start with the rest complete it (directories only if dirs), escaped for a shell wildcard
// or, with regex, for an extended regular expression.
func (s *Session) entryCandidates(ctx context.Context, typed string, quoted, regex, dirs bool) []string {
	if s.diskPath == "" || strings.HasPrefix(typed, "/") {
		return nil
	}
	dirTyped, partTyped := "", typed
	if i := strings.LastIndexByte(typed, '/'); i >= 0 {
		dirTyped, partTyped = typed[:i+1], typed[i+1:]
	}
	prefix := unescape(unquote(partTyped))
	names, ok := s.entryNames(ctx, unescape(unquote(dirTyped)))
	if !ok {
		return nil
	}
	var out []string
	for _, n := range names {
		dir := strings.HasSuffix(n, "/")
		if dirs && !dir || !strings.HasPrefix(n, prefix) {
			continue
		}
		name := strings.TrimSuffix(n, "/")
		pattern := escape(name, `\*?[]`)
		if regex {
			pattern = escape(name, `\.[]()*+?{}|^$`)
		}
		if dir && dirs {
			// cd takes "docs/", and another Tab goes into it; add takes "docs" only (amrecover
			// looks for a file named "" in docs/).
			pattern += "/"
		}
		if c, ok := quoteArg(dirTyped, pattern, quoted); ok {
			out = append(out, c)
		}
		if len(out) >= maxCandidates {
			break
		}
	}
	return out
}

// entryNames lists the names (translated, as ls shows them; directories end in "/") of the
// directory dir of the backup, relative to the current directory ("" for the current one,
// whose listing is at hand). Each directory of dir is found by its name: one listing a level.
func (s *Session) entryNames(ctx context.Context, dir string) ([]string, bool) {
	if dir == "" {
		base := len(s.diskTPath) + 1
		if s.diskTPath == "/" {
			base = 1
		}
		var names []string
		for _, it := range s.dirList {
			if len(it.tpath) > base && !strings.HasSuffix(it.tpath, "/.") {
				names = append(names, it.tpath[base:])
			}
		}
		return names, true
	}
	chain, reply := s.view(ctx)
	if reply != "" {
		return nil, false
	}
	list := func(raw string) ([]string, []string, bool) {
		ents, err := s.idx.ListDir(ctx, dumpIDs(chain), raw)
		if err != nil {
			return nil, nil, false
		}
		var raws, names []string
		for _, e := range ents {
			if e.Name != "" {
				raws = append(raws, e.Name)
				names = append(names, translate(e.Name, s.translate))
			}
		}
		return raws, names, true
	}
	raw := dirSlash(s.diskPath)
	for _, comp := range strings.Split(strings.TrimSuffix(dir, "/"), "/") {
		raws, names, ok := list(raw)
		if !ok {
			return nil, false
		}
		i := slices.Index(names, comp+"/")
		if i < 0 || raws[i] != names[i] {
			// amrecover finds a directory given in a path by its raw name only: a translated
			// one ("naïve café") works only as the last word of a cd.
			return nil, false
		}
		raw += raws[i]
	}
	_, names, ok := list(raw)
	return names, ok
}

// escape puts a backslash before each of special in s, for a shell wildcard or a regular
// expression to match s itself.
func escape(s, special string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescape is what a typed pattern names when it has no wildcard in it.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// localCandidates completes a local path, relative to the local directory (lcd) or absolute:
// directories only for lcd, else files and directories; directories end in "/".
func (s *Session) localCandidates(typed string, quoted, dirsOnly bool) []string {
	path := unquote(typed)
	dirPart, prefix := "", path
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dirPart, prefix = path[:i+1], path[i+1:]
	}
	ents, err := os.ReadDir(s.localPath(filepath.Clean(dirPart + ".")))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".") {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(s.localPath(dirPart + name)); err == nil {
				isDir = fi.IsDir()
			}
		}
		if dirsOnly && !isDir {
			continue
		}
		if isDir {
			name += "/"
		}
		if c, ok := quoteArg("", dirPart+name, quoted); ok {
			out = append(out, c)
		}
		if len(out) >= maxCandidates {
			break
		}
	}
	return out
}
