package gtar

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amrshell/amrshell/internal/corpus"
)

func TestParseOverwrite(t *testing.T) {
	for _, o := range []Overwrite{OverwriteAlways, OverwriteNever, OverwriteIfNewer} {
		got, err := ParseOverwrite(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOverwrite(%q) = %v, %v; want %v", o.String(), got, err, o)
		}
	}
	if _, err := ParseOverwrite("sometimes"); err == nil || !strings.Contains(err.Error(), "always, never, if-newer") {
		t.Errorf("ParseOverwrite(sometimes): %v, want an error listing the policies", err)
	}
	if Overwrite(0) != OverwriteAlways {
		t.Error("the zero Overwrite is not OverwriteAlways: Extract's default would change")
	}
}

// TestOverwrite extracts over files that were there before: older, newer and as old as the
// dump's, a symbolic link and a directory with an entry of its own.
func TestOverwrite(t *testing.T) {
	a := newArchive().dumpdir(t, "./", "Dd", "Yolder.txt", "Ynewer.txt", "Ysame.txt", "Ylink", "Yfresh.txt").
		add(t, &tar.Header{Name: "./d/", Typeflag: tar.TypeDir}, nil).
		file(t, "./older.txt", "dump").file(t, "./newer.txt", "dump").file(t, "./same.txt", "dump").
		add(t, &tar.Header{Name: "./link", Typeflag: tar.TypeSymlink, Linkname: "dump"}, nil).
		file(t, "./fresh.txt", "dump")
	data := a.bytes(t)
	tests := []struct {
		policy      Overwrite
		preexisting func(string) bool
		want        map[string]string // files' contents, "->x" for a link to x
		kept        int
	}{
		{OverwriteAlways, nil, map[string]string{"older.txt": "dump", "newer.txt": "dump", "same.txt": "dump", "link": "->dump"}, 0},
		{OverwriteNever, nil, map[string]string{"older.txt": "mine", "newer.txt": "mine", "same.txt": "mine", "link": "->mine"}, 4},
		{OverwriteIfNewer, nil, map[string]string{"older.txt": "dump", "newer.txt": "mine", "same.txt": "mine", "link": "->mine"}, 3},
		// Entries an earlier dump of the chain wrote are replaced whatever the policy.
		{OverwriteNever, func(n string) bool { return n != "older.txt" && n != "link" },
			map[string]string{"older.txt": "dump", "newer.txt": "mine", "same.txt": "mine", "link": "->dump"}, 2},
	}
	for _, tc := range tests {
		name := tc.policy.String()
		if tc.preexisting != nil {
			name += " with Preexisting"
		}
		t.Run(name, func(t *testing.T) {
			dir, fsys := tempRoot(t)
			for f, mtime := range map[string]time.Time{"older.txt": testTime.Add(-time.Hour), "newer.txt": testTime.Add(time.Hour), "same.txt": testTime} {
				p := filepath.Join(dir, f)
				if err := os.WriteFile(p, []byte("mine"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(p, mtime, mtime); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink("mine", filepath.Join(dir, "link")); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(dir, "d"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "d", "own.txt"), []byte("own"), 0o644); err != nil {
				t.Fatal(err)
			}
			var notes bytes.Buffer
			st, err := Extract(context.Background(), bytes.NewReader(data), fsys, Options{
				Notes: &notes, Overwrite: tc.policy, Preexisting: tc.preexisting,
				// Only the top directory's purge is concerned: d's own.txt is in no dumpdir.
				Keep: func(string) bool { return true },
				Select: func() Selection {
					s := PathSelection{}
					s.Add("", Exact)
					for _, n := range []string{"d", "older.txt", "newer.txt", "same.txt", "link", "fresh.txt"} {
						s.Add(n, Listed)
					}
					return s
				}(),
			})
			if err != nil || len(st.Errors)+len(st.Refused) > 0 {
				t.Fatalf("%+v, %v", st, err)
			}
			for f, want := range tc.want {
				var got string
				if target, ok := strings.CutPrefix(want, "->"); ok {
					got, _ = os.Readlink(filepath.Join(dir, f))
					got, want = "->"+got, "->"+target
				} else {
					got = string(readFile(t, dir, f))
				}
				if got != want {
					t.Errorf("%s = %q, want %q", f, got, want)
				}
			}
			if got := string(readFile(t, dir, "fresh.txt")); got != "dump" {
				t.Errorf("fresh.txt = %q: a file not there before is always restored", got)
			}
			if got := string(readFile(t, dir, "d/own.txt")); got != "own" {
				t.Errorf("d/own.txt = %q: directories are merged", got)
			}
			if st.Kept != tc.kept || strings.Count(notes.String(), "kept what is there") != tc.kept {
				t.Errorf("Kept %d, want %d; notes:\n%s", st.Kept, tc.kept, notes.String())
			}
			if tc.kept > 0 && !strings.Contains(notes.String(), "amrshell: ./same.txt: kept what is there: it ") {
				t.Errorf("notes do not name ./same.txt as kept:\n%s", notes.String())
			}
			noTemps(t, dir)
		})
	}
}

// flipFS corrupts every file written through it: the first byte of each Write is inverted
// on its way to disk, as a failing disk or controller might.
type flipFS struct{ FS }

func (f flipFS) Create(name string) (File, error) {
	file, err := f.FS.Create(name)
	return flipFile{file}, err
}

type flipFile struct{ File }

func (f flipFile) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	q := append([]byte{^p[0]}, p[1:]...)
	return f.File.Write(q)
}

// TestVerify: a file that does not read back as written fails its member, and never gets its
// final name; without Verify it would be restored silently.
func TestVerify(t *testing.T) {
	content, stored := sparseFile(100000, SparseEntry{0, 600}, SparseEntry{70000, 1000})
	sp := hdrBlock("./sparse", 'S', int64(len(stored)), func(b *block) {
		setSparse(b[offSparse:], []SparseEntry{{0, 600}, {70000, 1000}})
		copy(b[offRealsize:], "00000303240\x00") // 100000
	})
	data := newArchive().file(t, "./a.txt", "hello").raw(t, sp, stored).file(t, "./b.txt", "world").bytes(t)
	for _, verify := range []bool{false, true} {
		dir, fsys := tempRoot(t)
		var notes bytes.Buffer
		st, err := Extract(context.Background(), bytes.NewReader(data), flipFS{fsys}, Options{Notes: &notes, Verify: verify})
		if err != nil {
			t.Fatal(err)
		}
		if !verify {
			if len(st.Errors) != 0 || string(readFile(t, dir, "a.txt")) == "hello" {
				t.Fatalf("without Verify: errors %q, a.txt %q; the corruption should pass unseen", st.Errors, readFile(t, dir, "a.txt"))
			}
			continue
		}
		if len(st.Errors) != 3 || st.Files != 0 {
			t.Fatalf("with Verify: %+v, want the 3 files failed", st)
		}
		for i, name := range []string{"./a.txt", "./sparse", "./b.txt"} {
			if !strings.HasPrefix(st.Errors[i], name+": verify: the file read back differs from the dump: SHA-256 of its data") {
				t.Errorf("error %q, want one naming %s and the mismatch", st.Errors[i], name)
			}
		}
		if !strings.Contains(notes.String(), "amrshell: ./a.txt: verify: ") {
			t.Errorf("notes:\n%s", notes.String())
		}
		checkTree(t, dir, map[string]string{})
	}
	// No false alarm: a sound file system passes, sparse files included.
	dir, fsys := tempRoot(t)
	st, err := Extract(context.Background(), bytes.NewReader(data), fsys, Options{Verify: true})
	if err != nil || len(st.Errors) != 0 || st.Files != 3 {
		t.Fatalf("%+v, %v", st, err)
	}
	if got := readFile(t, dir, "sparse"); !bytes.Equal(got, content) {
		t.Error("sparse file restored wrong")
	}
}

// TestCompareCorpus restores the level 0 of /home/alice (sparse and hard-linked files, long and
// odd names, symbolic links), verifying each file, then compares it with its dump: nothing
// differs. After changes on disk, each is reported by name.
func TestCompareCorpus(t *testing.T) {
	root := corpus.Unpack(t)
	dir, fsys := tempRoot(t)
	st, err := Extract(context.Background(), dumpStream(t, root, aliceL0...), fsys, Options{Verify: true, SameOwner: os.Geteuid() == 0})
	if err != nil || len(st.Errors)+len(st.Refused) > 0 {
		t.Fatalf("%+v, %v", st, err)
	}
	compare := func() (CompareStats, string) {
		t.Helper()
		var notes bytes.Buffer
		cs, err := Compare(context.Background(), dumpStream(t, root, aliceL0...), fsys, Options{Notes: &notes, SameOwner: os.Geteuid() == 0})
		if err != nil {
			t.Fatal(err)
		}
		return cs, notes.String()
	}
	cs, notes := compare()
	if cs.Differ != 0 || cs.Members < 100 {
		t.Fatalf("right after the restore: %d members, %d differ:\n%s", cs.Members, cs.Differ, notes)
	}

	man := loadManifest(t, filepath.Join(root, "MANIFEST/run1/localhost/_home_alice.jsonl"))
	var file, link, hard string
	for p, e := range man {
		switch {
		case e.Type == "file" && e.Size > 10 && e.HardlinkGroup == "" && (file == "" || p < file):
			file = p
		case e.Type == "symlink" && (link == "" || p < link):
			link = p
		case e.HardlinkGroup != "" && (hard == "" || p > hard):
			hard = p
		}
	}
	p := filepath.Join(dir, file)
	b := readFile(t, dir, file)
	b[0] ^= 1
	fi, _ := os.Stat(p)
	if err := os.WriteFile(p, b, 0); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, fi.ModTime(), fi.ModTime()) // same size and mtime: only the content tells
	os.Remove(filepath.Join(dir, link))
	os.Symlink("elsewhere", filepath.Join(dir, link))
	hb := readFile(t, dir, hard)
	os.Remove(filepath.Join(dir, hard))
	os.WriteFile(filepath.Join(dir, hard), hb, 0o644) // a copy now, not a link
	os.Chmod(filepath.Join(dir, "docs"), 0o700)
	os.RemoveAll(filepath.Join(dir, "empty"))

	cs, notes = compare()
	wants := []string{
		"amrshell: ./" + file + ": Contents differ: SHA-256 ",
		"amrshell: ./" + link + ": Symlink differs: to '" + man[link].Target + "' in the dump, to 'elsewhere' on disk",
		"amrshell: ./docs/: Mode differs: 0755 in the dump, 0700 on disk",
		"amrshell: ./empty/: Missing on disk",
	}
	for _, w := range wants {
		if !strings.Contains(notes, w) {
			t.Errorf("no line %q in:\n%s", w, notes)
		}
	}
	// Which name of the group the dump stores as the link depends on tar's walk.
	if !strings.Contains(notes, ": Not linked to ") {
		t.Errorf("the copy replacing hard link %s is not reported:\n%s", hard, notes)
	}
	if cs.Differ < len(wants)+1 || cs.Differ != countMembers(cs.Differences) {
		t.Errorf("Differ %d for %d differences:\n%s", cs.Differ, len(cs.Differences), notes)
	}
}

