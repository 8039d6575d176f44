package dump

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/amrshell/amrshell/recover/gtar"
)

// tree reads dir into path -> "dir", "link:TARGET" or the file's content, with "#N" appended
// to the files that share inode N with another (numbered in path order).
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	inodes := map[uint64][]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case p == dir:
		case fi.IsDir():
			out[rel] = "dir"
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "link:" + target
		case fi.Mode()&os.ModeNamedPipe != 0:
			out[rel] = "fifo"
		default:
			b, _ := os.ReadFile(p)
			out[rel] = string(b)
			ino := fi.Sys().(*syscall.Stat_t).Ino
			inodes[ino] = append(inodes[ino], rel)
		}
		return nil
	})
	var groups [][]string
	for _, v := range inodes {
		if len(v) > 1 {
			slices.Sort(v)
			groups = append(groups, v)
		}
	}
	slices.SortFunc(groups, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	for n, g := range groups {
		for _, p := range g {
			out[p] += "#" + strconv.Itoa(n+1)
		}
	}
	return out
}

func checkTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := tree(t, dir)
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: missing", p)
		} else if g != w {
			t.Errorf("%s: %q, want %q", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: extra (%q)", p, got[p])
		}
	}
}

// The level 0 of the rename tests: a/in, x/xf, y/yf, f and g.
func renameLevel0() []byte {
	return newBuilder(1000, 0).
		dir(RootIno, 100, dirEnt("a", 10), dirEnt("x", 20), dirEnt("y", 30), fileEnt("f", 40), fileEnt("g", 41)).
		dir(10, 100, fileEnt("in", 11)).
		dir(20, 100, fileEnt("xf", 21)).
		dir(30, 100, fileEnt("yf", 31)).
		file(11, modeReg|0o644, 100, "in").
		file(21, modeReg|0o644, 100, "xf").
		file(31, modeReg|0o644, 100, "yf").
		file(40, modeReg|0o644, 100, "f").
		file(41, modeReg|0o644, 100, "g0").
		bytes()
}

// The level 1: a renamed a2, x and y swapped, f moved to sub/f and linked as sub/f2, g changed.
// Only the top directory, sub and g are dumped: the rest did not change.
func renameLevel1() []byte {
	return newBuilder(2000, 1).
		dir(RootIno, 200, dirEnt("a2", 10), dirEnt("x", 30), dirEnt("y", 20), fileEnt("g", 41), dirEnt("sub", 50)).
		dir(50, 200, fileEnt("f", 40), fileEnt("f2", 40)).
		file(41, modeReg|0o644, 200, "g1").
		keep(10, 11, 20, 21, 30, 31, 40).
		bytes()
}

// TestMoves restores a level 1 that renames, swaps, moves and links what level 0 restored.
func TestMoves(t *testing.T) {
	l0, l1 := renameLevel0(), renameLevel1()
	tests := []struct {
		name   string
		sel    gtar.PathSelection
		want   map[string]string
		before map[string]string // files in the restore directory before, and kept
	}{
		{"add .", all(), map[string]string{
			"a2": "dir", "a2/in": "in", "x": "dir", "x/yf": "yf", "y": "dir", "y/xf": "xf",
			"g": "g1", "sub": "dir", "sub/f": "f#1", "sub/f2": "f#1",
		}, nil},
		{"add a2 sub", gtar.PathSelection{"a2": gtar.Listed, "a": gtar.Listed, "sub": gtar.Listed, "f": gtar.Listed}, map[string]string{
			"a2": "dir", "a2/in": "in", "sub": "dir", "sub/f": "f#1", "sub/f2": "f#1",
		}, nil},
		{"add * keeps what was there", func() gtar.PathSelection {
			s := gtar.PathSelection{}
			s.Add("", gtar.Exact)
			for _, n := range []string{"a", "a2", "x", "y", "f", "g", "sub"} {
				s.Add(n, gtar.Listed)
			}
			return s
		}(), map[string]string{
			"a2": "dir", "a2/in": "in", "x": "dir", "x/yf": "yf", "y": "dir", "y/xf": "xf",
			"g": "g1", "sub": "dir", "sub/f": "f#1", "sub/f2": "f#1", "mine": "mine",
		}, map[string]string{"mine": "mine"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, c := range tc.before {
				os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644)
			}
			root, err := gtar.OSRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			state := &State{}
			keep := func(p string) bool { _, ok := tc.before[p]; return ok }
			for i, data := range [][]byte{l0, l1} {
				var notes bytes.Buffer
				st, err := Extract(context.Background(), bytes.NewReader(data), root, Options{Select: tc.sel, Notes: &notes, State: state, Keep: keep})
				if err != nil || len(st.Refused)+len(st.Errors) > 0 {
					t.Fatalf("level %d: %v %q %q\n%s", i, err, st.Refused, st.Errors, notes.String())
				}
			}
			checkTree(t, dir, tc.want)
		})
	}
}

// TestNoState restores the level 1 of the rename tests over its level 0 restored without the
// State (another amrshell run): what the directories no longer list goes all the same; what
// moved cannot follow, and nothing else breaks.
func TestNoState(t *testing.T) {
	dir := t.TempDir()
	root, err := gtar.OSRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for i, data := range [][]byte{renameLevel0(), renameLevel1()} {
		st, err := Extract(context.Background(), bytes.NewReader(data), root, Options{})
		if err != nil || len(st.Refused)+len(st.Errors) > 0 {
			t.Fatalf("level %d: %v %q %q", i, err, st.Refused, st.Errors)
		}
	}
	checkTree(t, dir, map[string]string{"x": "dir", "x/xf": "xf", "y": "dir", "y/yf": "yf", "g": "g1", "sub": "dir"})
}
