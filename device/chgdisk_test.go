package device

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// The inventory must be what amtape printed, for the slot directories that exist (amtape also
// lists the slots chg-disk may still create, up to num-slot, as blank).
func TestInventoryCorpus(t *testing.T) {
	root := corpus.Unpack(t)
	line := regexp.MustCompile(`^slot (\d+): (?:label (\S+)( \(current\))?|blank)`)
	for _, changer := range []string{"main", "vault"} {
		t.Run(changer, func(t *testing.T) {
			chg, err := OpenChgDisk(filepath.Join(root, "vtapes", changer))
			if err != nil {
				t.Fatal(err)
			}
			slots, err := chg.Inventory()
			if err != nil {
				t.Fatal(err)
			}
			out, err := os.ReadFile(filepath.Join(root, "TRANSCRIPTS", "amtape-inventory-"+changer+".stdout"))
			if err != nil {
				t.Fatal(err)
			}
			var want []Slot
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				m := line.FindStringSubmatch(l)
				if m == nil {
					t.Fatalf("amtape line %q", l)
				}
				n, _ := strconv.Atoi(m[1])
				if m[2] == "" {
					continue // a slot that does not exist yet
				}
				want = append(want, Slot{Number: n, Label: m[2], Dir: filepath.Join(chg.Dir, "slot"+m[1]), Current: m[3] != ""})
			}
			if !reflect.DeepEqual(slots, want) {
				t.Errorf("Inventory:\n got %+v\nwant %+v", slots, want)
			}
			for _, s := range slots {
				v, err := chg.Load(context.Background(), s.Label)
				if err != nil {
					t.Fatal(err)
				}
				if v.Dir != s.Dir || v.Label != s.Label {
					t.Errorf("Load(%s) = %+v, want slot %d", s.Label, *v, s.Number)
				}
			}
		})
	}
}

func TestLoadNotFound(t *testing.T) {
	root := corpus.Unpack(t)
	chg, err := OpenChgDisk(filepath.Join(root, "vtapes/main"))
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"Vault1-01", "DailySet1-9", "", "../slot1/00000.DailySet1-01", "*"} {
		_, err := chg.Load(context.Background(), label)
		if !errors.Is(err, ErrVolumeNotFound) {
			t.Errorf("Load(%q): %v, want ErrVolumeNotFound", label, err)
			continue
		}
		wantErr(t, err, strconv.Quote(label), chg.Dir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := chg.Load(ctx, "DailySet1-01"); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a cancelled context: %v", err)
	}
}

// A changer built from scratch: slots out of order, a blank one, things that are not slots, a
// slot gone, a label file whose header names another volume, a label that is no label.
func TestChgDiskDamaged(t *testing.T) {
	dir := t.TempDir()
	label := func(slot, name, headerLabel string) {
		d := filepath.Join(dir, slot)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		writeHeader(t, filepath.Join(d, "00000."+name), Header{Type: TapeStart, Datestamp: "X", Label: headerLabel})
	}
	label("slot1", "A-01", "A-01")
	label("slot10", "A-10", "A-10")
	label("slot3", "A-03", "A-03")
	label("slot4", "Wrong", "A-01")
	label("slotx", "A-99", "A-99")
	os.Mkdir(filepath.Join(dir, "slot2"), 0o755)
	os.WriteFile(filepath.Join(dir, "slot5"), nil, 0o644)
	os.MkdirAll(filepath.Join(dir, "slot6"), 0o755)
	writeHeader(t, filepath.Join(dir, "slot6", "00000.Bad"), Header{Type: SplitFile, Datestamp: "X", Host: "h", Disk: "/",
		PartNum: 1, TotalParts: -1, Comp: "N", Program: "DUMP"})
	os.WriteFile(filepath.Join(dir, "state"), []byte("$STATE = { garbage"), 0o600)
	os.Symlink("slot10", filepath.Join(dir, "data"))
	if err := os.RemoveAll(filepath.Join(dir, "slot3")); err != nil { // the slot went missing
		t.Fatal(err)
	}

	chg, err := OpenChgDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	slots, err := chg.Inventory()
	if err != nil {
		t.Fatal(err)
	}
	slot := func(n int, label string, current bool) Slot {
		return Slot{Number: n, Label: label, Dir: filepath.Join(dir, "slot"+strconv.Itoa(n)), Current: current}
	}
	want := []Slot{slot(1, "A-01", false), slot(2, "", false), slot(4, "Wrong", false), slot(6, "Bad", false), slot(10, "A-10", true)}
	if !reflect.DeepEqual(slots, want) {
		t.Errorf("Inventory:\n got %+v\nwant %+v", slots, want)
	}

	ctx := context.Background()
	if v, err := chg.Load(ctx, "A-10"); err != nil || v.Dir != filepath.Join(dir, "slot10") {
		t.Errorf("Load(A-10) = %+v, %v", v, err)
	}
	_, err = chg.Load(ctx, "A-03")
	if !errors.Is(err, ErrVolumeNotFound) {
		t.Errorf("Load of the label of a missing slot: %v", err)
	}
	_, err = chg.Load(ctx, "A-99")
	if !errors.Is(err, ErrVolumeNotFound) {
		t.Errorf("Load of a label in slotx: %v", err)
	}
	_, err = chg.Load(ctx, "Wrong")
	wantErr(t, err, "slot 4", `expected volume label "Wrong", but found volume label "A-01"`)
	_, err = chg.Load(ctx, "Bad")
	wantErr(t, err, "slot 6", "bad volume label in "+filepath.Join(dir, "slot6"))
}

func TestOpenChgDiskErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := OpenChgDisk(filepath.Join(dir, "nope"))
	wantErr(t, err, "open chg-disk", filepath.Join(dir, "nope"))
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	_, err = OpenChgDisk(filepath.Join(dir, "file"))
	wantErr(t, err, "not a directory")
}

func TestParseChangerSpec(t *testing.T) {
	tests := []struct{ spec, kind, arg string }{
		{"chg-disk:/x", "chg-disk", "/x"},
		{"chg-disk:/tmp/amc-public/vtapes/main", "chg-disk", "/tmp/amc-public/vtapes/main"},
		{"file:/x", "file", "/x"},
		{"chg-single:file:/x", "chg-single", "file:/x"},
		{"chg-single:tape:/dev/nst0", "chg-single", "tape:/dev/nst0"},
		{"tape:/dev/nst0", "tape", "/dev/nst0"},
		{"/dev/nst0", "tape", "/dev/nst0"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if kind, arg := ParseChangerSpec(tc.spec); kind != tc.kind || arg != tc.arg {
			t.Errorf("ParseChangerSpec(%q) = %q, %q; want %q, %q", tc.spec, kind, arg, tc.kind, tc.arg)
		}
	}
}
