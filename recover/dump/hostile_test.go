package dump

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/amrshell/amrshell/recover/gtar"
)

// extractInSandbox extracts data into sandbox/restore and returns the restore directory, the
// stats, the error and the notes; it fails if anything appears in the sandbox beside it.
// plant, if not nil, prepares the restore directory first.
func extractInSandbox(t *testing.T, data []byte, plant func(dir string)) (string, Stats, error, string) {
	t.Helper()
	sandbox := t.TempDir()
	dir := filepath.Join(sandbox, "restore")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if plant != nil {
		plant(dir)
	}
	root, err := gtar.OSRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	var notes bytes.Buffer
	st, err := Extract(context.Background(), bytes.NewReader(data), root, Options{Notes: &notes, State: &State{}})
	if ents, _ := os.ReadDir(sandbox); len(ents) != 1 {
		t.Errorf("the sandbox holds %d entries: something was written outside the restore directory", len(ents))
	}
	noTemps(t, dir)
	return dir, st, err, notes.String()
}

// TestKinds restores symbolic links, fifos, hard links within one dump, a sparse file and a
// file of more than 512 blocks (continued in TS_ADDR headers).
func TestKinds(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 600*BlockSize/16) + "end"
	sparse := string(make([]byte, 3*BlockSize)) + "data" + string(make([]byte, 2*BlockSize))
	b := newBuilder(1000, 0).
		dir(RootIno, 100, fileEnt("l", 11), fileEnt("p", 12), fileEnt("h1", 13), fileEnt("h2", 13), fileEnt("big", 14), fileEnt("sparse", 15)).
		file(11, modeLink|0o777, 100, "/proc/self/mounts").
		file(12, modeFifo|0o644, 100, "").
		file(13, modeReg|0o600, 100, "linked").
		file(14, modeReg|0o644, 100, big)
	b.files[15] = fakeFile{mode: modeReg | 0o644, mtime: 100, data: []byte(sparse), holes: true}
	b.used = append(b.used, 15)
	dir, st, err, notes := extractInSandbox(t, b.bytes(), nil)
	if err != nil || len(st.Refused)+len(st.Errors) > 0 {
		t.Fatalf("%v %q %q\n%s", err, st.Refused, st.Errors, notes)
	}
	checkTree(t, dir, map[string]string{"l": "link:/proc/self/mounts", "p": "fifo", "h1": "linked#1", "h2": "linked#1", "big": big, "sparse": sparse})
	fi, err := os.Stat(filepath.Join(dir, "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if blocks := statBlocks(fi) * 512; blocks > 4096 {
		t.Errorf("sparse: %d bytes allocated for %d of data: its holes were written", blocks, 4)
	}
	if fi.ModTime().Unix() != 100 {
		t.Errorf("sparse: mtime %d, want 100", fi.ModTime().Unix())
	}
}

