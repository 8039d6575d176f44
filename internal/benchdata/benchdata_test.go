package benchdata

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/amrshell/amrshell/device"
)

func TestTreeShape(t *testing.T) {
	const total = 64 << 20
	tree := NewTree(total, 1)
	var sum, text int64
	dirs := map[string]bool{}
	for _, f := range tree.Files {
		sum += f.Size
		if f.text {
			text += f.Size
		}
		if f.Size > maxFile || f.Size <= 0 {
			t.Errorf("%s: %d bytes, outside (0, %d]", f.Path, f.Size, maxFile)
		}
		dirs[path.Dir(f.Path)] = true
	}
	if sum != total || text != total/2 {
		t.Errorf("%d bytes, %d of text; want %d, half of it text", sum, text, total)
	}
	if len(dirs) != numDirs || len(tree.Dirs()) != numDirs {
		t.Errorf("files in %d directories, want %d", len(dirs), numDirs)
	}
	again := NewTree(total, 1)
	if len(again.Files) != len(tree.Files) || again.Files[3] != tree.Files[3] || !bytes.Equal(again.text, tree.text) {
		t.Error("the same seed made another tree")
	}
	if other := NewTree(total, 2); len(other.Files) == len(tree.Files) && other.Files[0] == tree.Files[0] {
		t.Error("another seed made the same tree")
	}
	// The 1 GiB tree has about as many files as gen_data.py's (337 with its seed 1).
	if n := len(NewTree(Default.Bytes, Default.Seed).Files); n < 250 || n > 450 {
		t.Errorf("the default tree has %d files, gen_data.py's 337", n)
	}
}

// A small server: the parts on the volumes have valid headers and hold, in order, a compressed
// stream whose native CRC is the one recorded; GNU tar, if there, extracts it to the tree; a
// second Build reuses it.
func TestBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "bench")
	spec := Spec{Bytes: 12 << 20, Seed: 3, PartSize: 1 << 20, PartsPerVolume: 3}
	s, err := Build(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Dumps) != len(Compressions) {
		t.Fatalf("%d dumps, want %d", len(s.Dumps), len(Compressions))
	}
	for _, d := range s.Dumps {
		var media bytes.Buffer
		for i, p := range d.Parts {
			f, err := os.Open(p.Path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := device.ReadHeader(f)
			if err != nil {
				t.Fatal(err)
			}
			if h.Type != device.SplitFile || h.PartNum != i+1 || h.Disk != d.Disk || h.NativeCRC != d.NativeCRC {
				t.Errorf("%s: header %s, native CRC %v; want part %d of %s, %v", p.Path, h.Summary(), h.NativeCRC, i+1, d.Disk, d.NativeCRC)
			}
			n, _ := io.Copy(&media, f)
			f.Close()
			if n != p.Bytes || (i < len(d.Parts)-1 && n != spec.PartSize) {
				t.Errorf("%s: %d bytes of data, recorded %d", p.Path, n, p.Bytes)
			}
		}
		if crc := crc32.Checksum(media.Bytes(), crc32.MakeTable(crc32.Castagnoli)); crc != d.MediaCRC.Sum {
			t.Errorf("%s: media CRC %08x, recorded %v", d.Compression, crc, d.MediaCRC)
		}
		native := decompress(t, d.Compression, media.Bytes())
		if crc := crc32.Checksum(native, crc32.MakeTable(crc32.Castagnoli)); crc != d.NativeCRC.Sum || int64(len(native)) != d.NativeCRC.Size {
			t.Errorf("%s: native CRC %08x:%d, recorded %v", d.Compression, crc, len(native), d.NativeCRC)
		}
		if len(native)%recordSize != 0 {
			t.Errorf("%s: native stream of %d bytes, not whole tar records", d.Compression, len(native))
		}
		if _, err := exec.LookPath("tar"); err == nil {
			out := t.TempDir()
			cmd := exec.Command("tar", "-xf", "-", "-G", "-C", out)
			cmd.Stdin = bytes.NewReader(native)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("tar -x: %v: %s", err, msg)
			}
			if err := s.Tree.Verify(out); err != nil {
				t.Errorf("tar -x of the %s dump: %v", d.Compression, err)
			}
		}
	}
	labels := map[string]bool{}
	for _, d := range s.Dumps {
		for _, p := range d.Parts {
			labels[p.Label] = true
		}
	}
	if len(labels) < 2 {
		t.Errorf("the parts are on %d volume(s), want them spread", len(labels))
	}

	before, err := os.Stat(s.Dumps[0].Parts[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Build(dir, spec)
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.Stat(again.Dumps[0].Parts[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the second Build made the data again")
	}
	conf, err := os.ReadFile(again.AmandaConf)
	if err != nil || !strings.Contains(string(conf), "chg-disk:"+filepath.Join(dir, "vtapes")) {
		t.Errorf("amanda.conf does not name the vtapes: %v\n%s", err, conf)
	}
}

func decompress(t *testing.T, kind string, media []byte) []byte {
	t.Helper()
	var r io.Reader
	switch kind {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(media))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(media))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decompress %s: %v", kind, err)
	}
	return b
}

func TestVerifyFindsDifferences(t *testing.T) {
	tree := NewTree(2<<20, 5)
	var native bytes.Buffer
	if err := tree.WriteTar(&native); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("no tar to extract the tree with")
	}
	tests := []struct {
		name    string
		damage  func(dir string) error
		wantErr string
	}{
		{"intact", func(string) error { return nil }, ""},
		{"extra file", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "dir0", ".amrshell-12345678"), nil, 0o600)
		}, "not in the tree"},
		{"changed byte", func(dir string) error {
			f := tree.Files[1]
			p := filepath.Join(dir, filepath.FromSlash(f.Path))
			w, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			_, err = w.WriteAt([]byte{'#'}, f.Size-1)
			if err := errors.Join(err, w.Close()); err != nil {
				return err
			}
			return os.Chtimes(p, f.Mtime, f.Mtime)
		}, "content differs"},
		{"other mtime", func(dir string) error {
			later := Mtime.Add(time.Hour)
			return os.Chtimes(filepath.Join(dir, filepath.FromSlash(tree.Files[2].Path)), later, later)
		}, "mtime"},
		{"directory mode", func(dir string) error { return os.Chmod(filepath.Join(dir, "dir3"), 0o700) }, "dir3: drwx------"},
		{"missing file", func(dir string) error {
			return os.Remove(filepath.Join(dir, filepath.FromSlash(tree.Files[0].Path)))
		}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command("tar", "-xf", "-", "-G", "-C", dir)
			cmd.Stdin = bytes.NewReader(native.Bytes())
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("tar -x: %v: %s", err, msg)
			}
			if err := tt.damage(dir); err != nil {
				t.Fatal(err)
			}
			err := tree.Verify(dir)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Verify: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
