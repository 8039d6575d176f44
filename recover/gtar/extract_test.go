package gtar

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/amrshell/amrshell/internal/hostile"
	"github.com/spf13/afero"
)

// fsKinds are the FS implementations the behaviour tests run on: os.Root, and afero over a
// real directory (which has symbolic links, so the archive can plant them).
var fsKinds = []struct {
	name string
	open func(t *testing.T, dir string) FS
}{
	{"OSRoot", func(t *testing.T, dir string) FS {
		fsys, err := OSRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fsys.Close() })
		return fsys
	}},
	{"AferoFS", func(t *testing.T, dir string) FS {
		return AferoFS(afero.NewBasePathFs(afero.NewOsFs(), dir))
	}},
}

// TestHostile extracts archives that try to write outside the restore directory or to do what
// needs privileges: each bad member is refused with a clear reason, the rest is restored, and
// nothing appears outside.
func TestHostile(t *testing.T) {
	tests := []struct {
		name    string
		members func(t *testing.T, a *archive, outside string)
		refused []string // one substring per refusal, in order
	}{
		{"dot-dot names", func(t *testing.T, a *archive, _ string) {
			a.file(t, "../escape.txt", "x")
			a.file(t, "./a/../../escape.txt", "x")
		}, []string{"leads outside the restore directory", "leads outside the restore directory"}},
		{"absolute name", func(t *testing.T, a *archive, outside string) {
			a.file(t, outside+"/abs.txt", "x")
		}, []string{"absolute member name"}},
		{"file named as the top", func(t *testing.T, a *archive, _ string) {
			a.add(t, &tar.Header{Name: "./", Typeflag: tar.TypeSymlink, Linkname: "/"}, nil)
		}, []string{"names the restore directory itself"}},
		{"file through a planted symlink", func(t *testing.T, a *archive, outside string) {
			a.add(t, &tar.Header{Name: "./evil", Typeflag: tar.TypeSymlink, Linkname: outside}, nil)
			a.file(t, "./evil/pwn.txt", "x")
			a.add(t, &tar.Header{Name: "./self", Typeflag: tar.TypeSymlink, Linkname: "."}, nil)
			a.file(t, "./self/pwn.txt", "x")
			a.add(t, &tar.Header{Name: "./evil/d/", Typeflag: tar.TypeDir}, nil)
		}, []string{"'./evil' is a symbolic link", "'./self' is a symbolic link", "'./evil' is a symbolic link"}},
		{"hard links out", func(t *testing.T, a *archive, outside string) {
			a.add(t, &tar.Header{Name: "./h1", Typeflag: tar.TypeLink, Linkname: "../outside/secret"}, nil)
			a.add(t, &tar.Header{Name: "./h2", Typeflag: tar.TypeLink, Linkname: outside + "/secret"}, nil)
			a.add(t, &tar.Header{Name: "./s", Typeflag: tar.TypeSymlink, Linkname: outside}, nil)
			a.add(t, &tar.Header{Name: "./h3", Typeflag: tar.TypeLink, Linkname: "./s/secret"}, nil)
		}, []string{"leads outside", "absolute member name", "'./s' is a symbolic link"}},
		{"device node without root", func(t *testing.T, a *archive, _ string) {
			a.add(t, &tar.Header{Name: "./null2", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, nil)
		}, []string{"device node (1, 3) not created: that needs root"}},
		{"renames out", func(t *testing.T, a *archive, _ string) {
			a.dumpdir(t, "./", "Yafter.txt", "Ybefore.txt", "R../outside", "T./in", "R./before.txt", "T/abs")
		}, []string{"rename record '../outside'", "rename record '/abs'"}},
		{"dumpdirs out", func(t *testing.T, a *archive, outside string) {
			a.dumpdir(t, "../outside/")
			a.dumpdir(t, outside+"/")
			a.add(t, &tar.Header{Name: "./evil", Typeflag: tar.TypeSymlink, Linkname: outside}, nil)
			a.dumpdir(t, "./evil/sub/") // an empty dumpdir: would purge everything there
		}, []string{"leads outside", "absolute member name", "'./evil' is a symbolic link"}},
		{"NUL in names", func(t *testing.T, a *archive, _ string) {
			a.paxMember(t, hdrBlock("./x", '0', 0, nil), "path", "./ok\x00/../../escape.txt")
			a.paxMember(t, hdrBlock("./l", '2', 0, nil), "linkpath", "/etc\x00/passwd")
		}, []string{"member name contains a NUL byte", "the target contains a NUL byte"}},
		{"long names", func(t *testing.T, a *archive, _ string) {
			a.file(t, "./"+strings.Repeat("d/", 3000)+"f", "x")
			a.file(t, "./"+strings.Repeat("n", 300), "x")
		}, []string{"member name of 6001 bytes: longer than the 4095 a path may have", "an element of 300 bytes"}},
		{"set-id bits", func(t *testing.T, a *archive, _ string) {
			a.add(t, &tar.Header{Name: "./suid", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 0}, []byte("#!/bin/sh\n"))
			a.add(t, &tar.Header{Name: "./sgid", Typeflag: tar.TypeReg, Mode: 0o2755, Gid: 0}, []byte("#!/bin/sh\n"))
			a.add(t, &tar.Header{Name: "./mine", Typeflag: tar.TypeReg, Mode: 0o4755, Uid: 1000, Gid: 1000}, []byte("#!/bin/sh\n"))
		}, []string{"set-user-ID bit not restored: the file would run as you (uid 1000), not as its owner uid 0",
			"set-group-ID bit not restored: the file would run with your group (gid 1000), not gid 0"}},
	}
	for _, kind := range fsKinds {
		for _, tc := range tests {
			t.Run(kind.name+"/"+tc.name, func(t *testing.T) {
				defer func(u, g func() int) { geteuid, getegid = u, g }(geteuid, getegid)
				geteuid = func() int { return 1000 }
				getegid = func() int { return 1000 }
				top := t.TempDir()
				dir, outside := filepath.Join(top, "restore"), filepath.Join(top, "outside")
				for _, d := range []string{dir, outside} {
					if err := os.Mkdir(d, 0o755); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
					t.Fatal(err)
				}
				a := newArchive().file(t, "./before.txt", "before")
				tc.members(t, a, outside)
				a.file(t, "./after.txt", "after")
				st, _, notes, err := extract(t, a.bytes(t), kind.open(t, dir), nil)
				if err != nil {
					t.Fatal(err)
				}
				if len(st.Refused) != len(tc.refused) {
					t.Fatalf("refused %q, want %d refusals like %q", st.Refused, len(tc.refused), tc.refused)
				}
				for i, want := range tc.refused {
					if !strings.Contains(st.Refused[i], want) || !strings.Contains(notes, want) {
						t.Errorf("refusal %q (notes %q): want it to say %q, also on Notes", st.Refused[i], notes, want)
					}
				}
				for _, f := range []string{"before.txt", "after.txt"} {
					if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
						t.Errorf("%s not restored: %v", f, err)
					}
				}
				ents, _ := os.ReadDir(outside)
				if len(ents) != 1 {
					t.Errorf("outside directory changed: %v", ents)
				}
				for _, p := range []string{filepath.Join(top, "escape.txt"), "/abs.txt"} {
					if _, err := os.Lstat(p); err == nil {
						t.Errorf("%s was written", p)
					}
				}
				noTemps(t, dir)
				if tc.name == "set-id bits" {
					for name, want := range map[string]fs.FileMode{"suid": 0o755, "sgid": 0o755, "mine": 0o755 | fs.ModeSetuid} {
						if fi, err := os.Lstat(filepath.Join(dir, name)); err != nil || fi.Mode() != want {
							t.Errorf("%s: %v (%v), want mode %v", name, fi.Mode(), err, want)
						}
					}
				}
			})
		}
	}
}

