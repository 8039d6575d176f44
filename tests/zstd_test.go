package tests

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/amrshell/amrshell/device"
)

// TestZstdHoldingDump restores files from a dump compressed with zstd as Amanda's custom
// compression (`compress client custom`, `client-custom-compress "/usr/bin/zstd"`, header
// `comp cust`). The corpus has none, so the test makes one from the real holding dump of run 4:
// same native stream and index, recompressed with zstd into one chunk, with a header Amanda's
// dumper would write for it.
func TestZstdHoldingDump(t *testing.T) {
	w := newWorld(t)
	dir := filepath.Join(w.Root, "holding", "20261122232930")
	first := filepath.Join(dir, "localhost._home_alice.2")
	hf, err := device.OpenHolding(first)
	if err != nil {
		t.Fatal(err)
	}
	data, err := hf.Open()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(data)
	if err != nil {
		t.Fatal(err)
	}
	native, err := io.ReadAll(zr)
	data.Close()
	if err != nil {
		t.Fatal(err)
	}
	var zs bytes.Buffer
	enc, err := zstd.NewWriter(&zs)
	if err != nil {
		t.Fatal(err)
	}
	enc.Write(native)
	enc.Close()

	h := *hf.Header
	h.Comp, h.ClientCustomCompress, h.ContFilename = "cust", "/usr/bin/zstd", ""
	crc := func(b []byte) device.CRC {
		return device.CRC{Sum: crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)), Size: int64(len(b))}
	}
	if h.NativeCRC != crc(native) {
		t.Fatalf("the real holding dump's native CRC is %v, its data gives %v", h.NativeCRC, crc(native))
	}
	h.ClientCRC, h.ServerCRC = crc(zs.Bytes()), crc(zs.Bytes())
	block, err := h.Build()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, append(block, zs.Bytes()...), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(first + ".1"); err != nil {
		t.Fatal(err)
	}

	files := []string{"data/holding-only.bin", "data/hard-a.txt", "docs/readme.txt"}
	res := w.run(t, "sethost localhost\nsetdisk /home/alice\nsetdate 2026-11-22-23-29-30\n"+
		"add data/holding-only.bin data/hard-a.txt docs/readme.txt\nextract\n")
	checkNoPanic(t, res)
	if res.ExitCode != 0 {
		t.Fatalf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 20), tail(res.Stderr, 20))
	}
	m, err := loadManifest(w.Root, 4, "localhost", "/home/alice")
	if err != nil {
		t.Fatal(err)
	}
	got, err := snapshotTree(w.Restore)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range files {
		if got[p].SHA256 != m[p].SHA256 {
			t.Errorf("%s: sha256 %s, want %s\nstdout:\n%s\nstderr:\n%s", p, short(got[p].SHA256), short(m[p].SHA256),
				tail(res.Stdout, 20), tail(res.Stderr, 20))
		}
	}
	if len(got) != len(files)+2 { // and the directories data/ and docs/
		t.Errorf("restored %d entries, want %d: %v", len(got), len(files)+2, fmt.Sprint(got))
	}
}
