package gtar

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/amrshell/amrshell/internal/benchdata"
)

// BenchmarkExtractTree extracts a 256 MiB GNU tar level-0 stream held in memory (benchdata's tree:
// half random, half text, files of 64 KiB-16 MiB) into an empty directory: the tar parsing and
// write path alone, without media or decompression. MB/s is of file content.
//
//	go test -run '^$' -bench BenchmarkExtractTree ./recover/gtar/
func BenchmarkExtractTree(b *testing.B) {
	tree := benchdata.NewTree(256<<20, 1)
	var native bytes.Buffer
	if err := tree.WriteTar(&native); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(tree.Bytes)
	for i := range b.N {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "restore")
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		fsys, err := OSRoot(dir)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		st, err := Extract(context.Background(), bytes.NewReader(native.Bytes()), fsys, Options{})
		b.StopTimer()
		fsys.Close()
		if err != nil || st.Bytes != tree.Bytes || len(st.Errors)+len(st.Refused) > 0 {
			b.Fatalf("extract: %v; %+v", err, st)
		}
		if i == 0 {
			if err := tree.Verify(dir); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
