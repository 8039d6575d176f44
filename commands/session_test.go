package commands

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/amrshell/amrshell/recover"
)

// The session tests replay amrecover's own recorded sessions (TRANSCRIPTS/amrecover in the
// corpus) on the real catalog made from the corpus, and compare stdout line for line. The
// restores themselves are the Restorer's business (tested elsewhere): a recording Restorer
// stands in, and tar's lines are left out of the transcripts before comparing.

// recorder is a Restorer that remembers what it was asked, with the date and level of the copy.
type recorder struct {
	idx     *catalog.Catalog
	groups  []recorded
	targets []string
}

type recorded struct {
	recover.Request
	Date  string
	Level int
}

func (r *recorder) Restore(ctx context.Context, req recover.Request, target string, _, _ io.Writer) error {
	cp, err := r.idx.Copy(ctx, req.CopyID)
	if err != nil {
		return err
	}
	ts := cp.Datestamp
	date := ts[0:4] + "-" + ts[4:6] + "-" + ts[6:8] + "-" + ts[8:10] + "-" + ts[10:12] + "-" + ts[12:14]
	r.groups = append(r.groups, recorded{Request: req, Date: date, Level: cp.Level})
	r.targets = append(r.targets, target)
	return nil
}

// answers is stdin as amrecover reads it: once a question is asked, its stdio buffer takes in
// all the input left, so the prompt then sees the end of input.
type answers struct {
	out   io.Writer
	lines []string
	asked bool
}

func (a *answers) Ask(_ context.Context, prompt string) (string, error) {
	io.WriteString(a.out, prompt)
	a.asked = true
	if len(a.lines) == 0 {
		return "", io.EOF
	}
	l := a.lines[0]
	a.lines = a.lines[1:]
	return l, nil
}

var (
	testCatalog    *catalog.Catalog // the corpus' catalog, made once per test binary
	testCatalogDir string
	transcriptAt   = filepath.Join("TRANSCRIPTS", "amrecover")
)

func TestMain(m *testing.M) {
	code := m.Run()
	if testCatalog != nil {
		testCatalog.Close()
		os.RemoveAll(testCatalogDir)
	}
	os.Exit(code)
}

// corpusCatalog is the catalog of the corpus and the corpus root.
func corpusCatalog(t *testing.T) (*catalog.Catalog, string) {
	t.Helper()
	root := corpus.Unpack(t)
	if testCatalog != nil {
		return testCatalog, root
	}
	ctx := context.Background()
	conf, err := amconf.Load(filepath.Join(root, "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if testCatalogDir, err = os.MkdirTemp("", "amrshell-commands-"); err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(ctx, filepath.Join(testCatalogDir, "catalog.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ImportServer(ctx, conf); err != nil {
		t.Fatal(err)
	}
	testCatalog = c
	return c, root
}

type replay struct {
	stdout   string // ours, from "Setting restore date" on
	want     string // amrecover's, same span, paths made ours
	recorder *recorder
	restore  string // the restore directory of the session
}

// replaySession runs a recorded session. Lines after "extract" are answers.
func replaySession(t *testing.T, name string) replay {
	t.Helper()
	idx, root := corpusCatalog(t)
	read := func(ext string) string {
		b, err := os.ReadFile(filepath.Join(root, transcriptAt, name+ext))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	restore := t.TempDir()
	paths := strings.NewReplacer(corpus.BuildRoot+"/work/recover/"+name, restore, corpus.BuildRoot, root)
	stdin := strings.Split(strings.TrimSuffix(paths.Replace(read(".stdin")), "\n"), "\n")
	want := paths.Replace(read(".stdout"))
	want = want[strings.Index(want, "Setting restore date"):]

	var out, errOut bytes.Buffer
	rec := &recorder{idx: idx}
	ans := &answers{out: &out}
	s := New(Options{Index: idx, Restorer: rec, Interactive: ans, Out: &out, Err: &errOut, TapeServer: "localhost", LocalDir: restore})
	s.now = func() time.Time { return time.Date(2026, 11, 22, 23, 40, 0, 0, time.Local) }
	ctx := context.Background()
	s.Start(ctx, "localhost", "2026-11-22")
	for i := 0; i < len(stdin); i++ {
		out.WriteString("amrecover> ")
		if ans.asked { // the answers' buffer took the rest: the prompt meets the end of input
			out.WriteString("\n")
			break
		}
		out.WriteString(stdin[i] + "\n")
		if stdin[i] == "extract" {
			ans.lines = stdin[i+1:]
			s.Exec(ctx, stdin[i])
			stdin = stdin[:i+1+len(ans.lines)]
			if !ans.asked {
				continue
			}
			i = len(stdin) - 1
			out.WriteString("amrecover> \n")
			break
		}
		if s.Exec(ctx, stdin[i]) {
			break
		}
	}
	// amrecover's help is checked word for word; what amrshell adds after it is not amrecover's.
	stdout := strings.ReplaceAll(out.String(), amrshellHelp, "")
	return replay{stdout: stdout, want: want, recorder: rec, restore: restore}
}

// withoutRestore drops what tar printed from a transcript's stdout; every question goes on a
// line of its own, since what follows it on the same line came from the restore.
func withoutRestore(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "]? ", "]? \n"), "\n") {
		if strings.HasPrefix(l, "./") || strings.HasPrefix(l, "/usr/bin/tar: ") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func diffLines(t *testing.T, got, want []string) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("line %d:\n got %q\nwant %q", i+1, g, w)
			return
		}
	}
}

