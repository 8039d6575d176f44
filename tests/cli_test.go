package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandLine checks the ways amrshell is started wrong: each ends at once, with a line
// saying what is wrong, the usual exit status, and no catalog made by mistake.
func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such.sqlite")
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{"nothing to read", nil, 2, "name an Amanda configuration (-C NAME or --amanda-conf FILE) or a catalog (--catalog FILE)"},
		{"catalog that does not exist", []string{"--catalog", missing}, 1, "catalog " + missing + ": "},
		{"configuration that does not exist", []string{"--amanda-conf", filepath.Join(dir, "amanda.conf")}, 1, "read the Amanda configuration: "},
		{"two configurations", []string{"-C", "One", "Two"}, 2, "two configurations named: -C One and Two"},
		{"unknown flag", []string{"--frobnicate"}, 2, "flag provided but not defined: -frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runAmrshell(t, dir, "quit\n", tt.args...)
			if res.ExitCode != tt.status {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", res.ExitCode, tt.status, res.Stderr)
			}
			if !strings.Contains(res.Stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, res.Stderr)
			}
			if strings.Contains(res.Stdout, "amrecover> ") {
				t.Errorf("the shell started:\n%s", res.Stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("a missing catalog's directory was created (%v)", err)
	}
}
