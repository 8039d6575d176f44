package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/recover"
)

// dr, amrshell's: the disaster restore of a whole host. Every disk of the host is planned as of
// the date (its level 0 and the incrementals after it, as setdate's view), the dumps of all
// disks are put in the order that loads each volume once (oldest volume first, files in volume
// order, each disk's levels still in order), and each disk is restored whole under the target
// directory at its mount point.
//
//	for each disk of host:  chain := Chain(history, date)            // oldest level first
//	order every chain's dumps by (volume age, file number), levels kept in order per disk
//	print the plan and the volumes to load; with --dry-run stop there
//	for each dump:          Restore(dump, "/", target/mountpoint)    // one Extract per disk

// DisasterRestore is what `amrshell dr` and the shell's `dr` do.
type DisasterRestore struct {
	Host   string
	Date   string // setdate's forms; "" for the newest dumps
	Target string // the directory every disk is restored under, at its mount point
	DryRun bool   // print the plan only
}

// drDump is one dump of a disaster restore.
type drDump struct {
	disk   string
	target string // where the disk is restored
	item   catalog.HistoryItem
	copy   *catalog.Copy
}

// volumePositions is what a catalog may add to order volumes as the tapelist does.
type volumePositions interface {
	VolumePosition(ctx context.Context, label string) (pos int, ok bool, err error)
}

// Disaster runs a disaster restore and reports whether everything planned was restored.
func (s *Session) Disaster(ctx context.Context, dr DisasterRestore) bool {
	host, err := s.idx.DisklistHost(ctx, dr.Host)
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
		return false
	}
	date := "9999" // after every dump
	if dr.Date != "" {
		var msg string
		if date, msg = s.scanDateArg(dr.Date); msg != "" {
			fmt.Fprintf(s.errOut, "amrshell: dr: --date %s: %s\n", dr.Date, strings.TrimSpace(msg))
			return false
		}
	}
	target, err := filepath.Abs(s.localPath(dr.Target))
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
		return false
	}
	disks, err := s.idx.Disks(ctx, host)
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
		return false
	}
	ok := true
	var plan []drDump
	storages, only := s.storages()
	for _, disk := range disks {
		hist, err := s.idx.HistoryInStorages(ctx, host, disk, storages, only)
		if err != nil {
			fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
			return false
		}
		chain, err := recover.Chain(hist, date)
		if err != nil {
			fmt.Fprintf(s.errOut, "amrshell: dr: %s:%s skipped: %v\n", host, disk, err)
			ok = false
			continue
		}
		for i := len(chain) - 1; i >= 0; i-- {
			cp, err := s.idx.Copy(ctx, chain[i].CopyID)
			if err != nil {
				fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
				return false
			}
			plan = append(plan, drDump{disk: disk, target: filepath.Join(target, mountPoint(disk)), item: chain[i], copy: cp})
		}
	}
	if len(plan) == 0 {
		fmt.Fprintf(s.errOut, "amrshell: dr: no dump of %s to restore\n", host)
		return false
	}
	if err := s.orderForLoading(ctx, plan); err != nil {
		fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
		return false
	}
	s.printPlan(host, dr, target, plan)
	if dr.DryRun {
		s.printf("Dry run (--dry-run): nothing restored.\n")
		return ok
	}

	root, err := openTarget(target)
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
		return false
	}
	defer root.Close()
	extracts := map[string]*recover.Extract{}
	failed := map[string]bool{} // disks whose restore failed: their later levels are not applied
	restored := 0
	for _, d := range plan {
		if ctx.Err() != nil {
			fmt.Fprintf(s.errOut, "amrshell: dr interrupted; %d of %d dump(s) restored\n", restored, len(plan))
			return false
		}
		if failed[d.disk] {
			fmt.Fprintf(s.errOut, "amrshell: dr: %s:%s level %d not restored: a lower level of the disk failed\n", host, d.disk, d.item.Level)
			continue
		}
		if err := root.MkdirAll("."+mountPoint(d.disk), 0o755); err != nil {
			fmt.Fprintf(s.errOut, "amrshell: dr: %v\n", err)
			return false
		}
		req := recover.Request{
			CopyID:    d.item.CopyID,
			Items:     []recover.Item{{Path: "/", Dir: true}},
			Progress:  s.prog,
			Storages:  storages,
			Verify:    s.verifyWrites,
			Overwrite: s.overwrite,
		}
		if extracts[d.disk] == nil {
			extracts[d.disk] = recover.NewExtract([]recover.Request{req})
		}
		req.Extract = extracts[d.disk]
		s.printf("Restoring %s:%s level %d of %s into %s\n", host, d.disk, d.item.Level, d.item.Date, d.target)
		if err := s.restore.Restore(ctx, req, d.target, io.Discard, s.errOut); err != nil {
			fmt.Fprintf(s.errOut, "amrshell: %v\n", err)
			if errors.Is(err, recover.ErrAborted) {
				fmt.Fprintf(s.errOut, "amrshell: dr aborted; %d of %d dump(s) restored\n", restored, len(plan))
				return false
			}
			ok, failed[d.disk] = false, true
			continue
		}
		restored++
	}
	s.printf("Disaster restore of %s: %d of %d dump(s) restored.\n", host, restored, len(plan))
	return ok && restored == len(plan)
}

