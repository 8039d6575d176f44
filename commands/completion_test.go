package commands

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// On the corpus, at /home/alice of localhost as of run 4.
func TestComplete(t *testing.T) {
	ts := newTestSession(t)
	ctx := context.Background()
	local := ts.localDir
	for _, p := range []string{"restore/", "restore here/", "rescue.txt", ".hidden/"} {
		if strings.HasSuffix(p, "/") {
			os.MkdirAll(filepath.Join(local, p), 0o755)
		} else {
			os.WriteFile(filepath.Join(local, p), nil, 0o644)
		}
	}
	tests := []struct {
		line, word string
		want       []string
	}{
		{"setd", "setd", []string{"setdate", "setdevice", "setdisk"}},
		{"  lis", "lis", []string{"list", "listdisk", "listhost", "listproperty"}},
		{"frobnicate x", "x", nil},
		{"sethost ", "", []string{"client2", "localhost"}},
		{"sethost loc", "loc", []string{"localhost"}},
		{"setdisk /home/a", "/home/a", []string{"/home/alice"}},
		{"listdisk /srv/", "/srv/", []string{"/srv/ext2vol", "/srv/media"}},
		{"setdate 2026-11-22-23-29", "2026-11-22-23-29", []string{"2026-11-22-23-29-02", "2026-11-22-23-29-19", "2026-11-22-23-29-30"}},
		{"setdate 2026-11", "2026-11", []string{"2026-11-22", "2026-11-22-23-28-46", "2026-11-22-23-29-02", "2026-11-22-23-29-19", "2026-11-22-23-29-30"}},
		{"setmode s", "s", []string{"smb"}},
		{"settranslate o", "o", []string{"off", "on"}},
		{"add d", "d", []string{"data", "deep", "docs"}},
		{"cd d", "d", []string{"data/", "deep/", "docs/"}},
		{"add docs/r", "docs/r", []string{"docs/readme.txt"}},
		{"add docs/na", "docs/na", []string{`"docs/naïve café"`}},
		{"add docs/naïve café/", "café/", nil}, // a new word after the space
		{"cd docs/", "docs/", []string{`"docs/naïve café/"`, "docs/日本語/"}},
		{`add "docs/naïve café/`, `"docs/naïve café/`, nil}, // amrecover would not find it so
		{"add docs bin/ d", "d", []string{"data", "deep", "docs"}},
		{"cd projects/alpha/", "projects/alpha/", []string{"projects/alpha/sub/"}},
		{"cd odd", "odd", []string{`"odd names/"`}},
		{`add "odd names/s`, `"odd names/s`, []string{`"odd names/say \"hi\".txt"`, `"odd names/star\\*and\\?question.txt"`}},
		{`add "odd names/b`, `"odd names/b`, []string{`"odd names/back\\\\slash.txt"`}},
		{`add "odd names/[`, `"odd names/[`, []string{`"odd names/\\[brackets\\].txt"`}},
		{`addx "odd names/s`, `"odd names/s`, []string{`"odd names/say \"hi\"\\.txt"`, `"odd names/star\\*and\\?question\\.txt"`}},
		{"add nowhere/", "nowhere/", nil},
		{"add /docs", "/docs", nil},
		{"lcd res", "res", []string{`"restore here/"`, "restore/"}},
		{"list res", "res", []string{`"restore here/"`, "rescue.txt", "restore/"}},
		{"lcd .", ".", []string{".hidden/"}},
	}
	for _, tt := range tests {
		word, got := ts.Complete(ctx, tt.line)
		if word != tt.word || !slices.Equal(got, tt.want) {
			t.Errorf("Complete(%q) = %q, %q; want %q, %q", tt.line, word, got, tt.word, tt.want)
		}
	}
}

// Every candidate, typed back as the command's argument, chooses the entry it was made from and
// nothing else: the quoting, the escaping of wildcards and the octal names all survive.
func TestCompleteRoundTrip(t *testing.T) {
	ts := newTestSession(t)
	ctx := context.Background()
	for _, dir := range []string{"", "odd names/", "docs/", "projects/alpha/"} {
		for _, cmd := range []string{"add", "addx"} {
			literal := dir
			if strings.ContainsRune(dir, ' ') {
				literal = `"` + dir
			}
			_, cands := ts.Complete(ctx, cmd+" "+literal)
			if len(cands) == 0 {
				t.Errorf("%s %q: no candidates", cmd, literal)
			}
			for _, c := range cands {
				out := ts.run("clear", cmd+" "+c)
				lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				first := lines[0]
				if !strings.HasPrefix(first, "Added file ") && !strings.HasPrefix(first, "Added dir ") {
					t.Errorf("%s %s: %q", cmd, c, out)
					continue
				}
				// What was added is one entry: a directory may come from several dumps.
				name := strings.TrimSuffix(strings.SplitN(strings.TrimPrefix(strings.TrimPrefix(first, "Added file "), "Added dir "), " at date ", 2)[0], "/")
				for _, l := range lines[1:] {
					if !strings.HasPrefix(l, "Added dir "+name) {
						t.Errorf("%s %s added more than %s: %q", cmd, c, name, out)
					}
				}
				if want := "/" + dir; !strings.HasPrefix(unquote(name), want) {
					t.Errorf("%s %s added %s, not an entry of /%s", cmd, c, name, dir)
				}
			}
		}
	}
	// cd takes each directory candidate there.
	_, cands := ts.Complete(ctx, "cd ")
	for _, c := range cands {
		if out := ts.run("cd "+c, "pwd", "cd /home/alice"); !strings.HasPrefix(out, "/home/alice/") {
			t.Errorf("cd %s: %q", c, out)
		}
	}
}
