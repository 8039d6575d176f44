package dump

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// listLines returns List's names as Amanda's index lines: "/path", directories ending in "/".
func listLines(t testing.TB, data []byte) ([]string, error) {
	t.Helper()
	var lines []string
	err := List(context.Background(), bytes.NewReader(data), func(p string, dir bool) error {
		line := "/" + p
		if dir && p != "" {
			line += "/"
		}
		lines = append(lines, line)
		return nil
	})
	return lines, err
}

// TestListMatchesAmandaIndex compares List with the index Amanda made of the same dumps by
// `restore -t` (corpus state/index/localhost/_srv_ext2vol/), as sets: restore lists in
// directory order.
func TestListMatchesAmandaIndex(t *testing.T) {
	root := corpus.Unpack(t)
	for _, tt := range []struct{ image, index string }{
		{level0, "20261122232846_0-unsorted.gz"},
		{level1, "20261122232902_1-unsorted.gz"},
	} {
		t.Run(tt.index, func(t *testing.T) {
			got, err := listLines(t, image(t, tt.image))
			if err != nil {
				t.Fatal(err)
			}
			want := readIndexFile(t, filepath.Join(root, "state", "index", "localhost", "_srv_ext2vol", tt.index))
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("List:\n%q\nAmanda's index:\n%q", got, want)
			}
		})
	}
}

// TestListLevels checks, on the rename tests' hand-made dumps, that a level 1 lists only what
// it holds: its dumped directories (the top, sub) and dumped files (g), not the unchanged file
// that sub names twice, nor the unchanged directories a2, x and y; and every name of a hard
// link.
func TestListLevels(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
		want []string
	}{
		{"level0", renameLevel0(), []string{"/", "/a/", "/a/in", "/f", "/g", "/x/", "/x/xf", "/y/", "/y/yf"}},
		{"level1", renameLevel1(), []string{"/", "/g", "/sub/"}},
		{"hard links", newBuilder(1000, 0).dir(RootIno, 100, fileEnt("h1", 40), fileEnt("h2", 40)).
			file(40, modeReg|0o644, 100, "x").bytes(), []string{"/", "/h1", "/h2"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := listLines(t, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != "/" {
				t.Errorf("List does not start with the top directory: %q", got)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("List = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestListTruncated(t *testing.T) {
	data := image(t, level0)
	for _, n := range []int{0, BlockSize, 3 * BlockSize} {
		if _, err := listLines(t, data[:n]); err == nil {
			t.Errorf("List of the first %d bytes: no error", n)
		}
	}
}

func readIndexFile(t testing.TB, path string) []string {
	t.Helper()
	return strings.Split(strings.TrimSuffix(string(image(t, path)), "\n"), "\n")
}

func FuzzList(f *testing.F) {
	const maxInput = 32 * BlockSize
	f.Add(image(f, level0)[:16*BlockSize])
	f.Add(image(f, level1))
	f.Add(renameLevel1())
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxInput {
			return
		}
		// Holes cost no input: a few records can make a directory of hundreds of MiB, which
		// List reads whole, as restore does. Such inputs are left to FuzzReader.
		rd := NewReader(bytes.NewReader(data))
		for {
			h, err := rd.Next()
			if err != nil {
				break
			}
			if h.Type == TypeInode && h.Inode.Size > 64*BlockSize {
				return
			}
		}
		n := 0
		List(context.Background(), bytes.NewReader(data), func(string, bool) error {
			n++
			return nil
		})
	})
}
