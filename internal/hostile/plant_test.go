package hostile_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/amrshell/amrshell/internal/hostile"
	"github.com/amrshell/amrshell/recover/gtar"
)

// TestPlant reads each planted dump back as amrshell does: a holding file whose FILE header
// has the sizes and CRCs of its data, data that is the case's stream gzipped, an index, and a
// stream whose members are the case's, so that the end-to-end tests test the hostile members
// and not a broken file.
func TestPlant(t *testing.T) {
	root := corpus.Copy(t)
	table := crc32.MakeTable(crc32.Castagnoli)
	for i, c := range hostile.Cases("/outside") {
		ds := fmt.Sprintf("202611230000%02d", i)
		d, err := hostile.Plant(root, c, ds)
		if err != nil {
			t.Fatal(err)
		}
		hf, err := device.OpenHolding(d.Holding)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		h := hf.Header
		if h.Summary() != "FILE: date "+ds+" host localhost disk /home/alice lev 0 comp .gz program APPLICATION" ||
			h.Application != "amgtar" || !strings.Contains(h.DLE, "<level>0</level>") || len(hf.Chunks) != 1 {
			t.Errorf("%s: header %q, application %q, %d chunks", c.Name, h.Summary(), h.Application, len(hf.Chunks))
		}
		rc, err := hf.Open()
		if err != nil {
			t.Fatal(err)
		}
		compressed, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(compressed))
		if err != nil {
			t.Fatal(err)
		}
		native, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(native, c.Stream()) {
			t.Errorf("%s: the holding file does not hold the case's stream", c.Name)
		}
		if h.NativeCRC != (device.CRC{Sum: crc32.Checksum(native, table), Size: int64(len(native))}) ||
			h.ServerCRC != (device.CRC{Sum: crc32.Checksum(compressed, table), Size: int64(len(compressed))}) {
			t.Errorf("%s: CRCs %v %v do not match the data", c.Name, h.NativeCRC, h.ServerCRC)
		}
		for _, p := range []string{d.Index, d.Log, strings.TrimSuffix(d.Index, ".gz") + ".header"} {
			if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
				t.Errorf("%s: %s: %v", c.Name, p, err)
			}
		}
		checkMembers(t, c, native)
	}
}

// checkMembers reads the stream with amrshell's reader: the members are the case's, in order,
// and a stream cut inside a member ends with an error naming it.
func checkMembers(t *testing.T, c hostile.Case, native []byte) {
	t.Helper()
	r := gtar.NewReader(bytes.NewReader(native))
	for _, m := range c.Members {
		h, err := r.Next()
		if err != nil {
			t.Fatalf("%s: member %q: %v", c.Name, m.Name, err)
		}
		want := m.Name
		for i := 0; i+1 < len(m.PAX); i += 2 {
			if m.PAX[i] == "path" {
				want = m.PAX[i+1]
			}
		}
		if h.Name != want {
			t.Errorf("%s: member %q, want %q", c.Name, h.Name, want)
		}
	}
	_, err := r.Next()
	if c.Broken == "" && err != io.EOF {
		t.Errorf("%s: after the members: %v, want the end of the archive", c.Name, err)
	}
	if c.Broken != "" && (err == nil || !errors.Is(err, io.ErrUnexpectedEOF)) {
		t.Errorf("%s: the stream is not cut: %v", c.Name, err)
	}
}
