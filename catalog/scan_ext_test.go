package catalog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/amrshell/amrshell/recover"
)

// scanCorpus scans the volumes and holding disk of the corpus at root into a new catalog.
func scanCorpus(t *testing.T, root string, index bool) (*catalog.Catalog, catalog.ScanStats) {
	t.Helper()
	c, err := catalog.Open(context.Background(), filepath.Join(t.TempDir(), "scan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	opts := catalog.ScanOptions{
		Changers: []string{"chg-disk:" + filepath.Join(root, "vtapes", "main"), "chg-disk:" + filepath.Join(root, "vtapes", "vault")},
		Holding:  []string{filepath.Join(root, "holding")},
	}
	if index {
		opts.Index = recover.NewRestorer(c, "").Index
	}
	st, err := c.Scan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, st
}

func importServer(t *testing.T, root string) *catalog.Catalog {
	t.Helper()
	cfg, err := amconf.Load(filepath.Join(root, "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Open(context.Background(), filepath.Join(t.TempDir(), "import.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.ImportServer(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestScanMatchesImport scans the corpus' volumes and holding disk and compares the catalog
// with the one imported from the server's own state: hosts and disks (as sets: the disklist
// order is not on the volumes), every disk's history, every copy and every dump's file index.
func TestScanMatchesImport(t *testing.T) {
	ctx := context.Background()
	root := corpus.Unpack(t)
	want := importServer(t, root)
	got, st := scanCorpus(t, root, true)
	if len(st.Warnings) > 0 || st.Volumes != 12 || st.Parts != 19 || st.Holding != 1 || st.Copies != 14 || st.Incomplete != 0 ||
		st.Indexed != 11 {
		t.Errorf("stats %+v; want 12 volumes, 19 parts, 1 holding dump, 14 copies, 11 dumps indexed, no warning", st)
	}
	if got.ConfigName() != want.ConfigName() {
		t.Errorf("config %q, want %q", got.ConfigName(), want.ConfigName())
	}
	for _, q := range []func(*catalog.Catalog) ([]string, error){
		func(c *catalog.Catalog) ([]string, error) { return c.Hosts(ctx) },
		func(c *catalog.Catalog) ([]string, error) { return c.StorageList(ctx) },
	} {
		g, err1 := q(got)
		w, err2 := q(want)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if slices.Sort(g); true {
			slices.Sort(w)
		}
		if !slices.Equal(g, w) {
			t.Errorf("scanned %q, imported %q", g, w)
		}
	}
	hosts, _ := want.Hosts(ctx)
	for _, host := range hosts {
		disks, err := want.Disks(ctx, host)
		if err != nil {
			t.Fatal(err)
		}
		gotDisks, err := got.Disks(ctx, host)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(slices.Sorted(slices.Values(gotDisks)), slices.Sorted(slices.Values(disks))) {
			t.Errorf("disks of %s: scanned %q, imported %q", host, gotDisks, disks)
		}
		for _, disk := range disks {
			compareDisk(t, got, want, host, disk)
		}
	}
	for _, label := range []string{"Vault1-01", "DailySet1-04", "DailySet1-01", "DailySet1-05", "Vault1-02"} {
		g, _, err1 := got.VolumePosition(ctx, label)
		w, _, err2 := want.VolumePosition(ctx, label)
		if err1 != nil || err2 != nil || g != w {
			t.Errorf("position of %s: scanned %d, tapelist %d (%v, %v)", label, g, w, err1, err2)
		}
	}
}

// compareDisk compares the history of a disk, each copy in it and each dump's index.
func compareDisk(t *testing.T, got, want *catalog.Catalog, host, disk string) {
	ctx := context.Background()
	g, err1 := got.History(ctx, host, disk)
	w, err2 := want.History(ctx, host, disk)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	line := func(it catalog.HistoryItem) string {
		return fmt.Sprintf("%s %s %d %s %s", it.Datestamp, it.Date, it.Level, it.Storage, it.Tapes)
	}
	if gl, wl := mapped(g, line), mapped(w, line); !slices.Equal(gl, wl) {
		t.Errorf("history of %s:%s\nscanned:  %q\nimported: %q", host, disk, gl, wl)
		return
	}
	for i := range g {
		gc, err1 := got.Copy(ctx, g[i].CopyID)
		wc, err2 := want.Copy(ctx, w[i].CopyID)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if wc.NativeCRC == "" { // amvault's log has no CRCs; the headers have them
			wc.NativeCRC, wc.ClientCRC, wc.ServerCRC = gc.NativeCRC, gc.ClientCRC, gc.ServerCRC
		}
		gc.ID, gc.DumpID = wc.ID, wc.DumpID
		if fmt.Sprintf("%+v", *gc) != fmt.Sprintf("%+v", *wc) {
			t.Errorf("copy %s of %s:%s\nscanned:  %+v\nimported: %+v", g[i].Tapes, host, disk, *gc, *wc)
		}
		gi, wi := walk(t, got, g[i].DumpID), walk(t, want, w[i].DumpID)
		if !slices.Equal(gi, wi) {
			t.Errorf("index of %s:%s level %d of %s\nscanned:  %q\nimported: %q", host, disk, g[i].Level, g[i].Datestamp, gi, wi)
		}
		if len(wi) == 0 {
			t.Errorf("no index of %s:%s level %d of %s to compare", host, disk, g[i].Level, g[i].Datestamp)
		}
	}
}

func mapped[T, U any](s []T, f func(T) U) []U {
	var out []U
	for _, v := range s {
		out = append(out, f(v))
	}
	return out
}

// walk lists the index of one dump as ORLD would, from "/".
func walk(t *testing.T, c *catalog.Catalog, dumpID int64) []string {
	t.Helper()
	var paths []string
	err := c.WalkTree(context.Background(), []int64{dumpID}, "/", func(p string, _ int64) error {
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// TestScanHeadersOnly scans without --index: copies but no file index, and a second scan
// changes nothing.
func TestScanHeadersOnly(t *testing.T) {
	ctx := context.Background()
	root := corpus.Unpack(t)
	c, st := scanCorpus(t, root, false)
	if st.Indexed != 0 || st.Copies != 14 {
		t.Errorf("stats %+v; want 14 copies, nothing indexed", st)
	}
	items, err := c.History(ctx, "localhost", "/home/alice")
	if err != nil || len(items) != 7 {
		t.Fatalf("history of localhost:/home/alice: %d items (%v), want 7", len(items), err)
	}
	if paths := walk(t, c, items[0].DumpID); len(paths) != 0 {
		t.Errorf("an index without --index: %q", paths)
	}
	before := mapped(items, func(it catalog.HistoryItem) string { return fmt.Sprint(it) })
	if _, err := c.Scan(ctx, catalog.ScanOptions{Changers: []string{filepath.Join(root, "vtapes", "main")},
		Holding: []string{filepath.Join(root, "holding")}}); err != nil {
		t.Fatal(err)
	}
	after, err := c.History(ctx, "localhost", "/home/alice")
	if err != nil {
		t.Fatal(err)
	}
	if a := mapped(after, func(it catalog.HistoryItem) string { return fmt.Sprint(it) }); !slices.Equal(a, before) {
		t.Errorf("history changed by a second scan:\n%q\n%q", before, a)
	}
}

// TestScanIncomplete leaves out the volume that holds parts 3 to 5 of localhost:/srv/media's
// level 0, and cuts a part of client2:/etc's: neither copy may be offered.
func TestScanIncomplete(t *testing.T) {
	ctx := context.Background()
	root := corpus.Copy(t)
	if err := os.RemoveAll(filepath.Join(root, "vtapes", "main", "slot2")); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(root, "vtapes", "main", "slot1", "00001.client2._etc.0"), 40000); err != nil {
		t.Fatal(err)
	}
	c, st := scanCorpus(t, root, false)
	if st.Incomplete != 2 {
		t.Errorf("%d incomplete copies, want 2", st.Incomplete)
	}
	for _, d := range []struct{ host, disk, gone string }{
		{"localhost", "/srv/media", "20261122232846"},
		{"client2", "/etc", "20261122232846"},
	} {
		items, err := c.History(ctx, d.host, d.disk)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Datestamp == d.gone {
				t.Errorf("history of %s:%s offers the incomplete copy %s", d.host, d.disk, it.Tapes)
			}
		}
		if len(items) == 0 {
			t.Errorf("history of %s:%s lost its complete copies", d.host, d.disk)
		}
	}
}

// TestScanErrors: a changer that is not there fails the scan; an empty one finds nothing.
func TestScanErrors(t *testing.T) {
	c, err := catalog.Open(context.Background(), filepath.Join(t.TempDir(), "scan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	empty := t.TempDir()
	for _, tt := range []struct {
		opts catalog.ScanOptions
		want string
	}{
		{catalog.ScanOptions{Changers: []string{"chg-disk:" + filepath.Join(empty, "missing")}}, "missing"},
		{catalog.ScanOptions{Changers: []string{"s3:bucket"}}, "s3"},
		{catalog.ScanOptions{Changers: []string{"chg-disk:" + empty}}, "no volume"},
	} {
		_, err := c.Scan(context.Background(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Scan(%v): %v, want an error saying %q", tt.opts.Changers, err, tt.want)
		}
	}
}
