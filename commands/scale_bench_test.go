package commands

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/internal/synth"
)

// BenchmarkSessionScale runs amrecover's commands on the real catalog of the amrecover
// baseline's synthetic index (synth.Baseline, DLE localhost:/big mounted at /big) at each of
// synth.Sizes, as the baseline's sessions do (amrecover-baseline.md, part A): `cd` + `ls` of
// its 100-entry and 100 000-entry directories, `add .` at the top (every file of the disk),
// and `add *` in the 100 000-entry directory; each with the peak resident set it took.
func BenchmarkSessionScale(b *testing.B) {
	// Cancellable, as the shell's (signal.NotifyContext): go-sqlite3 runs statements
	// differently, and slower, with such a context.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, size := range synth.Sizes() {
		b.Run(size.Name, func(b *testing.B) {
			tree := synth.Baseline(size.Entries)
			srv, err := synth.WriteServer(filepath.Join(b.TempDir(), "Bench"), tree)
			if err != nil {
				b.Fatal(err)
			}
			cfg, err := amconf.Load(srv.AmandaConf)
			if err != nil {
				b.Fatal(err)
			}
			cat, err := catalog.Open(ctx, filepath.Join(b.TempDir(), "catalog.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer cat.Close()
			if st, err := cat.ImportServer(ctx, cfg); err != nil || st.IndexLines != int64(tree.Lines()) {
				b.Fatalf("import: %+v, %v", st, err)
			}
			var out bytes.Buffer
			s := New(Options{Index: cat, Out: &out, Err: &out, LocalDir: b.TempDir()})
			s.Start(ctx, srv.Host, "2024-01-02")
			// run runs the lines and returns the output's lines, failing on any in fail.
			run := func(b *testing.B, lines ...string) []string {
				out.Reset()
				for _, l := range lines {
					s.Exec(ctx, l)
				}
				got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
				for _, l := range got {
					if strings.HasPrefix(l, "5") || strings.HasPrefix(l, "Invalid") || strings.HasSuffix(l, "doesn't exist in directory") {
						b.Fatalf("%q: %s", lines, l)
					}
				}
				return got
			}
			run(b, "setdisk "+srv.Disk)
			for _, tc := range []struct {
				name  string
				lines []string
				want  int    // output lines
				first string // the first of them
			}{
				{"cd-ls-100", []string{"cd /big/small", "ls"}, 1 + 101, "/big/small"},
				{"cd-ls-100k", []string{"cd /big/big", "ls"}, 1 + 100_001, "/big/big"},
				{"add-all", []string{"cd /big", "add .", "clear"}, 2, "/big"},
				{"add-star-100k", []string{"cd /big/big", "add *", "clear"}, 1 + 100_000, "/big/big"},
			} {
				b.Run(tc.name, func(b *testing.B) {
					report := synth.ReportPeakRSS(b)
					for b.Loop() {
						if got := run(b, tc.lines...); len(got) != tc.want || got[0] != tc.first {
							b.Fatalf("%q: %d lines from %q, want %d from %q", tc.lines, len(got), got[0], tc.want, tc.first)
						}
					}
					report()
				})
			}
		})
	}
}
