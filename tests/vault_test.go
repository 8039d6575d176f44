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
