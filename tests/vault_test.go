package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// The recorded sessions that read vaulted copies (amrecover's choice: "Load tape Vault1-01")
// still restore exactly when the vault cannot be read, from the copies in the other storage,
// and amrshell says so on stderr; stdout stays amrecover's.
func TestVaultCopiesUnreadable(t *testing.T) {
	pristine := corpus.Unpack(t)
	damages := []struct {
		name   string
		damage func(t *testing.T, root string)
		report []string // on stderr, for each session that restores the level 0 of /home/alice
	}{
		{
			name: "vault volumes removed",
			damage: func(t *testing.T, root string) {
				if err := os.RemoveAll(filepath.Join(root, "vtapes", "vault")); err != nil {
					t.Fatal(err)
				}
			},
			report: []string{"amrshell: the copy in storage vault (Vault1-01) failed: ",
				"amrshell: reading localhost:/home/alice level 0 of 20261122232846 from the copy in storage DailySet1 (DailySet1-01) instead\n"},
		},
		{
			name: "vault part 2 of the level 0 damaged",
			damage: func(t *testing.T, root string) {
				f, err := os.OpenFile(filepath.Join(root, "vtapes/vault/slot1/00002.localhost._home_alice.0"), os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteAt(bytes.Repeat([]byte{0xAA}, 128), 32768+50000); err != nil {
					t.Fatal(err)
				}
			},
			report: []string{"(data read from the copy in storage vault (Vault1-01); reading volume 'Vault1-01' file 2)\n",
				"amrshell: restoring localhost:/home/alice level 0 of 20261122232846 again, from the copy in storage DailySet1 (DailySet1-01)\n"},
		},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			for _, name := range transcriptNames(t, pristine) {
				tr := loadTranscript(t, pristine, name)
				if tr.Verify == "" || !strings.Contains(tr.Stdout, "Load tape Vault1-01 now") {
					continue
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					sess, err := parseSession(tr.Stdin)
					if err != nil {
						t.Fatal(err)
					}
					w := newWorld(t)
					d.damage(t, w.Root)
					res := replay(t, pristine, tr, sess, w)
					if !strings.Contains(tr.Stdout, "Restoring files into directory") {
						return // no level 0 restored
					}
					for _, r := range d.report {
						if !strings.Contains(res.Stderr, r) {
							t.Errorf("stderr lacks %q:\n%s", r, tail(res.Stderr, 20))
						}
					}
				})
			}
		})
	}
}

// When no changer holds any copy of a dump, amrshell asks for the volume as Amanda's scan does,
// and the answer read from stdin names another device, skips the dump or, at the end of the
// input, aborts the extract.
func TestInsertVolume(t *testing.T) {
	const script = "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-19\nadd *\nextract\nY\nY\n"
	tests := []struct {
		name     string
		answers  string // after the two Y of the level 0
		exit     int
		stderr   []string
		restored bool // the level 0 is restored
	}{
		{name: "another changer", answers: "chg-disk:SHELF\nY\nY\nquit\n", exit: 0, restored: true},
		{name: "skip", answers: "s\nY\nY\nquit\n", exit: 1,
			stderr: []string{"amrshell: restore localhost:/home/alice level 0 of 20261122232846: load volume 'Vault1-01': ", ": skipped at the operator's request\n"}},
		{name: "end of input", answers: "", exit: 1,
			stderr: []string{"amrshell: extract aborted; 3 dump(s) not restored stay in the extract list\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			// The vault's volume is on a shelf, the main one gone: no changer has the level 0.
			shelf := filepath.Join(t.TempDir(), "shelf")
			if err := os.MkdirAll(shelf, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(w.Root, "vtapes/vault/slot1"), filepath.Join(shelf, "slot1")); err != nil {
				t.Fatal(err)
			}
			if err := os.RemoveAll(filepath.Join(w.Root, "vtapes/main/slot1")); err != nil {
				t.Fatal(err)
			}
			res := w.run(t, script+strings.ReplaceAll(tt.answers, "SHELF", shelf))
			checkNoPanic(t, res)
			for _, want := range []string{
				"Insert volume labeled 'Vault1-01' in changer and type <enter>\n",
				"or type \"^D\" to abort, \"s\" to skip this dump, \"d\" to read it from another device\n",
			} {
				if !strings.Contains(res.Stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, tail(res.Stdout, 20))
				}
			}
			if res.ExitCode != tt.exit {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", res.ExitCode, tt.exit, tail(res.Stderr, 20))
			}
			for _, want := range tt.stderr {
				if !strings.Contains(res.Stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, tail(res.Stderr, 20))
				}
			}
			// Only the level 0 has this file: it did not change after run 1.
			_, err := os.Stat(filepath.Join(w.Restore, "odd names", "#hash#.txt"))
			if restored := err == nil; restored != tt.restored {
				t.Errorf("level 0 restored: %v, want %v", restored, tt.restored)
			}
			checkSandbox(t, w)
		})
	}
}