// TestBrokenStreams: a truncated member and a size header far beyond the data stop the
// extraction with a clear error; what came before is restored and nothing is half-written.
func TestBrokenStreams(t *testing.T) {
	tests := []struct {
		name string
		tail func(t *testing.T) []byte
		want string
	}{
		{"truncated member", func(t *testing.T) []byte {
			h := hdrBlock("./big.bin", '0', 3<<20, nil)
			return append(h, bytes.Repeat([]byte("x"), 2<<20)...)
		}, "archive ends inside member ./big.bin (1048576 bytes missing)"},
		{"huge size", func(t *testing.T) []byte {
			h := hdrBlock("./big.bin", '0', 0, func(b *block) {
				copy(b[offSize:], []byte{0x80, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0})
			})
			return append(h, bytes.Repeat([]byte("x"), 100000)...)
		}, "archive ends inside member ./big.bin"},
		{"huge dumpdir", func(t *testing.T) []byte {
			return append(hdrBlock("./d/", 'D', 1<<40, nil), endBlocks()...)
		}, "more than the 134217728 allowed"},
	}
	for _, kind := range fsKinds {
		for _, tc := range tests {
			t.Run(kind.name+"/"+tc.name, func(t *testing.T) {
				dir := t.TempDir()
				head := newArchive().dumpdir(t, "./", "Ybefore.txt", "Ybig.bin", "Dd").file(t, "./before.txt", "before")
				head.tw.Flush()
				arc := append(head.buf.Bytes(), tc.tail(t)...)
				st, _, _, err := extract(t, arc, kind.open(t, dir), nil)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want one saying %q", err, tc.want)
				}
				if st.Files != 1 {
					t.Errorf("stats %+v, want the one file before the damage", st)
				}
				if got := readFile(t, dir, "before.txt"); string(got) != "before" {
					t.Errorf("before.txt = %q", got)
				}
				if _, err := os.Lstat(filepath.Join(dir, "big.bin")); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("big.bin exists: %v", err)
				}
				noTemps(t, dir)
			})
		}
	}
}

