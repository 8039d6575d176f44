package device

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

func TestOpenChanger(t *testing.T) {
	root := corpus.Unpack(t)
	main := filepath.Join(root, "vtapes/main")
	slot1 := filepath.Join(main, "slot1")
	tests := []struct {
		spec     string
		chgDisk, // a *ChgDisk of this directory, else
		device string // a *Single of this device
		label, notLabel string // a label Load finds, one it does not
	}{
		{spec: "chg-disk:" + main, chgDisk: main, label: "DailySet1-03", notLabel: "Vault1-01"},
		{spec: main, chgDisk: main, label: "DailySet1-02", notLabel: "DailySet1-9"},
		{spec: "file:" + slot1, device: "file:" + slot1, label: "DailySet1-01", notLabel: "DailySet1-02"},
		{spec: "chg-single:file:" + slot1, device: "file:" + slot1, label: "DailySet1-01", notLabel: "DailySet1-03"},
		{spec: slot1, device: "file:" + slot1, label: "DailySet1-01", notLabel: "DailySet1-04"},
		// The root of a chg-disk changer as a vfs device is its current slot, through data.
		{spec: "file:" + main, device: "file:" + main, label: "DailySet1-04", notLabel: "DailySet1-01"},
		{spec: "tape:/dev/null", device: "tape:/dev/null"},
		{spec: "chg-single:tape:/dev/null", device: "tape:/dev/null"},
		{spec: "chg-single:/dev/null", device: "tape:/dev/null"},
		{spec: "/dev/null", device: "tape:/dev/null"},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			c, err := OpenChanger(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			switch c := c.(type) {
			case *ChgDisk:
				if c.Dir != tc.chgDisk {
					t.Errorf("chg-disk %s, want %s", c.Dir, tc.chgDisk)
				}
			case *Single:
				if c.Device != tc.device {
					t.Errorf("chg-single %s, want %s", c.Device, tc.device)
				}
			default:
				t.Fatalf("%T", c)
			}
			if tc.label == "" {
				// No drive here: /dev/null says it is none when loaded.
				_, err := c.Load(ctx, "DailySet1-01")
				if errors.Is(err, ErrWrongVolume) {
					t.Errorf("Load: %v, not a wrong volume", err)
				}
				wantErr(t, err, "load 'DailySet1-01' from tape:/dev/null")
				if msg := err.Error(); !strings.Contains(msg, "/dev/null is not a tape drive") &&
					!strings.Contains(msg, "amrshell reads tape drives on linux") {
					t.Errorf("Load: %v, want /dev/null is not a tape drive", err)
				}
				return
			}
			v, err := c.Load(ctx, tc.label)
			if err != nil {
				t.Fatal(err)
			}
			if v.Label != tc.label {
				t.Errorf("Load(%s) gave %s", tc.label, v.Label)
			}
			_, err = c.Load(ctx, tc.notLabel)
			if tc.chgDisk != "" {
				if !errors.Is(err, ErrVolumeNotFound) || errors.Is(err, ErrWrongVolume) {
					t.Errorf("Load(%s): %v, want ErrVolumeNotFound", tc.notLabel, err)
				}
				return
			}
			if !errors.Is(err, ErrWrongVolume) || errors.Is(err, ErrVolumeNotFound) {
				t.Errorf("Load(%s): %v, want ErrWrongVolume", tc.notLabel, err)
			}
			wantErr(t, err, "expected volume label '"+tc.notLabel+"', but found volume label '"+v.Label+"' in "+tc.device)
		})
	}
}

func TestOpenChangerErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	tests := []struct {
		spec string
		want []string
	}{
		{"", []string{"no changer or device given", "chg-disk:DIR"}},
		{"chg-robot:/dev/sg1", []string{`"chg-robot:/dev/sg1"`, "does not read chg-robot", "it reads chg-disk:DIR, file:DIR, tape:DEVICE"}},
		{"chg-ndmp:host@/dev/sg1", []string{"does not read chg-ndmp"}},
		{"chg-multi:{file:/a,file:/b}", []string{"does not read chg-multi"}},
		{"s3:bucket/slot-1", []string{`"s3:bucket/slot-1"`, "does not read s3"}},
		{"chg-single:s3:bucket", []string{`"chg-single:s3:bucket"`, "chg-single over a file: or tape: device, not s3"}},
		{"chg-disk:" + missing, []string{"open chg-disk", missing}},
		{"file:" + missing, []string{"open file:" + missing, "no such file"}},
		{"file:" + file, []string{"open file:" + file, "not a directory"}},
		{"tape:" + missing, []string{"open tape:" + missing, "no such file"}},
		{"tape:" + dir, []string{"open tape:" + dir, "not a tape drive", "file:" + dir}},
		{missing, []string{"open changer", missing}},
		{file, []string{"open changer " + file, "neither a directory nor a tape device"}},
	}
	for _, tc := range tests {
		c, err := OpenChanger(tc.spec)
		if err == nil {
			t.Errorf("OpenChanger(%q) = %#v, want an error", tc.spec, c)
			continue
		}
		wantErr(t, err, tc.want...)
	}
}

