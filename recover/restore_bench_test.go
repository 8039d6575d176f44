package recover

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/internal/benchdata"
)

// benchSpec is the dump the throughput benchmarks restore: benchdata.Default (1 GiB), or
// AMRSHELL_BENCH_MIB mebibytes of it.
func benchSpec(tb testing.TB) benchdata.Spec {
	spec := benchdata.Default
	if s := os.Getenv("AMRSHELL_BENCH_MIB"); s != "" {
		mib, err := strconv.Atoi(s)
		if err != nil || mib <= 0 {
			tb.Fatalf("AMRSHELL_BENCH_MIB=%q: not a number of mebibytes", s)
		}
		spec.Bytes = int64(mib) << 20
	}
	return spec
}

// benchServer returns the benchmark's server, made once into $TMPDIR/amrshell-bench-<size>
// and reused by later runs, and a fresh catalog of it.
func benchServer(tb testing.TB, spec benchdata.Spec) (*benchdata.Server, *catalog.Catalog) {
	tb.Helper()
	name := fmt.Sprintf("amrshell-bench-%dm", spec.Bytes>>20)
	if spec.Bytes == 1<<30 {
		name = "amrshell-bench-1g"
	}
	srv, err := benchdata.Build(filepath.Join(os.TempDir(), name), spec)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	conf, err := amconf.Load(srv.AmandaConf)
	if err != nil {
		tb.Fatal(err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(tb.TempDir(), "catalog.sqlite"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cat.Close() })
	if _, err := cat.ImportServer(ctx, conf); err != nil {
		tb.Fatal(err)
	}
	return srv, cat
}

// The benchmark's path on a small dump: both compressions, parts over volumes, files large
// enough to be written behind; each restore is exact.
func TestRestoreBenchData(t *testing.T) {
	spec := benchdata.Spec{Bytes: 24 << 20, Seed: 7, PartSize: 3 << 20, PartsPerVolume: 2}
	srv, err := benchdata.Build(filepath.Join(t.TempDir(), "bench"), spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conf, err := amconf.Load(srv.AmandaConf)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if _, err := cat.ImportServer(ctx, conf); err != nil {
		t.Fatal(err)
	}
	r := NewRestorer(cat, "")
	for _, d := range srv.Dumps {
		items, err := cat.History(ctx, benchdata.Host, d.Disk)
		if err != nil || len(items) != 1 {
			t.Fatalf("history of %s: %v, %v", d.Disk, items, err)
		}
		cp, err := cat.Copy(ctx, items[0].CopyID)
		if err != nil || len(cp.Parts) != len(d.Parts) || cp.NativeCRC != d.NativeCRC.String() {
			t.Fatalf("copy of %s: %+v, %v; want %d parts, native CRC %v", d.Disk, cp, err, len(d.Parts), d.NativeCRC)
		}
		target := t.TempDir()
		var notes bytes.Buffer
		req := Request{CopyID: cp.ID, Items: []Item{{Path: "/", Dir: true, Named: true}}}
		if err := r.Restore(ctx, req, target, io.Discard, &notes); err != nil {
			t.Fatalf("restore %s: %v\n%s", d.Compression, err, notes.Bytes())
		}
		if err := srv.Tree.Verify(target); err != nil {
			t.Errorf("restore %s: %v", d.Compression, err)
		}
	}
}

// BenchmarkRestore restores the whole of a 1 GiB dump (benchdata.Default: 367 files, half
// random, half text; level 0 of amgtar; 3 parts of 256 MiB over 2 vtapes), compressed with gzip
// fast and with zstd, through Restorer.Restore as the shell's extract does, and, on the same
// parts, with the Unix pipeline the Amanda baseline measured:
//
//	for p in PARTS; do dd if=$p bs=32k skip=1; done | gzip -dc | tar -xf - -G -C OUT
//
// MB/s is of restored file content (10^6 bytes); x-pipeline is amrshell's speed over the
// pipeline's, measured just before in the same run. Each restore goes into an empty directory
// after a sync (untimed), as the baseline's; the first of each is checked against the tree.
//
//	go test -run '^$' -bench BenchmarkRestore -benchtime 3x ./recover/
//
// The data (1.4 GB) is made on the first run into $TMPDIR/amrshell-bench-1g; -short
// skips the benchmark, AMRSHELL_BENCH_MIB=N restores N MiB instead.
func BenchmarkRestore(b *testing.B) {
	if testing.Short() {
		b.Skip("restores 1 GiB: not with -short")
	}
	srv, cat := benchServer(b, benchSpec(b))
	ctx := context.Background()
	for _, d := range srv.Dumps {
		c := compression(d.Compression)
		b.Run(d.Compression, func(b *testing.B) {
			var pipeline float64
			b.Run("pipeline", func(b *testing.B) {
				tools := []string{"sh", "dd", c.Command[0], "tar"}
				for _, tool := range tools {
					if _, err := exec.LookPath(tool); err != nil {
						b.Skipf("no comparison with the pipeline: %s not found (it needs %v)", tool, tools)
					}
				}
				script := `out=$1; shift; for p in "$@"; do dd if="$p" bs=32k skip=1 status=none; done | ` +
					c.Command[0] + " " + c.Command[1] + ` | tar -xf - -G -C "$out"`
				pipeline = restoreLoop(b, srv.Tree, func(target string) error {
					args := []string{"-c", script, "sh", target}
					for _, p := range d.Parts {
						args = append(args, p.Path)
					}
					cmd := exec.Command("sh", args...)
					var stderr bytes.Buffer
					cmd.Stderr = &stderr
					if err := cmd.Run(); err != nil {
						return fmt.Errorf("%s: %v: %s", script, err, stderr.Bytes())
					}
					return nil
				})
			})
			b.Run("amrshell", func(b *testing.B) {
				items, err := cat.History(ctx, benchdata.Host, d.Disk)
				if err != nil || len(items) != 1 {
					b.Fatalf("history of %s: %v, %v", d.Disk, items, err)
				}
				r := NewRestorer(cat, "")
				req := Request{CopyID: items[0].CopyID, Items: []Item{{Path: "/", Dir: true, Named: true}}}
				speed := restoreLoop(b, srv.Tree, func(target string) error {
					var notes bytes.Buffer
					if err := r.Restore(ctx, req, target, io.Discard, &notes); err != nil {
						return fmt.Errorf("%v\n%s", err, notes.Bytes())
					}
					return nil
				})
				if pipeline > 0 {
					b.ReportMetric(speed/pipeline, "x-pipeline")
				}
			})
		})
	}
}

// restoreLoop times restore into an empty directory b.N times and returns the speed in MB/s of
// file content; the first restore is checked against the tree.
func restoreLoop(b *testing.B, tree *benchdata.Tree, restore func(target string) error) float64 {
	b.SetBytes(tree.Bytes)
	for i := range b.N {
		b.StopTimer()
		target := filepath.Join(b.TempDir(), "restore")
		if err := os.Mkdir(target, 0o755); err != nil {
			b.Fatal(err)
		}
		unix.Sync() // the last restore's data is written back before, not during, this one
		b.StartTimer()
		if err := restore(target); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if i == 0 {
			if err := tree.Verify(target); err != nil {
				b.Fatalf("the restored tree differs: %v", err)
			}
		}
		if err := os.RemoveAll(target); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	return float64(tree.Bytes) * float64(b.N) / 1e6 / b.Elapsed().Seconds()
}

// compression finds a benchdata.Compression by name.
func compression(name string) benchdata.Compression {
	for _, c := range benchdata.Compressions {
		if c.Name == name {
			return c
		}
	}
	panic("no compression " + name)
}
