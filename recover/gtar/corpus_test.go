package gtar

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/spf13/afero"
)

// The dumps of the corpus (README.txt, "Where each dump is"): vtape part files or holding chunks.
var (
	aliceL0     = []string{"vtapes/main/slot1/00003.localhost._home_alice.0", "vtapes/main/slot1/00004.localhost._home_alice.0"}
	aliceL1     = []string{"vtapes/main/slot3/00002.localhost._home_alice.1"}
	aliceL2     = []string{"vtapes/main/slot4/00001.localhost._home_alice.2"}
	aliceL2Hold = []string{"holding/20261122232930/localhost._home_alice.2", "holding/20261122232930/localhost._home_alice.2.1"}
	etcL0       = []string{"vtapes/main/slot1/00001.client2._etc.0"}
	etcL1       = []string{"vtapes/main/slot3/00001.client2._etc.1"}
	etcL0Run3   = []string{"vtapes/main/slot4/00002.client2._etc.0"}
	mediaL0     = []string{"vtapes/main/slot1/00005.localhost._srv_media.0", "vtapes/main/slot1/00006.localhost._srv_media.0",
		"vtapes/main/slot2/00001.localhost._srv_media.0", "vtapes/main/slot2/00002.localhost._srv_media.0", "vtapes/main/slot2/00003.localhost._srv_media.0"}
	mediaL1 = []string{"vtapes/main/slot3/00004.localhost._srv_media.1"}
)

// Dates of the runs 1 to 3, as amrecover's "Added dir" lines name them.
var runDates = []string{"2026-11-22-23-28-46", "2026-11-22-23-29-02", "2026-11-22-23-29-19"}

const (
	s03 = "TRANSCRIPTS/amrecover/s03-extract-all-run3.stdout"
	s07 = "TRANSCRIPTS/amrecover/s07-second-host-server-compressed.stdout"
	s10 = "TRANSCRIPTS/amrecover/s10-extract-dot-run2.stdout"
)

// The transcripts' `add *` selections. s07 added /etc's top files without a date: the dump
// owning each in the index (run 2 changed only hosts).
func s03Selection(t testing.TB, root string) []Selection {
	return starAsAmrecover(t, root, s03, nil, nil, nil)
}

func s07Selection(t testing.TB, root string) []Selection {
	return starAsAmrecover(t, root, s07, []string{"fstab", "mtab", "passwd", "shadow"}, []string{"hosts"})
}

type level struct {
	parts []string
	sel   Selection
}

func dot() Selection { return PathSelection{"": Listed} }

// star is `add *` at the top: the top directory Exact, each of names Listed.
func star(names ...string) Selection {
	s := PathSelection{}
	s.Add("", Exact)
	for _, n := range names {
		s.Add(n, Listed)
	}
	return s
}

// starAsAmrecover is the selection of each dump of an `add *` session: the top entries
// amrecover added for that dump ("Added dir /x/ at date D"), plus the files it added without a
// date, given here by the dump whose index lists them (files[i] for dump i).
func starAsAmrecover(t testing.TB, root, transcript string, files ...[]string) []Selection {
	added := addedDirs(t, filepath.Join(root, transcript))
	var out []Selection
	for i, d := range runDates[:len(files)] {
		if len(added[d]) == 0 {
			t.Fatalf("%s: no Added dir lines for %s", transcript, d)
		}
		out = append(out, star(append(added[d], files[i]...)...))
	}
	return out
}

// restore extracts a chain of dumps into dir, oldest first, and returns each dump's Verbose text.
func restore(t testing.TB, root string, fsys FS, chain []level) []string {
	t.Helper()
	var out []string
	for i, l := range chain {
		var verbose, notes bytes.Buffer
		st, err := Extract(context.Background(), dumpStream(t, root, l.parts...), fsys, Options{
			Select: l.sel, Verbose: &verbose, Notes: &notes, SameOwner: os.Geteuid() == 0,
		})
		if err != nil {
			t.Fatalf("level %d (%s): %v", i, l.parts[0], err)
		}
		if len(st.Refused)+len(st.Errors) > 0 {
			t.Errorf("level %d (%s): refused %q, errors %q", i, l.parts[0], st.Refused, st.Errors)
		}
		t.Logf("level %d: %+v; notes:\n%s", i, st, notes.String())
		out = append(out, verbose.String())
	}
	return out
}

