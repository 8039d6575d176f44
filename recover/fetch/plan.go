package fetch

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/amrshell/amrshell/catalog"
)

// PlanOptions are what amfetchdump's command line tells the planner.
type PlanOptions struct {
	// Storages is the storage list in order of preference: the configuration's `storage`
	// list, or the one -o storage=NAME gives.
	Storages []string
	// OnlyInStorage keeps only copies in Storages (-o storage=NAME).
	OnlyInStorage bool
	// OnePerPart makes each part a dump of its own (-n).
	OnePerPart bool
}

// Plan is the copies to read, one per dump, in the order they were written.
type Plan struct {
	Copies []*catalog.Copy
}

// MakePlan chooses, for every dump the dumpspecs match, the copy to read, as Amanda's
// Recovery::Planner does:
//
//	drop copies outside the storage list (OnlyInStorage) and copies without parts;
//	keep the copies of the first listed storage that has any;
//	prefer OK copies, else PARTIAL ones (FAIL ones never, unless alone);
//	take the one written first: a holding-disk copy (write timestamp 0) if there is one,
//	else the first whose first volume matches the storage's labelstr, else the oldest.
//
// The chosen copies are sorted by write timestamp, then holding file, then the tapelist
// position of their first volume (older first), then file number.
func MakePlan(ctx context.Context, cat *catalog.Catalog, specs Dumpspecs, opts PlanOptions) (*Plan, error) {
	dumps, err := cat.FindDumps(ctx, specs)
	if err != nil {
		return nil, err
	}
	var labelstr *regexp.Regexp
	if len(opts.Storages) > 0 {
		ls, err := cat.StorageLabelstr(ctx, opts.Storages[0])
		if err != nil {
			return nil, err
		}
		// A labelstr that is not a regular expression (3.5's templates) selects nothing.
		labelstr, _ = regexp.Compile("^(?:" + ls + ")$")
	}
	p := &Plan{}
	for _, d := range dumps {
		if cp := chooseCopy(d.Copies, opts, labelstr); cp != nil {
			p.Copies = append(p.Copies, cp)
		}
	}
	if opts.OnePerPart {
		p.Copies = onePerPart(p.Copies)
	}
	if err := p.sort(ctx, cat); err != nil {
		return nil, err
	}
	return p, nil
}

func chooseCopy(copies []*catalog.Copy, opts PlanOptions, labelstr *regexp.Regexp) *catalog.Copy {
	copies = slices.DeleteFunc(slices.Clone(copies), func(cp *catalog.Copy) bool {
		return len(cp.Parts) == 0 || opts.OnlyInStorage && !slices.Contains(opts.Storages, cp.Storage)
	})
	for _, s := range opts.Storages {
		in := slices.DeleteFunc(slices.Clone(copies), func(cp *catalog.Copy) bool { return cp.Storage != s })
		if len(in) > 0 {
			copies = in
			break
		}
	}
	switch len(copies) {
	case 0:
		return nil
	case 1:
		return copies[0]
	}
	ok := withStatus(copies, "OK")
	if len(ok) == 0 {
		ok = withStatus(copies, "PARTIAL")
	}
	if len(ok) == 0 {
		return nil
	}
	slices.SortStableFunc(ok, func(a, b *catalog.Copy) int { return strings.Compare(a.WriteTimestamp, b.WriteTimestamp) })
	if isHolding(ok[0]) || labelstr == nil {
		return ok[0]
	}
	for _, cp := range ok {
		if labelstr.MatchString(cp.Parts[0].Label) {
			return cp
		}
	}
	return ok[0]
}

func withStatus(copies []*catalog.Copy, status string) []*catalog.Copy {
	var out []*catalog.Copy
	for _, cp := range copies {
		if cp.Status == status {
			out = append(out, cp)
		}
	}
	return out
}

// isHolding reports whether a copy is on a holding disk (write timestamp all zeros).
func isHolding(cp *catalog.Copy) bool {
	return strings.Trim(cp.WriteTimestamp, "0") == ""
}

// onePerPart makes each part of each copy a copy of its own, as amfetchdump -n reads them.
func onePerPart(copies []*catalog.Copy) []*catalog.Copy {
	var out []*catalog.Copy
	for _, cp := range copies {
		for _, part := range cp.Parts {
			one := *cp
			one.Parts = []catalog.Part{part}
			out = append(out, &one)
		}
	}
	return out
}

// sort orders the copies as they were written; the tapelist position of a volume is 1 for the
// newest, so a larger position comes first.
func (p *Plan) sort(ctx context.Context, cat *catalog.Catalog) error {
	pos := map[string]int{}
	for _, cp := range p.Copies {
		label := cp.Parts[0].Label
		if _, seen := pos[label]; seen || cp.Parts[0].HoldingPath != "" {
			continue
		}
		n, ok, err := cat.VolumePosition(ctx, label)
		if err != nil {
			return err
		}
		if !ok {
			n = -1
		}
		pos[label] = n
	}
	slices.SortStableFunc(p.Copies, func(a, b *catalog.Copy) int {
		if c := strings.Compare(a.WriteTimestamp, b.WriteTimestamp); c != 0 {
			return c
		}
		pa, pb := a.Parts[0], b.Parts[0]
		if pa.HoldingPath != "" && pb.HoldingPath != "" {
			return strings.Compare(pa.HoldingPath, pb.HoldingPath)
		}
		na, nb := pos[pa.Label], pos[pb.Label]
		if na > 0 && nb > 0 && na != nb {
			return nb - na
		}
		if (na <= 0 || nb <= 0) && pa.Label != pb.Label {
			return strings.Compare(pa.Label, pb.Label)
		}
		return cmp.Compare(pa.Filenum, pb.Filenum)
	})
	return nil
}

// Volumes lists the volumes to read, in reading order, a volume read again after another one
// listed again (amfetchdump's "The following volumes are needed").
func (p *Plan) Volumes() []string {
	var labels []string
	for _, cp := range p.Copies {
		for _, part := range cp.Parts {
			if part.HoldingPath != "" {
				continue
			}
			if len(labels) == 0 || labels[len(labels)-1] != part.Label {
				labels = append(labels, part.Label)
			}
		}
	}
	return labels
}

// HoldingFiles lists the holding-disk files to read, in reading order.
func (p *Plan) HoldingFiles() []string {
	var files []string
	for _, cp := range p.Copies {
		for _, part := range cp.Parts {
			if part.HoldingPath != "" {
				files = append(files, part.HoldingPath)
			}
		}
	}
	return files
}

// describe names a copy's dump for messages: "host:disk level N of TS".
func describe(cp *catalog.Copy) string {
	return fmt.Sprintf("%s:%s level %d of %s", cp.Host, cp.Disk, cp.Level, cp.Datestamp)
}