// A vfs single drive reads its directory again at each Load: the operator may have changed it.
func TestSingleFileLoad(t *testing.T) {
	root := corpus.Unpack(t)
	dir := filepath.Join(t.TempDir(), "drive")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	c, err := OpenChanger("file:" + dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = c.Load(ctx, "DailySet1-01")
	if !errors.Is(err, ErrWrongVolume) {
		t.Errorf("Load from an empty directory: %v, want ErrWrongVolume", err)
	}
	wantErr(t, err, "expected volume label 'DailySet1-01', but the volume in file:"+dir+" is not labeled",
		"volume "+dir+" is unlabeled")
	_, err = c.(*Single).Current(ctx)
	if !errors.Is(err, ErrWrongVolume) {
		t.Errorf("Current of an empty directory: %v, want ErrWrongVolume", err)
	}
	wantErr(t, err, "the volume in file:"+dir+" is not labeled (volume "+dir+" is unlabeled")

	// The operator puts a volume in the directory, the wrong one, then the right one.
	insert := func(slot string) {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		copyDir(t, filepath.Join(root, "vtapes/main", slot), dir)
	}
	insert("slot3")
	if v, err := c.(*Single).Current(ctx); err != nil || v.Label != "DailySet1-03" {
		t.Errorf("Current: %+v, %v; want DailySet1-03", v, err)
	}
	_, err = c.Load(ctx, "DailySet1-01")
	if !errors.Is(err, ErrWrongVolume) {
		t.Errorf("Load: %v, want ErrWrongVolume", err)
	}
	wantErr(t, err, "expected volume label 'DailySet1-01', but found volume label 'DailySet1-03' in file:"+dir)
	insert("slot1")
	v, err := c.Load(ctx, "DailySet1-01")
	if err != nil || v.Label != "DailySet1-01" || v.Dir != dir {
		t.Fatalf("Load after the right volume was put in: %+v, %v", v, err)
	}
	insert("slot3")
	if _, err := c.Load(ctx, "DailySet1-01"); !errors.Is(err, ErrWrongVolume) {
		t.Errorf("Load after the volume was changed back: %v, want ErrWrongVolume", err)
	}
}

// An operator and a tape drive: an empty drive, the wrong tape, the right one, a change of tape
// between two Loads.
func TestSingleTapeLoad(t *testing.T) {
	root := corpus.Unpack(t)
	tape := func(slot string) fakeTape {
		return amandaTape(t, filepath.Join(root, "vtapes/main", slot), 32<<10, fileMark)
	}
	lib := &fakeLibrary{}
	c := lib.changer()
	ctx := context.Background()

	_, err := c.Load(ctx, "DailySet1-01")
	if !errors.Is(err, ErrWrongVolume) || !errors.Is(err, errNoTape) {
		t.Errorf("Load from an empty drive: %v, want ErrWrongVolume", err)
	}
	wantErr(t, err, "expected volume label 'DailySet1-01', but "+fakeDev+" holds no volume", "no medium found")

	lib.tape = tape("slot3")
	_, err = c.Load(ctx, "DailySet1-01")
	if !errors.Is(err, ErrWrongVolume) {
		t.Errorf("Load of the wrong tape: %v, want ErrWrongVolume", err)
	}
	wantErr(t, err, "expected volume label 'DailySet1-01', but found volume label 'DailySet1-03' in "+fakeDev)
	if lib.opens != 1 || lib.openDrives() != 0 {
		t.Errorf("after a wrong tape: %d opens, %d drives open; want 1, 0", lib.opens, lib.openDrives())
	}

	// The operator inserts the right tape: Load opens the drive again.
	lib.tape = tape("slot1")
	v, err := c.Load(ctx, "DailySet1-01")
	if err != nil || v.Label != "DailySet1-01" || v.Datestamp != "20261122232846" {
		t.Fatalf("Load of the right tape: %+v, %v", v, err)
	}
	if lib.opens != 2 {
		t.Errorf("%d opens, want 2", lib.opens)
	}
	f, data := readTapeFile(t, v, 1)
	if f.Header.Disk != "/etc" || len(data) == 0 {
		t.Errorf("file 1: %s, %d bytes", f.Header.Summary(), len(data))
	}
	// The same label again: the tape stays where it is, the drive open.
	if v2, err := c.Load(ctx, "DailySet1-01"); err != nil || v2 != v || lib.opens != 2 {
		t.Errorf("Load of the loaded label: %p %v, %d opens; want %p, 2 opens", v2, err, lib.opens, v)
	}
	rewinds := lib.rewinds
	if f, _ := readTapeFile(t, v, 2); f.Header.Disk != "/srv/ext2vol" || lib.rewinds != rewinds {
		t.Errorf("file 2: %s after %d rewinds", f.Header.Summary(), lib.rewinds-rewinds)
	}

	// The operator changes the tape; a file of the old one is still open.
	old, err := v.OpenFile(3)
	if err != nil {
		t.Fatal(err)
	}
	lib.tape = tape("slot3")
	v3, err := c.Load(ctx, "DailySet1-03")
	if err != nil || v3.Label != "DailySet1-03" {
		t.Fatalf("Load after a change of tape: %v", err)
	}
	if lib.openDrives() != 1 {
		t.Errorf("%d drives open, want 1", lib.openDrives())
	}
	if _, err := io.ReadAll(old); err == nil {
		t.Error("read a file of the unloaded tape")
	} else {
		wantErr(t, err, "DailySet1-01 file 3", "no longer loaded")
	}
	old.Close()
	_, err = v.OpenFile(4)
	wantErr(t, err, "open DailySet1-01 file 4 ("+fakeDev+")", "no longer loaded")
	if f, _ := readTapeFile(t, v3, 1); f.Header.Disk != "/etc" || f.Header.Level != 1 {
		t.Errorf("DailySet1-03 file 1: %s", f.Header.Summary())
	}

	// Whatever the drive holds, as amrestore reads it: the drive is opened again.
	if v, err := c.Current(ctx); err != nil || v.Label != "DailySet1-03" || v == v3 || lib.opens != 4 {
		t.Errorf("Current: %+v, %v, %d opens; want DailySet1-03, reopened", v, err, lib.opens)
	}
	lib.tape = nil
	_, err = c.Current(ctx)
	if !errors.Is(err, ErrWrongVolume) || lib.openDrives() != 0 {
		t.Errorf("Current of an empty drive: %v, %d drives open", err, lib.openDrives())
	}
	wantErr(t, err, fakeDev+" holds no volume (open tape drive /dev/fake: no tape in the drive")
	lib.tape = tape("slot1")
	if _, err := c.Load(ctx, "DailySet1-01"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil || lib.openDrives() != 0 {
		t.Errorf("Close: %v, %d drives open", err, lib.openDrives())
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Load(cancelled, "DailySet1-03"); !errors.Is(err, context.Canceled) || lib.opens != 5 {
		t.Errorf("Load with a cancelled context: %v, %d opens", err, lib.opens)
	}
}