func countMembers(ds []Difference) int {
	seen := map[string]bool{}
	for _, d := range ds {
		seen[d.Name] = true
	}
	return len(seen)
}

// TestCompare covers each kind of difference on a small archive, and members that cannot be
// compared.
func TestCompare(t *testing.T) {
	later := testTime.Add(time.Minute)
	data := newArchive().dumpdir(t, "./", "Dd").add(t, &tar.Header{Name: "./d/", Typeflag: tar.TypeDir}, nil).
		file(t, "./d/same.txt", "same").file(t, "./d/grown.txt", "grown").
		add(t, &tar.Header{Name: "./d/mtime.txt", Typeflag: tar.TypeReg, ModTime: later}, []byte("x")).
		add(t, &tar.Header{Name: "./d/type", Typeflag: tar.TypeSymlink, Linkname: "same.txt"}, nil).
		add(t, &tar.Header{Name: "./d/hard", Typeflag: tar.TypeLink, Linkname: "./d/same.txt"}, nil).
		add(t, &tar.Header{Name: "./d/fifo", Typeflag: tar.TypeFifo}, nil).
		file(t, "./d/gone.txt", "gone").
		file(t, "../escape.txt", "x").bytes(t)
	dir, fsys := tempRoot(t)
	if st, err := Extract(context.Background(), bytes.NewReader(data), fsys, Options{}); err != nil || len(st.Errors) > 0 {
		t.Fatalf("%+v, %v", st, err)
	}
	os.WriteFile(filepath.Join(dir, "d/grown.txt"), []byte("grown up"), 0o644)
	os.Chtimes(filepath.Join(dir, "d/grown.txt"), testTime, testTime)
	os.Chtimes(filepath.Join(dir, "d/mtime.txt"), testTime, testTime)
	os.Remove(filepath.Join(dir, "d/type"))
	os.Mkdir(filepath.Join(dir, "d/type"), 0o755)
	os.Remove(filepath.Join(dir, "d/gone.txt"))
	os.Chtimes(filepath.Join(dir, "d"), testTime, testTime) // back to the dump's after the changes
	var notes, verbose bytes.Buffer
	cs, err := Compare(context.Background(), bytes.NewReader(data), fsys, Options{Notes: &notes, Verbose: &verbose})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"./d/grown.txt: Size differs: 5 bytes in the dump, 8 on disk",
		"./d/mtime.txt: Mod time differs: 2024-03-05 02:16:00Z in the dump, 2024-03-05 02:15:00Z on disk",
		"./d/type: File type differs: symbolic link in the dump, directory on disk",
		"./d/gone.txt: Missing on disk",
		"../escape.txt: Not compared: member name leads outside the restore directory",
	}
	var got []string
	for _, d := range cs.Differences {
		got = append(got, d.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("differences:\n%s", diffLines(got, want))
	}
	if cs.Differ != 5 || cs.Members != 10 || !strings.Contains(notes.String(), "amrshell: ./d/gone.txt: Missing on disk\n") {
		t.Errorf("stats %+v; notes:\n%s", cs, notes.String())
	}
	if !strings.Contains(verbose.String(), "./d/same.txt\n") {
		t.Errorf("verbose:\n%s", verbose.String())
	}
	// Nothing was written: the changes are still there.
	if got := string(readFile(t, dir, "d/grown.txt")); got != "grown up" {
		t.Errorf("Compare wrote: grown.txt = %q", got)
	}
}
