package tests

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// estimate tells, before any prompt, what extract would restore from each dump and which
// parts and volumes it would read, in load order; with --dry-run extract prints the same and
// restores nothing, and the extract list stays.
func TestEstimate(t *testing.T) {
	w := newWorld(t)
	// add * at the root of run 3's view chooses, in the level 0, the directories that did
	// not change after run 1 (list shows them under the level 0's TAPE line).
	chosen := []string{"data", "deep", "docs", "links", "odd names", "projects", "src"}
	m, err := loadManifest(w.Root, 1, "localhost", "/home/alice")
	if err != nil {
		t.Fatal(err)
	}
	files, dirs := 0, 0
	for p, e := range m {
		if top, _, _ := strings.Cut(p, "/"); !slices.Contains(chosen, top) {
			continue
		}
		if e.Type == "dir" {
			dirs++
		} else {
			files++
		}
	}
	const session = "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-19\nadd *\n%s\nlist\nquit\n"
	want := []string{
		"Extract estimate: 3 dump(s), restored in this order:\n",
		fmt.Sprintf("  localhost:/home/alice level 0 of 2026-11-22-23-28-46: %d file(s), %d directory(ies); 1339 kB to read, 1630 kB dumped\n", files, dirs),
		"      volume Vault1-01 file 1: part 1 of 2 (1024 kB)\n      volume Vault1-01 file 2: part 2 of 2 (315 kB)\n",
		"  localhost:/home/alice level 1 of 2026-11-22-23-29-02: ",
		"      volume Vault1-01 file 3: part 1 of 1 (5 kB)\n",
		"  localhost:/home/alice level 2 of 2026-11-22-23-29-19: ",
		"      volume Vault1-01 file 4: part 1 of 1 (5 kB)\n",
		"; 1348 kB to read, 1730 kB dumped.\nVolumes to load, in order: Vault1-01\n",
	}
	for _, tt := range []struct {
		name, command string
		args          []string
	}{
		{"estimate", "estimate", nil},
		{"extract --dry-run", "extract", []string{"--dry-run"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--amanda-conf", w.amandaConf(), "--catalog", w.Catalog, "-h", "localhost"}, tt.args...)
			res := runAmrshell(t, w.Restore, fmt.Sprintf(session, tt.command), args...)
			checkNoPanic(t, res)
			if res.ExitCode != 0 {
				t.Fatalf("exit status %d\nstderr:\n%s", res.ExitCode, res.Stderr)
			}
			rest := res.Stdout
			for _, s := range want {
				i := strings.Index(rest, s)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", s, res.Stdout)
				}
				rest = rest[i+len(s):]
			}
			// The list stays, and nothing was restored or asked.
			if !strings.Contains(rest, "TAPE vault:Vault1-01:4 LEVEL 2") || strings.Contains(res.Stdout, "Continue [") {
				t.Errorf("after %s, the list is gone or a question was asked:\n%s", tt.command, res.Stdout)
			}
			if ents, err := os.ReadDir(w.Restore); err != nil || len(ents) != 0 {
				t.Errorf("the restore directory holds %d entries (%v), want none", len(ents), err)
			}
		})
	}
}