// cancelAfter cancels a context once n bytes were read through it.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	if c.n -= k; c.n <= 0 {
		c.cancel()
	}
	return k, err
}

func TestCancel(t *testing.T) {
	data := make([]byte, 32<<20)
	a := newArchive().file(t, "./first.txt", "first").add(t, &tar.Header{Name: "./big.bin", Typeflag: tar.TypeReg}, data)
	for _, kind := range fsKinds {
		t.Run(kind.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r := &cancelAfter{r: bytes.NewReader(a.buf.Bytes()), n: 8 << 20, cancel: cancel}
			_, err := Extract(ctx, r, kind.open(t, dir), Options{})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want context.Canceled", err)
			}
			if _, err := os.Lstat(filepath.Join(dir, "big.bin")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("big.bin exists: %v", err)
			}
			noTemps(t, dir)
		})
	}
}

// TestPurge covers tar -G's deletions: entries the dumpdir does not list, and entries whose
// type changed (dumpdir D but a file on disk, Y but a directory), replaced by the new member.
func TestPurge(t *testing.T) {
	l0 := newArchive().
		dumpdir(t, "./", "Dd", "Dto-file", "Yto-dir", "Ygone.txt", "Ylink-to-dir", "Nkeep.txt").
		dumpdir(t, "./d/", "Yold.txt").
		dumpdir(t, "./to-file/", "Yx").
		file(t, "./d/old.txt", "old").
		file(t, "./to-file/x", "x").
		file(t, "./to-dir", "was a file").
		file(t, "./gone.txt", "gone").
		add(t, &tar.Header{Name: "./link-to-dir", Typeflag: tar.TypeSymlink, Linkname: "d"}, nil).
		file(t, "./keep.txt", "keep").bytes(t)
	l1 := newArchive().
		dumpdir(t, "./", "Dd", "Yto-file", "Dto-dir", "Dlink-to-dir", "Nkeep.txt").
		dumpdir(t, "./d/", "Ynew.txt").
		dumpdir(t, "./link-to-dir/", "Yin.txt").
		dumpdir(t, "./to-dir/").
		file(t, "./d/new.txt", "new").
		file(t, "./link-to-dir/in.txt", "in").
		file(t, "./to-file", "now a file").bytes(t)
	want := map[string]string{"d/": "", "d/new.txt": "new", "to-file": "now a file", "to-dir/": "", "link-to-dir/": "", "link-to-dir/in.txt": "in", "keep.txt": "keep"}
	for _, kind := range fsKinds {
		t.Run(kind.name, func(t *testing.T) {
			dir := t.TempDir()
			fsys := kind.open(t, dir)
			if st, _, _, err := extract(t, l0, fsys, nil); err != nil || len(st.Errors) > 0 {
				t.Fatalf("level 0: %+v, %v", st, err)
			}
			st, verbose, _, err := extract(t, l1, fsys, nil)
			if err != nil || len(st.Errors)+len(st.Refused) > 0 {
				t.Fatalf("level 1: %+v, %v", st, err)
			}
			wantVerbose := []string{"./", "amrshell: Deleting './gone.txt'", "amrshell: Deleting './link-to-dir'",
				"amrshell: Deleting './to-dir'", "amrshell: Deleting './to-file'", "./d/", "amrshell: Deleting './d/old.txt'",
				"./link-to-dir/", "./to-dir/", "./d/new.txt", "./link-to-dir/in.txt", "./to-file"}
			if got := lines(verbose); strings.Join(got, "\n") != strings.Join(wantVerbose, "\n") {
				t.Errorf("verbose:\n%s", diffLines(got, wantVerbose))
			}
			checkTree(t, dir, want)
		})
	}
}