// TestHostile feeds dumps made to escape the restore directory or exhaust memory, and broken
// ones: each must fail clearly, naming the record, inode or path, and write nothing outside.
func TestHostile(t *testing.T) {
	ok := func() *builder {
		return newBuilder(1000, 0).dir(RootIno, 100, fileEnt("ok", 11)).file(11, modeReg|0o644, 100, "fine")
	}
	tests := []struct {
		name  string
		data  func() []byte
		plant func(dir string)
		fatal string   // in the error; "" when the stream is fine
		notes []string // in the notes
		want  map[string]string
	}{
		{"names with / and ..", func() []byte {
			b := ok()
			d := b.dirs[RootIno]
			d.entries = append(d.entries, fileEnt("..", 12), fileEnt("../../x", 12), fileEnt("a/b", 12), fileEnt("nul\x00", 12), fileEnt("", 12))
			b.dirs[RootIno] = d
			return b.file(12, modeReg|0o644, 100, "evil").bytes()
		}, nil, "", []string{`entry "../../x" (inode 12): a name with '/'`, `entry "a/b" (inode 12): a name with '/'`, "a name with a NUL byte", "an empty name"},
			map[string]string{"ok": "fine"}},
		{"directory loop", func() []byte {
			return ok().dir(RootIno, 100, fileEnt("ok", 11), dirEnt("d", 10)).dir(10, 100, dirEnt("up", RootIno), dirEnt("again", 10)).bytes()
		}, nil, "", []string{"./d/up: refused: directory inode 2 is already at './'", "./d/again: refused: directory inode 10 is already at './d/'"},
			map[string]string{"ok": "fine", "d": "dir"}},
		{"a symbolic link planted where a directory goes", func() []byte {
			return ok().dir(RootIno, 100, dirEnt("d", 10), fileEnt("ok", 11)).dir(10, 100, fileEnt("f", 13)).
				file(13, modeReg|0o644, 100, "x").bytes()
		}, func(dir string) { os.Symlink("..", filepath.Join(dir, "d")) }, "", nil,
			map[string]string{"ok": "fine", "d": "dir", "d/f": "x"}},
		{"bad checksum", func() []byte {
			data := ok().bytes()
			data[3*BlockSize+100]++ // the top directory's header
			return data
		}, nil, "record 4: bad header checksum", nil, nil},
		{"truncated", func() []byte {
			data := ok().bytes()
			return data[:len(data)-BlockSize-10]
		}, nil, "./ok: after record 8, the dump ends before its end record", nil, nil},
		{"not a dump", func() []byte { return make([]byte, 4*BlockSize) }, nil, "not a dump", nil, nil},
		{"absurd directory size", func() []byte {
			b := ok()
			b.header = func(r []byte) {
				if binary.LittleEndian.Uint32(r[20:]) == RootIno && r[0] == TypeInode {
					binary.LittleEndian.PutUint64(r[40:], 1<<40)
				}
			}
			return b.bytes()
		}, nil, "", []string{"directory inode 2: not read: an absurd size of 1099511627776 bytes"}, map[string]string{}},
		{"absurd symbolic link", func() []byte {
			b := ok().dir(RootIno, 100, fileEnt("l", 12), fileEnt("ok", 11))
			b.files[12] = fakeFile{mode: modeLink | 0o777, mtime: 100, data: []byte("x"), size: 1 << 20}
			b.used = append(b.used, 12)
			return b.bytes()
		}, nil, "", []string{"./l: not restored: a symbolic link target of 1048576 bytes"}, map[string]string{"ok": "fine"}},
		{"file data short of its size", func() []byte {
			b := ok().dir(RootIno, 100, fileEnt("short", 12), fileEnt("ok", 11))
			b.files[12] = fakeFile{mode: modeReg | 0o644, mtime: 100, data: []byte("abc"), size: 5000}
			b.used = append(b.used, 12)
			return b.bytes()
		}, nil, "", []string{"./short: inode 12: the dump holds less data than the inode's size (3976 of 5000 bytes missing)"}, map[string]string{"ok": "fine"}},
		{"absurd map", func() []byte {
			b := ok()
			b.header = func(r []byte) {
				if r[0] == TypeClri {
					binary.LittleEndian.PutUint32(r[160:], 1<<30)
				}
			}
			return b.bytes()
		}, nil, "inode map of 1073741824 blocks", nil, nil},
		{"too many blocks in a header", func() []byte {
			b := ok()
			b.header = func(r []byte) {
				if r[0] == TypeInode && binary.LittleEndian.Uint32(r[20:]) == 11 {
					binary.LittleEndian.PutUint32(r[160:], 513)
				}
			}
			return b.bytes()
		}, nil, "header of inode 11 lists 513 blocks", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, st, err, notes := extractInSandbox(t, tc.data(), tc.plant)
			if tc.fatal != "" {
				if err == nil || !strings.Contains(err.Error(), tc.fatal) {
					t.Fatalf("error %v, want one with %q", err, tc.fatal)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v\n%s", err, notes)
			}
			for _, n := range tc.notes {
				if !strings.Contains(notes, n) {
					t.Errorf("notes lack %q:\n%s", n, notes)
				}
			}
			if len(tc.notes) != len(st.Refused)+len(st.Errors) {
				t.Errorf("%d refused and %d errors, want %d: %q %q", len(st.Refused), len(st.Errors), len(tc.notes), st.Refused, st.Errors)
			}
			checkTree(t, dir, tc.want)
		})
	}
}

func statBlocks(fi os.FileInfo) int64 { return fi.Sys().(*syscall.Stat_t).Blocks }
