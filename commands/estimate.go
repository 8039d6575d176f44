package commands

import (
	"context"
	"fmt"
	"strings"
)

// estimate, amrshell's: what an extract of the list would restore and read, before any prompt:
// for each dump in restore order, the entries its index lists under the chosen paths and the
// parts to read; then the volumes to load, in load order. `extract` prints it instead of
// restoring when the shell runs with --dry-run.

// estimate prints what an extract of the list would do.
func (s *Session) estimate(ctx context.Context) {
	if len(s.extract) == 0 {
		s.printf("Extract list empty - No files to extract!\n")
		return
	}
	var (
		files, dirs, media, native int64
		loads                      []string // volumes in load order, a volume again when another came between
	)
	s.printf("Extract estimate: %d dump(s), restored in this order:\n", len(s.extract))
	for _, g := range s.extract {
		cp, err := s.idx.Copy(ctx, g.dump.CopyID)
		if err != nil {
			s.printf("%s\n", replyLine(err))
			return
		}
		f, d, err := s.countEntries(ctx, g)
		if err != nil {
			s.printf("%s\n", replyLine(err))
			return
		}
		var bytes int64
		for _, p := range cp.Parts {
			bytes += p.Bytes
		}
		files, dirs, media, native = files+f, dirs+d, media+bytes, native+cp.OrigKB*1024
		s.printf("  %s:%s level %d of %s: %d file(s), %d directory(ies); %s to read, %s dumped\n",
			cp.Host, cp.Disk, cp.Level, g.dump.Date, f, d, kib(bytes), kib(cp.OrigKB*1024))
		for _, p := range cp.Parts {
			if p.HoldingPath != "" {
				s.printf("      holding file %s (%s)\n", p.HoldingPath, kib(p.Bytes))
				continue
			}
			s.printf("      volume %s file %d: part %d of %d (%s)\n", p.Label, p.Filenum, p.Num, len(cp.Parts), kib(p.Bytes))
			if len(loads) == 0 || loads[len(loads)-1] != p.Label {
				loads = append(loads, p.Label)
			}
		}
	}
	s.printf("Total: %d file(s), %d directory(ies); %s to read, %s dumped.\n", files, dirs, kib(media), kib(native))
	if len(loads) > 0 {
		s.printf("Volumes to load, in order: %s\n", strings.Join(loads, " "))
	}
	s.printf("(extract may also choose the older names of renamed directories, in older dumps)\n")
}

// countEntries counts what the dump of g lists under its chosen paths: what tar will restore
// from it (files, links and special files; directories).
func (s *Session) countEntries(ctx context.Context, g *group) (files, dirs int64, err error) {
	for _, it := range pruneItems(g.files) { // as extract does
		if !it.dir {
			files++
			continue
		}
		err := s.idx.WalkTree(ctx, []int64{g.dump.DumpID}, dirSlash(it.path), func(p string, _ int64) error {
			if strings.HasSuffix(p, "/") {
				dirs++
			} else {
				files++
			}
			return nil
		})
		if err != nil {
			return 0, 0, err
		}
	}
	return files, dirs, nil
}

// kib says a size in KiB, as amrecover's "N kb" progress does.
func kib(n int64) string { return fmt.Sprintf("%d kB", (n+1023)/1024) }
