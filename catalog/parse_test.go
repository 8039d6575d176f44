package catalog

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseTapelist(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // "position datestamp label reuse blocksize pool storage config comment"
		err      bool
	}{
		{"3.5 lines, newest first", "20240101000000 A reuse BLOCKSIZE:32 POOL:p STORAGE:s CONFIG:c\n20240305021500 B no-reuse\n",
			[]string{"1 20240305021500 B false 0    ", "2 20240101000000 A true 32 p s c "}, false},
		{"equal datestamps keep file order", "0 X reuse\n20240101000000 A\n20240101000000 B\n",
			[]string{"1 20240101000000 A true 0    ", "2 20240101000000 B true 0    ", "3 0 X true 0    "}, false},
		{"all optional fields and a comment", "20240101000000 A reuse BARCODE:bc META:m BLOCKSIZE:64 POOL:p STORAGE:s CONFIG:c #a  comment\n",
			[]string{"1 20240101000000 A true 64 p s c a  comment"}, false},
		{"blank lines", "\n  \n20240101000000 A\n", []string{"1 20240101000000 A true 0    "}, false},
		{"fields out of order are bogus", "20240101000000 A POOL:p BLOCKSIZE:32\n", nil, true},
		{"no label", "20240101000000\n", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vols, err := ParseTapelist(strings.NewReader(tt.in))
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			var got []string
			for _, v := range vols {
				got = append(got, fmt.Sprintf("%d %s %s %v %d %s %s %s %s", v.Position, v.Datestamp, v.Label, v.Reuse,
					v.BlocksizeKB, v.Pool, v.Storage, v.Config, v.Comment))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseLogLine(t *testing.T) {
	tests := []struct {
		line, prev string
		want       LogLine
		ok         bool
	}{
		{"PART taper \"ST:s\" x", "", LogLine{"PART", "taper", "\"ST:s\" x"}, true},
		{"  | continued", "dumper", LogLine{"CONT", "dumper", "| continued"}, true},
		{"INFO checkdump  text here", "", LogLine{"INFO", "amcheckdump", "text here"}, true},
		{"FINISH", "", LogLine{"FINISH", "", ""}, true},
		{"", "", LogLine{}, false},
		{"   ", "x", LogLine{"CONT", "x", ""}, true},
	}
	for _, tt := range tests {
		got, ok := ParseLogLine(tt.line, tt.prev)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseLogLine(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

// describe renders copies for comparison.
func describe(copies []logCopy) []string {
	var out []string
	for _, c := range copies {
		s := fmt.Sprintf("%d %s:%s %s L%d %s/%s %s %q orig=%d crc=%s,%s,%s", c.line, c.host, c.disk, c.datestamp, c.level,
			c.storage, c.pool, c.status, c.message, c.origKB, c.nativeCRC, c.clientCRC, c.serverCRC)
		for _, p := range c.parts {
			s += fmt.Sprintf(" [%d/%d %s:%d %d]", p.partnum, p.totalparts, p.label, p.filenum, p.bytes)
		}
		out = append(out, s)
	}
	return out
}

func TestSearchLog(t *testing.T) {
	valid := func(label, ds string) bool { return label != "OLD" }
	tests := []struct {
		name, log string
		want      []string
	}{
		{"3.5 split dump with CRCs", `START taper datestamp 20240305021500 "ST:main" "POOL:pool1" label VT-03 tape 1
PART taper "ST:main" "POOL:pool1" VT-03 1 client1 "/my disk" 20240305021500 1/-1 0 [sec 0.2 bytes 1048576 kps 1.0 orig-kb 3000]
PART taper "ST:main" "POOL:pool1" VT-03 2 client1 "/my disk" 20240305021500 2/-1 0 [sec 0.2 bytes 5 kps 1.0 orig-kb 3000]
DONE taper "ST:main" "POOL:pool1" client1 "/my disk" 20240305021500 2 0 5d1e07a2:8413184 1c33e900:1702400 1c33e900:1702401 [sec 0.3 bytes 1048581 kps 1.0 orig-kb 3000]
`, []string{`4 client1:/my disk 20240305021500 L0 main/pool1 OK "" orig=3000 crc=5d1e07a2:8413184,1c33e900:1702400,1c33e900:1702401 [1/2 VT-03:1 1048576] [2/2 VT-03:2 5]`}},
		{"a missing part fails the dump", `START taper datestamp 20240305021500 "ST:main" "POOL:main" label VT-03 tape 1
PART taper "ST:main" "POOL:main" VT-03 1 h /d 20240305021500 1/-1 0 [sec 0.2 bytes 1 kps 1.0]
DONE taper "ST:main" "POOL:main" h /d 20240305021500 2 0 [sec 0.3 bytes 2 kps 1.0]
`, []string{`3 h:/d 20240305021500 L0 main/main FAIL "Missing part" orig=0 crc=,, [1/2 VT-03:1 1]`}},
		{"parts on a volume the tapelist no longer has are ignored", `START taper datestamp 20240305021500 "ST:main" label OLD tape 1
PART taper "ST:main" OLD 1 h /d 20240305021500 1/-1 0 [sec 0.2 bytes 1 kps 1.0]
DONE taper "ST:main" h /d 20240305021500 1 0 [sec 0.3 bytes 1 kps 1.0]
`, nil},
		{"file 0 is not a part", `START taper datestamp 20240305021500 "ST:main" label VT-1 tape 1
PART taper "ST:main" VT-1 0 h /d 20240305021500 1/-1 0 [sec 0.2 bytes 1 kps 1.0]
DONE taper "ST:main" h /d 20240305021500 1 0 [sec 0.3 bytes 1 kps 1.0]
`, nil},
		{"a log stamped for another run stops", `START taper datestamp 20990101000000 "ST:main" label VT-1 tape 1
PART taper "ST:main" VT-1 1 h /d 20240305021500 1/-1 0 [sec 0.2 bytes 1 kps 1.0]
DONE taper "ST:main" h /d 20240305021500 1 0 [sec 0.3 bytes 1 kps 1.0]
`, nil},
		{"amvault FAIL and a retry", `START taper datestamp 20240305021500 "ST:vault" label V-1 tape 1
PART taper "ST:vault" V-1 1 h /d 20240101000000 1/-1 1 [sec 0.2 bytes 1 kps 1.0]
FAIL taper VAULT "ST:vault" "POOL:vault" h /d 20240101000000 1 error "device error"
PART taper "ST:vault" V-1 2 h /d 20240101000000 1/-1 1 [sec 0.2 bytes 1 kps 1.0]
DONE taper "ST:vault" h /d 20240101000000 1 1 [sec 0.3 bytes 1 kps 1.0 orig-kb 7]
`, []string{
			`3 h:/d 20240101000000 L1 vault/vault FAIL "\"device error\"" orig=0 crc=,, [1/-1 V-1:1 1]`,
			`5 h:/d 20240101000000 L1 vault/vault OK "" orig=7 crc=,, [1/1 V-1:2 1]`,
		}},
		{"pre-split SUCCESS counts taper files", `START taper datestamp 20050101 label T1 tape 1
SUCCESS taper h /a 20050101 0 [sec 1 kb 10 kps 10]
SUCCESS taper h /b 20050101 1 [sec 1 kb 10 kps 10]
`, []string{
			`2 h:/a 20050101 L0 Cfg/Cfg OK "" orig=0 crc=,, [1/-1 T1:1 10240]`,
			`3 h:/b 20050101 L1 Cfg/Cfg OK "" orig=0 crc=,, [1/-1 T1:2 10240]`,
		}},
		{"strange lines are skipped", `START taper datestamp 20240305021500 label VT-1 tape 1
PART taper VT-1
PART taper VT-1 1 h /d 20240305021500 1/-1 x [sec 1 bytes 1 kps 1]
PART taper VT-1 1 h /d 20240305021500 1/-1 0 [sec 1 furlongs 1 kps 1]
DONE taper h /d 20240305021500 1 0 [sec 1 bytes 1 kps 1]
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := "20240305021500"
			if strings.Contains(tt.log, "20050101 label") {
				ds = "20050101"
			}
			copies, err := searchLog(strings.NewReader(tt.log), ds, "Cfg", valid)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(copies); !slices.Equal(got, tt.want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestHistoryRules(t *testing.T) {
	// Records as find.c would give them; History sorts and groups them.
	rec := func(copyID int64, ds, storage string, sid, part, total int, label string, file int64) findResult {
		return findResult{dumpID: copyID, copyID: copyID, host: "h", disk: "/d", datestamp: ds, level: 0,
			writeTimestamp: ds, storage: storage, storageID: sid, partnum: part, totalparts: total, label: label, filenum: file}
	}
	hold := rec(1, "20240102000000", "HOLDING", 0, -1, -1, "/hold/a:b", 0)
	hold.writeTimestamp = holdingWriteTimestamp
	tests := []struct {
		name string
		recs []findResult
		want []string
	}{
		{"holding copy hides the others of its dump", []findResult{
			rec(2, "20240102000000", "main", 1, 1, 1, "T-1", 4), hold,
		}, []string{`2024-01-02-00-00-00 HOLDING:/hold/a\:b:0`}},
		{"storages outside the storage list first; files sorted per volume", []findResult{
			rec(3, "20240101000000", "main", 1, 1, 3, "T-1", 7),
			rec(3, "20240101000000", "main", 1, 3, 3, "T-2", 1),
			rec(3, "20240101000000", "main", 1, 2, 3, "T-1", 5),
			rec(4, "20240101000000", "vault", 0, 1, 1, "V;1", 2),
		}, []string{`2024-01-01-00-00-00 vault:V\;1:2`, `2024-01-01-00-00-00 main:T-1:5,7;main:T-2:1`}},
		{"an item without its last part goes, and C skips the one after it", []findResult{
			rec(5, "20240103000000", "main", 1, 1, 2, "A", 1),
			rec(6, "20240102000000", "main", 1, 1, 2, "B", 1),
			rec(7, "20240101000000", "main", 1, 1, 2, "C", 1),
			rec(7, "20240101000000", "main", 1, 2, 2, "C", 2),
		}, []string{`2024-01-02-00-00-00 main:B:1`, `2024-01-01-00-00-00 main:C:1,2`}},
		{"8-digit datestamps", []findResult{rec(8, "20050101", "main", 1, 1, 1, "T", 3)},
			[]string{`2005-01-01 main:T:3`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs := slices.Clone(tt.recs)
			sortFindResults(recs)
			var got []string
			for _, it := range buildDiskHistory(recs) {
				got = append(got, it.Date+" "+it.Tapes)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseIndexName(t *testing.T) {
	tests := []struct {
		name  string
		ts    string
		level int
		rank  int
		ok    bool
	}{
		{"20240305021500_0-sorted", "20240305021500", 0, 0, true},
		{"20240305021500_12-sorted.gz", "20240305021500", 12, 1, true},
		{"20240305021500_1-unsorted", "20240305021500", 1, 2, true},
		{"20240305021500_1-unsorted.gz", "20240305021500", 1, 3, true},
		{"20240305_3.gz", "20240305", 3, 4, true},
		{"20240305021500_1.header", "", 0, 0, false},
		{"20240305021500_1.state.gz", "", 0, 0, false},
		{"20240305021500_1-unsorted.gz.tmp", "", 0, 0, false},
		{"2024x305021500_1.gz", "", 0, 0, false},
		{"20240305021500_01.gz", "", 0, 0, false},
		{"lock", "", 0, 0, false},
	}
	for _, tt := range tests {
		ts, level, rank, ok := parseIndexName(tt.name)
		if ts != tt.ts || level != tt.level || rank != tt.rank || ok != tt.ok {
			t.Errorf("parseIndexName(%q) = %q %d %d %v", tt.name, ts, level, rank, ok)
		}
	}
}

func FuzzParseLogLine(f *testing.F) {
	for _, s := range []string{
		`PART taper "ST:DailySet1" "POOL:DailySet1" DailySet1-01 3 localhost /home/alice 20261122232846 1/-1 0 [sec 0.003506 bytes 1048576 kps 292070.735881 orig-kb 1630]`,
		`DONE taper "ST:vault" localhost /home/alice 20261122232846 2 0 [sec 0.100000 bytes 1370725 kps 13380.000000 orig-kb 1630]`,
		`START taper datestamp 20261122232846 "ST:DailySet1" "POOL:DailySet1" label DailySet1-01 tape 1`,
		`PARTIAL taper h "/a b" 20240101 0 [sec 1 kb 1 kps 1] "msg"`,
		`FAIL taper VAULT "ST:v" h /d 20240101 1 error "x"`,
		`SUCCESS taper h /d 5 [sec 1 kb 1 kps 1]`,
		"  | continuation",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		l, ok := ParseLogLine(line, "taper")
		if ok && l.Type == "" {
			t.Errorf("ok with an empty type: %+v", l)
		}
		log := "START taper datestamp 20240101 label L tape 1\n" + line + "\n"
		copies, err := searchLog(strings.NewReader(log), "20240101", "Cfg", func(string, string) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range copies {
			if c.status != "OK" && c.status != "PARTIAL" && c.status != "FAIL" {
				t.Errorf("status %q", c.status)
			}
		}
	})
}

func FuzzParseTapelist(f *testing.F) {
	f.Add("20261122232925 Vault1-01 reuse BLOCKSIZE:32 POOL:vault STORAGE:vault CONFIG:DailySet1\n0 X no-reuse #c\n")
	f.Add("20240101 A BARCODE:b META:m\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		vols, err := ParseTapelist(strings.NewReader(in))
		if err != nil {
			return
		}
		for i, v := range vols {
			if v.Position != i+1 || v.Label == "" {
				t.Errorf("volume %d: %+v", i, v)
			}
			if i > 0 && vols[i-1].Datestamp < v.Datestamp {
				t.Errorf("not newest first: %q before %q", vols[i-1].Datestamp, v.Datestamp)
			}
		}
	})
}

func FuzzReadIndex(f *testing.F) {
	f.Add([]byte("/\n/a/\n/a/b\nno slash\n"), false)
	f.Add([]byte("/docs/na\\303\\257ve caf\\303\\251/\n/x"), true)
	f.Add([]byte{}, true)
	f.Fuzz(func(t *testing.T, data []byte, compress bool) {
		in := data
		if compress {
			in = []byte(gz(t, string(data)))
		}
		var lines []string
		err := readIndex(bytes.NewReader(in), func(line string) error {
			if !strings.Contains(line, "/") || strings.Contains(line, "\n") {
				t.Errorf("line %q", line)
			}
			lines = append(lines, line)
			return nil
		})
		if err != nil {
			if compress {
				t.Errorf("gzip of %q: %v", data, err)
			}
			return
		}
		// Uncompressed data that is not gzip comes back line by line.
		if !compress && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			var want []string
			for _, l := range strings.SplitAfter(string(data), "\n") {
				if l = strings.TrimSuffix(l, "\n"); strings.Contains(l, "/") {
					want = append(want, l)
				}
			}
			if !slices.Equal(lines, want) {
				t.Errorf("lines %q, want %q", lines, want)
			}
		}
		if utf8.Valid(data) && compress && len(lines) > 0 && !strings.Contains(string(data), lines[0]) {
			t.Errorf("line %q not in input", lines[0])
		}
	})
}
