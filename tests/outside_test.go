package tests

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSymlinkInRestoreDirectory: a symbolic link in the restore directory that leads outside
// (docs -> elsewhere) must lead neither the level-0 overwrite check nor the extraction there.
// amrecover would stat and delete entries through it; amrshell deletes the link itself (it
// stands where the dump has a directory, as amrecover warns) and restores beside it.
func TestSymlinkInRestoreDirectory(t *testing.T) {
	w := newWorld(t)
	outside := t.TempDir()
	if err := os.Symlink("/etc/hostname", filepath.Join(outside, "readme.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(outside, "keep-forever.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(w.Restore, "docs")); err != nil {
		t.Fatal(err)
	}
	res := w.run(t, "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-28-46\ncd docs\n"+
		"add readme.txt\nadd keep-forever.txt\nextract\nY\nY\n")
	checkNoPanic(t, res)
	if res.ExitCode != 0 {
		t.Errorf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 20), tail(res.Stderr, 20))
	}
	for name, want := range map[string]os.FileMode{"readme.txt": os.ModeSymlink, "keep-forever.txt": os.ModeNamedPipe} {
		fi, err := os.Lstat(filepath.Join(outside, name))
		if err != nil || fi.Mode().Type() != want {
			t.Errorf("outside the restore directory, %s was changed: %v %v", name, fi, err)
		}
	}
	m, err := loadManifest(w.Root, 1, "localhost", "/home/alice")
	if err != nil {
		t.Fatal(err)
	}
	got, err := snapshotTree(w.Restore)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"docs/readme.txt", "docs/keep-forever.txt"} {
		if got[p].Type != "file" || got[p].SHA256 != m[p].SHA256 {
			t.Errorf("%s: %s %s, want the file of run 1\nstdout:\n%s", p, got[p].Type, short(got[p].SHA256), tail(res.Stdout, 20))
		}
	}
	if !strings.Contains(res.Stdout, "is not a directory, it will be deleted.") {
		t.Errorf("no warning that the link docs will be deleted:\n%s", tail(res.Stdout, 20))
	}
}
