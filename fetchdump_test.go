package main

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/recover/fetch"
)

func TestParseFetchdump(t *testing.T) {
	alice := fetch.Dumpspecs{{Host: "localhost", Disk: "/home/alice", Datestamp: "20261122232846", Level: "0"}}
	tests := []struct {
		name     string
		args     []string
		want     func(a *fetchdumpArgs) bool
		badUsage string // "" when the line is good
	}{
		{"transcript A0", []string{"-a", "-O", "/out", "DailySet1", "localhost", "/home/alice", "20261122232846", "0"},
			func(a *fetchdumpArgs) bool {
				return a.opts.Assume && a.opts.Dir == "/out" && a.cfg.ConfigName == "DailySet1" && reflect.DeepEqual(a.specs, alice)
			}, ""},
		{"catalog and conf after the operands", []string{"DailySet1", "localhost", "--catalog", "c.sqlite", "/home/alice", "--amanda-conf=a.conf"},
			func(a *fetchdumpArgs) bool {
				return a.cfg.CatalogPath == "c.sqlite" && a.cfg.AmandaConf == "a.conf" &&
					reflect.DeepEqual(a.specs, fetch.Dumpspecs{{Host: "localhost", Disk: "/home/alice"}})
			}, ""},
		{"catalog first", []string{"--catalog=c.sqlite", "--amanda-conf", "a.conf", "-a", "DailySet1", "localhost"},
			func(a *fetchdumpArgs) bool { return a.cfg.CatalogPath == "c.sqlite" && a.cfg.AmandaConf == "a.conf" }, ""},
		{"bundled flags and attached value", []string{"-ahl", "-O/out", "DailySet1", "h"},
			func(a *fetchdumpArgs) bool {
				return a.opts.Assume && a.opts.Header && a.opts.Leave && a.opts.Dir == "/out"
			}, ""},
		{"storage override", []string{"-o", "storage=vault", "-o", "tapedev=x", "DailySet1", "h"},
			func(a *fetchdumpArgs) bool {
				return reflect.DeepEqual(a.planOpts.Storages, []string{"vault"}) && a.planOpts.OnlyInStorage &&
					reflect.DeepEqual(a.ignored, []string{"tapedev=x"})
			}, ""},
		{"-n and -C", []string{"-n", "-C", "DailySet1", "h"},
			func(a *fetchdumpArgs) bool {
				return a.opts.NoReassembly && a.planOpts.OnePerPart && a.opts.Compress == fetch.CompressBest
			}, ""},
		{"exact match", []string{"--exact-match", "DailySet1", "h", "/d"},
			func(a *fetchdumpArgs) bool {
				return reflect.DeepEqual(a.specs, fetch.Dumpspecs{{Host: "=h", Disk: "=/d"}})
			}, ""},
		{"operands after --", []string{"-a", "--", "DailySet1", "-h"},
			func(a *fetchdumpArgs) bool { return !a.opts.Header && a.specs[0].Host == "-h" }, ""},
		{"help", []string{"--help"}, func(a *fetchdumpArgs) bool { return a.showUsage }, ""},

		{"nothing", nil, nil, "name a configuration"},
		{"no host", []string{"-a", "DailySet1"}, nil, "must specify at least a hostname"},
		{"unknown option", []string{"-x", "DailySet1", "h"}, nil, "unknown option -x"},
		{"unknown long option", []string{"--frob", "DailySet1", "h"}, nil, "unknown option --frob"},
		{"missing value", []string{"DailySet1", "h", "--catalog"}, nil, "option --catalog needs a value"},
		{"missing short value", []string{"DailySet1", "h", "-O"}, nil, "option -O needs a value"},
		{"value to a flag", []string{"--exact-match=yes", "DailySet1", "h"}, nil, "option --exact-match takes no value"},
		{"-c and -C", []string{"-c", "-C", "DailySet1", "h"}, nil, "Can't use -c and -C"},
		{"-l and -c", []string{"-l", "-c", "DailySet1", "h"}, nil, "-l is not compatible with -c or -C"},
		{"-p and -n", []string{"-p", "-n", "DailySet1", "h"}, nil, "-p is not compatible with -n"},
		{"-b", []string{"-b", "32", "DailySet1", "h"}, nil, "The -b option is no longer supported; set readblocksize in the tapetype section of amanda.conf instead."},
		{"-o without =", []string{"-o", "storage", "DailySet1", "h"}, nil, "-o storage: a configuration override is NAME=VALUE"},
		{"bad datestamp", []string{"DailySet1", "h", "/d", "2026x"}, nil, `illegal datestamp expression "2026x"`},
		{"bad level", []string{"DailySet1", "h", "/d", "2026", "1-x"}, nil, `illegal level expression "1-x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseFetchdump(tt.args)
			checkParse(t, tt.args, err, tt.badUsage)
			if err == nil && !tt.want(a) {
				t.Errorf("parseFetchdump(%q) = %+v", tt.args, a)
			}
		})
	}
}

func TestParseRestore(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		want     func(a *restoreArgs) bool
		badUsage string
	}{
		{"transcript c", []string{"-c", "file:/v/slot1", "localhost", "/home/alice"},
			func(a *restoreArgs) bool {
				return a.opts.Compress == fetch.CompressFast && a.opts.Source == "file:/v/slot1" &&
					reflect.DeepEqual(a.opts.Specs, fetch.Dumpspecs{{Host: "localhost", Disk: "/home/alice"}})
			}, ""},
		{"transcript raw", []string{"-r", "-f", "1", "file:/v", "localhost", "/home/alice"},
			func(a *restoreArgs) bool { return a.opts.Raw && a.opts.Filenum == 1 }, ""},
		{"holding", []string{"--holding", "/h/f"},
			func(a *restoreArgs) bool { return a.opts.Holding && a.opts.Source == "/h/f" && len(a.opts.Specs) == 0 }, ""},
		{"no level: the fourth word is a host", []string{"file:/v", "a", "/x", "2026", "b"},
			func(a *restoreArgs) bool {
				return reflect.DeepEqual(a.opts.Specs, fetch.Dumpspecs{{Host: "a", Disk: "/x", Datestamp: "2026"}, {Host: "b"}})
			}, ""},
		{"options after the device", []string{"file:/v", "-p", "-h", "-l", "DailySet1-01", "-f2"},
			func(a *restoreArgs) bool {
				return a.pipe && a.opts.Header && a.opts.Label == "DailySet1-01" && a.opts.Filenum == 2
			}, ""},
		{"ignored amrestore options", []string{"-b", "32", "-o", "x=y", "--config", "DailySet1", "file:/v"},
			func(a *restoreArgs) bool { return a.opts.Source == "file:/v" }, ""},

		{"nothing", nil, nil, "Must specify a device or holding-disk file"},
		{"raw and compress", []string{"-r", "-c", "file:/v"}, nil, "Cannot use both -r (raw) and -c/-C (compression) -- use -h instead"},
		{"label on holding", []string{"--holding", "-l", "L", "/h/f"}, nil, "Cannot check a label on a holding-disk file"},
		{"bad file number", []string{"-f", "x", "file:/v"}, nil, "-f x: the file number must be a number, 0 or more"},
		{"negative file number", []string{"-f", "-1", "file:/v"}, nil, "-f -1: the file number must be a number, 0 or more"},
		{"catalog is not restore's", []string{"--catalog", "c", "file:/v"}, nil, "unknown option --catalog"},
		{"bad datestamp", []string{"file:/v", "h", "/d", "x"}, nil, `illegal datestamp expression "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseRestore(tt.args)
			checkParse(t, tt.args, err, tt.badUsage)
			if err == nil && !tt.want(a) {
				t.Errorf("parseRestore(%q) = %+v", tt.args, a)
			}
		})
	}
}

