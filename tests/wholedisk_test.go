package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// extractScript is an amrecover script that selects with `add what` at the top of host:disk as
// of the datestamp and extracts, answering Y to each of the answers prompts. The answers come
// last: amrecover (and amrshell) swallow what follows them.
func extractScript(host, disk, datestamp, what string, answers int) string {
	return fmt.Sprintf("sethost %s\nsetdisk %s\nsetdate %s\nhistory\nadd %s\nlist\nextract\n%s",
		host, disk, niceDate(datestamp), what, strings.Repeat("Y\n", answers))
}

// answersFor counts the prompts of a whole-disk extract as of run: one "Load tape" per dump of
// the chain read from a volume (holding-disk dumps need none) and the level-0 "Continue [?/Y/n]?".
func answersFor(t *testing.T, root, host, disk string, run int) int {
	t.Helper()
	dumps, err := loadDumps(root)
	if err != nil {
		t.Fatal(err)
	}
	chain := restoreChain(dumps, host, disk, run)
	if len(chain) == 0 || chain[len(chain)-1].Level != 0 {
		t.Fatalf("no level-0 chain for %s:%s as of run %d in dumps.tsv", host, disk, run)
	}
	answers := 1
	for _, d := range chain {
		if d.Kind != "holding" {
			answers++
		}
	}
	return answers
}

// TestWholeDiskAsOfEachRun restores whole disks as of each run with `add .` and compares the
// trees with the manifests exactly; `add *` at the top must restore the same tree as `add .`.
func TestWholeDiskAsOfEachRun(t *testing.T) {
	pristine := corpus.Unpack(t)
	runs, err := runDatestamps(pristine)
	if err != nil {
		t.Fatal(err)
	}
	trees := t.TempDir() // the restore dirs of "alice run 3" with `add .` and `add *`, compared below
	tests := []struct {
		host, disk string
		run        int
		what       string
		keep       string // restore into trees/keep/restore, for the comparison after the group
	}{
		{"localhost", "/home/alice", 1, ".", ""},
		{"localhost", "/home/alice", 2, ".", ""},
		{"localhost", "/home/alice", 3, ".", "dot"},
		{"localhost", "/home/alice", 4, ".", ""}, // level 2 on the holding disk
		{"client2", "/etc", 1, ".", ""},
		{"client2", "/etc", 2, ".", ""},
		{"client2", "/etc", 3, ".", ""},
		{"localhost", "/home/alice", 3, "*", "star"},
	}
	t.Run("group", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s:%s/run%d/add %s", tc.host, corpus.Sanitise(tc.disk), tc.run, tc.what), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				if tc.keep != "" {
					w.Sandbox = filepath.Join(trees, tc.keep)
					w.Restore = filepath.Join(w.Sandbox, "restore")
					if err := os.MkdirAll(w.Restore, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				script := extractScript(tc.host, tc.disk, runs[tc.run], tc.what, answersFor(t, pristine, tc.host, tc.disk, tc.run))
				res := w.run(t, script)
				checkNoPanic(t, res)
				if res.ExitCode != 0 {
					t.Errorf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 30), tail(res.Stderr, 30))
				}
				sess, err := parseSession(script)
				if err != nil {
					t.Fatal(err)
				}
				exp := expectSession(t, pristine, sess)
				if len(exp.Parents) != 0 {
					t.Fatalf("add %s at the top selected a part of the tree only", tc.what)
				}
				if rep := verifyTree(t, w.Restore, exp, false); !rep.ok() {
					t.Errorf("tree differs from run %d's manifest:\n%s\nstdout:\n%s\nstderr:\n%s", tc.run, rep, tail(res.Stdout, 30), tail(res.Stderr, 30))
				}
				checkSandbox(t, w)
			})
		}
	})
	// Both trees were checked against the manifest above; compared with each other they must
	// also agree on what the manifest does not say (mode bits outside it, stray entries).
	dot, err1 := snapshotTree(filepath.Join(trees, "dot", "restore"))
	star, err2 := snapshotTree(filepath.Join(trees, "star", "restore"))
	if err1 != nil || err2 != nil || len(dot) == 0 || len(star) == 0 {
		t.Fatalf("add . and add * as of run 3 left no trees to compare (%d and %d entries; %v %v)", len(dot), len(star), err1, err2)
	}
	for p, d := range dot {
		s, ok := star[p]
		switch {
		case !ok:
			t.Errorf("add * lacks %s, which add . restored", p)
		case s.Type != d.Type || s.Mode != d.Mode || s.SHA256 != d.SHA256 || s.Target != d.Target:
			t.Errorf("%s differs: add . gave %s %04o %s %q, add * gave %s %04o %s %q", p,
				d.Type, d.Mode, short(d.SHA256), d.Target, s.Type, s.Mode, short(s.SHA256), s.Target)
		}
	}
	for p := range star {
		if _, ok := dot[p]; !ok {
			t.Errorf("add * restored %s, which add . did not", p)
		}
	}
}

// TestAnswersForMatchesTranscripts checks answersFor against the number of answers amrecover
// needed in the recorded whole-disk extracts.
func TestAnswersForMatchesTranscripts(t *testing.T) {
	root := corpus.Unpack(t)
	for _, tc := range []struct {
		session    string
		host, disk string
		run        int
	}{
		{"s03-extract-all-run3", "localhost", "/home/alice", 3},
		{"s06-spanning-two-vtapes", "localhost", "/srv/media", 1},
		{"s07-second-host-server-compressed", "client2", "/etc", 2},
		{"s10-extract-dot-run2", "localhost", "/home/alice", 2},
	} {
		tr := loadTranscript(t, root, tc.session)
		if got, want := answersFor(t, root, tc.host, tc.disk, tc.run), countLines(tr.Stdin, "Y"); got != want {
			t.Errorf("%s: answersFor = %d, amrecover was given %d", tc.session, got, want)
		}
	}
}

func countLines(s, line string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		if l == line {
			n++
		}
	}
	return n
}