// mountPoint is where a disk is restored under the target: its name when that is a path that
// stays under the target, else the name made a file name (the catalog may come from an export
// or a scan of volumes: a disk named "/../etc" must not lead out).
func mountPoint(disk string) string {
	if rel := strings.TrimLeft(disk, "/"); strings.HasPrefix(disk, "/") && (rel == "" || filepath.IsLocal(rel)) {
		return "/" + rel
	}
	return device.SanitiseFilename(disk)
}

// orderForLoading sorts the plan so that each volume is loaded once: by the age of the volume
// of each dump's first part (the tapelist's order, oldest first; holding files last), then by
// file number. A disk's levels then keep their order: each disk's dumps are put back, oldest
// level first, in the places its dumps took. A disk mounted inside another comes after that
// one's whole restore: restoring a directory of the outer disk as tar does purges what its
// dump does not list, the inner disk's files included.
func (s *Session) orderForLoading(ctx context.Context, plan []drDump) error {
	type key struct {
		holding bool
		age     int // tapelist position: larger is older
		label   string
		filenum int
	}
	keys := map[*catalog.Copy]key{}
	vp, _ := s.idx.(volumePositions)
	for _, d := range plan {
		k := key{holding: true}
		if p := d.copy.Parts; len(p) > 0 && p[0].HoldingPath == "" {
			k = key{label: p[0].Label, filenum: p[0].Filenum}
			if vp != nil {
				pos, ok, err := vp.VolumePosition(ctx, k.label)
				if err != nil {
					return err
				}
				if ok {
					k.age = pos
				}
			}
		}
		keys[d.copy] = k
	}
	byDisk := map[string][]drDump{}
	for _, d := range plan {
		byDisk[d.disk] = append(byDisk[d.disk], d) // oldest level first
	}
	depth := map[string]int{} // how many other disks of the plan a disk is mounted inside
	for d := range byDisk {
		for o := range byDisk {
			if o != d && strings.HasPrefix(mountPoint(d), strings.TrimSuffix(mountPoint(o), "/")+"/") {
				depth[d]++
			}
		}
	}
	slices.SortStableFunc(plan, func(a, b drDump) int {
		ka, kb := keys[a.copy], keys[b.copy]
		switch {
		case depth[a.disk] != depth[b.disk]:
			return depth[a.disk] - depth[b.disk]
		case ka.holding != kb.holding:
			if ka.holding {
				return 1
			}
			return -1
		case ka.age != kb.age:
			return kb.age - ka.age
		case ka.label != kb.label:
			return strings.Compare(ka.label, kb.label)
		}
		return ka.filenum - kb.filenum
	})
	next := map[string]int{}
	for i, d := range plan {
		plan[i] = byDisk[d.disk][next[d.disk]]
		next[d.disk]++
	}
	return nil
}

// printPlan shows what a disaster restore will do, and the volumes in load order.
func (s *Session) printPlan(host string, dr DisasterRestore, target string, plan []drDump) {
	date := dr.Date
	if date == "" {
		date = "the newest dumps"
	}
	s.printf("Disaster restore of %s as of %s into %s, in this order:\n", host, date, target)
	var loads []string
	for _, d := range plan {
		s.printf("  %s:%s level %d of %s -> %s: %s\n", host, d.disk, d.item.Level, d.item.Date, d.target, partsText(d.copy.Parts))
		for _, p := range d.copy.Parts {
			if p.HoldingPath == "" && (len(loads) == 0 || loads[len(loads)-1] != p.Label) {
				loads = append(loads, p.Label)
			}
		}
	}
	if len(loads) > 0 {
		s.printf("Volumes to load, in order: %s\n", strings.Join(loads, " "))
	}
}

// openTarget opens the target of a disaster restore, made if missing: the mount points are
// made through it, so that none leads out of it.
func openTarget(target string) (*os.Root, error) {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return nil, err
	}
	return os.OpenRoot(target)
}

// partsText says where a copy's parts are: "Vault1-01 files 1-2", "DailySet1-01 files 5-6,
// DailySet1-02 files 1-3", "holding file /hold/x".
func partsText(parts []catalog.Part) string {
	var out []string
	for i := 0; i < len(parts); {
		p := parts[i]
		if p.HoldingPath != "" {
			out = append(out, "holding file "+p.HoldingPath)
			i++
			continue
		}
		j := i
		for j+1 < len(parts) && parts[j+1].HoldingPath == "" && parts[j+1].Label == p.Label {
			j++
		}
		files := strconv.Itoa(p.Filenum)
		if j > i {
			out = append(out, fmt.Sprintf("%s files %d-%d", p.Label, p.Filenum, parts[j].Filenum))
		} else {
			out = append(out, p.Label+" file "+files)
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

// drCommand is the shell's `dr [--dry-run] DIRECTORY`: the disaster restore of the session's
// host as of the session's date.
func (s *Session) drCommand(ctx context.Context, args []string) {
	dr := DisasterRestore{Host: s.host, Date: s.date}
	for _, a := range args {
		switch {
		case a == "--dry-run":
			dr.DryRun = true
		case dr.Target == "" && !strings.HasPrefix(a, "-"):
			dr.Target = a
		default:
			s.printf("usage: dr [--dry-run] DIRECTORY\n")
			return
		}
	}
	if dr.Target == "" {
		s.printf("usage: dr [--dry-run] DIRECTORY\n")
		return
	}
	if dr.Host == "" {
		s.printf("Must select a host before a disaster restore (sethost)\n")
		return
	}
	if !s.Disaster(ctx, dr) {
		s.failed = true
	}
}
