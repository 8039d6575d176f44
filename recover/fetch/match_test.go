package fetch

import (
	"strings"
	"testing"
)

// The expected answers are those of Amanda 3.5.1's match_host, match_disk, match_datestamp and
// match_level (common-src/match.c) on the same inputs.

func TestMatchHost(t *testing.T) {
	for _, c := range []struct {
		expr, host string
		want       bool
	}{
		{"hosta", "hosta", true},
		{"hosta", "foo.hosta.org", true},
		{"hosta", "hoSTA.dOMAIna.ORG", true},
		{"hOsta", "hosta", true},
		{"hosta", "hostb", false},
		{"host", "hosta", false},
		{"host?", "hosta", true},
		{"host?", "host", false},
		{"host?", "hostabc", false},
		{"ho*na", "hoina.org", true},
		{"ho*na", "ho.aina.org", false},
		{"ho**na", "ho.aina.org", true},
		{"^hosta", "hosta.org", true},
		{"^hosta", "www.hosta", false},
		{"^hosta$", "hosta", true},
		{"^hosta$", "hosta.org", false},
		{"^lu.vis.ta$", "lu.vis.ta", true},
		{"^lu.vis.ta$", "lu-vis.ta", false},
		{".hosta.", "foo.hosta.org", true},
		{"/hosta", "hosta", false},
		{"mo[st]a", "mosa", true},
		{"mo[st]a", "mosta", false},
		{"mo[!st]a", "moma", true},
		{"mo[!st]a", "mota", false},
		{"toast.", "www.toast.com", true},
		{"=localhost", "localhost", true},
		{"=localhost", "LOCALHOST", false},
		{"=local", "localhost", false},
	} {
		got, err := matchHost(c.expr, c.host)
		if err != nil || got != c.want {
			t.Errorf("matchHost(%q, %q) = %v, %v; want %v", c.expr, c.host, got, err, c.want)
		}
	}
}

func TestMatchDisk(t *testing.T) {
	for _, c := range []struct {
		expr, disk string
		want       bool
	}{
		{"sda*", "/dev/sda1", true},
		{"sda*", "/dev/sdb2", false},
		{"opt", "/opt/foo", true},
		{"/opt", "opt", true},
		{"/opt", "/local/opt/", true},
		{"opt/", "/opt/local/", true},
		{"/", "/", true},
		{"/", "/opt/local/", false},
		{"/usr$", "/usr", true},
		{"/usr$", "/usr/local", false},
		{"share", `\\windows1\share`, true},
		{"share*", `\\windows\share1`, true},
		{"//windows/share", `\\windows\share`, true},
		{`\\windows\share`, "//windows/share", false},
		{`\\\\windows\\share`, `\\windows\share`, true},
		{"^local", "/local", false},
		{"^/local", "/local/vore", true},
		{"local/bin", "/opt/local/bin", true},
		{"local/var", "/local/usr/var", false},
		{"/usr/bin", "/usr/bin//", true},
		{"/usr/bin//", "/usr/bin", false},
		{`/usr\/bin`, "/usr/bin", true},
		{`\/usr\/bin`, "/usr/bin", false},
		{`^\/usr\/bin$`, "/usr/bin", true},
		{`^/usr\/bin\/$`, "/usr/bin/", true},
		{"^oracle", "oracle/", true},
		{"^oracle", "/oracle", false},
		{"oracle$", "/oracle", true},
		{"oracle$", "oracle/", false},
		{"oracle/$", "/oracle/", true},
		{"oracle/$", "/oracle", false},
		{"/home/alice", "/home/alice", true},
		{"alice", "/home/alice", true},
		{"/home", "/home/alice", true},
		{"=/home", "/home/alice", false},
	} {
		got, err := matchDisk(c.expr, c.disk)
		if err != nil || got != c.want {
			t.Errorf("matchDisk(%q, %q) = %v, %v; want %v", c.expr, c.disk, got, err, c.want)
		}
	}
}

