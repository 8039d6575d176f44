package tests

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// What an amrecover script selects, read from the script itself:
//
//	lines up to `extract` -> sethost / setdisk / setdate / cd / add, as amrecover tokenises them
//	-> the run whose datestamp is the setdate -> that run's manifest
//	-> each add pattern matched (shell wildcards) against the entries of its directory:
//	   a directory selects its whole subtree as of the run, a file itself; `.` the directory
//
// Patterns that match nothing select nothing, as amrecover says "File ... doesn't exist".
// A test of its own checks this reading against amrecover's "Added ..." lines.

// session is what an amrecover script asks to extract.
type session struct {
	Host, Disk string
	Date       string // the last setdate before extract, YYYY-MM-DD-HH-MM-SS
	Adds       []addCmd
}

// addCmd is one add command: its shell wildcards, unquoted, and the directory it ran in.
type addCmd struct {
	Cwd      string // relative to the DLE root, "" = the root
	Patterns []string
}

// splitArgs splits a command line as amrecover's lexer does: words separated by blanks; double
// quotes group; a backslash escapes the next character inside or outside quotes (\n, \t, \r,
// \f and octal \ooo as Amanda's unquote_string).
func splitArgs(line string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inWord, inQuote := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			c = line[i]
			switch c {
			case 'n':
				c = '\n'
			case 't':
				c = '\t'
			case 'r':
				c = '\r'
			case 'f':
				c = '\f'
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(c - '0')
				for k := 0; k < 2 && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '7'; k++ {
					i++
					v = v*8 + int(line[i]-'0')
				}
				c = byte(v)
			}
			cur.WriteByte(c)
			inWord = true
		case c == '"':
			inQuote = !inQuote
			inWord = true
		case !inQuote && (c == ' ' || c == '\t'):
			if inWord {
				args = append(args, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inQuote {
		return nil, fmt.Errorf("unterminated quoted string in %q", line)
	}
	if inWord {
		args = append(args, cur.String())
	}
	return args, nil
}

// parseSession reads an amrecover script up to its extract command. The host starts as the
// -h the tests give (localhost).
func parseSession(stdin string) (*session, error) {
	s := &session{Host: "localhost"}
	cwd := ""
	for n, line := range strings.Split(stdin, "\n") {
		args, err := splitArgs(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		if len(args) == 0 {
			continue
		}
		cmd, args := args[0], args[1:]
		one := func() (string, error) {
			if len(args) != 1 {
				return "", fmt.Errorf("line %d: %s takes one argument: %q", n+1, cmd, line)
			}
			return args[0], nil
		}
		switch cmd {
		case "lcd", "listhost", "listdisk", "history", "pwd", "lpwd", "ls", "list", "mode", "help":
			// nothing selected
		case "sethost":
			if s.Host, err = one(); err != nil {
				return nil, err
			}
			s.Disk, cwd = "", ""
		case "setdisk":
			if s.Disk, err = one(); err != nil {
				return nil, err
			}
			cwd = ""
		case "setdate":
			if s.Date, err = one(); err != nil {
				return nil, err
			}
		case "cd":
			dir, err := one()
			if err == nil {
				cwd, err = changeDir(s.Disk, cwd, dir)
			}
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
		case "add":
			if len(args) == 0 || s.Disk == "" {
				return nil, fmt.Errorf("line %d: add without a disk or arguments", n+1)
			}
			s.Adds = append(s.Adds, addCmd{Cwd: cwd, Patterns: args})
		case "extract":
			if s.Disk == "" || s.Date == "" || len(s.Adds) == 0 {
				return nil, fmt.Errorf("line %d: extract needs setdisk, setdate and add before it", n+1)
			}
			return s, nil
		default:
			return nil, fmt.Errorf("line %d: %q is not modelled by the expected-tree reader", n+1, cmd)
		}
	}
	return nil, fmt.Errorf("no extract command")
}

// changeDir resolves a cd argument (relative, or absolute under the disk's mount point) to a
// path relative to the DLE root. Only literal names: no session cds with wildcards.
func changeDir(disk, cwd, dir string) (string, error) {
	var p string
	if strings.HasPrefix(dir, "/") {
		rel, ok := strings.CutPrefix(dir, disk)
		if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
			return "", fmt.Errorf("cd %s: outside the mount point %s", dir, disk)
		}
		p = path.Clean("./" + rel)
	} else {
		p = path.Join(cwd, dir)
	}
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("cd %s: outside the mount point %s", dir, disk)
	}
	if p == "." {
		p = ""
	}
	return p, nil
}

// selectEntries applies the add commands to a run's manifest.
func selectEntries(run int, m manifest, adds []addCmd) (expectation, error) {
	exp := expectation{Run: run, Entries: manifest{}}
	for _, a := range adds {
		for _, pat := range a.Patterns {
			dir, base := a.Cwd, pat
			if i := strings.LastIndex(pat, "/"); i >= 0 {
				dir, base = path.Join(a.Cwd, pat[:i]), pat[i+1:]
				if dir == "." {
					dir = ""
				}
			}
			var matches []string
			if base == "." || base == "" {
				matches = []string{dir}
			} else {
				for p := range m {
					if parentOf(p) != dir {
						continue
					}
					ok, err := path.Match(base, path.Base(p))
					if err != nil {
						return exp, fmt.Errorf("add %q: %w", pat, err)
					}
					if ok {
						matches = append(matches, p)
					}
				}
			}
			for _, p := range matches {
				exp.Roots = append(exp.Roots, p)
				for q, e := range m {
					if p == "" || q == p || (m[p].Type == "dir" && strings.HasPrefix(q, p+"/")) {
						exp.Entries[q] = e
					}
				}
			}
		}
	}
	slices.Sort(exp.Roots)
	exp.Roots = slices.Compact(exp.Roots)
	exp.Parents = parentDirs(exp.Entries)
	return exp, nil
}

func parentOf(p string) string {
	if d := path.Dir(p); d != "." {
		return d
	}
	return ""
}

// expectSession is what a recorded or written session must restore.
func expectSession(t *testing.T, root string, s *session) expectation {
	t.Helper()
	run, err := runOfDate(root, s.Date)
	if err != nil {
		t.Fatal(err)
	}
	m, err := loadManifest(root, run, s.Host, s.Disk)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := selectEntries(run, m, s.Adds)
	if err != nil {
		t.Fatal(err)
	}
	if len(exp.Entries) == 0 {
		t.Fatalf("the session's add commands select nothing from run %d's manifest: the test would check nothing", run)
	}
	return exp
}

// indexProgram returns the program ("APPLICATION", "GNUTAR", "/sbin/dump" ...) that dumped a
// DLE, from the dump headers the index keeps; "" when the server has no index for it.
func indexProgram(t *testing.T, root, host, disk string) string {
	t.Helper()
	headers, _ := filepath.Glob(filepath.Join(root, "state", "index", corpus.Sanitise(host), corpus.Sanitise(disk), "*.header"))
	if len(headers) == 0 {
		return ""
	}
	f, err := os.Open(headers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	first, _ := bufio.NewReader(f).ReadString('\n')
	_, prog, ok := strings.Cut(strings.TrimSpace(first), " program ")
	if !ok {
		t.Fatalf("%s: no program in %q", headers[0], first)
	}
	return strings.Fields(prog)[0]
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{`add "notes 2024.txt"`, []string{"add", "notes 2024.txt"}},
		{`add "say \"hi\".txt"`, []string{"add", `say "hi".txt`}},
		{`add star\*and\?question.txt`, []string{"add", "star*and?question.txt"}},
		{`add \[brackets\].txt "\[brackets\].txt"`, []string{"add", "[brackets].txt", "[brackets].txt"}},
		{`add back\\slash.txt`, []string{"add", `back\slash.txt`}},
		{`add  a   b	c`, []string{"add", "a", "b", "c"}},
		{`cd "naïve café"`, []string{"cd", "naïve café"}},
		{`add "a\101\nb"`, []string{"add", "aA\nb"}},
		{`add ""`, []string{"add", ""}},
		{``, nil},
	}
	for _, tt := range tests {
		got, err := splitArgs(tt.line)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tt.line, got, err, tt.want)
		}
	}
	if _, err := splitArgs(`add "open`); err == nil {
		t.Errorf("unterminated quote accepted")
	}
}

