package device

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrVolumeNotFound is returned (wrapped) when a changer has no volume with the wanted label.
var ErrVolumeNotFound = errors.New("volume not found")

// ChgDisk is a chg-disk changer: a directory of slot directories slot1, slot2, ..., each a vfs
// volume, and a data symlink naming the current slot. It is only read: the state file is not
// needed to find volumes, and Load does not change the current slot.
type ChgDisk struct {
	Dir string
}

// OpenChgDisk opens the chg-disk changer in dir.
func OpenChgDisk(dir string) (*ChgDisk, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open chg-disk: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open chg-disk %s: not a directory", dir)
	}
	return &ChgDisk{Dir: dir}, nil
}

// Slot is one slot of a chg-disk changer.
type Slot struct {
	Number int
	Label  string // from the name of the slot's 00000.<label> file; "" for a blank slot
	Dir    string
	// Current is set for the slot the changer's data symlink points to, the one amtape marks
	// "(current)".
	Current bool
}

// Inventory lists the slots in slot number order. Like chg-disk it takes labels from file
// names, without reading the volumes.
func (c *ChgDisk) Inventory() ([]Slot, error) {
	slots, err := c.slots()
	if err != nil {
		return nil, err
	}
	current := c.current()
	for i := range slots {
		s := &slots[i]
		s.Current = s.Number == current
		label, err := slotLabel(s.Dir)
		if err != nil {
			return nil, fmt.Errorf("inventory of chg-disk %s: %w", c.Dir, err)
		}
		s.Label = label
	}
	return slots, nil
}

// Load opens the volume labelled label: the slot holding a 00000.<label> file, whose TAPESTART
// header must name the same label.
func (c *ChgDisk) Load(ctx context.Context, label string) (*Volume, error) {
	slots, err := c.slots()
	if err != nil {
		return nil, err
	}
	notFound := fmt.Errorf("label %q not in chg-disk %s: %w", label, c.Dir, ErrVolumeNotFound)
	if label == "" || strings.ContainsRune(label, '/') {
		return nil, notFound
	}
	for _, s := range slots {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("load %q from chg-disk %s: %w", label, c.Dir, err)
		}
		if _, err := os.Stat(filepath.Join(s.Dir, "00000."+label)); err != nil {
			continue
		}
		v, err := openVolumeDir(s.Dir)
		if err != nil {
			return nil, fmt.Errorf("load %q from chg-disk %s slot %d: %w", label, c.Dir, s.Number, err)
		}
		if v.Label != label {
			return nil, fmt.Errorf("load %q from chg-disk %s slot %d: expected volume label %q, but found volume label %q",
				label, c.Dir, s.Number, label, v.Label)
		}
		return v, nil
	}
	return nil, notFound
}

// slots lists the slot directories, slotN, by number.
func (c *ChgDisk) slots() ([]Slot, error) {
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("list slots of chg-disk: %w", err)
	}
	var slots []Slot
	for _, e := range entries {
		n, ok := slotNumber(e.Name())
		if !ok {
			continue
		}
		dir := filepath.Join(c.Dir, e.Name())
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		slots = append(slots, Slot{Number: n, Dir: dir})
	}
	sort.SliceStable(slots, func(i, j int) bool { return slots[i].Number < slots[j].Number })
	return slots, nil
}

// current returns the slot number the data symlink (or its 2.6 name, current) points to, or -1.
func (c *ChgDisk) current() int {
	for _, link := range []string{"data", "current"} {
		target, err := os.Readlink(filepath.Join(c.Dir, link))
		if err != nil {
			continue
		}
		target, _, _ = strings.Cut(target, "/")
		if n, ok := slotNumber(target); ok {
			return n
		}
	}
	return -1
}

// slotNumber parses a slot directory name, "slot" and digits.
func slotNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, "slot")
	if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

// slotLabel returns the label of the volume in a slot directory: the name of its first
// 00000.<label> file, or "" for a blank slot.
func slotLabel(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	for _, e := range entries { // sorted by name, so the first one wins as in chg-disk
		if label, ok := strings.CutPrefix(e.Name(), "00000."); ok {
			return label, nil
		}
	}
	return "", nil
}

// ParseChangerSpec splits a changer or device name at its first colon into kind and argument:
// "chg-disk:/x" gives ("chg-disk", "/x"), "file:/x" ("file", "/x"), "chg-single:file:/x"
// ("chg-single", "file:/x"). A name without a colon is a tape device, as in Amanda:
// "/dev/nst0" gives ("tape", "/dev/nst0").
func ParseChangerSpec(spec string) (kind, arg string) {
	if spec == "" {
		return "", ""
	}
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok {
		return "tape", spec
	}
	return kind, arg
}
