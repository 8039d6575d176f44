package commands

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amrshell/amrshell/recover"
	"github.com/amrshell/amrshell/recover/gtar"
)

// renamingRecorder records the restores, as recorder, and reads the renames of the dumps from
// the corpus' volumes with the real Restorer, noting the dates it was asked about.
type renamingRecorder struct {
	recorder
	real *recover.Restorer
	read []string
}

func (r *renamingRecorder) Renames(ctx context.Context, copyID int64, device string) ([]gtar.Rename, error) {
	cp, err := r.idx.Copy(ctx, copyID)
	if err != nil {
		return nil, err
	}
	r.read = append(r.read, cp.Datestamp)
	return r.real.Renames(ctx, copyID, device)
}

// Run 2's level 1 of /home/alice renamed projects/alpha to projects/alpha-renamed, leaving
// its unchanged files in run 1's level 0 under the old name: extract adds the old name there.
func TestExtractFollowsRenames(t *testing.T) {
	const (
		run3  = "setdate 2026-11-22-23-29-19"
		added = "amrshell: /projects/alpha-renamed was /projects/alpha before 2026-11-22-23-29-02: adding /projects/alpha/ at date 2026-11-22-23-28-46 for its unchanged files\n"
	)
	tests := []struct {
		name   string
		lines  []string
		plain  bool     // a Restorer that cannot read renames
		groups []string // what the Restorer got: date and paths of each group
		read   []string // the datestamps of the dumps whose renames were read
		stderr string
	}{
		{
			name:  "the new name",
			lines: []string{run3, "cd projects", "add alpha-renamed"},
			groups: []string{
				"2026-11-22-23-28-46 /projects/alpha/",
				"2026-11-22-23-29-02 /projects/alpha-renamed/",
				"2026-11-22-23-29-19 /projects/alpha-renamed/",
			},
			read:   []string{"20261122232902", "20261122232919"},
			stderr: added,
		},
		{
			name:  "the new name, with a Restorer that cannot read renames",
			lines: []string{run3, "cd projects", "add alpha-renamed"},
			plain: true,
			groups: []string{
				"2026-11-22-23-29-02 /projects/alpha-renamed/",
				"2026-11-22-23-29-19 /projects/alpha-renamed/",
			},
		},
		{
			name:  "the old name chosen already, in its parent",
			lines: []string{run3, "add projects"},
			groups: []string{
				"2026-11-22-23-28-46 /projects/",
				"2026-11-22-23-29-02 /projects/",
				"2026-11-22-23-29-19 /projects/",
			},
			read: []string{"20261122232902", "20261122232919"},
		},
		{
			name:   "the whole disk: nothing to read",
			lines:  []string{run3, "add ."},
			groups: []string{"2026-11-22-23-28-46 /", "2026-11-22-23-29-02 /", "2026-11-22-23-29-19 /"},
		},
		{
			name:   "a file in the renamed directory: nothing to read",
			lines:  []string{run3, "cd projects/alpha-renamed", "add added-after-rename.c"},
			groups: []string{"2026-11-22-23-29-02 /projects/alpha-renamed/added-after-rename.c"},
		},
		{
			name:   "as of run 1, before the rename: a level 0 alone",
			lines:  []string{"setdate 2026-11-22-23-28-46", "cd projects", "add alpha"},
			groups: []string{"2026-11-22-23-28-46 /projects/alpha/"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			idx, _ := corpusCatalog(t)
			rr := &renamingRecorder{recorder: recorder{idx: idx}, real: recover.NewRestorer(idx, "")}
			var restorer Restorer = rr
			if tc.plain {
				restorer = &rr.recorder
			}
			var out, errOut bytes.Buffer
			ans := &answers{out: &out, lines: slices.Repeat([]string{"y"}, 4)}
			s := New(Options{Index: idx, Restorer: restorer, Interactive: ans, Out: &out, Err: &errOut,
				TapeServer: "localhost", LocalDir: t.TempDir()})
			s.now = func() time.Time { return time.Date(2026, 11, 22, 23, 40, 0, 0, time.Local) }
			ctx := context.Background()
			s.Start(ctx, "localhost", "2026-11-22")
			for _, l := range append([]string{"setdisk /home/alice"}, tc.lines...) {
				s.Exec(ctx, l)
			}
			out.Reset()
			s.Exec(ctx, "extract")

			var got []string
			for _, g := range rr.groups {
				var items []string
				for _, it := range g.Items {
					items = append(items, it.Path)
				}
				got = append(got, g.Date+" "+strings.Join(items, ","))
			}
			if !slices.Equal(got, tc.groups) {
				t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.groups, "\n"))
			}
			if !slices.Equal(rr.read, tc.read) {
				t.Errorf("renames read of %q, want %q", rr.read, tc.read)
			}
			if errOut.String() != tc.stderr {
				t.Errorf("stderr %q, want %q", errOut.String(), tc.stderr)
			}
			// The dialogue is amrecover's for the groups as completed: one line of volumes
			// and one Load tape prompt per group, the level 0 asking before it overwrites.
			needed := out.String()[:strings.Index(out.String(), "\n\n")+1]
			if n := strings.Count(needed, "Vault1-01"); n != len(tc.groups) {
				t.Errorf("%d volumes listed as needed, want %d:\n%s", n, len(tc.groups), out.String())
			}
			if n := strings.Count(out.String(), "Load tape Vault1-01 now\n"); n != len(tc.groups) {
				t.Errorf("%d Load tape prompts, want %d:\n%s", n, len(tc.groups), out.String())
			}
			level0 := strings.HasPrefix(tc.groups[0], "2026-11-22-23-28-46 ")
			if got := strings.Contains(out.String(), "Restoring files into directory "); got != level0 {
				t.Errorf("level-0 question asked: %v, want %v:\n%s", got, level0, out.String())
			}
		})
	}
}
