package gtar

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amrshell/amrshell/internal/corpus"
)

// dumpStream returns the data of a dump stored in vtape or holding files (each starts with a
// 32 KiB Amanda header), decompressed when the header says comp .gz.
func dumpStream(t testing.TB, root string, parts ...string) io.Reader {
	t.Helper()
	var rs []io.Reader
	gz := false
	for _, p := range parts {
		f, err := os.Open(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		hdr := make([]byte, 32768)
		if _, err := io.ReadFull(f, hdr); err != nil {
			t.Fatalf("read Amanda header of %s: %v", p, err)
		}
		first, _, _ := strings.Cut(string(hdr), "\n")
		gz = strings.Contains(first, " comp .gz ")
		rs = append(rs, f)
	}
	r := io.MultiReader(rs...)
	if !gz {
		return r
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

type manifestEntry = corpus.ManifestEntry

func loadManifest(t testing.TB, file string) map[string]manifestEntry {
	t.Helper()
	m, err := corpus.ReadManifest(file)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// treeCheck says what compareTree can expect of the file system the tree was restored to.
type treeCheck struct {
	owners       bool // uid/gid were set (root with SameOwner)
	hardlinks    bool // hard links are real (shared inodes)
	symlinks     bool // the file system has symbolic links
	symlinkTimes bool // symbolic links got their mtimes
}

// osTree is the check for a restore into a real directory.
func osTree() treeCheck {
	return treeCheck{owners: os.Geteuid() == 0, hardlinks: true, symlinks: true, symlinkTimes: true}
}

// compareTree compares the tree in fsys with a manifest: every entry's type, mode, size,
// content, link target, mtime (and owner), hard link groups, and nothing else (no temp files).
func compareTree(t testing.TB, fsys fs.FS, man map[string]manifestEntry, c treeCheck) {
	t.Helper()
	lstat := func(p string) (fs.FileInfo, error) {
		if l, ok := fsys.(fs.ReadLinkFS); ok {
			return l.Lstat(p)
		}
		return fs.Stat(fsys, p)
	}
	got := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != "." {
			got[p] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	groupIno := map[string]uint64{}
	inoGroup := map[uint64]string{}
	bad := 0
	fail := func(format string, args ...any) {
		bad++
		if bad <= 25 {
			t.Errorf(format, args...)
		}
	}
	for p, e := range man {
		if e.Type == "symlink" && !c.symlinks {
			continue
		}
		fi, err := lstat(p)
		if err != nil {
			fail("%s: missing (%v)", p, err)
			continue
		}
		typ := map[fs.FileMode]string{0: "file", fs.ModeDir: "dir", fs.ModeSymlink: "symlink"}[fi.Mode().Type()]
		if typ != e.Type {
			fail("%s: type %s, want %s", p, typ, e.Type)
			continue
		}
		want, _ := strconv.ParseUint(e.Mode, 8, 32)
		if mode := uint64(corpus.ModeBits(fi.Mode())); typ != "symlink" && mode != want {
			fail("%s: mode %o, want %s", p, mode, e.Mode)
		}
		st, _ := fi.Sys().(*syscall.Stat_t)
		if c.owners && (int(st.Uid) != e.UID || int(st.Gid) != e.GID) {
			fail("%s: owner %d:%d, want %d:%d", p, st.Uid, st.Gid, e.UID, e.GID)
		}
		if (typ != "symlink" || c.symlinkTimes) && fi.ModTime().Unix() != e.Mtime {
			fail("%s: mtime %v, want %v", p, fi.ModTime().Unix(), e.Mtime)
		}
		switch typ {
		case "file":
			if fi.Size() != e.Size {
				fail("%s: size %d, want %d", p, fi.Size(), e.Size)
			}
			if sum := fileSHA256(t, fsys, p); sum != e.SHA256 {
				fail("%s: sha256 %s, want %s", p, sum, e.SHA256)
			}
			if !c.hardlinks {
				break
			}
			group := e.HardlinkGroup
			if group == "" {
				group = "single:" + p
			}
			if ino, ok := groupIno[group]; ok && ino != st.Ino {
				fail("%s: not hard-linked with the rest of group %s", p, group)
			}
			if g, ok := inoGroup[st.Ino]; ok && g != group {
				fail("%s: hard-linked with group %s, want group %s", p, g, group)
			}
			groupIno[group], inoGroup[st.Ino] = st.Ino, group
		case "symlink":
			if target, _ := fsys.(fs.ReadLinkFS).ReadLink(p); target != e.Target {
				fail("%s: link target %q, want %q", p, target, e.Target)
			}
		}
	}
	for p := range got {
		if _, ok := man[p]; !ok {
			fail("%s: extra entry, not in the manifest", p)
		}
	}
	if bad > 25 {
		t.Errorf("... %d differences in all", bad)
	}
}

func statBlocks(fi fs.FileInfo) int64 { return fi.Sys().(*syscall.Stat_t).Blocks }

func fileSHA256(t testing.TB, fsys fs.FS, p string) string {
	f, err := fsys.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// noTemps fails when a temporary name of Extract is left under dir.
func noTemps(t testing.TB, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".amrshell-") {
			t.Errorf("temporary entry left behind: %s", p)
		}
		return nil
	})
}

// transcriptLevels returns, for each dump an amrecover session extracted, the tar -v lines and
// Deleting lines it printed, with tar's program name replaced by amrshell's.
func transcriptLevels(t testing.TB, file string) [][]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var levels [][]string
	var cur []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "Continue [") {
			if i := strings.LastIndex(line, "]? "); i >= 0 {
				line = line[i+3:]
			}
		}
		switch {
		case strings.HasPrefix(line, "Load tape "), strings.HasPrefix(line, "amrecover> "):
			if in {
				levels = append(levels, cur)
			}
			cur, in = nil, strings.HasPrefix(line, "Load tape ")
		case !in:
		case strings.HasPrefix(line, "./"):
			cur = append(cur, line)
		case strings.HasPrefix(line, "/usr/bin/tar: Deleting "):
			cur = append(cur, "amrshell: "+strings.TrimPrefix(line, "/usr/bin/tar: "))
		}
	}
	return levels
}

