package catalog

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/amrshell/amrshell/catalog/amconf"
)

// writeIndex writes a gzipped Amanda index of dirs directories of files files each, as
// amgtar's dumper writes it: every directory first, then the files ("/" + dirs*(files+1) lines).
func writeIndex(tb testing.TB, path string, dirs, files int) int {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	w := bufio.NewWriter(zw)
	fmt.Fprintln(w, "/")
	for d := range dirs {
		fmt.Fprintf(w, "/d%05d/\n", d)
	}
	for d := range dirs {
		for i := range files {
			fmt.Fprintf(w, "/d%05d/file-%03d.txt\n", d, i)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return 1 + dirs*(files+1)
}

// benchServer makes a configuration with one DLE, bench:/big, dumped once at level 0 with an
// index of dirs x files entries.
func benchServer(tb testing.TB, dirs, files int) *amconf.Config {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "Bench")
	for name, content := range map[string]string{
		"amanda.conf": "indexdir \"index\"\nlogdir \"log\"\ntapelist \"tapelist\"\ndefine dumptype tar { program \"GNUTAR\" }\n",
		"disklist":    "bench /big tar\n",
		"tapelist":    "20240101000000 B-01 reuse\n",
		"log/log.20240101000000.0": `START taper datestamp 20240101000000 "ST:Bench" "POOL:Bench" label B-01 tape 1
PART taper "ST:Bench" "POOL:Bench" B-01 1 bench /big 20240101000000 1/-1 0 [sec 1 bytes 1 kps 1]
DONE taper "ST:Bench" "POOL:Bench" bench /big 20240101000000 1 0 [sec 1 bytes 1 kps 1]
`,
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	writeIndex(tb, filepath.Join(dir, "index", "bench", "_big", "20240101000000_0-unsorted.gz"), dirs, files)
	cfg, err := amconf.Load(filepath.Join(dir, "amanda.conf"))
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// BenchmarkListDir lists a 100-file directory of a 1M-entry index.
func BenchmarkListDir(b *testing.B) {
	ctx := context.Background()
	cfg := benchServer(b, 10000, 100)
	c, err := Open(ctx, filepath.Join(b.TempDir(), "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	st, err := c.ImportServer(ctx, cfg)
	if err != nil || st.IndexLines < 1_000_000 {
		b.Fatalf("import: %+v, %v", st, err)
	}
	items, err := c.History(ctx, "bench", "/big")
	if err != nil || len(items) != 1 {
		b.Fatalf("history: %v, %v", items, err)
	}
	chain := []int64{items[0].DumpID}
	for b.Loop() {
		entries, err := c.ListDir(ctx, chain, "/d04242/")
		if err != nil || len(entries) != 101 {
			b.Fatalf("ListDir: %d entries, %v", len(entries), err)
		}
	}
}

// BenchmarkImportIndex imports a 100k-line index as a new dump each time.
func BenchmarkImportIndex(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "20240101000000_0-unsorted.gz")
	lines := writeIndex(b, path, 1000, 100)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	c, err := Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var diskID int64
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		hostID, err := upsertHost(ctx, tx, "bench")
		if err != nil {
			return err
		}
		diskID, err = upsertDisk(ctx, tx, hostID, "/big")
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	n := 0
	for b.Loop() {
		got, err := c.importIndexFile(ctx, diskID, fmt.Sprintf("2024010100%04d", n), 0, path, fi)
		if err != nil || got != int64(lines) {
			b.Fatalf("import: %d lines, %v", got, err)
		}
		total += got
		n++
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
}
