package tests

import (
	"path/filepath"
	"strings"
	"testing"
)

// -d names a single vtape directory (chg-single over a file: device): a restore whose dumps
// are all on its volume reads them there; a volume that is not the one in the drive is named
// as the wrong one, and the operator's answer names the drive that holds it.
func TestSingleDevice(t *testing.T) {
	const choose = "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-19\nadd *\nextract\n"
	tests := []struct {
		name    string
		device  string // under the corpus root
		answers string // after extract; DEV is replaced by the corpus' vtapes directory
		prompts []string
	}{
		// Every dump of the chain has a copy on Vault1-01.
		{name: "the volume in the drive", device: "vtapes/vault/slot1", answers: "Y\nY\nY\nY\nquit\n"},
		// DailySet1-03 holds the level 1 only: the level 0 and 2 are asked for, and read from
		// the drive the answers name (the vault copy is the one asked for).
		{
			name: "wrong volume", device: "vtapes/main/slot3",
			answers: "Y\nY\nfile:DEV/vault/slot1\nY\nY\nfile:DEV/vault/slot1\nquit\n",
			prompts: []string{
				"expected volume label 'Vault1-01', but found volume label 'DailySet1-03'",
				"Insert volume labeled 'Vault1-01' in changer and type <enter>\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			sess, err := parseSession(choose)
			if err != nil {
				t.Fatal(err)
			}
			answers := strings.ReplaceAll(tt.answers, "DEV", filepath.Join(w.Root, "vtapes"))
			res := runAmrshell(t, w.Restore, choose+answers, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog,
				"-h", "localhost", "-d", "file:"+filepath.Join(w.Root, tt.device))
			checkNoPanic(t, res)
			if res.ExitCode != 0 {
				t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 20), tail(res.Stderr, 20))
			}
			for _, p := range tt.prompts {
				if !strings.Contains(res.Stdout, p) {
					t.Errorf("stdout lacks %q:\n%s", p, tail(res.Stdout, 30))
				}
			}
			if !strings.Contains(tt.name, "wrong") && strings.Contains(res.Stdout, "Insert volume") {
				t.Errorf("asked for a volume that is in the drive:\n%s", tail(res.Stdout, 30))
			}
			exp := expectSession(t, w.Root, sess)
			if rep := verifyTree(t, w.Restore, exp, false); !rep.ok() {
				t.Errorf("restored tree differs from the manifest:\n%s", rep)
			}
			checkSandbox(t, w)
		})
	}
}
