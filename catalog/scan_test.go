package catalog

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/internal/corpus"
)

func TestParseChgDiskState(t *testing.T) {
	root := corpus.Unpack(t)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(root, "vtapes", name, "state"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name, text string
		want       [][2]string
	}{
		{"corpus main", read("main"), [][2]string{{"DailySet1", "DailySet1"}}},
		{"corpus vault", read("vault"), [][2]string{{"DailySet1", "vault"}}},
		{"two storages", `$STATE = { 'current_slot' => { 'config' => { 'C' => { 'storage' => {
			'b' => { 'changer' => { 'x' => 'slot1' } }, 'a' => { 'changer' => { 'x' => 'slot2' } } } } } } };`,
			[][2]string{{"C", "a"}, {"C", "b"}}},
		{"quotes", `$STATE = {'current_slot'=>{'config'=>{'it\'s'=>{'storage'=>{'a\\b'=>undef}}}},'drives'=>[1,'x',{}]};`,
			[][2]string{{"it's", `a\b`}}},
		{"no current_slot (Amanda 3.3)", `$STATE = { 'current' => 'slot1', 'meta' => undef };`, nil},
		{"not Perl", "garbage", nil},
		{"cut short", `$STATE = { 'current_slot' => { 'config' => { 'C' => {`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseChgDiskState(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("parseChgDiskState = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseChgDiskState(f *testing.F) {
	root := corpus.Unpack(f)
	for _, name := range []string{"main", "vault"} {
		b, err := os.ReadFile(filepath.Join(root, "vtapes", name, "state"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, p := range parseChgDiskState(text) {
			if p[0] == "" && p[1] == "" {
				t.Errorf("an empty pair from %q", text)
			}
		}
	})
}

func TestLabelPrefix(t *testing.T) {
	for label, want := range map[string]string{
		"DailySet1-01": "DailySet1", "Vault1-01": "Vault1", "TAPE007": "TAPE", "a_b.12": "a_b",
		"plain": "plain", "0042": "0042", "x-": "x",
	} {
		if got := labelPrefix(label); got != want {
			t.Errorf("labelPrefix(%q) = %q, want %q", label, got, want)
		}
	}
}

func TestAbsSpec(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string]string{
		"chg-disk:vt":             "chg-disk:" + filepath.Join(wd, "vt"),
		"file:/abs/vt":            "file:/abs/vt",
		"chg-single:file:vt":      "chg-single:file:" + filepath.Join(wd, "vt"),
		"tape:/dev/nst0":          "tape:/dev/nst0",
		"vt":                      filepath.Join(wd, "vt"),
		"chg-single:tape:/dev/st": "chg-single:tape:/dev/st",
	} {
		if got := absSpec(spec); got != want {
			t.Errorf("absSpec(%q) = %q, want %q", spec, got, want)
		}
	}
}

// part is a scanned file of a test volume: a SPLIT_FILE of localhost:/d at run 1.
func part(n, total int, bytes int64, crcSize int64) scannedFile {
	return scannedFile{number: n, bytes: bytes, header: &device.Header{Type: device.SplitFile, Host: "localhost", Disk: "/d",
		Datestamp: "20240101000000", PartNum: n, TotalParts: total, ServerCRC: device.CRC{Sum: 1, Size: crcSize}}}
}

func TestScanCopies(t *testing.T) {
	vol := func(label string, files ...scannedFile) scannedVolume {
		return scannedVolume{storage: "S", label: label, datestamp: "20240101000000", files: files}
	}
	tests := []struct {
		name   string
		vols   []scannedVolume
		status string
		parts  []int64 // bytes of the parts kept
	}{
		{"whole", []scannedVolume{vol("A", part(1, -1, 10, 15), part(2, -1, 5, 15))}, "OK", []int64{10, 5}},
		{"over two volumes", []scannedVolume{vol("A", part(1, -1, 10, 15)), vol("B", part(2, -1, 5, 15))}, "OK", []int64{10, 5}},
		{"cut part written again", []scannedVolume{vol("A", part(1, -1, 10, 15), part(2, -1, 3, 15)), vol("B", part(2, -1, 5, 15))},
			"OK", []int64{10, 5}},
		{"last part missing", []scannedVolume{vol("A", part(1, -1, 10, 15))}, "PARTIAL", []int64{10}},
		{"first part missing", []scannedVolume{vol("B", part(2, -1, 5, 15))}, "PARTIAL", []int64{5}},
		{"count from the header", []scannedVolume{vol("A", part(1, 3, 10, 0), part(2, 3, 5, 0))}, "PARTIAL", []int64{10, 5}},
		{"size unknown (tape)", []scannedVolume{vol("A", part(1, -1, 0, 15), part(2, -1, 0, 15))}, "OK", []int64{0, 0}},
		{"one part on a tape: the CRC's size", []scannedVolume{vol("A", part(1, -1, 0, 15))}, "OK", []int64{15}},
		{"no CRC", []scannedVolume{vol("A", part(1, -1, 10, 0))}, "OK", []int64{10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st ScanStats
			copies, sources := scanCopies(tt.vols, &st)
			if len(copies) != 1 || sources[0] != tt.vols[0].label {
				t.Fatalf("copies %+v from %q, want one from %s", copies, sources, tt.vols[0].label)
			}
			cp := copies[0]
			var bytes []int64
			for _, p := range cp.parts {
				bytes = append(bytes, p.bytes)
				if p.totalparts != len(cp.parts) {
					t.Errorf("part %d of %d parts says %d in all", p.partnum, len(cp.parts), p.totalparts)
				}
			}
			if cp.status != tt.status || !slices.Equal(bytes, tt.parts) {
				t.Errorf("status %s (%s), parts %v; want %s, %v", cp.status, cp.message, bytes, tt.status, tt.parts)
			}
			if (cp.status == "PARTIAL") != (st.Incomplete == 1) {
				t.Errorf("Incomplete = %d for a %s copy", st.Incomplete, cp.status)
			}
		})
	}
}
