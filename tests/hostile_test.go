package tests

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/amrshell/amrshell/internal/hostile"
)

// nobody is the user the hostile dumps are extracted as when the tests run as root: the cases
// are about what an unprivileged restore must refuse (device nodes, set-id bits of others).
const nobody = 65534

// TestHostileDumps plants each dump of internal/hostile into a corpus copy as a real holding-disk
// dump of localhost:/home/alice (header, index, trace log) and extracts it whole with `add .`,
// as a user who is not root: each hostile member is refused with a line naming it and saying
// why (or, for a stream that cannot be followed, the error names the member), the harmless
// members are restored, nothing is written outside the restore directory (the cases aim at
// its parent), no temporary file is left, and amrshell exits with status 1.
func TestHostileDumps(t *testing.T) {
	const datestamp = "20261122235959" // after every run of the corpus
	for i, name := range caseNames() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			c := hostile.Cases(w.Sandbox)[i]
			if _, err := hostile.Plant(w.Root, c, datestamp); err != nil {
				t.Fatal(err)
			}
			var cred *syscall.Credential
			if os.Geteuid() == 0 {
				cred = &syscall.Credential{Uid: nobody, Gid: nobody}
				giveTo(t, nobody, w.Root, filepath.Dir(w.Catalog), w.Sandbox)
			}
			res := runAmrshellAs(t, cred, w.Restore, extractScript(hostile.Host, hostile.Disk, datestamp, ".", 1),
				"--amanda-conf", w.amandaConf(), "--catalog", w.Catalog, "-h", "localhost", "-s", "localhost", "-t", "localhost")
			report := "stdout:\n" + tail(res.Stdout, 25) + "\nstderr:\n" + tail(res.Stderr, 25)
			checkNoPanic(t, res)
			if res.ExitCode != 1 {
				t.Errorf("%s: exit status %d, want 1\n%s", c.What, res.ExitCode, report)
			}
			stderr := strings.Split(res.Stderr, "\n")
			for _, r := range c.Refused {
				if !hasLine(stderr, "amrshell: "+r.Member+": refused: ", r.Why) {
					t.Errorf("%s: no stderr line refusing %s because %q\n%s", c.What, r.Member, r.Why, report)
				}
			}
			if c.Broken != "" && !hasLine(stderr, "", c.Broken) {
				t.Errorf("%s: no stderr line saying %q\n%s", c.What, c.Broken, report)
			}
			checkHostileTree(t, w, c)
			checkSandbox(t, w)
		})
	}
}

func caseNames() []string {
	var names []string
	for _, c := range hostile.Cases("/outside") {
		names = append(names, c.Name)
	}
	return names
}

// hasLine reports whether a line starts with prefix (anywhere when prefix is "") and holds why.
func hasLine(lines []string, prefix, why string) bool {
	for _, l := range lines {
		if i := strings.Index(l, prefix); i >= 0 && (prefix == "" || i == 0) && strings.Contains(l[i+len(prefix):], why) {
			return true
		}
	}
	return false
}

// checkHostileTree checks the restore directory: the case's files with their content, without
// set-id bits, its other entries, and nothing else (no temporary file either).
func checkHostileTree(t *testing.T, w *world, c hostile.Case) {
	t.Helper()
	tree, err := snapshotTree(w.Restore)
	if err != nil {
		t.Fatal(err)
	}
	for p, content := range c.Restored {
		e, ok := tree[p]
		switch {
		case !ok || e.Type != "file":
			t.Errorf("%s: %s not restored as a file (%+v)", c.What, p, e)
		case e.SHA256 != sha256Hex(content):
			t.Errorf("%s: %s restored with the wrong content", c.What, p)
		case e.Mode&0o6000 != 0:
			t.Errorf("%s: %s restored with mode %04o: set-id bits of another user", c.What, p, e.Mode)
		}
	}
	for p, e := range tree {
		if _, ok := c.Restored[p]; ok {
			continue
		}
		allowed := false
		for _, o := range c.Others {
			allowed = allowed || p == o
		}
		if !allowed {
			t.Errorf("%s: the restore directory holds %s (%s), which the case does not restore", c.What, p, e.Type)
		}
	}
}

// giveTo makes uid the owner of everything under dirs, and lets it reach them: the test's
// temporary directories are private to root.
func giveTo(t *testing.T, uid int, dirs ...string) {
	t.Helper()
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, _ fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return os.Lchown(p, uid, uid)
		})
		if err != nil {
			t.Fatal(err)
		}
		reachable(t, filepath.Dir(d))
	}
	reachable(t, filepath.Dir(binPath))
}

// reachable lets everyone through dir and the directories above it.
func reachable(t *testing.T, dir string) {
	t.Helper()
	for p := dir; p != "/"; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&0o001 == 0 {
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				t.Fatal(err)
			}
		}
	}
}