// checkParse checks that a command line was accepted, or refused as a usage error with the
// message want.
func checkParse(t *testing.T, args []string, err error, want string) {
	t.Helper()
	var usage *usageError
	switch {
	case want == "" && err != nil:
		t.Fatalf("%q refused: %v", args, err)
	case want != "" && err == nil:
		t.Fatalf("%q accepted; want usage error %q", args, want)
	case want != "" && !errors.As(err, &usage):
		t.Fatalf("%q: error %v is not a usage error", args, err)
	case want != "" && err.Error() != want:
		t.Fatalf("%q: usage error %q; want %q", args, err, want)
	}
}

// FuzzParseArgs checks that no command line makes the parsers panic, and that every refusal is
// a usage error. Seeds: the command lines of the corpus transcripts.
func FuzzParseArgs(f *testing.F) {
	for _, line := range []string{
		"-a -O /tmp/amc-public/work/fetch-A0 DailySet1 localhost /home/alice 20261122232846 0",
		"-a -l -O /tmp/amc-public/work/fetch-A0-l DailySet1 localhost /home/alice 20261122232846 0",
		"-a -o storage=vault -O /tmp/amc-public/work/fetch-A-vault DailySet1 localhost /home/alice",
		"-h -f 2 file:/tmp/amc-public/vtapes/main/slot1",
		"--holding /tmp/amc-public/holding/20261122232930/localhost._home_alice.2",
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Fields(line)
		var usage *usageError
		if _, err := parseFetchdump(args); err != nil && !errors.As(err, &usage) {
			t.Errorf("parseFetchdump(%q): %v is not a usage error", args, err)
		}
		if _, err := parseRestore(args); err != nil && !errors.As(err, &usage) {
			t.Errorf("parseRestore(%q): %v is not a usage error", args, err)
		}
	})
}