// TestExactSelection: an Exact directory is purged silently (lines on Notes), not printed nor
// created; its Listed entries are extracted as usual.
func TestExactSelection(t *testing.T) {
	l0 := newArchive().dumpdir(t, "./", "Da", "Db").dumpdir(t, "./a/", "Yf").dumpdir(t, "./b/", "Yg").
		file(t, "./a/f", "f").file(t, "./b/g", "g").bytes(t)
	l1 := newArchive().dumpdir(t, "./", "Da").dumpdir(t, "./a/", "Nf", "Yh").file(t, "./a/h", "h").bytes(t)
	dir, fsys := tempRoot(t)
	if _, _, _, err := extract(t, l0, fsys, nil); err != nil {
		t.Fatal(err)
	}
	st, verbose, notes, err := extract(t, l1, fsys, star("a"))
	if err != nil {
		t.Fatal(err)
	}
	if verbose != "./a/\n./a/h\n" || notes != "amrshell: Deleting './b'\n" || st.Deleted != 1 || st.Dirs != 1 {
		t.Errorf("verbose %q, notes %q, stats %+v", verbose, notes, st)
	}
	checkTree(t, dir, map[string]string{"a/": "", "a/f": "f", "a/h": "h"})
}

// TestRenames replays rename records: a swap through the temporary directory, applied as tar
// does when the top directory is Listed, and by amrshell when it is Exact or not selected.
func TestRenames(t *testing.T) {
	l0 := newArchive().dumpdir(t, "./", "Da", "Db", "Dc").dumpdir(t, "./a/", "Yfa").dumpdir(t, "./b/", "Yfb").dumpdir(t, "./c/", "Yfc").
		file(t, "./a/fa", "a").file(t, "./b/fb", "b").file(t, "./c/fc", "c").bytes(t)
	// Level 1: a and b swapped their names, c became d/c (d is new), fc was deleted.
	l1 := newArchive().dumpdir(t, "./", "Da", "Db", "Dd", "X./", "R./a", "T", "R./b", "T./a", "R", "T./b", "R./c", "T./d/c").
		dumpdir(t, "./a/", "Nfb").dumpdir(t, "./b/", "Nfa").dumpdir(t, "./d/", "Dc").dumpdir(t, "./d/c/", "Ynew").
		file(t, "./d/c/new", "new").bytes(t)
	want := map[string]string{"a/": "", "a/fb": "b", "b/": "", "b/fa": "a", "d/": "", "d/c/": "", "d/c/new": "new"}
	tests := []struct {
		name        string
		sel         Selection
		wantVerbose []string
		wantNotes   string
	}{
		{"add .", dot(), []string{"./", "./a/", "./b/", "./d/", "./d/c/", "amrshell: Deleting './d/c/fc'", "./d/c/new"}, ""},
		{"add *", star("a", "b", "d"), []string{"./a/", "./b/", "./d/", "./d/c/", "amrshell: Deleting './d/c/fc'", "./d/c/new"}, "Renaming './c' to './d/c'"},
		{"only d", PathSelection{"d": Listed}, []string{"./d/", "./d/c/", "amrshell: Deleting './d/c/fc'", "./d/c/new"}, "Renaming './c' to './d/c'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, fsys := tempRoot(t)
			if _, _, _, err := extract(t, l0, fsys, nil); err != nil {
				t.Fatal(err)
			}
			st, verbose, notes, err := extract(t, l1, fsys, tc.sel)
			if err != nil || len(st.Errors)+len(st.Refused) > 0 {
				t.Fatalf("%+v, %v", st, err)
			}
			if got := lines(verbose); strings.Join(got, "\n") != strings.Join(tc.wantVerbose, "\n") {
				t.Errorf("verbose:\n%s", diffLines(got, tc.wantVerbose))
			}
			if !strings.Contains(notes, tc.wantNotes) {
				t.Errorf("notes %q, want %q in them", notes, tc.wantNotes)
			}
			if tc.name == "only d" {
				want = map[string]string{"a/": "", "a/fa": "a", "b/": "", "b/fb": "b", "d/": "", "d/c/": "", "d/c/new": "new"}
			}
			checkTree(t, dir, want)
		})
	}
}

