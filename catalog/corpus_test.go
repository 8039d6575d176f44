package catalog

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/internal/corpus"
)

// importCorpus imports the real corpus into a fresh catalog.
func importCorpus(t testing.TB) (*Catalog, string, ImportStats) {
	t.Helper()
	root := corpus.Unpack(t)
	cfg, err := amconf.Load(filepath.Join(root, "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Open(context.Background(), filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	st, err := c.ImportServer(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, root, st
}

// session is one amrecover transcript split at its prompts.
type session []struct {
	cmd    string
	output []string
}

func readSession(t *testing.T, root, name string) session {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "TRANSCRIPTS", "amrecover", name+".stdout"))
	if err != nil {
		t.Fatal(err)
	}
	// The transcripts were made under the build root; a copy elsewhere has its paths.
	text := strings.ReplaceAll(string(b), corpus.BuildRoot, root)
	var s session
	for _, chunk := range strings.Split(text, "amrecover> ")[1:] {
		lines := strings.Split(strings.TrimSuffix(chunk, "\n"), "\n")
		s = append(s, struct {
			cmd    string
			output []string
		}{lines[0], lines[1:]})
	}
	return s
}

// output returns the output of the n-th (from 0) command cmd of the session.
func (s session) output(t *testing.T, cmd string, n int) []string {
	t.Helper()
	for _, c := range s {
		if c.cmd == cmd {
			if n == 0 {
				return c.output
			}
			n--
		}
	}
	t.Fatalf("transcript has no %q number %d", cmd, n)
	return nil
}

var transcripts = []string{
	"s01-browse", "s02-point-in-time", "s03-extract-all-run3", "s04-extract-odd-names-run1",
	"s05-extract-with-holding-run4", "s06-spanning-two-vtapes", "s07-second-host-server-compressed",
	"s08-errors", "s09-add-delete-list", "s10-extract-dot-run2", "s11-dump-ext2",
}

func TestHistoryMatchesTranscripts(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	want := map[[2]string][]string{}
	for _, name := range transcripts {
		for _, cmd := range readSession(t, root, name) {
			if cmd.cmd != "history" {
				continue
			}
			var host, qdisk string
			if _, err := fmt.Sscanf(cmd.output[0], `200- Dump history for config "DailySet1" host %q disk %s`, &host, &qdisk); err != nil {
				t.Fatalf("%s: history header %q: %v", name, cmd.output[0], err)
			}
			var lines []string
			for _, l := range cmd.output[1:] {
				if s, ok := strings.CutPrefix(l, "201- "); ok {
					lines = append(lines, s)
				}
			}
			want[[2]string{host, device.UnquoteString(qdisk)}] = lines
		}
	}
	hosts, err := c.Hosts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, h := range hosts {
		disks, err := c.Disks(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range disks {
			w, ok := want[[2]string{h, d}]
			if !ok {
				t.Errorf("no transcript shows the history of %s:%s", h, d)
				continue
			}
			items, err := c.History(ctx, h, d)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range items {
				got = append(got, fmt.Sprintf("%s %d %s", it.Date, it.Level, it.Tapes))
			}
			if !slices.Equal(got, w) {
				t.Errorf("history of %s:%s\n got %q\nwant %q", h, d, got, w)
			}
			checked++
		}
	}
	if checked != 4 {
		t.Errorf("checked %d disks, want the corpus's 4", checked)
	}
}

func TestHostsAndDisksMatchTranscript(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	s := readSession(t, root, "s01-browse")
	var wantHosts, wantDisks []string
	for _, l := range s.output(t, "listhost", 0) {
		if h, ok := strings.CutPrefix(l, "201- "); ok {
			wantHosts = append(wantHosts, h)
		}
	}
	for _, l := range s.output(t, "listdisk", 0) {
		if d, ok := strings.CutPrefix(l, "201- "); ok {
			wantDisks = append(wantDisks, device.UnquoteString(d))
		}
	}
	hosts, err := c.Hosts(ctx)
	if err != nil || !slices.Equal(hosts, wantHosts) {
		t.Errorf("Hosts = %q, %v; want %q", hosts, err, wantHosts)
	}
	disks, err := c.Disks(ctx, "LOCALHOST")
	if err != nil || !slices.Equal(disks, wantDisks) {
		t.Errorf("Disks(LOCALHOST) = %q, %v; want %q", disks, err, wantDisks)
	}
}

func TestCheckHostAndDisk(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	s := readSession(t, root, "s08-errors")
	hostRefusal := strings.TrimPrefix(s.output(t, "sethost nosuchhost.invalid", 0)[0], "501 ")
	diskRefusal := strings.TrimPrefix(s.output(t, "setdisk /no/such/disk", 0)[0], "501 ")
	tests := []struct {
		host, disk string
		want       string // "" for accepted
	}{
		{"nosuchhost.invalid", "", hostRefusal},
		{"localhost", "", ""},
		{"LocalHost", "", ""},
		{"client2", "", ""},
		{"localhost", "/no/such/disk", diskRefusal},
		{"LOCALHOST", "/no/such/disk", diskRefusal},
		{"localhost", "/home/alice", ""},
		{"client2", "/etc", ""},
		{"client2", "/home/alice", "Disk client2:/home/alice is not in the server's disklist."},
		{"localhost", "/odd disk:x", `Disk localhost:"/odd disk:x" is not in the server's disklist.`},
	}
	for _, tt := range tests {
		var err error
		if tt.disk == "" {
			err = c.CheckHost(ctx, tt.host)
		} else {
			err = c.CheckDisk(ctx, tt.host, tt.disk)
		}
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("check %s %q = %q, want %q", tt.host, tt.disk, got, tt.want)
		}
	}
}

