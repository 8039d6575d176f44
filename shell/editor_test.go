package shell

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSuggestions(t *testing.T) {
	tests := []struct {
		name         string
		before, word string
		cands        []string
		want         []string
	}{
		{
			name:   "plain word",
			before: "add do", word: "do",
			cands: []string{"docs/", "down"},
			want:  []string{"docs/", "down"},
		},
		{
			// go-prompt replaces only `na`: the text must continue the quoted name.
			name:   "quoted name with a space",
			before: `add "odd na`, word: `"odd na`,
			cands: []string{`"odd names/"`},
			want:  []string{`names/"`},
		},
		{
			name:   "unquoted word completed to a quoted name",
			before: "cd odd", word: "odd",
			cands: []string{`"odd names/"`},
			want:  []string{`"odd names/"`},
		},
		{
			name:   "empty word after a space",
			before: "sethost ", word: "",
			cands: []string{"client2", "localhost"},
			want:  []string{"client2", "localhost"},
		},
		{
			// A candidate that does not continue what go-prompt keeps cannot be offered.
			name:   "candidate that changes the kept part",
			before: `add "a b`, word: `"a b`,
			cands: []string{`'a b'`, `"a bc"`},
			want:  []string{`bc"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goWord := tt.before[strings.LastIndexAny(tt.before, completionSeparators)+1:]
			var got []string
			for _, s := range suggestions(tt.before, goWord, tt.word, tt.cands) {
				got = append(got, s.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("suggestions = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCommonPrefix(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"setdate", "setdevice", "setdisk"}, "setd"},
		{[]string{"sethost", "setdisk"}, "set"},
		{[]string{"localhost"}, "localhost"},
		{[]string{"a", "b"}, ""},
		{[]string{"é1", "è2"}, ""}, // same first byte, different characters
	}
	for _, tt := range tests {
		if got := commonPrefix(tt.in); got != tt.want {
			t.Errorf("commonPrefix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHistoryFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "amrshell", "history")
	var warn strings.Builder
	h := openHistory(path, &warn)
	for _, l := range []string{"sethost localhost", "ls", "ls", "cd docs"} {
		h.add(l)
	}
	h = openHistory(path, &warn)
	if got, want := h.lines(), []string{"sethost localhost", "ls", "cd docs"}; !slices.Equal(got, want) {
		t.Errorf("history %q, want %q (a repeated line is kept once)", got, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v, %v; want 0600: paths typed may be private", fi.Mode(), err)
	}
	if warn.Len() > 0 {
		t.Errorf("warnings: %s", warn.String())
	}
}

func TestHistoryFileKeepsTheLastLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	var lines []string
	for i := range 2*historyKeep + 500 {
		lines = append(lines, "ls "+strings.Repeat("x", i%7)+string(rune('a'+i%26)))
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := openHistory(path, &strings.Builder{})
	if got, want := h.lines(), lines[len(lines)-historyKeep:]; !slices.Equal(got, want) {
		t.Errorf("loaded %d lines ending %q, want the last %d", len(got), got[len(got)-1], historyKeep)
	}
}

// A history that cannot be written is reported once; the shell goes on.
func TestHistoryFileUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var warn strings.Builder
	h := openHistory(filepath.Join(blocker, "history"), &warn)
	h.add("ls")
	h.add("pwd")
	if n := strings.Count(warn.String(), "command history"); n != 1 {
		t.Errorf("warnings %q, want one", warn.String())
	}
}
