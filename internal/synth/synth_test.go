package synth

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBaselineSizes(t *testing.T) {
	// The amrecover baseline's indexes (amrecover-baseline.md, part A).
	for _, tc := range []struct{ entries, lines int }{
		{100_000, 100_104},
		{1_000_000, 1_001_004},
		{3_000_000, 3_003_004},
		{10_000_000, 10_010_004},
	} {
		if got := Baseline(tc.entries).Lines(); got != tc.lines {
			t.Errorf("Baseline(%d).Lines() = %d, want %d", tc.entries, got, tc.lines)
		}
	}
}

func TestWriteIndex(t *testing.T) {
	for _, tree := range []Tree{
		{},
		{Small: 3},
		{Big: 5, Small: 2, Dirs: 3, PerDir: 2},
		{Big: 1_000_001, Dirs: 12_345, PerDir: 1},
	} {
		var buf bytes.Buffer
		if err := tree.WriteIndex(&buf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != tree.Lines() {
			t.Errorf("%+v: %d lines, Lines() says %d", tree, len(lines), tree.Lines())
		}
		files, dirsDone := 0, false
		seen := make(map[string]bool, len(lines))
		for i, l := range lines {
			if seen[l] {
				t.Fatalf("%+v: line %d %q repeated", tree, i, l)
			}
			seen[l] = true
			isDir := strings.HasSuffix(l, "/")
			if isDir && dirsDone {
				t.Fatalf("%+v: directory %q after the files: amgtar lists directories first", tree, l)
			}
			dirsDone = !isDir
			if !isDir {
				files++
			}
			// Every line's directory is listed before it.
			if l != "/" {
				parent := l[:strings.LastIndexByte(strings.TrimSuffix(l, "/"), '/')+1]
				if !seen[parent] {
					t.Fatalf("%+v: %q before its directory %q", tree, l, parent)
				}
			}
		}
		if files != tree.Files() {
			t.Errorf("%+v: %d files, Files() says %d", tree, files, tree.Files())
		}
		// Tar's incremental order: directories in path order, then each one's files in order.
		if !slices.IsSorted(lines[:len(lines)-files]) || !slices.IsSortedFunc(lines[len(lines)-files:], func(a, b string) int {
			return strings.Compare(a[:strings.LastIndexByte(a, '/')], b[:strings.LastIndexByte(b, '/')])
		}) {
			t.Errorf("%+v: not in tar's incremental order", tree)
		}
	}
}

func TestWriteServer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Synth")
	tree := Tree{Big: 10, Small: 3, Dirs: 2, PerDir: 4}
	s, err := WriteServer(dir, tree)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"amanda.conf", "disklist", "tapelist", "log/log.20240101000000.0"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	if want := filepath.Join(dir, "index", "localhost", "_big", "20240101000000_0-unsorted.gz"); s.Index != want {
		t.Errorf("index at %s, want %s", s.Index, want)
	}
	f, err := os.Open(s.Index)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := tree.WriteIndex(&want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("index file differs from WriteIndex's output")
	}
	// That the catalog imports it as one dump is checked in catalog's scale benchmarks' test.
}

func TestPeakRSS(t *testing.T) {
	p, err := StartPeakRSS()
	if err != nil {
		t.Skipf("no peak RSS on this system: %v", err)
	}
	const size = 64 << 20
	b := make([]byte, size)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	grew, err := p.Growth()
	if err != nil {
		t.Fatal(err)
	}
	// The kernel batches its RSS counters per thread: allow some pages short.
	if grew < size*9/10 || grew > 4*size {
		t.Errorf("touched %d MiB, growth says %d MiB", size>>20, grew>>20)
	}
	b = nil
	// A new span starts from the current resident set, not the old peak.
	p, err = StartPeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	if grew, err = p.Growth(); err != nil || grew >= size {
		t.Errorf("a new span reports %d MiB (%v), want less than %d", grew>>20, err, size>>20)
	}
}