// quoteArg quotes a word so that splitArgs gives it back.
func quoteArg(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func FuzzSplitArgs(f *testing.F) {
	f.Add("add\x00say \"hi\".txt\x00back\\slash")
	f.Add("cd\x00\x00\\101")
	f.Fuzz(func(t *testing.T, words string) {
		want := strings.Split(words, "\x00")
		var q []string
		for _, w := range want {
			q = append(q, quoteArg(w))
		}
		got, err := splitArgs(strings.Join(q, " "))
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("splitArgs(quoted %q) = %q, %v", want, got, err)
		}
	})
}

func TestChangeDir(t *testing.T) {
	tests := []struct{ disk, cwd, dir, want string }{
		{"/home/alice", "", "odd names", "odd names"},
		{"/home/alice", "odd names", "..", ""},
		{"/home/alice", "docs", "/home/alice/links", "links"},
		{"/home/alice", "docs", "/home/alice", ""},
		{"/etc", "", "/etc/ssh", "ssh"},
	}
	for _, tt := range tests {
		if got, err := changeDir(tt.disk, tt.cwd, tt.dir); err != nil || got != tt.want {
			t.Errorf("changeDir(%q, %q, %q) = %q, %v; want %q", tt.disk, tt.cwd, tt.dir, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ disk, cwd, dir string }{{"/etc", "", "/etcetera"}, {"/etc", "", ".."}, {"/etc", "a", "../../x"}, {"/etc", "", "/home"}} {
		if got, err := changeDir(bad.disk, bad.cwd, bad.dir); err == nil {
			t.Errorf("changeDir(%q, %q, %q) = %q, want an error", bad.disk, bad.cwd, bad.dir, got)
		}
	}
}

// addedPaths reads amrecover's "Added file X" / "Added dir X at date D" lines: what it put in
// its extract list, relative to the DLE root ("" = the root).
func addedPaths(t *testing.T, stdout string) map[string]bool {
	t.Helper()
	added := map[string]bool{}
	for _, l := range strings.Split(stdout, "\n") {
		q, ok := strings.CutPrefix(l, "Added file ")
		if !ok {
			if q, ok = strings.CutPrefix(l, "Added dir "); !ok {
				continue
			}
			q, _, _ = strings.Cut(q, " at date ")
		}
		p := q
		if strings.HasPrefix(q, `"`) {
			args, err := splitArgs(q)
			if err != nil || len(args) != 1 {
				t.Fatalf("cannot unquote %q: %v", q, err)
			}
			p = args[0]
		}
		p = strings.Trim(p, "/")
		if p == "." {
			p = ""
		}
		added[p] = true
	}
	return added
}

// verifiedPaths reads the entries a corpus .verify file checked (OK, MISSING or DIFFER).
func verifiedPaths(verify string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(verify, "\n") {
		kind, p, ok := strings.Cut(l, "\t")
		if ok && (kind == "OK" || kind == "MISSING" || kind == "DIFFER") {
			out[p] = true
		}
	}
	return out
}

// addOutputs returns what amrecover printed after each of its add commands, in order.
func addOutputs(stdout string) []string {
	var outs []string
	var cur *strings.Builder
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, prompt) {
			cur = nil
			if strings.HasPrefix(l, prompt+"add ") {
				outs = append(outs, "")
				cur = &strings.Builder{}
			}
			continue
		}
		if cur != nil {
			cur.WriteString(l + "\n")
			outs[len(outs)-1] = cur.String()
		}
	}
	return outs
}