// checkTree compares the tree under dir with want: "x/" for directories, file contents else.
func checkTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			got[rel+"/"] = ""
		} else {
			b, _ := os.ReadFile(p)
			got[rel] = string(b)
		}
		return nil
	})
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: got %q (present %v), want %q", k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected", k)
		}
	}
}

// Options.Restored hears of each member but directories once it is in place, with the size of
// its content; not of refused members, nor of members not selected.
func TestRestoredHook(t *testing.T) {
	a := newArchive().dumpdir(t, "./", "Ya.txt", "Ylink", "Yhard", "Yfifo", "Dd", "Yskipped.txt")
	a.file(t, "./a.txt", "hello")
	a.add(t, &tar.Header{Name: "./d/", Typeflag: tar.TypeDir}, nil)
	a.file(t, "./d/b.txt", strings.Repeat("b", 1000))
	a.add(t, &tar.Header{Name: "./link", Typeflag: tar.TypeSymlink, Linkname: "a.txt"}, nil)
	a.add(t, &tar.Header{Name: "./hard", Typeflag: tar.TypeLink, Linkname: "./a.txt"}, nil)
	a.add(t, &tar.Header{Name: "./fifo", Typeflag: tar.TypeFifo}, nil)
	a.file(t, "../escape.txt", "x")
	a.file(t, "./skipped.txt", "not selected")
	sel := PathSelection{}
	for _, p := range []string{"a.txt", "d", "link", "hard", "fifo", "../escape.txt"} {
		sel.Add(p, Listed)
	}
	_, fsys := tempRoot(t)
	var sizes []int64
	st, err := Extract(context.Background(), bytes.NewReader(a.bytes(t)), fsys, Options{
		Select:   sel,
		Restored: func(size int64) { sizes = append(sizes, size) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{5, 1000, 0, 0, 0}; !slices.Equal(sizes, want) || st.Files != len(want) {
		t.Errorf("Restored heard %v (Stats.Files %d), want %v", sizes, st.Files, want)
	}
	if len(st.Refused) != 1 || st.Skipped == 0 {
		t.Errorf("stats %+v, want ../escape.txt refused and skipped.txt skipped", st)
	}
}

// BenchmarkExtract extracts a generated ~200 MB archive (directories, 1 MiB files, small files)
// into a temporary directory, counting files and bytes for progress as amrshell does.
func BenchmarkExtract(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(rng.Uint32())
	}
	a := newArchive()
	var top []string
	for d := range 20 {
		top = append(top, fmt.Sprintf("Ddir%02d", d))
	}
	a.dumpdir(b, "./", top...)
	for _, d := range top {
		var ents []string
		for f := range 10 {
			ents = append(ents, fmt.Sprintf("Ybig%02d", f))
		}
		for f := range 200 {
			ents = append(ents, fmt.Sprintf("Ysmall%03d", f))
		}
		a.dumpdir(b, "./"+d[1:]+"/", ents...)
	}
	for _, d := range top {
		for f := range 10 {
			a.add(b, &tar.Header{Name: fmt.Sprintf("./%s/big%02d", d[1:], f), Typeflag: tar.TypeReg}, chunk)
		}
		for f := range 200 {
			a.add(b, &tar.Header{Name: fmt.Sprintf("./%s/small%03d", d[1:], f), Typeflag: tar.TypeReg}, chunk[f:f+4000])
		}
	}
	data := a.bytes(b)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dir := b.TempDir()
		fsys, err := OSRoot(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var files, size atomic.Int64
		st, err := Extract(context.Background(), bytes.NewReader(data), fsys, Options{
			Restored: func(n int64) { files.Add(1); size.Add(n) },
		})
		b.StopTimer()
		if err != nil || st.Files != 20*210 || files.Load() != 20*210 || size.Load() != st.Bytes {
			b.Fatalf("%+v, %v; progress heard of %d files, %d bytes", st, err, files.Load(), size.Load())
		}
		fsys.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}

// FuzzExtract extracts arbitrary streams twice into one restore directory (the second time as a
// later level would, with another overwrite policy, verifying), then compares: it must never
// panic nor touch anything outside the restore directory, whose sibling holds a file and a
// directory the hostile cases aim at.
func FuzzExtract(f *testing.F) {
	root := corpus.Unpack(f)
	etc, err := io.ReadAll(io.LimitReader(dumpStream(f, root, etcL0...), 256<<10))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(etc)
	for _, c := range hostile.Cases("/tmp/amrshell-fuzz-outside") {
		f.Add(c.Stream())
	}
	f.Add(newArchive().dumpdir(f, "./", "Da", "R./a", "T./b").dumpdir(f, "./b/", "Yf").file(f, "./b/f", "f").
		add(f, &tar.Header{Name: "./l", Typeflag: tar.TypeSymlink, Linkname: "b"}, nil).
		add(f, &tar.Header{Name: "./h", Typeflag: tar.TypeLink, Linkname: "./b/f"}, nil).bytes(f))
	defer func(u, g func() int) { geteuid, getegid = u, g }(geteuid, getegid)
	geteuid = func() int { return 1000 } // no device nodes from random input
	getegid = func() int { return 1000 }
	f.Fuzz(func(t *testing.T, data []byte) {
		top := t.TempDir()
		dir, outside := filepath.Join(top, "restore"), filepath.Join(top, "outside")
		for _, d := range []string{dir, outside} {
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
		fsys, err := OSRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer fsys.Close()
		ctx := context.Background()
		for _, o := range []Options{{}, {Overwrite: OverwriteIfNewer, Verify: true}} {
			if _, err := Extract(ctx, bytes.NewReader(data), fsys, o); err != nil && errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
		}
		Compare(ctx, bytes.NewReader(data), fsys, Options{})
		ents, err := os.ReadDir(top)
		if err != nil || len(ents) != 2 {
			t.Fatalf("beside the restore directory: %v, %v", ents, err)
		}
		ents, err = os.ReadDir(outside)
		if b, _ := os.ReadFile(filepath.Join(outside, "secret")); err != nil || len(ents) != 1 || string(b) != "secret" {
			t.Fatalf("outside the restore directory: %v, %v, secret %q", ents, err, b)
		}
	})
}
