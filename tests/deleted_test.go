package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// TestDeletedFilesByName restores files that were deleted before the chosen date, each named
// one by one: amrecover's view still lists them (the union of the chain's indexes) and a user
// gets a deleted file back this way. Each must come back as it was in the last run that had it.
func TestDeletedFilesByName(t *testing.T) {
	pristine := corpus.Unpack(t)
	runs, err := runDatestamps(pristine)
	if err != nil {
		t.Fatal(err)
	}
	// As of run 3: docs/obsolete.txt and the whole of src/pkg03 were deleted after run 1,
	// docs/new-in-run2.txt after run 2.
	last := map[string]int{"docs/obsolete.txt": 1, "docs/new-in-run2.txt": 2, "src/pkg03/module_003.txt": 1}
	script := fmt.Sprintf("sethost localhost\nsetdisk /home/alice\nsetdate %s\ncd docs\nadd obsolete.txt new-in-run2.txt\n"+
		"cd /home/alice/src/pkg03\nadd module_003.txt\nlist\nextract\n%s", niceDate(runs[3]), strings.Repeat("Y\n", 3))
	w := newWorld(t)
	res := w.run(t, script)
	checkNoPanic(t, res)
	if res.ExitCode != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 30), tail(res.Stderr, 30))
	}
	got, err := snapshotTree(w.Restore)
	if err != nil {
		t.Fatal(err)
	}
	for p, run := range last {
		m, err := loadManifest(pristine, run, "localhost", "/home/alice")
		if err != nil {
			t.Fatal(err)
		}
		want, ok := m[p]
		if !ok {
			t.Fatalf("%s is not in run %d's manifest", p, run)
		}
		if got[p].Type != "file" || got[p].SHA256 != want.SHA256 {
			t.Errorf("%s: got %s %s, want the file of run %d (sha256 %s)\nstdout:\n%s", p, got[p].Type, short(got[p].SHA256), run, short(want.SHA256), tail(res.Stdout, 30))
		}
	}
	for p, e := range got {
		if e.Type == "file" && last[p] == 0 {
			t.Errorf("%s: restored but not asked for", p)
		}
	}
	checkSandbox(t, w)
}
