// Package corpus gives tests a private, writable copy of the real Amanda 3.5.1 corpus shipped in
// testdata/amanda-public.tar.gz.
//
//	Unpack(t) -> the shared copy $TMPDIR/amrshell-corpus-<hash of the tarball>, made once:
//	             extract the tarball into a temp dir beside it, rewrite the build root
//	             (/tmp/amc-public) in amanda.conf and disklist, rename it into place
//	          -> return the corpus root (README.txt, config/, state/, vtapes/, holding/ ...)
//	Copy(t)   -> the same, into the test's own temp dir, for tests that damage it
//
// Holding-disk chunk headers keep naming the build root on purpose: amrshell must cope with a
// holding disk that was moved, as a user who moved one would need.
package corpus

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// BuildRoot is the directory the corpus was made in; its config files name it.
const BuildRoot = "/tmp/amc-public"

var (
	once    sync.Once
	root    string
	initErr error
)

// Tarball returns the path of testdata/amanda-public.tar.gz in this repository.
func Tarball() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "amanda-public.tar.gz")
}

// Unpack returns the root of a copy of the corpus shared by all tests, of every test binary:
// it is unpacked once per version of the tarball and kept, so that test runs neither repeat
// the work nor leave copies behind. Tests must not modify it; use Copy for a copy of one's own.
func Unpack(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { root, initErr = shared(Tarball()) })
	if initErr != nil {
		tb.Fatalf("unpack corpus: %v", initErr)
	}
	return root
}

// shared returns the shared copy of tarball, unpacking it first if no test run did before.
// Test binaries run in parallel: each unpacks into its own directory and renames it into place;
// the losers of the race remove theirs.
func shared(tarball string) (string, error) {
	sum, err := fileHash(tarball)
	if err != nil {
		return "", err
	}
	final := filepath.Join(os.TempDir(), "amrshell-corpus-"+sum[:16])
	top := filepath.Join(final, "amanda-public")
	if _, err := os.Stat(filepath.Join(top, "README.txt")); err == nil {
		return top, nil
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "amrshell-corpus-unpacking-")
	if err != nil {
		return "", err
	}
	unpacked, err := UnpackTo(tarball, tmp)
	if err == nil {
		// Name the final place in the configuration before anyone can see it there.
		err = rewriteRoot(unpacked, unpacked, top)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		if _, statErr := os.Stat(filepath.Join(top, "README.txt")); statErr != nil {
			return "", fmt.Errorf("move the unpacked corpus to %s: %w", final, err)
		}
	}
	return top, nil
}

func fileHash(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Copy unpacks a fresh copy of the corpus into a test's own temp dir, for tests that damage it.
func Copy(tb testing.TB) string {
	tb.Helper()
	r, err := UnpackTo(Tarball(), tb.TempDir())
	if err != nil {
		tb.Fatalf("unpack corpus: %v", err)
	}
	return r
}

// UnpackTo extracts the corpus tarball into dir, rewrites the build root in the configuration and
// returns the corpus root (dir/amanda-public).
func UnpackTo(tarball, dir string) (string, error) {
	f, err := os.Open(tarball)
	if err != nil {
		return "", err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", tarball, err)
	}
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("read %s: %w", tarball, err)
		}
		if err := extractMember(dir, hdr, tr); err != nil {
			return "", err
		}
	}
	top := filepath.Join(dir, "amanda-public")
	return top, rewriteRoot(top, BuildRoot, top)
}

// rewriteRoot replaces the root old by new in the configuration files of the corpus at top.
func rewriteRoot(top, old, new string) error {
	for _, name := range []string{"amanda.conf", "disklist"} {
		p := filepath.Join(top, "config", "DailySet1", name)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b = []byte(strings.ReplaceAll(string(b), old, new))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func extractMember(dir string, hdr *tar.Header, r io.Reader) error {
	name := filepath.Clean(hdr.Name)
	if !filepath.IsLocal(name) {
		return fmt.Errorf("corpus member %q escapes the target", hdr.Name)
	}
	p := filepath.Join(dir, name)
	// Owner-only modes in the corpus must not stop the tests from reading it.
	mode := os.FileMode(hdr.Mode).Perm() | 0o600
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(p, mode|0o700)
	case tar.TypeSymlink:
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.Symlink(hdr.Linkname, p)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		return os.Chtimes(p, hdr.ModTime, hdr.ModTime)
	}
	return nil
}