func TestConfigFacts(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	if got := c.ConfigName(); got != "DailySet1" {
		t.Errorf("ConfigName = %q", got)
	}
	// The transcripts' extract says "tape drive changer": amrecover-changer as written.
	if got, err := c.AmrecoverChanger(ctx); got != "changer" || err != nil {
		t.Errorf("AmrecoverChanger = %q, %v", got, err)
	}
	for storage, want := range map[string]string{
		"DailySet1": "chg-disk:" + filepath.Join(root, "vtapes", "main"),
		"vault":     "chg-disk:" + filepath.Join(root, "vtapes", "vault"),
	} {
		if got, err := c.StorageChanger(ctx, storage); got != want || err != nil {
			t.Errorf("StorageChanger(%s) = %q, %v; want %q", storage, got, err, want)
		}
	}
	if _, err := c.StorageChanger(ctx, "nosuch"); err == nil {
		t.Error("StorageChanger of an unknown storage succeeded")
	}
}

// chainAt picks the dumps amindexd lists "as of" date: the newest history item whose date
// starts at or before date, then each older item of a strictly lower level down to level 0.
func chainAt(items []HistoryItem, date string) (chain []int64, levels map[int64]HistoryItem) {
	levels = map[int64]HistoryItem{}
	last := -1
	for _, it := range items {
		cmp := strings.Compare(it.Date[:min(len(date), len(it.Date))], date)
		if last == -1 && cmp > 0 {
			continue
		}
		if last == -1 || it.Level < last {
			chain = append(chain, it.DumpID)
			levels[it.DumpID] = it
			last = it.Level
			if last == 0 {
				break
			}
		}
	}
	return chain, levels
}

