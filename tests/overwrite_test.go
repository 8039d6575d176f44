package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --overwrite decides what becomes of files already in the restore directory: always replaced
// (amrecover's way, the default), replaced only by newer ones, or never.
func TestOverwritePolicy(t *testing.T) {
	const session = "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-28-46\ncd docs\nadd readme.txt obsolete.txt\nextract\nY\nY\nquit\n"
	mine := []byte("the user's own\n")
	tests := []struct {
		policy    string
		keptNewer bool // docs/readme.txt, newer on disk than in the dump
		keptOlder bool // docs/obsolete.txt, older on disk
		stdout    string
	}{
		{"always", false, false, "WARNING: Existing file "},
		{"if-newer", true, false, "are replaced only by newer ones (overwrite policy if-newer)\n"},
		{"never", true, true, "are kept (overwrite policy never)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			docs := filepath.Join(w.Restore, "docs")
			if err := os.MkdirAll(docs, 0o755); err != nil {
				t.Fatal(err)
			}
			newer, older := filepath.Join(docs, "readme.txt"), filepath.Join(docs, "obsolete.txt")
			for _, p := range []string{newer, older} {
				if err := os.WriteFile(p, mine, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
			if err := os.Chtimes(older, old, old); err != nil {
				t.Fatal(err)
			}
			res := runAmrshell(t, w.Restore, session, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog,
				"-h", "localhost", "--overwrite", tt.policy)
			checkNoPanic(t, res)
			if res.ExitCode != 0 {
				t.Fatalf("exit status %d\nstderr:\n%s", res.ExitCode, tail(res.Stderr, 20))
			}
			if !strings.Contains(res.Stdout, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, tail(res.Stdout, 15))
			}
			for _, f := range []struct {
				path string
				kept bool
			}{{newer, tt.keptNewer}, {older, tt.keptOlder}} {
				data, err := os.ReadFile(f.path)
				if err != nil {
					t.Fatal(err)
				}
				if kept := string(data) == string(mine); kept != f.kept {
					t.Errorf("%s kept: %v, want %v (policy %s)\nstderr:\n%s", f.path, kept, f.kept, tt.policy, tail(res.Stderr, 10))
				}
			}
			checkSandbox(t, w)
		})
	}
}

func TestOverwritePolicyUnknown(t *testing.T) {
	w := newWorld(t)
	res := runAmrshell(t, w.Restore, "quit\n", "--catalog", w.Catalog, "--overwrite", "sometimes")
	if res.ExitCode != 2 || !strings.Contains(res.Stderr, `amrshell: --overwrite: unknown overwrite policy "sometimes"`) {
		t.Errorf("exit status %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
}

// The policy and --verify hold for DUMP dumps too.
func TestOverwritePolicyDump(t *testing.T) {
	const session = "sethost localhost\nsetdisk /srv/ext2vol\nsetdate 2026-11-22-23-28-46\nadd passwd fstab\nextract\nY\nY\nquit\n"
	w := newWorld(t)
	mine := []byte("the user's own\n")
	if err := os.WriteFile(filepath.Join(w.Restore, "passwd"), mine, 0o644); err != nil {
		t.Fatal(err)
	}
	res := runAmrshell(t, w.Restore, session, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog,
		"-h", "localhost", "--overwrite", "never", "--verify")
	checkNoPanic(t, res)
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "amrshell: ./passwd: kept what is there: it exists (overwrite policy never)\n") {
		t.Fatalf("exit status %d\nstderr:\n%s", res.ExitCode, tail(res.Stderr, 20))
	}
	if data, err := os.ReadFile(filepath.Join(w.Restore, "passwd")); err != nil || string(data) != string(mine) {
		t.Errorf("passwd replaced under --overwrite never (%v): %q", err, data)
	}
	m, err := loadManifest(w.Root, 1, "localhost", "/srv/ext2vol")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(w.Restore, "fstab")); err != nil || sha256Hex(string(data)) != m["fstab"].SHA256 {
		t.Errorf("fstab restored with --verify differs from the manifest's (%v)", err)
	}
}
