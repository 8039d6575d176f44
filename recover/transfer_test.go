package recover

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/internal/corpus"
)

// nativeStream is the uncompressed stream of a real dump: client2 /etc level 1 of the corpus.
func nativeStream(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus.Unpack(t), "vtapes/main/slot3/00001.client2._etc.1"))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b[device.HeaderSize:]))
	if err != nil {
		t.Fatal(err)
	}
	native, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return native
}

func TestDecompress(t *testing.T) {
	native := nativeStream(t)
	var gz, zs bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(native)
	zw.Close()
	enc, err := zstd.NewWriter(&zs)
	if err != nil {
		t.Fatal(err)
	}
	enc.Write(native)
	enc.Close()

	tests := []struct {
		name    string
		h       device.Header
		data    []byte
		wantErr string
	}{
		{"not compressed", device.Header{Comp: "N"}, native, ""},
		{"gzip", device.Header{Comp: ".gz"}, gz.Bytes(), ""},
		{"server zstd", device.Header{Comp: "cust", ServerCustomCompress: "/usr/bin/zstd"}, zs.Bytes(), ""},
		{"client zstd", device.Header{Comp: "cust", ClientCustomCompress: "/usr/local/bin/zstd"}, zs.Bytes(), ""},
		{"client pigz", device.Header{Comp: "cust", ClientCustomCompress: "/usr/bin/pigz"}, gz.Bytes(), ""},
		{"unknown program", device.Header{Comp: "cust", ServerCustomCompress: "/opt/bin/squash"}, zs.Bytes(),
			`the dump was compressed by the custom program "/opt/bin/squash", which amrshell cannot undo`},
		{"unknown suffix", device.Header{Comp: ".lz"}, native, `unknown compression suffix ".lz"`},
		{"encrypted", device.Header{Comp: ".gz", Crypt: "enc", ServerEncrypt: "/usr/sbin/amcryptsimple"}, gz.Bytes(),
			"the dump is encrypted (crypt enc, /usr/sbin/amcryptsimple)"},
		{"gzip header damaged", device.Header{Comp: ".gz"}, append([]byte("garbage"), gz.Bytes()...), "start gzip decompression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decompress(&tt.h, bytes.NewReader(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("decompress: %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, native) {
				t.Errorf("got %d bytes, want the %d native bytes", len(got), len(native))
			}
		})
	}
}

func TestCRCCheck(t *testing.T) {
	native := nativeStream(t)
	tests := []struct {
		recorded string
		wantErr  string
	}{
		// What the log of run 2 recorded for this dump (DONE taper ... native CRC).
		{"2342f506:20480", ""},
		{"2342f507:20480", "native CRC 2342f506:20480 of the restored stream differs from the recorded 2342f507:20480"},
		{"2342f506:20481", "differs"},
		{"", ""},
		{"00000000:0", ""}, // Amanda's "unknown"
	}
	for _, tt := range tests {
		c := newCRCReader(bytes.NewReader(native))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatal(err)
		}
		err := c.check(tt.recorded)
		if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("check(%q) = %v, want error %q", tt.recorded, err, tt.wantErr)
		}
	}
}