// translateOctal is amrecover's translate_octal: \ooo becomes that byte, a backslash before
// anything else is dropped.
func translateOctal(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && (i == 0 || s[i-1] != '\\') && i+1 < len(s) {
			i++
			if i+2 < len(s) && isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]) {
				b.WriteByte((s[i]-'0')*64 + (s[i+1]-'0')*8 + (s[i+2] - '0'))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func TestListDirMatchesTranscripts(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	tests := []struct {
		session    string
		ls         int // which ls of the session
		host, disk string
		date, dir  string
	}{
		{"s01-browse", 0, "localhost", "/home/alice", "2026-11-22", "/"},
		{"s01-browse", 1, "localhost", "/home/alice", "2026-11-22", "/docs/"},
		{"s01-browse", 2, "localhost", "/home/alice", "2026-11-22", `/docs/na\303\257ve caf\303\251/`},
		{"s01-browse", 3, "localhost", "/home/alice", "2026-11-22", "/odd names/"},
		{"s01-browse", 4, "localhost", "/home/alice", "2026-11-22", "/deep/"},
		{"s01-browse", 5, "localhost", "/home/alice", "2026-11-22", "/links"},
		{"s02-point-in-time", 0, "localhost", "/home/alice", "2026-11-22-23-28-46", "/"},
		{"s02-point-in-time", 1, "localhost", "/home/alice", "2026-11-22-23-28-46", "/projects/"},
		{"s02-point-in-time", 2, "localhost", "/home/alice", "2026-11-22-23-28-46", "/docs/"},
		{"s02-point-in-time", 3, "localhost", "/home/alice", "2026-11-22-23-29-02", "/"},
		{"s02-point-in-time", 4, "localhost", "/home/alice", "2026-11-22-23-29-02", "/projects/"},
		{"s02-point-in-time", 5, "localhost", "/home/alice", "2026-11-22-23-29-02", "/docs/"},
		{"s02-point-in-time", 6, "localhost", "/home/alice", "2026-11-22-23-29-02", "/src/"},
		{"s02-point-in-time", 7, "localhost", "/home/alice", "2026-11-22-23-29-19", "/docs/"},
		{"s02-point-in-time", 8, "localhost", "/home/alice", "2026-11-22-23-29-19", "/links/"},
		{"s02-point-in-time", 9, "localhost", "/home/alice", "2026-11-22-23-29-30", "/data/"},
		{"s02-point-in-time", 10, "localhost", "/home/alice", "2026-11-22-23-29-30", "/projects/alpha-renamed/"},
		{"s07-second-host-server-compressed", 0, "client2", "/etc", "2026-11-22-23-29-02", "/"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.session, tt.ls), func(t *testing.T) {
			want := readSession(t, root, tt.session).output(t, "ls", tt.ls)
			items, err := c.History(ctx, tt.host, tt.disk)
			if err != nil {
				t.Fatal(err)
			}
			chain, byDump := chainAt(items, tt.date)
			entries, err := c.ListDir(ctx, chain, tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			// amindexd sends level 0 entries first, each level in name order; amrecover's ls
			// prints that reversed.
			slices.SortStableFunc(entries, func(a, b Entry) int { return byDump[a.DumpID].Level - byDump[b.DumpID].Level })
			var got []string
			for i := len(entries) - 1; i >= 0; i-- {
				name := "."
				if entries[i].Name != "" {
					name = device.QuoteString(translateOctal(entries[i].Name))
				}
				got = append(got, byDump[entries[i].DumpID].Date+" "+name)
			}
			if !slices.Equal(got, want) {
				t.Errorf("ls %s as of %s\n got %q\nwant %q", tt.dir, tt.date, got, want)
			}
			ok, err := c.DirExists(ctx, chain, tt.dir)
			if err != nil || !ok {
				t.Errorf("DirExists(%s) = %v, %v", tt.dir, ok, err)
			}
		})
	}
}

func TestDirExists(t *testing.T) {
	c, _, _ := importCorpus(t)
	ctx := context.Background()
	items, err := c.History(ctx, "localhost", "/home/alice")
	if err != nil {
		t.Fatal(err)
	}
	run1, _ := chainAt(items, "2026-11-22-23-28-46")
	latest, _ := chainAt(items, "2026-11-22")
	tests := []struct {
		chain []int64
		dir   string
		want  bool
	}{
		{latest, "/", true},
		{latest, "/docs", true},
		{latest, "/docs/readme.txt", false}, // s08: "/docs/readme.txt" is an invalid directory
		{latest, "/no/such/dir", false},
		{latest, "/projects/alpha-renamed", true},
		{run1, "/projects/alpha-renamed", false},
		{run1, "/projects/alpha", true},
		{nil, "/", false},
	}
	for _, tt := range tests {
		got, err := c.DirExists(ctx, tt.chain, tt.dir)
		if err != nil || got != tt.want {
			t.Errorf("DirExists(%v, %s) = %v, %v; want %v", tt.chain, tt.dir, got, err, tt.want)
		}
	}
}

func TestWalkTreeMatchesAddedDirs(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	tests := []struct {
		session, add, host, disk, date string
	}{
		{"s03-extract-all-run3", "add *", "localhost", "/home/alice", "2026-11-22-23-29-19"},
		{"s07-second-host-server-compressed", "add *", "client2", "/etc", "2026-11-22-23-29-02"},
		{"s10-extract-dot-run2", "add .", "localhost", "/home/alice", "2026-11-22-23-29-02"},
	}
	for _, tt := range tests {
		t.Run(tt.session, func(t *testing.T) {
			// "Added dir /src/ at date D", once for each dump that owns something under /src/,
			// in the order of ORLD's reply (level 0 first).
			want := map[string][]string{}
			var dirs []string
			for _, l := range readSession(t, root, tt.session).output(t, tt.add, 0) {
				rest, ok := strings.CutPrefix(l, "Added dir ")
				if !ok {
					continue
				}
				i := strings.LastIndex(rest, " at date ")
				dir := device.UnquoteString(rest[:i])
				if dir == "/." {
					dir = "/"
				}
				if _, seen := want[dir]; !seen {
					dirs = append(dirs, dir)
				}
				want[dir] = append(want[dir], rest[i+len(" at date "):])
			}
			if len(dirs) == 0 {
				t.Fatal("transcript has no Added dir lines")
			}
			items, err := c.History(ctx, tt.host, tt.disk)
			if err != nil {
				t.Fatal(err)
			}
			chain, byDump := chainAt(items, tt.date)
			for _, dir := range dirs {
				owners := map[int64]bool{}
				var paths []string
				err := c.WalkTree(ctx, chain, dir, func(path string, owner int64) error {
					owners[owner] = true
					paths = append(paths, path)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.IsSorted(paths) || len(slices.Compact(slices.Clone(paths))) != len(paths) {
					t.Errorf("WalkTree(%s) paths not in strict path order: %q", dir, paths)
				}
				var got []HistoryItem
				for id := range owners {
					got = append(got, byDump[id])
				}
				slices.SortFunc(got, func(a, b HistoryItem) int { return a.Level - b.Level })
				var dates []string
				for _, it := range got {
					dates = append(dates, it.Date)
				}
				if !slices.Equal(dates, want[dir]) {
					t.Errorf("owners under %s: got %q, want %q", dir, dates, want[dir])
				}
			}
		})
	}
}

func TestReimportIsNoOp(t *testing.T) {
	c, root, first := importCorpus(t)
	ctx := context.Background()
	if first.LogsRead != 4 || first.HoldingRead != 1 || first.IndexRead != 11 || first.IndexLines == 0 {
		t.Errorf("first import: %+v; want the 4 logs of the tapelist, 1 holding file, 11 indexes", first)
	}
	before := tableCounts(t, c)
	cfg, err := amconf.Load(filepath.Join(root, "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.ImportServer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := ImportStats{LogsSkipped: 4, HoldingSkipped: 1, IndexSkipped: 11}
	if st.LogsRead != 0 || st.HoldingRead != 0 || st.IndexRead != 0 || st.Copies != 0 || st.Removed != 0 ||
		st.LogsSkipped != want.LogsSkipped || st.HoldingSkipped != want.HoldingSkipped || st.IndexSkipped != want.IndexSkipped {
		t.Errorf("second import: %+v; want %+v", st, want)
	}
	if after := tableCounts(t, c); !slices.Equal(after, before) {
		t.Errorf("row counts changed: %v -> %v", before, after)
	}
}

func tableCounts(t *testing.T, c *Catalog) []string {
	t.Helper()
	var out []string
	for _, table := range []string{"config", "storages", "hosts", "disks", "sources", "volumes", "dumps", "copies", "parts", "dirs", "entries"} {
		var n int
		if err := c.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	return out
}

func TestCopy(t *testing.T) {
	c, root, _ := importCorpus(t)
	ctx := context.Background()
	items, err := c.History(ctx, "localhost", "/home/alice")
	if err != nil {
		t.Fatal(err)
	}
	byTapes := map[string]HistoryItem{}
	for _, it := range items {
		byTapes[it.Tapes] = it
	}
	holdingPath := filepath.Join(root, "holding", "20261122232930", "localhost._home_alice.2")
	tests := []struct {
		tapes string
		want  Copy
	}{
		{"DailySet1:DailySet1-01:3,4", Copy{
			Host: "localhost", Disk: "/home/alice", Datestamp: "20261122232846", Level: 0,
			Program: "APPLICATION", Application: "amgtar", Storage: "DailySet1", Pool: "DailySet1",
			WriteTimestamp: "20261122232846", Status: "OK", OrigKB: 1630,
			NativeCRC: "96922945:1669120", ClientCRC: "7b24b78d:1370725", ServerCRC: "7b24b78d:1370725",
			Parts: []Part{{1, "DailySet1-01", 3, "", 1048576}, {2, "DailySet1-01", 4, "", 322149}},
		}},
		// amvault's log has no CRCs: the dump's serve.
		{"vault:Vault1-01:1,2", Copy{
			Host: "localhost", Disk: "/home/alice", Datestamp: "20261122232846", Level: 0,
			Program: "APPLICATION", Application: "amgtar", Storage: "vault", Pool: "vault",
			WriteTimestamp: "20261122232925", Status: "OK", OrigKB: 1630,
			NativeCRC: "96922945:1669120", ClientCRC: "7b24b78d:1370725", ServerCRC: "7b24b78d:1370725",
			Parts: []Part{{1, "Vault1-01", 1, "", 1048576}, {2, "Vault1-01", 2, "", 322149}},
		}},
		{"HOLDING:" + escapeLabel(holdingPath) + ":0", Copy{
			Host: "localhost", Disk: "/home/alice", Datestamp: "20261122232930", Level: 2,
			Program: "APPLICATION", Application: "amgtar", Storage: "HOLDING", Pool: "HOLDING",
			WriteTimestamp: holdingWriteTimestamp, Status: "OK", OrigKB: 1220,
			NativeCRC: "e2804ffc:1249280", ClientCRC: "4dde45fe:1206541", ServerCRC: "4dde45fe:1206541",
			Parts: []Part{{-1, holdingPath, 0, holdingPath, 1206541}},
		}},
	}
	for _, tt := range tests {
		it, ok := byTapes[tt.tapes]
		if !ok {
			t.Errorf("no history item %s", tt.tapes)
			continue
		}
		got, err := c.Copy(ctx, it.CopyID)
		if err != nil {
			t.Fatal(err)
		}
		tt.want.ID, tt.want.DumpID = it.CopyID, it.DumpID
		if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", tt.want) {
			t.Errorf("Copy(%s)\n got %+v\nwant %+v", tt.tapes, *got, tt.want)
		}
	}
	if _, err := c.Copy(ctx, 1<<40); err == nil {
		t.Error("Copy of an unknown id succeeded")
	}
}