func TestCorpusTrees(t *testing.T) {
	root := corpus.Unpack(t)
	asAmrecover := s03Selection(t, root)
	etcStar := s07Selection(t, root)
	everyTop := star("bin", "data", "deep", "docs", "empty", "links", "nested", "odd names", "projects", "src")
	tests := []struct {
		name     string
		chain    []level
		manifest string
	}{
		{"alice run1 add .", []level{{aliceL0, dot()}}, "run1/localhost/_home_alice"},
		{"alice run2 add .", []level{{aliceL0, dot()}, {aliceL1, dot()}}, "run2/localhost/_home_alice"},
		{"alice run3 add .", []level{{aliceL0, dot()}, {aliceL1, dot()}, {aliceL2, dot()}}, "run3/localhost/_home_alice"},
		{"alice run4 add . holding", []level{{aliceL0, dot()}, {aliceL1, dot()}, {aliceL2Hold, dot()}}, "run4/localhost/_home_alice"},
		{"alice run3 add * as amrecover chose", []level{{aliceL0, asAmrecover[0]}, {aliceL1, asAmrecover[1]}, {aliceL2, asAmrecover[2]}}, "run3/localhost/_home_alice"},
		{"alice run3 add * every top entry", []level{{aliceL0, everyTop}, {aliceL1, everyTop}, {aliceL2, everyTop}}, "run3/localhost/_home_alice"},
		{"etc run1", []level{{etcL0, dot()}}, "run1/client2/_etc"},
		{"etc run2", []level{{etcL0, dot()}, {etcL1, dot()}}, "run2/client2/_etc"},
		{"etc run2 add * as amrecover chose", []level{{etcL0, etcStar[0]}, {etcL1, etcStar[1]}}, "run2/client2/_etc"},
		{"etc run3", []level{{etcL0Run3, dot()}}, "run3/client2/_etc"},
		{"etc run3 over the run2 tree", []level{{etcL0, dot()}, {etcL1, dot()}, {etcL0Run3, dot()}}, "run3/client2/_etc"},
		{"media run1 spanning two vtapes", []level{{mediaL0, dot()}}, "run1/localhost/_srv_media"},
		{"media run2", []level{{mediaL0, dot()}, {mediaL1, dot()}}, "run2/localhost/_srv_media"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, fsys := tempRoot(t)
			restore(t, root, fsys, tc.chain)
			man := loadManifest(t, filepath.Join(root, "MANIFEST", tc.manifest+".jsonl"))
			compareTree(t, os.DirFS(dir), man, osTree())
			noTemps(t, dir)
		})
	}
}

// TestCorpusSparse checks that the sparse file's holes stay holes.
func TestCorpusSparse(t *testing.T) {
	root := corpus.Unpack(t)
	dir, fsys := tempRoot(t)
	restore(t, root, fsys, []level{{aliceL0, PathSelection{"data/sparse.img": Listed}}})
	fi, err := os.Stat(filepath.Join(dir, "data/sparse.img"))
	if err != nil {
		t.Fatal(err)
	}
	if blocks := statBlocks(fi) * 512; fi.Size() != 8388614 || blocks > 1<<20 {
		t.Errorf("sparse.img: size %d, %d bytes allocated; want 8388614 with holes", fi.Size(), blocks)
	}
}

