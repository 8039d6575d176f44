package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExactRestoreKeeps: the silent purges that make `add *` restore exactly what `add .` would
// delete only what the extract itself restored, never a file the user had there before (even
// one made between two extracts), and never a file chosen by name.
func TestExactRestoreKeeps(t *testing.T) {
	t.Run("user files, also between two extracts", func(t *testing.T) {
		w := newWorld(t)
		mine := filepath.Join(w.Restore, "docs", "mine.txt")
		if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		mine2 := filepath.Join(w.Restore, "docs", "mine2.txt")
		// The first extract restores docs as of run 3 over a mine.txt; the second one again,
		// after the user made mine2.txt. 3 dumps: 3 tape prompts and the level-0 question each.
		script := "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-19\ncd docs\nadd *\nextract\n" +
			strings.Repeat("Y\n", 4)
		res := w.run(t, script)
		if res.ExitCode != 0 {
			t.Fatalf("first extract: exit status %d\nstderr:\n%s", res.ExitCode, tail(res.Stderr, 20))
		}
		if err := os.WriteFile(mine2, []byte("mine too"), 0o644); err != nil {
			t.Fatal(err)
		}
		res = w.run(t, script)
		if res.ExitCode != 0 {
			t.Fatalf("second extract: exit status %d\nstderr:\n%s", res.ExitCode, tail(res.Stderr, 20))
		}
		for _, p := range []string{mine, mine2} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s was deleted: %v\nstderr:\n%s", p, err, tail(res.Stderr, 20))
			}
		}
		// Still exact for what the dumps hold: new-in-run2.txt was deleted before run 3.
		if _, err := os.Lstat(filepath.Join(w.Restore, "docs", "new-in-run2.txt")); !os.IsNotExist(err) {
			t.Errorf("docs/new-in-run2.txt is there (%v), but run 3 had deleted it", err)
		}
	})
	t.Run("a file chosen by name", func(t *testing.T) {
		w := newWorld(t)
		res := w.run(t, "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-19\ncd docs\nadd *\n"+
			"add new-in-run2.txt\nextract\n"+strings.Repeat("Y\n", 4))
		if res.ExitCode != 0 {
			t.Fatalf("exit status %d\nstderr:\n%s", res.ExitCode, tail(res.Stderr, 20))
		}
		if _, err := os.Stat(filepath.Join(w.Restore, "docs", "new-in-run2.txt")); err != nil {
			t.Errorf("docs/new-in-run2.txt, chosen by name, is not there: %v\nstderr:\n%s", err, tail(res.Stderr, 20))
		}
	})
}