// TestSelectionMatchesAmrecover checks the reading of each extracting session against what
// amrecover itself said and what the corpus verified:
//   - each add command matches what amrecover "Added" after it, except what amrecover added
//     that is not in the run's tree (deleted earlier: amrecover's view is the union of the
//     dumps of the chain);
//   - the corpus' .verify checked the selected entries and, beyond them, only parent dirs.
func TestSelectionMatchesAmrecover(t *testing.T) {
	root := corpus.Unpack(t)
	checked := 0
	for _, name := range transcriptNames(t, root) {
		tr := loadTranscript(t, root, name)
		if tr.Verify == "" {
			continue
		}
		checked++
		t.Run(name, func(t *testing.T) {
			s, err := parseSession(tr.Stdin)
			if err != nil {
				t.Fatal(err)
			}
			exp := expectSession(t, root, s)
			m, err := loadManifest(root, exp.Run, s.Host, s.Disk)
			if err != nil {
				t.Fatal(err)
			}
			outs := addOutputs(tr.Stdout)
			if len(outs) != len(s.Adds) {
				t.Fatalf("%d add commands read, amrecover ran %d", len(s.Adds), len(outs))
			}
			for i, a := range s.Adds {
				one, err := selectEntries(exp.Run, m, []addCmd{a})
				if err != nil {
					t.Fatal(err)
				}
				added := addedPaths(t, outs[i])
				for _, r := range one.Roots {
					if !added[r] {
						t.Errorf("add %q in %q selects %q, which amrecover did not add", a.Patterns, a.Cwd, r)
					}
				}
				for p := range added {
					if _, inRun := m[p]; inRun && !slices.Contains(one.Roots, p) {
						t.Errorf("add %q in %q: amrecover added %q (in run %d's tree), not selected here", a.Patterns, a.Cwd, p, exp.Run)
					}
				}
			}
			verified := verifiedPaths(tr.Verify)
			for p := range exp.Entries {
				if !verified[p] {
					t.Errorf("selected %q, which the corpus did not verify", p)
				}
			}
			for p := range verified {
				if _, sel := exp.Entries[p]; !sel && !exp.Parents[p] {
					t.Errorf("the corpus verified %q, neither selected nor a parent here", p)
				}
			}
		})
	}
	if checked == 0 {
		t.Fatal("no session with a .verify file: nothing checked")
	}
}
