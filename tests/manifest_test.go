package tests

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// The corpus' MANIFEST: what each source tree held just before each run, and which runs dumped
// what (runs.tsv, dumps.tsv). See the corpus README.txt.

type (
	manifestEntry = corpus.ManifestEntry
	manifest      = map[string]corpus.ManifestEntry
)

// loadManifest reads a run's tree of a disk; an empty one is an error.
func loadManifest(root string, run int, host, disk string) (manifest, error) {
	m, err := corpus.Manifest(root, run, host, disk)
	if err == nil && len(m) == 0 {
		err = fmt.Errorf("empty manifest of %s:%s at run %d", host, disk, run)
	}
	return m, err
}

// dumpRecord is one line of MANIFEST/dumps.tsv: a dump made by a run.
type dumpRecord struct {
	Run       int
	Kind      string // dump, holding
	Datestamp string
	Host      string
	Disk      string
	Level     int
}

func loadDumps(root string) ([]dumpRecord, error) {
	rows, err := readTSV(filepath.Join(root, "MANIFEST", "dumps.tsv"))
	if err != nil {
		return nil, err
	}
	var ds []dumpRecord
	for _, r := range rows {
		if len(r) < 6 {
			return nil, fmt.Errorf("dumps.tsv: short row %q", r)
		}
		run, err1 := strconv.Atoi(r[0])
		lev, err2 := strconv.Atoi(r[5])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("dumps.tsv row %q: %w", r, err)
		}
		ds = append(ds, dumpRecord{Run: run, Kind: r[1], Datestamp: r[2], Host: r[3], Disk: r[4], Level: lev})
	}
	return ds, nil
}

// runDatestamps maps run numbers to datestamps (MANIFEST/runs.tsv; the vault run has none).
func runDatestamps(root string) (map[int]string, error) {
	rows, err := readTSV(filepath.Join(root, "MANIFEST", "runs.tsv"))
	if err != nil {
		return nil, err
	}
	runs := map[int]string{}
	for _, r := range rows {
		if n, err := strconv.Atoi(r[0]); err == nil && len(r) > 2 {
			runs[n] = r[2]
		}
	}
	return runs, nil
}

// runOfDate returns the run whose datestamp is the amrecover date YYYY-MM-DD-HH-MM-SS.
func runOfDate(root, date string) (int, error) {
	runs, err := runDatestamps(root)
	if err != nil {
		return 0, err
	}
	ds := strings.ReplaceAll(date, "-", "")
	for n, d := range runs {
		if d == ds {
			return n, nil
		}
	}
	return 0, fmt.Errorf("no run has datestamp %s (setdate %s)", ds, date)
}

// niceDate is amrecover's form of a datestamp: 20261122232919 -> 2026-11-22-23-29-19.
func niceDate(ds string) string {
	return ds[0:4] + "-" + ds[4:6] + "-" + ds[6:8] + "-" + ds[8:10] + "-" + ds[10:12] + "-" + ds[12:14]
}

// restoreChain returns the dumps a restore as of run uses, newest first: the newest dump of the
// disk at or before run, then each older one of a strictly lower level, down to level 0.
func restoreChain(dumps []dumpRecord, host, disk string, run int) []dumpRecord {
	var mine []dumpRecord
	for _, d := range dumps {
		if d.Host == host && d.Disk == disk && d.Run <= run {
			mine = append(mine, d)
		}
	}
	slices.SortFunc(mine, func(a, b dumpRecord) int { return b.Run - a.Run })
	var chain []dumpRecord
	for _, d := range mine {
		if len(chain) == 0 || d.Level < chain[len(chain)-1].Level {
			chain = append(chain, d)
		}
		if d.Level == 0 {
			break
		}
	}
	return chain
}

func readTSV(p string) ([][]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	for i, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if i > 0 { // header
			rows = append(rows, strings.Split(l, "\t"))
		}
	}
	return rows, nil
}

// expectation is what a restore must leave in the restore directory.
type expectation struct {
	Run     int
	Entries manifest        // selected: type, content, mode, target and hard links checked
	Parents map[string]bool // directories only created to hold selected entries: type checked
	Roots   []string        // what the add commands matched ("" = the DLE root)
}

