package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// TestRenamedDirectory restores, as of run 3, directories of /home/alice that run 2's level 1
// renamed (projects/alpha became projects/alpha-renamed; file00.c..file05.c did not change, so
// they are only in run 1's level 0, under the old name, and amrecover's add does not choose
// them). The tree must be run 3's manifest over the selection exactly: no file missing, and
// nothing left under the old name.
func TestRenamedDirectory(t *testing.T) {
	pristine := corpus.Unpack(t)
	runs, err := runDatestamps(pristine)
	if err != nil {
		t.Fatal(err)
	}
	answers := answersFor(t, pristine, "localhost", "/home/alice", 3) // every dump of the chain
	tests := []struct {
		cwd, what string
		stderr    string // a line amrshell must say on stderr
	}{
		{"projects", "alpha-renamed",
			"amrshell: /projects/alpha-renamed was /projects/alpha before 2026-11-22-23-29-02: adding /projects/alpha/ at date 2026-11-22-23-28-46 for its unchanged files"},
		// Only whole renamed directories move: the old name of sub is not added (it would stay
		// as projects/alpha/sub), a warning says why. Run 2 dumped sub's one file anew.
		{"projects/alpha-renamed", "sub",
			"amrshell: warning: /projects/alpha-renamed was /projects/alpha before 2026-11-22-23-29-02: files in /projects/alpha-renamed/sub/ that did not change since may be left out (they are in /projects/alpha/sub/); add /projects/alpha-renamed to restore them"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("cd %s/add %s", tc.cwd, tc.what), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			script := fmt.Sprintf("sethost localhost\nsetdisk /home/alice\nsetdate %s\ncd %s\nadd %s\nlist\nextract\n%s",
				niceDate(runs[3]), tc.cwd, tc.what, strings.Repeat("Y\n", answers))
			res := w.run(t, script)
			checkNoPanic(t, res)
			if res.ExitCode != 0 {
				t.Errorf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 30), tail(res.Stderr, 30))
			}
			if !strings.Contains(res.Stderr, tc.stderr+"\n") {
				t.Errorf("stderr lacks the line\n%s\nstderr:\n%s", tc.stderr, tail(res.Stderr, 30))
			}
			sess, err := parseSession(script)
			if err != nil {
				t.Fatal(err)
			}
			exp := expectSession(t, pristine, sess)
			if rep := verifyTree(t, w.Restore, exp, false); !rep.ok() {
				t.Errorf("tree differs from run 3's manifest over %s/%s:\n%s\nstdout:\n%s\nstderr:\n%s",
					tc.cwd, tc.what, rep, tail(res.Stdout, 30), tail(res.Stderr, 30))
			}
			checkSandbox(t, w)
		})
	}
}