// TestCorpusVerbose compares what Extract prints with what GNU tar printed in Amanda's own
// restores: `add .` as of run 2 (s10), `add *` as of run 3 (s03) and, for client2's /etc,
// as of run 2 (s07), dump by dump.
func TestCorpusVerbose(t *testing.T) {
	root := corpus.Unpack(t)
	asAmrecover := s03Selection(t, root)
	etcStar := s07Selection(t, root)
	tests := []struct {
		transcript string
		chain      []level
	}{
		{s10, []level{{aliceL0, dot()}, {aliceL1, dot()}}},
		{s03, []level{{aliceL0, asAmrecover[0]}, {aliceL1, asAmrecover[1]}, {aliceL2, asAmrecover[2]}}},
		{s07, []level{{etcL0, etcStar[0]}, {etcL1, etcStar[1]}}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.transcript), func(t *testing.T) {
			want := transcriptLevels(t, filepath.Join(root, tc.transcript))
			if len(want) != len(tc.chain) {
				t.Fatalf("transcript has %d extractions, want %d", len(want), len(tc.chain))
			}
			fsys, err := OSRoot(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer fsys.Close()
			got := restore(t, root, fsys, tc.chain)
			for i := range want {
				if g := lines(got[i]); !slices.Equal(g, want[i]) {
					t.Errorf("dump %d: verbose output differs from tar's:\n%s", i, diffLines(g, want[i]))
				}
			}
		})
	}
}

// TestCorpusRenameUnderListedDir is the rename /home/alice's level 1 records
// (projects/alpha -> projects/alpha-renamed) with only "projects" chosen: tar deletes alpha
// (s03 shows it) and loses the unchanged files; amrshell moves them and prints tar's lines.
func TestCorpusRenameUnderListedDir(t *testing.T) {
	root := corpus.Unpack(t)
	dir, fsys := tempRoot(t)
	sel := PathSelection{"projects": Listed}
	got := restore(t, root, fsys, []level{{aliceL0, sel}, {aliceL1, sel}})

	var want []string
	for _, l := range transcriptLevels(t, filepath.Join(root, s03))[1] {
		if strings.HasPrefix(l, "./projects/") || strings.HasPrefix(l, "amrshell: Deleting './projects/") {
			want = append(want, l)
		}
	}
	if g := lines(got[1]); !slices.Equal(g, want) {
		t.Errorf("verbose output differs from tar's lines for ./projects:\n%s", diffLines(g, want))
	}
	man := map[string]manifestEntry{}
	for p, e := range loadManifest(t, filepath.Join(root, "MANIFEST/run2/localhost/_home_alice.jsonl")) {
		if p == "projects" || strings.HasPrefix(p, "projects/") {
			man[p] = e
		}
	}
	if _, ok := man["projects/alpha-renamed/file05.c"]; !ok {
		t.Fatal("manifest of run 2 has no projects/alpha-renamed/file05.c")
	}
	compareTree(t, os.DirFS(dir), man, osTree())
}

// TestCorpusAfero restores /home/alice as of run 3 through AferoFS over a MemMapFs, which has
// neither symbolic nor hard links: symbolic links fail (and only they), hard links become
// copies, and everything else must be as the manifest says.
func TestCorpusAfero(t *testing.T) {
	root := corpus.Unpack(t)
	mem := afero.NewMemMapFs()
	for i, parts := range [][]string{aliceL0, aliceL1, aliceL2} {
		var notes bytes.Buffer
		st, err := Extract(context.Background(), dumpStream(t, root, parts...), AferoFS(mem), Options{Notes: &notes})
		if err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		for _, e := range st.Errors {
			if !strings.HasPrefix(e, "./links/") || !strings.Contains(e, "symlink") {
				t.Errorf("level %d: error %q", i, e)
			}
		}
	}
	man := loadManifest(t, filepath.Join(root, "MANIFEST/run3/localhost/_home_alice.jsonl"))
	compareTree(t, afero.NewIOFS(afero.NewBasePathFs(mem, "/")), man, treeCheck{})
}

func diffLines(got, want []string) string {
	var b strings.Builder
	for i := 0; i < len(got) || i < len(want); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := "  "
		if g != w {
			mark = "! "
		}
		b.WriteString(mark + "got  " + g + "\n")
		if g != w {
			b.WriteString(mark + "want " + w + "\n")
		}
	}
	return b.String()
}
