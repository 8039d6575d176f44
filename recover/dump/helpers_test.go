package dump

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/amrshell/amrshell/recover/gtar"
)

// The corpus' dumps of localhost:/srv/ext2vol (testdata/README.md).
const (
	level0 = "testdata/ext2vol-level0.dump.gz" // run 1
	level1 = "testdata/ext2vol-level1.dump.gz" // run 2
)

// image returns a dump image of testdata, decompressed.
func image(t testing.TB, name string) []byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// level is one dump of a chain and what is chosen in it.
type level struct {
	data []byte
	sel  gtar.Selection
}

// restoreChain extracts the levels in order into dir, with one State, failing on any error,
// and returns the notes of each level.
func restoreChain(t *testing.T, dir string, levels ...level) []string {
	t.Helper()
	root, err := gtar.OSRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	state := &State{}
	var notes []string
	for i, l := range levels {
		var buf bytes.Buffer
		st, err := Extract(context.Background(), bytes.NewReader(l.data), root, Options{Select: l.sel, Notes: &buf, State: state})
		if err != nil {
			t.Fatalf("level %d: %v\nnotes:\n%s", i, err, buf.String())
		}
		if len(st.Refused)+len(st.Errors) > 0 {
			t.Errorf("level %d: refused %q, errors %q", i, st.Refused, st.Errors)
		}
		notes = append(notes, buf.String())
	}
	return notes
}

func all() gtar.PathSelection { return gtar.PathSelection{"": gtar.Listed} }

// manifest returns the corpus' tree of /srv/ext2vol before run (1 or 2), restricted to keep
// (nil: all of it).
func manifest(t testing.TB, run int, keep func(string) bool) map[string]corpus.ManifestEntry {
	t.Helper()
	m, err := corpus.Manifest(corpus.Unpack(t), run, "localhost", "/srv/ext2vol")
	if err != nil {
		t.Fatal(err)
	}
	for p, e := range m {
		if keep != nil && !keep(p) {
			delete(m, p)
			continue
		}
		if run == 2 && (p == "hosts" || p == "cron.d/new-job.conf") {
			// The level 1 holds zeros for these (testdata/README.md); restore -x gave the same.
			sum := sha256.Sum256(make([]byte, e.Size))
			e.SHA256 = hex.EncodeToString(sum[:])
			m[p] = e
		}
	}
	return m
}

// compareTree checks that dir holds exactly the manifest's entries: type, mode, mtime,
// content, symlink target (owners too as root), one inode per hard-link group, nothing else.
func compareTree(t *testing.T, dir string, want map[string]corpus.ManifestEntry) {
	t.Helper()
	got := map[string]bool{}
	groups := map[string]uint64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		got[rel] = true
		e, ok := want[rel]
		if !ok {
			t.Errorf("%s: not in the manifest", rel)
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if msg := diffEntry(p, fi, e, groups); msg != "" {
			t.Errorf("%s: %s", rel, msg)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range want {
		if !got[p] {
			t.Errorf("%s: missing", p)
		}
	}
}

func diffEntry(p string, fi fs.FileInfo, e corpus.ManifestEntry, groups map[string]uint64) string {
	typ := map[fs.FileMode]string{0: "file", fs.ModeDir: "dir", fs.ModeSymlink: "symlink"}[fi.Mode().Type()]
	if typ != e.Type {
		return fmt.Sprintf("type %s, want %s", typ, e.Type)
	}
	if e.Mode == "" {
		return "" // a parent made to hold what was chosen (addParents)
	}
	var why []string
	if mode := fmt.Sprintf("%04o", corpus.ModeBits(fi.Mode())); typ != "symlink" && mode != e.Mode {
		why = append(why, fmt.Sprintf("mode %s, want %s", mode, e.Mode))
	}
	if fi.ModTime().Unix() != e.Mtime {
		why = append(why, fmt.Sprintf("mtime %d, want %d", fi.ModTime().Unix(), e.Mtime))
	}
	st := fi.Sys().(*syscall.Stat_t)
	if os.Geteuid() == 0 && (int(st.Uid) != e.UID || int(st.Gid) != e.GID) {
		why = append(why, fmt.Sprintf("owner %d:%d, want %d:%d", st.Uid, st.Gid, e.UID, e.GID))
	}
	switch typ {
	case "file":
		b, err := os.ReadFile(p)
		sum := sha256.Sum256(b)
		if err != nil || hex.EncodeToString(sum[:]) != e.SHA256 {
			why = append(why, fmt.Sprintf("content differs (%v)", err))
		}
	case "symlink":
		if target, _ := os.Readlink(p); target != e.Target {
			why = append(why, fmt.Sprintf("target %q, want %q", target, e.Target))
		}
	}
	if e.HardlinkGroup != "" {
		if ino, ok := groups[e.HardlinkGroup]; ok && ino != st.Ino {
			why = append(why, "not the same inode as the rest of its hard-link group")
		}
		groups[e.HardlinkGroup] = st.Ino
	}
	return strings.Join(why, "; ")
}

// noTemps fails when dir holds a temporary name of the extractor.
func noTemps(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".amrshell-") {
			t.Errorf("temporary name left: %s", p)
		}
		return nil
	})
}

// under returns a test for the paths at or below one of tops.
func under(tops ...string) func(string) bool {
	return func(p string) bool {
		return slices.ContainsFunc(tops, func(top string) bool { return p == top || strings.HasPrefix(p, top+"/") })
	}
}

// addParents adds to a partial manifest the directories above its entries, which a restore
// makes to hold them; their attributes are not checked (the dumps of the corpus set them all
// to what the manifest says anyway).
func addParents(m map[string]corpus.ManifestEntry) {
	for p := range m {
		for d := filepath.Dir(p); d != "."; d = filepath.Dir(d) {
			if _, ok := m[d]; !ok {
				m[d] = corpus.ManifestEntry{Path: d, Type: "dir"}
			}
		}
	}
}