func TestMatchDatestamp(t *testing.T) {
	for _, c := range []struct {
		expr, ds string
		want     bool
	}{
		{"20001212-14", "20001212", true},
		{"20001212-14", "20001214", true},
		{"20001212-14", "20001215", false},
		{"20001212-4", "20001213010203", true},
		{"20001212-214", "20001215", false},
		{"20001212-24", "20001211", false},
		{"20001212-24", "20001221010203", true},
		{"2000121", "20001209", false},
		{"2000121", "20001219012345", true},
		{"^2", "20000101", true},
		{"2000-2010", "19991231235959", false},
		{"2000-2010", "20101231", true},
		{"2000-2010", "20111010", false},
		{"200010$", "200010", true},
		{"20000615$", "20000615000000", false},
		{"*", "20261122232846", true},
		{"=20261122232846", "20261122232846", true},
		{"=2026112223284", "20261122232846", false},
	} {
		got, err := matchDatestamp(c.expr, c.ds)
		if err != nil || got != c.want {
			t.Errorf("matchDatestamp(%q, %q) = %v, %v; want %v", c.expr, c.ds, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "^", "2026x", "2000-20101", "2000-20-10", "2000$-2010", "2010-2000"} {
		if _, err := matchDatestamp(bad, "20261122232846"); err == nil {
			t.Errorf("matchDatestamp(%q) accepted an illegal expression", bad)
		}
	}
}

func TestMatchLevel(t *testing.T) {
	for _, c := range []struct {
		expr  string
		level int
		want  bool
	}{
		{"3$", 3, true},
		{"3$", 32, false},
		{"^3$", 4, false},
		{"3", 32, true},
		{"3", 2, false},
		{"2-5", 2, true},
		{"2-5", 5, true},
		{"2-5", 23, false},
		{"9-15", 14, true},
		{"9-15", 152, false},
		{"99-99", 99, true},
		{"21-19", 19, false},
		{"-1", 0, true},
		{"=1", 1, true},
		{"=1", 12, false},
	} {
		got, err := matchLevel(c.expr, c.level)
		if err != nil || got != c.want {
			t.Errorf("matchLevel(%q, %d) = %v, %v; want %v", c.expr, c.level, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "^", "x", "1$-2", "1-x"} {
		if _, err := matchLevel(bad, 0); err == nil {
			t.Errorf("matchLevel(%q) accepted an illegal expression", bad)
		}
	}
}

func TestParseDumpspecs(t *testing.T) {
	for _, c := range []struct {
		words            []string
		withLevel, exact bool
		want             Dumpspecs
	}{
		{nil, true, false, nil},
		{[]string{"localhost"}, true, false, Dumpspecs{{Host: "localhost"}}},
		{[]string{"localhost", "/home/alice", "20261122232846", "0"}, true, false,
			Dumpspecs{{Host: "localhost", Disk: "/home/alice", Datestamp: "20261122232846", Level: "0"}}},
		{[]string{"a", "/x", "2026", "1", "b", "/y"}, true, false,
			Dumpspecs{{Host: "a", Disk: "/x", Datestamp: "2026", Level: "1"}, {Host: "b", Disk: "/y"}}},
		// amrestore: no level, so the fourth word is the next host.
		{[]string{"a", "/x", "2026", "b", "/y"}, false, false,
			Dumpspecs{{Host: "a", Disk: "/x", Datestamp: "2026"}, {Host: "b", Disk: "/y"}}},
		{[]string{"a", "/x"}, false, true, Dumpspecs{{Host: "=a", Disk: "=/x"}}},
	} {
		got, err := ParseDumpspecs(c.words, c.withLevel, c.exact)
		if err != nil {
			t.Errorf("ParseDumpspecs(%q): %v", c.words, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("ParseDumpspecs(%q) = %+v; want %+v", c.words, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("ParseDumpspecs(%q)[%d] = %+v; want %+v", c.words, i, got[i], c.want[i])
			}
		}
	}
	for _, bad := range [][]string{{"h", "d", "2026x"}, {"h", "d", "2026", "x"}, {"h", "d", "2026", "1-x"}} {
		if _, err := ParseDumpspecs(bad, true, false); err == nil {
			t.Errorf("ParseDumpspecs(%q) accepted a bad expression", bad)
		}
	}
}

// FuzzMatchDisk checks that no expression makes the matcher panic, and that an expression
// without special characters always matches itself.
func FuzzMatchDisk(f *testing.F) {
	for _, s := range []string{"/home/alice", "/srv/media", "/etc", `\\win\share`, "^/a$", "[!x]*", `a\`, "**"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, expr, disk string) {
		if expr == "" {
			return
		}
		_, _ = matchDisk(expr, disk)
		_, _ = matchHost(expr, disk)
		if strings.Trim(expr, "abcdefghijklmnopqrstuvwxyz0123456789_-") == "" {
			if ok, err := matchDisk(expr, expr); !ok || err != nil {
				t.Errorf("matchDisk(%q, %q) = %v, %v; want true", expr, expr, ok, err)
			}
		}
		_, _ = matchDatestamp(expr, disk)
		_, _ = matchLevel(expr, len(disk))
	})
}
