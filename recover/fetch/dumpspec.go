package fetch

import (
	"fmt"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// Dumpspec is one "host [disk [datestamp [level]]]" group of a command line: amanda-match(7)
// expressions, "" (or absent) matching anything.
type Dumpspec struct {
	Host, Disk, Datestamp, Level string
}

// Dumpspecs choose the dumps that match any of them. They are a catalog.DumpFilter.
type Dumpspecs []Dumpspec

// ParseDumpspecs groups command-line words as Amanda's cmdline_parse_dumpspecs does: host, disk,
// datestamp, then level when withLevel (amfetchdump; amrestore has no level, so its fourth word
// starts the next host), then the next host. exact (--exact-match) makes every word exact. Bad
// datestamp and level expressions are errors here rather than in the middle of a search.
func ParseDumpspecs(words []string, withLevel, exact bool) (Dumpspecs, error) {
	var specs Dumpspecs
	field := 0
	for _, w := range words {
		if exact && (len(w) == 0 || w[0] != '=') {
			w = "=" + w
		}
		if field == 3 && !withLevel {
			field = 0
		}
		switch field {
		case 0:
			specs = append(specs, Dumpspec{Host: w})
		case 1:
			specs[len(specs)-1].Disk = w
		case 2:
			if w != "" {
				if _, err := matchDatestamp(w, "0"); err != nil {
					return nil, err
				}
			}
			specs[len(specs)-1].Datestamp = w
		case 3:
			if w != "" {
				if _, err := matchLevel(w, 0); err != nil {
					return nil, err
				}
			}
			specs[len(specs)-1].Level = w
		}
		field = (field + 1) % 4
	}
	for _, s := range specs {
		if s.Host != "" {
			if _, err := matchHost(s.Host, "host"); err != nil {
				return nil, fmt.Errorf("bad host expression %q: %w", s.Host, err)
			}
		}
		if s.Disk != "" {
			if _, err := matchDisk(s.Disk, "/disk"); err != nil {
				return nil, fmt.Errorf("bad disk expression %q: %w", s.Disk, err)
			}
		}
	}
	return specs, nil
}

// The matchers cannot fail once ParseDumpspecs accepted the expressions, except on a Windows
// share whose converted expression does not compile: that matches nothing.

func (s Dumpspec) host(host string) bool {
	return s.Host == "" || matches(matchHost(s.Host, host))
}

func (s Dumpspec) disk(disk string) bool {
	return s.Disk == "" || matches(matchDisk(s.Disk, disk))
}

func (s Dumpspec) datestamp(ds string) bool {
	if s.Datestamp == "" {
		return true
	}
	// Old 8-digit stamps also match as if padded with zeros, as find.c compares them.
	return matches(matchDatestamp(s.Datestamp, ds)) ||
		len(ds) < 14 && matches(matchDatestamp(s.Datestamp, ds+strings.Repeat("0", 14-len(ds))))
}

func (s Dumpspec) level(level int) bool {
	return s.Level == "" || matches(matchLevel(s.Level, level))
}

// Host reports whether any dumpspec accepts the host.
func (ds Dumpspecs) Host(host string) bool {
	for _, s := range ds {
		if s.host(host) {
			return true
		}
	}
	return false
}

// Disk reports whether any dumpspec accepts the host and disk.
func (ds Dumpspecs) Disk(host, disk string) bool {
	for _, s := range ds {
		if s.host(host) && s.disk(disk) {
			return true
		}
	}
	return false
}

// Dump reports whether any dumpspec accepts the dump.
func (ds Dumpspecs) Dump(host, disk, datestamp string, level int) bool {
	for _, s := range ds {
		if s.host(host) && s.disk(disk) && s.datestamp(datestamp) && s.level(level) {
			return true
		}
	}
	return false
}

// MatchHeader is amrestore's test of a file (header_matches_dumpspecs): only FILE and
// SPLIT_FILE headers can match, and no dumpspecs match them all.
func (ds Dumpspecs) MatchHeader(h *device.Header) bool {
	if len(ds) == 0 {
		return true
	}
	if h.Type != device.DumpFile && h.Type != device.SplitFile {
		return false
	}
	for _, s := range ds {
		if s.host(h.Host) && s.disk(h.Disk) && (s.Datestamp == "" || matches(matchDatestamp(s.Datestamp, h.Datestamp))) && s.level(h.Level) {
			return true
		}
	}
	return false
}

func matches(ok bool, err error) bool { return ok && err == nil }
