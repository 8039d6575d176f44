package gtar

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fullFS is a file system that fills up: a file gets no more than limit bytes. It is slow to
// say so, so that Extract's goroutine gets ahead of the write that fails.
type fullFS struct {
	FS
	limit int
}

func (f fullFS) Create(name string) (File, error) {
	file, err := f.FS.Create(name)
	return &fullFile{File: file, left: f.limit}, err
}

type fullFile struct {
	File
	left int
}

var errNoSpace = errors.New("no space left on device")

func (f *fullFile) Write(p []byte) (int, error) {
	if len(p) > f.left {
		time.Sleep(20 * time.Millisecond)
		n, _ := f.File.Write(p[:f.left])
		f.left = 0
		return n, errNoSpace
	}
	f.left -= len(p)
	return f.File.Write(p)
}

// Regular files larger than a buffer are written behind Extract's goroutine, smaller ones in
// place: either way, what each member gives (its file, its error, its count) is what writing
// it in place gave, in archive order.
func TestWriteBehind(t *testing.T) {
	big := bytes.Repeat([]byte("large"), behindBufSize)
	for _, size := range []struct {
		name string
		n    int
	}{{"small", 10}, {"large", 3*behindBufSize + 100}} {
		// content is a file's content, of the size's length, starting with tag.
		content := func(tag string) []byte {
			b := bytes.Repeat([]byte{'.'}, size.n)
			copy(b, tag)
			return b
		}
		file := func(a *archive, name, tag string) *archive {
			return a.add(t, &tar.Header{Name: name, Typeflag: tar.TypeReg}, content(tag))
		}
		t.Run(size.name+"/a write fails", func(t *testing.T) {
			a := newArchive().file(t, "./first.txt", "first")
			a = file(file(a, "./full.bin", "full"), "./after.bin", "after")
			dir, fsys := tempRoot(t)
			var notes bytes.Buffer
			limit := size.n - 5
			st, err := Extract(context.Background(), bytes.NewReader(a.bytes(t)), fullFS{fsys, limit}, Options{Notes: &notes})
			if err != nil {
				t.Fatal(err)
			}
			// Every file but first.txt is too large: each fails on its own.
			if st.Files != 1 || len(st.Errors) != 2 || !strings.Contains(st.Errors[0], "./full.bin: write: no space left on device") ||
				!strings.HasPrefix(st.Errors[1], "./after.bin:") {
				t.Errorf("Files %d, Errors %q; want first.txt, and full.bin's then after.bin's write errors", st.Files, st.Errors)
			}
			if want := int64(len("first") + 2*limit); st.Bytes != want {
				t.Errorf("Bytes %d, want %d (what was written)", st.Bytes, want)
			}
			for _, name := range []string{"full.bin", "after.bin"} {
				if _, err := os.Lstat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s is there (%v): a file that failed never gets its name", name, err)
				}
			}
			noTemps(t, dir)
		})
		t.Run(size.name+"/a file where a failed one's directory was", func(t *testing.T) {
			a := file(newArchive(), "./d/x", "fails").file(t, "./d", "now")
			dir, fsys := tempRoot(t)
			st, err := Extract(context.Background(), bytes.NewReader(a.bytes(t)), fullFS{fsys, size.n - 5}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			// d/x failed and was removed: d was an empty directory when ./d came.
			if got := string(readFile(t, dir, "d")); got != "now" || st.Files != 1 || len(st.Errors) != 1 {
				t.Errorf("d = %q, Files %d, Errors %q; want ./d a file, d/x's write error", got, st.Files, st.Errors)
			}
			noTemps(t, dir)
		})
		t.Run(size.name+"/a directory in the way", func(t *testing.T) {
			a := file(file(newArchive(), "./empty", "was empty"), "./full", "not restored").file(t, "./last.txt", "last")
			dir, fsys := tempRoot(t)
			for _, d := range []string{"empty", "full/keep"} {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			st, _, notes, err := extract(t, a.bytes(t), fsys, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, dir, "empty"); !bytes.Equal(got, content("was empty")) {
				t.Errorf("empty: %.20q: an empty directory is replaced, as tar does", got)
			}
			if len(st.Errors) != 1 || !strings.Contains(notes, "./full: cannot replace it: a directory that is not empty is in the way") {
				t.Errorf("Errors %q, notes:\n%s", st.Errors, notes)
			}
			if st.Files != 2 || string(readFile(t, dir, "last.txt")) != "last" {
				t.Errorf("Files %d, want 2 (empty, last.txt)", st.Files)
			}
			noTemps(t, dir)
		})
		t.Run(size.name+"/members that see files written before", func(t *testing.T) {
			a := file(newArchive(), "./f", "first").add(t, &tar.Header{Name: "./hard", Typeflag: tar.TypeLink, Linkname: "./f"}, nil)
			a = file(file(a, "./f", "second"), "./g", "a file")
			a = file(a, "./g/below", "not restored").add(t, &tar.Header{Name: "./sym", Typeflag: tar.TypeSymlink, Linkname: "g"}, nil)
			a = file(file(a, "./h", "one"), "./h", "two")
			a = a.add(t, &tar.Header{Name: "./m", Typeflag: tar.TypeReg}, big).file(t, "./m", "small, last")
			dir, fsys := tempRoot(t)
			var sizes []int64
			st, err := Extract(context.Background(), bytes.NewReader(a.bytes(t)), fsys, Options{
				Restored: func(n int64) { sizes = append(sizes, n) },
			})
			if err != nil {
				t.Fatal(err)
			}
			for name, tag := range map[string]string{"hard": "first", "f": "second", "g": "a file", "sym": "a file", "h": "two"} {
				if got := readFile(t, dir, name); !bytes.Equal(got, content(tag)) {
					t.Errorf("%s: %d bytes %.20q, want %s", name, len(got), got, tag)
				}
			}
			if len(st.Errors) != 1 || !strings.Contains(st.Errors[0], "./g/below: './g' is not a directory") {
				t.Errorf("Errors %q; want ./g/below's", st.Errors)
			}
			n := int64(size.n)
			if got := string(readFile(t, dir, "m")); got != "small, last" {
				t.Errorf("m = %.20q, want the last member's", got)
			}
			small := int64(len("small, last"))
			if want := []int64{n, 0, n, n, 0, n, n, int64(len(big)), small}; st.Files != 9 || !slices.Equal(sizes, want) {
				t.Errorf("Files %d, Restored heard %v; want 9 files, %v", st.Files, sizes, want)
			}
			if want := 5*n + int64(len(big)) + small; st.Bytes != want {
				t.Errorf("Bytes %d, want %d", st.Bytes, want)
			}
			noTemps(t, dir)
		})
	}
}