// addedDirs reads an amrecover session's "Added dir /x/ at date D" lines: the top entries
// `add *` chose in each dump, by date.
func addedDirs(t testing.TB, file string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(line, "Added dir ")
		if !ok {
			continue
		}
		i := strings.LastIndex(rest, " at date ")
		p, date := strings.Trim(rest[:i], `"`), rest[i+len(" at date "):]
		out[date] = append(out[date], normalisePath(p))
	}
	return out
}

// archive builds test archives in GNU format.
type archive struct {
	buf bytes.Buffer
	tw  *tar.Writer
}

func newArchive() *archive {
	a := &archive{}
	a.tw = tar.NewWriter(&a.buf)
	return a
}

var testTime = time.Date(2024, 3, 5, 2, 15, 0, 0, time.UTC)

func (a *archive) add(t testing.TB, h *tar.Header, data []byte) *archive {
	t.Helper()
	h.Format = tar.FormatGNU
	if h.ModTime.IsZero() {
		h.ModTime = testTime
	}
	if h.Mode == 0 {
		h.Mode = 0o644
		if h.Typeflag == tar.TypeDir || h.Typeflag == 'D' {
			h.Mode = 0o755
		}
	}
	if h.Typeflag == tar.TypeReg || h.Typeflag == 'D' {
		h.Size = int64(len(data))
	}
	if err := a.tw.WriteHeader(h); err != nil {
		t.Fatal(err)
	}
	if _, err := a.tw.Write(data); err != nil {
		t.Fatal(err)
	}
	return a
}

func (a *archive) file(t testing.TB, name, content string) *archive {
	return a.add(t, &tar.Header{Name: name, Typeflag: tar.TypeReg}, []byte(content))
}

// dumpdir adds a D member; entries are "Yname", "Nname", "Dname", "R./a", "T./b".
func (a *archive) dumpdir(t testing.TB, name string, entries ...string) *archive {
	var data []byte
	for _, e := range entries {
		data = append(append(data, e...), 0)
	}
	return a.add(t, &tar.Header{Name: name, Typeflag: 'D'}, append(data, 0))
}

// raw appends hand-made blocks (hdrBlock ...), for what archive/tar refuses to write.
func (a *archive) raw(t testing.TB, blocks ...[]byte) *archive {
	t.Helper()
	if err := a.tw.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		a.buf.Write(padded(b))
	}
	return a
}

// paxMember appends a PAX header with records kv and the member header after it.
func (a *archive) paxMember(t testing.TB, hdr []byte, kv ...string) *archive {
	pax := paxRecords(kv...)
	return a.raw(t, hdrBlock("./PaxHeaders/x", 'x', int64(len(pax)), nil), pax, hdr)
}

func (a *archive) bytes(t testing.TB) []byte {
	t.Helper()
	if err := a.tw.Close(); err != nil {
		t.Fatal(err)
	}
	return a.buf.Bytes()
}

// extract runs Extract with everything Listed unless sel is given, returning Stats and the
// Verbose and Notes text.
func extract(t testing.TB, data []byte, fsys FS, sel Selection) (Stats, string, string, error) {
	t.Helper()
	var verbose, notes bytes.Buffer
	st, err := Extract(context.Background(), bytes.NewReader(data), fsys, Options{Select: sel, Verbose: &verbose, Notes: &notes, SameOwner: os.Geteuid() == 0})
	return st, verbose.String(), notes.String(), err
}

func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// tempRoot is a new empty restore directory of the test and the FS over it.
func tempRoot(t testing.TB) (string, FS) {
	t.Helper()
	dir := t.TempDir()
	fsys, err := OSRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return dir, fsys
}