func TestTranscriptsWithoutExtract(t *testing.T) {
	for _, name := range []string{"s01-browse", "s02-point-in-time", "s08-errors", "s09-add-delete-list"} {
		t.Run(name, func(t *testing.T) {
			r := replaySession(t, name)
			diffLines(t, strings.Split(r.stdout, "\n"), strings.Split(r.want, "\n"))
			if len(r.recorder.groups) != 0 {
				t.Errorf("restored %d groups, want none", len(r.recorder.groups))
			}
		})
	}
}

func TestTranscriptsWithExtract(t *testing.T) {
	// What the Restorer is asked, group by group: "date level items exact:dirs".
	for _, c := range []struct {
		name   string
		groups []string
	}{
		{"s03-extract-all-run3", []string{
			"2026-11-22-23-28-46 0 /data/,/deep/,/docs/,/links/,/odd names/,/projects/,/src/ exact:/",
			"2026-11-22-23-29-02 1 /bin/,/docs/,/projects/ exact:/",
			"2026-11-22-23-29-19 2 /bin/,/data/,/deep/,/docs/,/empty/,/links/,/nested/,/odd names/,/projects/,/src/ exact:/",
		}},
		{"s04-extract-odd-names-run1", []string{"2026-11-22-23-28-46 0 " +
			"/projects/,/nested/,/empty/,/links/dangling,/links/dir-link,/links/readme-link,/data/zero-length," +
			"/data/sticky/,/data/setuid-like,/data/secret.key,/data/foreign-owner.txt,/data/no-perms.txt," +
			"/data/hard-b.txt,/data/hard-a.txt,/data/sparse.img,/deep/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/," +
			`/docs/\346\227\245\346\234\254\350\252\236/,/docs/obsolete.txt,` +
			`/docs/\303\234n\303\257c\303\266d\303\251 \342\200\223 r\303\251sum\303\251.txt,` +
			`/odd names/hard-c.txt,/odd names/back\\slash.txt,/odd names/[brackets].txt,` +
			`/odd names/star*and?question.txt,/odd names/#hash#.txt,/odd names/-dash-first.txt,` +
			`/odd names/say "hi".txt,/odd names/it's here.txt,/odd names/notes 2024.txt exact:/links/`}},
		{"s05-extract-with-holding-run4", []string{
			"2026-11-22-23-29-30 2 /data/hard-a.txt,/data/holding-only.bin,/docs/keep-forever.txt,/docs/readme.txt exact:"}},
		{"s06-spanning-two-vtapes", []string{"2026-11-22-23-28-46 0 /latest,/video/ exact:"}},
		{"s07-second-host-server-compressed", []string{
			"2026-11-22-23-28-46 0 /default/,/fstab,/mtab,/passwd,/shadow,/apt/,/cron.d/,/network/,/ssh/,/systemd/ exact:/",
			"2026-11-22-23-29-02 1 /apt/,/cron.d/,/empty.d/,/hosts,/network/,/ssh/,/systemd/ exact:/",
		}},
		{"s10-extract-dot-run2", []string{"2026-11-22-23-28-46 0 / exact:", "2026-11-22-23-29-02 1 / exact:"}},
		{"s11-dump-ext2", []string{"2026-11-22-23-28-46 0 / exact:", "2026-11-22-23-29-02 1 / exact:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := replaySession(t, c.name)
			diffLines(t, withoutRestore(r.stdout), withoutRestore(r.want))
			var groups []string
			for i, g := range r.recorder.groups {
				var items []string
				for _, it := range g.Items {
					if it.Dir != strings.HasSuffix(it.Path, "/") {
						t.Errorf("item %+v: Dir and the trailing slash disagree", it)
					}
					items = append(items, it.Path)
				}
				groups = append(groups, fmt.Sprintf("%s %d %s exact:%s", g.Date, g.Level, strings.Join(items, ","), strings.Join(g.ExactDirs, ",")))
				if r.recorder.targets[i] != r.restore {
					t.Errorf("restored into %s, want %s", r.recorder.targets[i], r.restore)
				}
			}
			if !slices.Equal(groups, c.groups) {
				t.Errorf("groups:\n%s\nwant\n%s", strings.Join(groups, "\n"), strings.Join(c.groups, "\n"))
			}
		})
	}
}
