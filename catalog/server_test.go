package catalog

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/amrshell/amrshell/catalog/amconf"
)

// testServer is a small Amanda server state made for a test: config "TestSet" with the 3.3 log
// of testdata, a 3.5 log of an older run, a log the tapelist no longer names, and index files
// in all five name forms.
type testServer struct {
	dir string // config directory
	cfg *amconf.Config
}

const testAmandaConf = `org "TestSet"
indexdir "index"
logdir "log"
tapelist "tapelist"
tpchanger "chg-disk:/nowhere"
define dumptype tar { program "GNUTAR" }
`

const testDisklist = `client1 /etc tar
client1 "/data/My Docs" tar
client1 /var tar
`

const testTapelist = `20130505010203 VT-02 reuse BLOCKSIZE:32 POOL:TestSet STORAGE:TestSet CONFIG:TestSet
20130505010203 VT-01 reuse
20130404000000 VT-09 no-reuse #kept forever
0 VT-10 reuse
`

// An older 3.5 run: /etc on VT-09, which the tapelist still has from that run, and /var on
// VT-01, which was written again since, so that part is no longer valid.
const testLog35 = `INFO amdump amdump pid 1
START taper datestamp 20130404000000 "ST:TestSet" "POOL:TestSet" label VT-09 tape 1
PART taper "ST:TestSet" "POOL:TestSet" VT-09 1 client1 /etc 20130404000000 1/-1 0 [sec 0.1 bytes 1000 kps 10.0 orig-kb 10]
DONE taper "ST:TestSet" "POOL:TestSet" client1 /etc 20130404000000 1 0 1111aaaa:2000 2222bbbb:1000 2222bbbb:1000 [sec 0.1 bytes 1000 kps 10.0 orig-kb 10]
START taper datestamp 20130404000000 "ST:TestSet" "POOL:TestSet" label VT-01 tape 2
PART taper "ST:TestSet" "POOL:TestSet" VT-01 1 client1 /var 20130404000000 1/-1 0 [sec 0.1 bytes 1000 kps 10.0 orig-kb 10]
DONE taper "ST:TestSet" "POOL:TestSet" client1 /var 20130404000000 1 0 00000000:0 00000000:0 00000000:0 [sec 0.1 bytes 1000 kps 10.0 orig-kb 10]
`

// A run whose volumes all left the tapelist: find.c never reads its log.
const testLogGone = `START taper datestamp 20120101000000 "ST:TestSet" "POOL:TestSet" label VT-09 tape 1
PART taper "ST:TestSet" "POOL:TestSet" VT-09 1 client1 /etc 20120101000000 1/-1 0 [sec 0.1 bytes 1000 kps 10.0 orig-kb 10]
DONE taper "ST:TestSet" "POOL:TestSet" client1 /etc 20120101000000 1 0 00000000:0 00000000:0 00000000:0 [sec 0.1 bytes 1000 kps 10.0 orig-kb 10]
`

const docsIndex = "/\n/z.txt\n/a/b/c/file\nno slash here\n/a/\n/z.txt\nrelative/x\n"

func gz(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "TestSet")
	log33, err := os.ReadFile(filepath.Join("testdata", "log.20130505010203.0"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"amanda.conf":                                           testAmandaConf,
		"disklist":                                              testDisklist,
		"tapelist":                                              testTapelist,
		"log/log.20130505010203.0":                              string(log33),
		"log/log.20130404000000.0":                              testLog35,
		"log/log.20120101000000.0":                              testLogGone,
		"log/amdump.20130505010203":                             "not a trace log\n",
		"index/client1/_etc/20130505010203_0-sorted":            "/\n/etc-sorted\n",
		"index/client1/_etc/20130505010203_0-unsorted.gz":       gz(t, "/\n/etc-unsorted\n"),
		"index/client1/_etc/20130404000000_0-sorted.gz":         gz(t, "/\n/old\n/etc-sorted\n"),
		"index/client1/_data_My Docs/20130505010203_1-unsorted": docsIndex,
		"index/client1/_var/20130505010203_0.gz":                gz(t, "/\n/log/\n"),
		"index/client1/_var/20130404000000_0-unsorted.gz":       gz(t, "/\n/old-log/\n"),
		"index/client1/_var/20130404000000_0.header":            "AMANDA: FILE 20130404000000 client1 /var  lev 0 comp N program GNUTAR\n\f\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := amconf.Load(filepath.Join(dir, "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{dir: dir, cfg: cfg}
}

func openTestCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "sub", "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func historyLines(t *testing.T, c *Catalog, host, disk string) []string {
	t.Helper()
	items, err := c.History(context.Background(), host, disk)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, fmt.Sprintf("%s %d %s", it.Date, it.Level, it.Tapes))
	}
	return out
}

