package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCatalogSynth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Syn")
	for _, tc := range []struct {
		args   []string
		status int
		out    string // in stdout, or stderr when status is not 0
	}{
		{[]string{"synth", "--entries", "2000", dir}, 0, "100104 index lines"},
		{[]string{"synth", "--entries", "x", dir}, 2, "--entries wants a count"},
		{[]string{"synth", "--entries=-1", dir}, 2, "--entries wants a count"},
		{[]string{"synth"}, 2, "name one configuration directory"},
		{[]string{"synth", "a", "b"}, 2, "name one configuration directory"},
		{[]string{"synth", "--help"}, 0, "usage: amrshell catalog synth [--entries N] CONFIGDIR"},
	} {
		var stdout, stderr bytes.Buffer
		status := catalogMain(tc.args, &stdout, &stderr)
		out := stdout.String()
		if tc.status != 0 {
			out = stderr.String()
		}
		if status != tc.status || !strings.Contains(out, tc.out) {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want %d and %q", tc.args, status, stdout.String(), stderr.String(), tc.status, tc.out)
		}
	}
	for _, p := range []string{"amanda.conf", "disklist", "tapelist", "log/log.20240101000000.0", "index/localhost/_big/20240101000000_0-unsorted.gz"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
}
