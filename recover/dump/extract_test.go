package dump

import (
	"testing"

	"github.com/amrshell/amrshell/recover/gtar"
)

// TestCorpusTrees restores the corpus' dumps of /srv/ext2vol, whole or in part, as of run 1
// (level 0) and run 2 (level 0 then level 1: a directory deleted, a file added, one changed),
// and compares the trees with the manifests exactly.
func TestCorpusTrees(t *testing.T) {
	l0, l1 := image(t, level0), image(t, level1)
	star := func(names ...string) gtar.PathSelection {
		s := gtar.PathSelection{}
		s.Add("", gtar.Exact)
		for _, n := range names {
			s.Add(n, gtar.Listed)
		}
		return s
	}
	top0 := []string{"apt", "cron.d", "default", "empty.d", "fstab", "hosts", "mtab", "network", "passwd", "shadow", "ssh", "systemd"}
	top1 := []string{"apt", "cron.d", "empty.d", "fstab", "hosts", "mtab", "network", "passwd", "shadow", "ssh", "systemd"}
	tests := []struct {
		name   string
		levels []level
		run    int
		keep   func(string) bool
	}{
		{"run1 add .", []level{{l0, all()}}, 1, nil},
		{"run2 add .", []level{{l0, all()}, {l1, all()}}, 2, nil},
		{"run2 add * as amrecover would", []level{{l0, star(top1...)}, {l1, star("cron.d", "hosts")}}, 2, nil},
		{"run2 add * of every run-1 entry", []level{{l0, star(top0...)}, {l1, star(top0...)}}, 2, nil},
		{"run2 add cron.d", []level{{l0, gtar.PathSelection{"cron.d": gtar.Listed}}, {l1, gtar.PathSelection{"cron.d": gtar.Listed}}}, 2, under("cron.d")},
		{"run2 add systemd/system", []level{{l0, gtar.PathSelection{"systemd/system": gtar.Listed}}}, 2, under("systemd/system")},
		{"run2 add hosts", []level{{l1, gtar.PathSelection{"hosts": gtar.Listed}}}, 2, under("hosts")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			restoreChain(t, dir, tc.levels...)
			want := manifest(t, tc.run, tc.keep)
			if tc.keep != nil {
				addParents(want)
			}
			compareTree(t, dir, want)
			noTemps(t, dir)
		})
	}
}
