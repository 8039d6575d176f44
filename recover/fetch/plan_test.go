package fetch

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/internal/corpus"
)

// openCorpus imports the server state of the shared corpus copy into a fresh catalog.
func openCorpus(t *testing.T) *catalog.Catalog {
	t.Helper()
	ctx := context.Background()
	conf, err := amconf.Load(filepath.Join(corpus.Unpack(t), "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if _, err := cat.ImportServer(ctx, conf); err != nil {
		t.Fatal(err)
	}
	return cat
}

// TestMakePlan checks the copies chosen for the corpus's dumps against what amfetchdump read
// in the transcripts (vault copies with -o storage=vault, the DailySet1 ones otherwise) and
// the "Where each dump is" table of the corpus README.
func TestMakePlan(t *testing.T) {
	cat := openCorpus(t)
	tests := []struct {
		words []string
		opts  PlanOptions
		// each copy as "storage TS level label:file,label:file" (holding: "HOLDING TS level holding")
		want    []string
		volumes []string
	}{
		{[]string{"localhost", "/home/alice"}, PlanOptions{Storages: []string{"DailySet1"}},
			[]string{"HOLDING 20261122232930 2 holding", "DailySet1 20261122232846 0 DailySet1-01:3,DailySet1-01:4",
				"DailySet1 20261122232902 1 DailySet1-03:2", "DailySet1 20261122232919 2 DailySet1-04:1"},
			[]string{"DailySet1-01", "DailySet1-03", "DailySet1-04"}},
		{[]string{"localhost", "/home/alice"}, PlanOptions{Storages: []string{"vault"}, OnlyInStorage: true},
			[]string{"vault 20261122232846 0 Vault1-01:1,Vault1-01:2", "vault 20261122232902 1 Vault1-01:3", "vault 20261122232919 2 Vault1-01:4"},
			[]string{"Vault1-01"}},
		// Without the storage list, the copy written first: the DailySet1 one.
		{[]string{"localhost", "alice", "20261122232846"}, PlanOptions{},
			[]string{"DailySet1 20261122232846 0 DailySet1-01:3,DailySet1-01:4"}, []string{"DailySet1-01"}},
		{[]string{"localhost", "/srv/media", "20261122232846", "0"}, PlanOptions{Storages: []string{"DailySet1"}, OnePerPart: true},
			[]string{"DailySet1 20261122232846 0 DailySet1-01:5", "DailySet1 20261122232846 0 DailySet1-01:6",
				"DailySet1 20261122232846 0 DailySet1-02:1", "DailySet1 20261122232846 0 DailySet1-02:2", "DailySet1 20261122232846 0 DailySet1-02:3"},
			[]string{"DailySet1-01", "DailySet1-02"}},
		{[]string{"client2", "", "", "0"}, PlanOptions{Storages: []string{"DailySet1"}},
			[]string{"DailySet1 20261122232846 0 DailySet1-01:1", "DailySet1 20261122232919 0 DailySet1-04:2"},
			[]string{"DailySet1-01", "DailySet1-04"}},
		{[]string{"CLIENT2", "etc", "20261122232900-3000", "1"}, PlanOptions{Storages: []string{"DailySet1"}},
			[]string{"DailySet1 20261122232902 1 DailySet1-03:1"}, []string{"DailySet1-03"}},
		{[]string{"nosuchhost"}, PlanOptions{Storages: []string{"DailySet1"}}, nil, nil},
		{[]string{"localhost", "/home/alice", "20261122232930"}, PlanOptions{Storages: []string{"vault"}, OnlyInStorage: true}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.words, " "), func(t *testing.T) {
			specs, err := ParseDumpspecs(tt.words, true, false)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := MakePlan(context.Background(), cat, specs, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, cp := range plan.Copies {
				got = append(got, copyString(cp))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("plan:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if vols := plan.Volumes(); !slices.Equal(vols, tt.volumes) {
				t.Errorf("volumes %q, want %q", vols, tt.volumes)
			}
		})
	}
}

func copyString(cp *catalog.Copy) string {
	if cp.Parts[0].HoldingPath != "" {
		return fmt.Sprintf("%s %s %d holding", cp.Storage, cp.Datestamp, cp.Level)
	}
	var parts []string
	for _, p := range cp.Parts {
		parts = append(parts, fmt.Sprintf("%s:%d", p.Label, p.Filenum))
	}
	return fmt.Sprintf("%s %s %d %s", cp.Storage, cp.Datestamp, cp.Level, strings.Join(parts, ","))
}

// TestHeaderBlock checks the header rewriting of amfetchdump -h and amrestore -h on the corpus
// header of DailySet1-03 file 2 (client-compressed level 1 of /home/alice). The full -h outputs
// are compared with Amanda's by tests/fetch_test.go.
func TestHeaderBlock(t *testing.T) {
	vol, err := device.OpenVolume(filepath.Join(corpus.Unpack(t), "vtapes", "main", "slot3"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := vol.OpenFile(2)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct {
		name       string
		t          transform
		keepCustom bool
		blocksize  bool
		first, dd  string
	}{
		{"amfetchdump -h", transform{decrypt: true, decompress: true}, false, false,
			"AMANDA: SPLIT_FILE 20261122232902 localhost /home/alice  part 1/-1  lev 1 comp N program APPLICATION\n",
			"\tdd if=<tape> skip=1 | /usr/lib/amanda/application/amgtar restore [./file-to-restore]+ \n"},
		{"amrestore -h", transform{decrypt: true, decompress: true}, true, true,
			"AMANDA: SPLIT_FILE 20261122232902 localhost /home/alice  part 1/-1  lev 1 comp N program APPLICATION\n",
			"\tdd if=<tape> bs=32k skip=1 | /usr/lib/amanda/application/amgtar restore [./file-to-restore]+ \n"},
		{"amrestore -r", transform{}, true, true,
			"AMANDA: SPLIT_FILE 20261122232902 localhost /home/alice  part 1/-1  lev 1 comp .gz program APPLICATION\n",
			"\tdd if=<tape> bs=32k skip=1 | /bin/gzip -dc | /usr/lib/amanda/application/amgtar restore [./file-to-restore]+ \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block, err := headerBlock(tt.t.apply(f.Header, tt.keepCustom), tt.blocksize)
			if err != nil {
				t.Fatal(err)
			}
			if len(block) != device.HeaderSize {
				t.Fatalf("block of %d bytes", len(block))
			}
			text, _, _ := strings.Cut(string(block), "\x00")
			if !strings.HasPrefix(text, tt.first) || !strings.HasSuffix(text, tt.dd+"\f\n") {
				t.Errorf("header:\n%s\nwant first line %q and dd line %q", text, tt.first, tt.dd)
			}
		})
	}
	// Compressed by -c: gzip named in the header, as Amanda writes it.
	h := *f.Header
	h.Comp, h.UncompressCmd = "N", ""
	out := transform{compress: CompressFast}.apply(&h, true)
	if out.Comp != ".gz" || out.UncompressCmd != " /bin/gzip -dc |" {
		t.Errorf("-c header: comp %q, uncompress %q", out.Comp, out.UncompressCmd)
	}
}