// wholeTree expects all of m.
func wholeTree(run int, m manifest) expectation {
	return expectation{Run: run, Entries: m, Parents: map[string]bool{}, Roots: []string{""}}
}

// treeEntry is what is on disk at one path of an extracted tree.
type treeEntry struct {
	Type   string // file, dir, symlink or other
	Mode   uint32 // permission bits with setuid, setgid and sticky, as in the manifest
	SHA256 string
	Target string
	Info   fs.FileInfo // for os.SameFile
}

// snapshotTree reads every entry under dir (not dir itself), keyed by slash path.
func snapshotTree(dir string) (map[string]treeEntry, error) {
	tree := map[string]treeEntry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		e := treeEntry{Type: "other", Mode: corpus.ModeBits(fi.Mode()), Info: fi}
		switch {
		case fi.Mode().IsRegular():
			e.Type = "file"
			if e.SHA256, err = fileSHA256(p, fi); err != nil {
				return err
			}
		case fi.IsDir():
			e.Type = "dir"
		case fi.Mode()&fs.ModeSymlink != 0:
			e.Type = "symlink"
			if e.Target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		tree[filepath.ToSlash(rel)] = e
		return nil
	})
	return tree, err
}

// fileSHA256 hashes a regular file. Restored modes such as 0000 keep a non-root test from
// reading the file; it then gets read permission, after its mode was recorded.
func fileSHA256(p string, fi fs.FileInfo) (string, error) {
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		if err = os.Chmod(p, fi.Mode().Perm()|0o400); err == nil {
			f, err = os.Open(p)
		}
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// modeMask is the mode bits a restore must reproduce: setuid, setgid and sticky bits only when
// restoring as root, as tar does.
func modeMask() uint32 {
	if os.Geteuid() == 0 {
		return 0o7777
	}
	return 0o777
}

// treeReport lists the differences between an extracted tree and an expectation, in the words
// of the corpus' .verify files.
type treeReport struct {
	Lines                           []string // MISSING / DIFFER / EXTRA <tab> path [<tab> why]
	Checked, Missing, Differ, Extra int
}

func (r treeReport) ok() bool { return r.Missing+r.Differ+r.Extra == 0 }

func (r treeReport) String() string {
	const maxLines = 60
	lines := r.Lines
	if len(lines) > maxLines {
		lines = append(slices.Clone(lines[:maxLines]), fmt.Sprintf("... (%d more)", len(r.Lines)-maxLines))
	}
	return strings.Join(append(lines, fmt.Sprintf("# %d entries checked, %d missing, %d differ, %d extra",
		r.Checked, r.Missing, r.Differ, r.Extra)), "\n")
}

func (r *treeReport) add(kind, p, why string, n *int) {
	*n++
	line := kind + "\t" + p
	if why != "" {
		line += "\t" + why
	}
	r.Lines = append(r.Lines, line)
}

// verifyTree compares the tree under dir with exp. With partial (an extract that failed),
// absent entries are fine and modes are not checked, but whatever is there must be complete
// and expected: a file with other content is a half-written one.
func verifyTree(t *testing.T, dir string, exp expectation, partial bool) treeReport {
	t.Helper()
	got, err := snapshotTree(dir)
	if err != nil {
		t.Fatalf("read extracted tree: %v", err)
	}
	return compareTree(got, exp, partial)
}

func compareTree(got map[string]treeEntry, exp expectation, partial bool) treeReport {
	var r treeReport
	mask := modeMask()
	groups := map[string][]string{}
	for _, p := range slices.Sorted(maps.Keys(exp.Entries)) {
		e := exp.Entries[p]
		r.Checked++
		g, ok := got[p]
		if !ok {
			if !partial {
				r.add("MISSING", p, "", &r.Missing)
			}
			continue
		}
		want, _ := strconv.ParseUint(e.Mode, 8, 32)
		switch {
		case g.Type != e.Type:
			r.add("DIFFER", p, fmt.Sprintf("%s, want %s", g.Type, e.Type), &r.Differ)
		case e.Type == "file" && g.SHA256 != e.SHA256:
			r.add("DIFFER", p, "content (sha256 "+short(g.SHA256)+", want "+short(e.SHA256)+")", &r.Differ)
		case e.Type == "symlink" && g.Target != e.Target:
			r.add("DIFFER", p, fmt.Sprintf("target %q, want %q", g.Target, e.Target), &r.Differ)
		case e.Type != "symlink" && !partial && g.Mode&mask != uint32(want)&mask:
			r.add("DIFFER", p, fmt.Sprintf("mode %04o, want %04o", g.Mode&mask, uint32(want)&mask), &r.Differ)
		}
		if e.HardlinkGroup != "" && g.Type == "file" {
			groups[e.HardlinkGroup] = append(groups[e.HardlinkGroup], p)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(exp.Parents)) {
		if _, sel := exp.Entries[p]; sel {
			continue
		}
		r.Checked++
		switch g, ok := got[p]; {
		case !ok && !partial:
			r.add("MISSING", p, "(parent of selected entries)", &r.Missing)
		case ok && g.Type != "dir":
			r.add("DIFFER", p, g.Type+", want dir (parent of selected entries)", &r.Differ)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		ps := groups[name]
		for _, p := range ps[1:] {
			if !os.SameFile(got[ps[0]].Info, got[p].Info) {
				r.add("DIFFER", p, "not a hard link of "+ps[0]+" (hardlink group "+name+")", &r.Differ)
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		_, sel := exp.Entries[p]
		if !sel && !exp.Parents[p] {
			r.add("EXTRA", p, got[p].Type, &r.Extra)
		}
	}
	return r
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// parentDirs returns the directories above the entries of sel that are not in sel themselves.
func parentDirs(sel manifest) map[string]bool {
	parents := map[string]bool{}
	for p := range sel {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if _, ok := sel[d]; !ok {
				parents[d] = true
			}
		}
	}
	return parents
}

func TestRestoreChain(t *testing.T) {
	dumps, err := loadDumps(corpus.Unpack(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host, disk string
		run        int
		want       []int // runs, newest first
	}{
		{"localhost", "/home/alice", 1, []int{1}},
		{"localhost", "/home/alice", 2, []int{2, 1}},
		{"localhost", "/home/alice", 3, []int{3, 2, 1}},
		{"localhost", "/home/alice", 4, []int{4, 2, 1}}, // run 4's level 2 replaces run 3's
		{"client2", "/etc", 2, []int{2, 1}},
		{"client2", "/etc", 3, []int{3}}, // a new level 0
		{"localhost", "/srv/media", 4, []int{2, 1}},
	}
	for _, tt := range tests {
		var got []int
		for _, d := range restoreChain(dumps, tt.host, tt.disk, tt.run) {
			got = append(got, d.Run)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("chain of %s:%s as of run %d = runs %v, want %v", tt.host, tt.disk, tt.run, got, tt.want)
		}
	}
}

// TestCompareTree checks the tree verification on a small tree made here, whose manifest is
// taken from the tree itself, and then damaged in the ways a restore can go wrong.
func TestCompareTree(t *testing.T) {
	build := func(t *testing.T) string {
		dir := t.TempDir()
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.MkdirAll(filepath.Join(dir, "d", "sticky"), 0o755))
		must(os.Chmod(filepath.Join(dir, "d", "sticky"), 0o777|fs.ModeSticky))
		must(os.WriteFile(filepath.Join(dir, "a.txt"), []byte("alpha\n"), 0o644))
		must(os.WriteFile(filepath.Join(dir, "d", "b.txt"), []byte("beta\n"), 0o600))
		must(os.Chmod(filepath.Join(dir, "d", "b.txt"), 0o600))
		must(os.Symlink("a.txt", filepath.Join(dir, "l")))
		must(os.WriteFile(filepath.Join(dir, "h1"), []byte("linked\n"), 0o644))
		must(os.Link(filepath.Join(dir, "h1"), filepath.Join(dir, "d", "h2")))
		return dir
	}
	// The manifest of the pristine tree, written as the corpus writes it.
	manifestOf := func(t *testing.T, dir string) manifest {
		tree, err := snapshotTree(dir)
		if err != nil {
			t.Fatal(err)
		}
		m := manifest{}
		for p, e := range tree {
			me := manifestEntry{Path: p, Type: e.Type, Mode: fmt.Sprintf("%04o", e.Mode), SHA256: e.SHA256, Target: e.Target}
			if p == "h1" || p == "d/h2" {
				me.HardlinkGroup = "h1"
			}
			m[p] = me
		}
		return m
	}
	write := func(p, s string) func(*testing.T, string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		damage  func(t *testing.T, dir string)
		only    []string // select only these manifest paths (nil: the whole tree)
		partial bool
		want    []string // KIND<tab>path lines
	}{
		{name: "intact", damage: func(*testing.T, string) {}},
		{name: "file missing", damage: func(t *testing.T, d string) { os.Remove(filepath.Join(d, "d", "b.txt")) }, want: []string{"MISSING\td/b.txt"}},
		{name: "content differs", damage: write("a.txt", "alpha"), want: []string{"DIFFER\ta.txt"}},
		{name: "mode differs", damage: func(t *testing.T, d string) { os.Chmod(filepath.Join(d, "a.txt"), 0o600) }, want: []string{"DIFFER\ta.txt"}},
		{name: "sticky bit lost", damage: func(t *testing.T, d string) { os.Chmod(filepath.Join(d, "d", "sticky"), 0o777) }, want: []string{"DIFFER\td/sticky"}},
		{
			name: "symlink target differs",
			damage: func(t *testing.T, d string) {
				os.Remove(filepath.Join(d, "l"))
				os.Symlink("d/b.txt", filepath.Join(d, "l"))
			},
			want: []string{"DIFFER\tl"},
		},
		{
			name: "symlink became a file",
			damage: func(t *testing.T, d string) {
				os.Remove(filepath.Join(d, "l"))
				write("l", "alpha\n")(t, d)
			},
			want: []string{"DIFFER\tl"},
		},
		{
			name: "hard link broken",
			damage: func(t *testing.T, d string) {
				os.Remove(filepath.Join(d, "d", "h2"))
				write("d/h2", "linked\n")(t, d)
			},
			want: []string{"DIFFER\th1"}, // the group is checked in path order: d/h2 first
		},
		{name: "temp file left", damage: write("d/.b.txt.amrshell-tmp", "bet"), want: []string{"EXTRA\td/.b.txt.amrshell-tmp"}},
		{name: "selection: unselected sibling is extra", damage: func(*testing.T, string) {}, only: []string{"d/b.txt"},
			want: []string{"EXTRA\ta.txt", "EXTRA\td/h2", "EXTRA\td/sticky", "EXTRA\th1", "EXTRA\tl"}},
		{name: "selection: parent only needs to be a dir", damage: func(t *testing.T, d string) { os.Chmod(filepath.Join(d, "d"), 0o700) },
			only: []string{"d/b.txt", "d/h2", "d/sticky"}, want: []string{"EXTRA\ta.txt", "EXTRA\th1", "EXTRA\tl"}},
		{name: "partial: missing is fine", damage: func(t *testing.T, d string) { os.Remove(filepath.Join(d, "d", "b.txt")) }, partial: true},
		{name: "partial: half-written file", damage: write("a.txt", "alp"), partial: true, want: []string{"DIFFER\ta.txt"}},
		{name: "partial: temp file left", damage: write("a.txt.tmp", "alp"), partial: true, want: []string{"EXTRA\ta.txt.tmp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := build(t)
			m := manifestOf(t, dir)
			exp := wholeTree(1, m)
			if tt.only != nil {
				sel := manifest{}
				for _, p := range tt.only {
					sel[p] = m[p]
				}
				exp = expectation{Run: 1, Entries: sel, Parents: parentDirs(sel)}
			}
			tt.damage(t, dir)
			rep := verifyTree(t, dir, exp, tt.partial)
			var got []string
			for _, l := range rep.Lines {
				kind, rest, _ := strings.Cut(l, "\t")
				p, _, _ := strings.Cut(rest, "\t")
				got = append(got, kind+"\t"+p)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("report:\n%s\nwant lines %q", rep, tt.want)
			}
			if rep.ok() != (len(tt.want) == 0) {
				t.Errorf("ok() = %v with %d lines", rep.ok(), len(got))
			}
		})
	}
}