func TestImportLogs33AndTapelistRules(t *testing.T) {
	srv := newTestServer(t)
	c := openTestCatalog(t)
	st, err := c.ImportServer(context.Background(), srv.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.LogsRead != 2 || st.PartialParts != 2 || st.Copies != 4 || st.IndexRead != 5 {
		t.Errorf("stats %+v: want 2 logs read (not the one of a run gone from the tapelist), 2 PARTPARTIAL parts "+
			"discarded, 4 copies, 5 indexes", st)
	}
	tests := []struct {
		disk string
		want []string
	}{
		// 3.3 lines name no storage: the config's name stands for it.
		{"/etc", []string{"2013-05-05-01-02-03 0 TestSet:VT-01:1", "2013-04-04-00-00-00 0 TestSet:VT-09:1"}},
		// Part 2 first hit the end of VT-01 (PARTPARTIAL, file 3) and was written again on VT-02.
		{"/data/My Docs", []string{"2013-05-05-01-02-03 1 TestSet:VT-01:2;TestSet:VT-02:1,2"}},
		// The taper gave up (PARTIAL); the older copy's volume was overwritten since.
		{"/var", nil},
	}
	for _, tt := range tests {
		if got := historyLines(t, c, "client1", tt.disk); !slices.Equal(got, tt.want) {
			t.Errorf("history of %s\n got %q\nwant %q", tt.disk, got, tt.want)
		}
	}
	var partial string
	if err := c.db.QueryRow(`SELECT c.status FROM copies c JOIN dumps d ON d.id = c.dump_id
		WHERE d.datestamp = '20130505010203' AND d.level = 0 AND c.storage = 'TestSet' AND c.message = ''
		AND d.disk_id = (SELECT id FROM disks WHERE name = '/var')`).Scan(&partial); err != nil || partial != "PARTIAL" {
		t.Errorf("/var copy status = %q, %v; want PARTIAL", partial, err)
	}
	items, err := c.History(context.Background(), "client1", "/data/My Docs")
	if err != nil || len(items) != 1 {
		t.Fatalf("history: %v %v", items, err)
	}
	cp, err := c.Copy(context.Background(), items[0].CopyID)
	if err != nil {
		t.Fatal(err)
	}
	wantParts := []Part{{1, "VT-01", 2, "", 1024 * 1024}, {2, "VT-02", 1, "", 1024 * 1024}, {3, "VT-02", 2, "", 952 * 1024}}
	if !slices.Equal(cp.Parts, wantParts) || cp.Storage != "TestSet" || cp.Pool != "TestSet" || cp.Program != "GNUTAR" {
		t.Errorf("copy %+v; want parts %v in storage and pool TestSet, program GNUTAR", cp, wantParts)
	}
}

func TestIndexNameFormsAndListing(t *testing.T) {
	srv := newTestServer(t)
	c := openTestCatalog(t)
	ctx := context.Background()
	if _, err := c.ImportServer(ctx, srv.cfg); err != nil {
		t.Fatal(err)
	}
	etc, err := c.History(ctx, "client1", "/etc")
	if err != nil || len(etc) != 2 {
		t.Fatalf("history of /etc: %v, %v", etc, err)
	}
	var docs int64
	if err := c.db.QueryRow(`SELECT d.id FROM dumps d JOIN disks k ON k.id = d.disk_id WHERE k.name = '/data/My Docs'`).Scan(&docs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		chain []int64
		dir   string
		want  string
	}{
		// -sorted is preferred to -unsorted.gz for the same dump.
		{[]int64{etc[0].DumpID}, "/", ":0 etc-sorted:0"},
		{[]int64{etc[1].DumpID}, "/", ":0 etc-sorted:0 old:0"},
		{[]int64{etc[0].DumpID, etc[1].DumpID}, "/", ":0 etc-sorted:0 old:1"},
		{[]int64{etc[1].DumpID, etc[0].DumpID}, "/", ":0 etc-sorted:0 old:0"},
		// Unsorted, with duplicates, a line without '/', a relative one, and /a/b/c/file whose
		// directories /a/b/ and /a/b/c/ have no line of their own.
		{[]int64{docs}, "/", ":0 a/:0 z.txt:0"},
		{[]int64{docs}, "/a", ":0 b/:0"},
		{[]int64{docs}, "/a/b/", "c/:0"},
		{[]int64{docs}, "/a/b/c/", "file:0"},
		{[]int64{docs}, "/relative/", ""},
		{[]int64{docs}, "/nothing/", ""},
	}
	for _, tt := range tests {
		entries, err := c.ListDir(ctx, tt.chain, tt.dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, fmt.Sprintf("%s:%d", e.Name, slices.Index(tt.chain, e.DumpID)))
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("ListDir(%v, %s) = %q, want %q", tt.chain, tt.dir, s, tt.want)
		}
	}
	var walked []string
	err = c.WalkTree(ctx, []int64{docs}, "/", func(path string, owner int64) error {
		walked = append(walked, path)
		return nil
	})
	// ORLD shows only lines: no /a/b/ nor /a/b/c/.
	if want := []string{"/", "/a/", "/a/b/c/file", "/z.txt"}; err != nil || !slices.Equal(walked, want) {
		t.Errorf("WalkTree = %q, %v; want %q", walked, err, want)
	}
	for dir, want := range map[string]bool{"/a/b": true, "/a/b/c": true, "/z.txt": false, "/relative": false} {
		if got, err := c.DirExists(ctx, []int64{docs}, dir); got != want || err != nil {
			t.Errorf("DirExists(%s) = %v, %v; want %v", dir, got, err, want)
		}
	}
}

