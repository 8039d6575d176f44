package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/internal/synth"
)

// benchServer writes a synthetic server (synth.WriteServer) whose one DLE, localhost:/big,
// has tree as its index, and loads its configuration.
func benchServer(tb testing.TB, tree synth.Tree) (*amconf.Config, *synth.Server) {
	tb.Helper()
	srv, err := synth.WriteServer(filepath.Join(tb.TempDir(), "Bench"), tree)
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := amconf.Load(srv.AmandaConf)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg, srv
}

// liveContext is a context that can be cancelled, as the shell's (signal.NotifyContext):
// go-sqlite3 runs statements differently, and slower, with one.
func liveContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return ctx
}

// importFresh imports cfg into a new catalog at path and checks that all of the index came in.
func importFresh(tb testing.TB, cfg *amconf.Config, srv *synth.Server, path string) *Catalog {
	tb.Helper()
	ctx := liveContext(tb)
	c, err := Open(ctx, path)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := c.ImportServer(ctx, cfg)
	if err != nil || st.IndexRead != 1 || st.IndexLines != int64(srv.Tree.Lines()) || len(st.Warnings) > 0 {
		c.Close()
		tb.Fatalf("import of %d index lines: %+v, %v", srv.Tree.Lines(), st, err)
	}
	return c
}

// onlyDump is the one dump of the synthetic server's DLE, as a chain.
func onlyDump(tb testing.TB, c *Catalog, srv *synth.Server) []int64 {
	tb.Helper()
	items, err := c.History(context.Background(), srv.Host, srv.Disk)
	if err != nil || len(items) != 1 || items[0].Datestamp != srv.Datestamp || items[0].Level != 0 {
		tb.Fatalf("history of %s:%s: %+v, %v", srv.Host, srv.Disk, items, err)
	}
	return []int64{items[0].DumpID}
}

// BenchmarkListDir lists a 100-file directory of a 1M-entry index made of 10 000 such
// directories.
func BenchmarkListDir(b *testing.B) {
	ctx := context.Background()
	cfg, srv := benchServer(b, synth.Tree{Dirs: 10_000, PerDir: 100})
	c := importFresh(b, cfg, srv, filepath.Join(b.TempDir(), "catalog.db"))
	defer c.Close()
	chain := onlyDump(b, c, srv)
	for b.Loop() {
		entries, err := c.ListDir(ctx, chain, "/tree/d4242/")
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
	tree := synth.Tree{Dirs: 1000, PerDir: 99}
	if err := synth.WriteIndexFile(path, tree); err != nil {
		b.Fatal(err)
	}
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
		if err != nil || got != int64(tree.Lines()) {
			b.Fatalf("import: %d lines, %v", got, err)
		}
		total += got
		n++
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
}
