package recover

import (
	"archive/tar"
	"bytes"
	"context"
	"slices"
	"testing"
)

// TestTarIndex checks the index lines of GNU tar members as amgtar writes them: the top
// directory "/", the "." of "./" dropped, directories ending in "/", names quoted as tar -v
// prints them, and a name without "./" kept whole (".hidden" is not "hidden").
func TestTarIndex(t *testing.T) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range []struct {
		name string
		typ  byte
	}{
		{"./", tar.TypeDir}, {"./docs/", tar.TypeDir}, {"./docs/naïve\tcafé", tar.TypeReg},
		{"./back\\slash", tar.TypeReg}, {"./link", tar.TypeSymlink}, {".hidden", tar.TypeReg}, {"./nodir", tar.TypeDir},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Typeflag: m.typ, Mode: 0o644, Format: tar.FormatGNU}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := tarIndex(context.Background(), &b, func(line string) error {
		got = append(got, line)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"/", "/docs/", `/docs/na\303\257ve\tcaf\303\251`, `/back\\slash`, "/link", "/.hidden", "/nodir/"}
	if !slices.Equal(got, want) {
		t.Errorf("tarIndex = %q, want %q", got, want)
	}
	if err := tarIndex(context.Background(), bytes.NewReader([]byte("not a tar archive")), func(string) error { return nil }); err == nil {
		t.Error("tarIndex of garbage: no error")
	}
}