func TestReimportReadsOnlyChanges(t *testing.T) {
	srv := newTestServer(t)
	c := openTestCatalog(t)
	ctx := context.Background()
	if _, err := c.ImportServer(ctx, srv.cfg); err != nil {
		t.Fatal(err)
	}
	before := historyIDs(t, c)

	// amdump appends to its log while it runs; an index trimmed by amtrmidx goes away.
	log := filepath.Join(srv.dir, "log", "log.20130404000000.0")
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("INFO amdump pid-done 1\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Remove(filepath.Join(srv.dir, "index", "client1", "_var", "20130404000000_0-unsorted.gz")); err != nil {
		t.Fatal(err)
	}
	st, err := c.ImportServer(ctx, srv.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.LogsRead != 1 || st.LogsSkipped != 1 || st.IndexRead != 0 || st.IndexSkipped != 4 || st.Removed != 1 {
		t.Errorf("stats %+v: want the grown log read again, the other skipped, the trimmed index removed", st)
	}
	if after := historyIDs(t, c); !slices.Equal(after, before) {
		t.Errorf("history ids changed: %v -> %v", before, after)
	}
	var n int
	if err := c.db.QueryRow("SELECT count(*) FROM dumps WHERE datestamp = '20130404000000' AND disk_id = (SELECT id FROM disks WHERE name = '/var')").Scan(&n); err != nil || n != 0 {
		t.Errorf("dump of the trimmed index still there: %d, %v", n, err)
	}

	// A new tapelist (VT-09 relabeled for a later run) makes every log count again.
	tl := strings.Replace(testTapelist, "20130404000000 VT-09 no-reuse #kept forever", "20130606000000 VT-09 reuse", 1)
	if err := os.WriteFile(filepath.Join(srv.dir, "tapelist"), []byte(tl), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = c.ImportServer(ctx, srv.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.LogsRead != 1 || st.Removed != 1 {
		t.Errorf("stats %+v: want the 20130505 log read again and the 20130404 one dropped", st)
	}
	if got, want := historyLines(t, c, "client1", "/etc"), []string{"2013-05-05-01-02-03 0 TestSet:VT-01:1"}; !slices.Equal(got, want) {
		t.Errorf("history of /etc after VT-09 was reused: %q, want %q", got, want)
	}
}

func historyIDs(t *testing.T, c *Catalog) []string {
	var out []string
	for _, disk := range []string{"/etc", "/data/My Docs", "/var"} {
		items, err := c.History(context.Background(), "client1", disk)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			out = append(out, fmt.Sprintf("%d/%d", it.DumpID, it.CopyID))
		}
	}
	return out
}

func TestOpenMigrates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	c, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var version int
	var mode string
	if err := c.db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Errorf("user_version = %d, %v; want %d", version, err, len(migrations))
	}
	if err := c.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v", mode, err)
	}
	if _, err := c.db.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations)+1)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if c, err := Open(context.Background(), path); err == nil {
		c.Close()
		t.Error("Open accepted a catalog from a newer program")
	}
}
