package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// extract --verify restores as usual; verify then reads the dumps again and finds the restore
// directory as they say, and later names what was changed or removed in it.
func TestVerify(t *testing.T) {
	w := newWorld(t)
	const choose = "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-19\nadd *\n"
	args := []string{"--amanda-conf", w.amandaConf(), "--catalog", w.Catalog, "-h", "localhost"}
	res := runAmrshell(t, w.Restore, choose+"extract\nY\nY\nY\nY\n", append(args, "--verify")...)
	checkNoPanic(t, res)
	if res.ExitCode != 0 {
		t.Fatalf("extract --verify: exit status %d\nstderr:\n%s", res.ExitCode, tail(res.Stderr, 20))
	}

	verify := func(t *testing.T) result {
		t.Helper()
		res := runAmrshell(t, w.Restore, choose+"verify\nquit\n", args...)
		checkNoPanic(t, res)
		return res
	}
	res = verify(t)
	for _, want := range []string{
		"Verified localhost:/home/alice level 2 of 20261122232919: 39 member(s) compared, 0 differ\n",
		"Verified localhost:/home/alice level 0 of 20261122232846: 124 member(s) compared, 0 differ\n",
		"Verify of " + w.Restore + ": 166 member(s) compared, 0 differ.\n",
	} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("verify of a fresh restore: stdout lacks %q:\n%s", want, tail(res.Stdout, 10))
		}
	}
	if res.ExitCode != 0 {
		t.Errorf("verify of a fresh restore: exit status %d\nstderr:\n%s", res.ExitCode, res.Stderr)
	}

	if err := os.WriteFile(filepath.Join(w.Restore, "docs", "readme.txt"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(w.Restore, "odd names", "#hash#.txt")); err != nil {
		t.Fatal(err)
	}
	res = verify(t)
	for _, want := range []string{
		"./docs/readme.txt: Size differs: 2801 bytes in the dump, 8 on disk\n",
		"./odd names/#hash#.txt: Missing on disk\n",
		"Verify of " + w.Restore + ": 166 member(s) compared, 3 differ.\n",
	} {
		if !strings.Contains(res.Stdout, want) {
			t.Errorf("verify after changes: stdout lacks %q:\n%s", want, tail(res.Stdout, 12))
		}
	}
	if res.ExitCode != 1 {
		t.Errorf("verify after changes: exit status %d, want 1", res.ExitCode)
	}
}
