package device

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

const (
	holdingRun   = "20261122232930"
	holdingFirst = "localhost._home_alice.2"
)

// buildRootChunk is the CONT_FILENAME the corpus's first chunk names: a path of the machine
// that made the corpus.
var buildRootChunk = corpus.BuildRoot + "/holding/" + holdingRun + "/" + holdingFirst + ".1"

func skipIfBuildRootExists(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(buildRootChunk); err == nil {
		t.Skipf("%s exists on this machine, so the moved-disk fallback would not be used", buildRootChunk)
	}
}

// checkHoldingData reads the dump and compares it with its header's CRCs and, once gunzipped,
// with what amrestore --holding wrote (TRANSCRIPTS/amrestore-holding.sha256).
func checkHoldingData(t *testing.T, root string, hf *HoldingFile) {
	t.Helper()
	r, err := hf.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(data)) != hf.Size {
		t.Errorf("read %d bytes, Size %d", len(data), hf.Size)
	}
	if got := crc32c(data); got != hf.Header.ServerCRC {
		t.Errorf("CRC of the data %v, SERVER-CRC %v", got, hf.Header.ServerCRC)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	native, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := crc32c(native); got != hf.Header.NativeCRC {
		t.Errorf("CRC of the gunzipped data %v, NATIVE-CRC %v", got, hf.Header.NativeCRC)
	}
	sum := sha256.Sum256(native)
	restored, err := os.ReadFile(filepath.Join(root, "TRANSCRIPTS", "amrestore-holding.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(sum[:]), strings.Fields(string(restored))[0]; got != want {
		t.Errorf("sha256 %s, amrestore --holding wrote %s", got, want)
	}
	if n := readTar(t, strings.NewReader(string(native))); n == 0 {
		t.Error("empty tar stream")
	}
}

func TestOpenHoldingCorpus(t *testing.T) {
	skipIfBuildRootExists(t)
	root := corpus.Unpack(t)
	run := filepath.Join(root, "holding", holdingRun)
	first := filepath.Join(run, holdingFirst)
	hf, err := OpenHolding(first)
	if err != nil {
		t.Fatal(err)
	}
	if hf.Path != first || !reflect.DeepEqual(hf.Chunks, []string{first, first + ".1"}) {
		t.Errorf("Path %s, Chunks %q", hf.Path, hf.Chunks)
	}
	// 1048576 and 223501 bytes, each with a 32 KiB header
	if hf.Size != 1048576+223501-2*HeaderSize || hf.Size != hf.Header.ServerCRC.Size {
		t.Errorf("Size %d, SERVER-CRC %v", hf.Size, hf.Header.ServerCRC)
	}
	// amrestore --holding printed the summary of the first chunk.
	stderr, err := os.ReadFile(filepath.Join(root, "TRANSCRIPTS", "amrestore-holding.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Split(string(stderr), "\n")[1]; hf.Header.Summary() != want {
		t.Errorf("Summary %q, amrestore printed %q", hf.Header.Summary(), want)
	}
	checkHoldingData(t, root, hf)
}

// copyHolding copies the corpus's holding run directory to <t.TempDir()>/<disk>/<run> and returns
// the path of the copied first chunk.
func copyHolding(t *testing.T, root, disk string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), disk, holdingRun)
	copyDir(t, filepath.Join(root, "holding", holdingRun), dst)
	return filepath.Join(dst, holdingFirst)
}

func TestOpenHoldingDamaged(t *testing.T) {
	root := corpus.Unpack(t)
	parse := func(t *testing.T, path string) Header {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		h, err := ReadHeader(f)
		if err != nil {
			t.Fatal(err)
		}
		return *h
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, first string) // first is the path of the first chunk
		check  func(t *testing.T, first string, hf *HoldingFile, err error)
	}{
		{
			name:   "moved holding disk",
			damage: func(t *testing.T, first string) { skipIfBuildRootExists(t) },
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(hf.Chunks, []string{first, first + ".1"}) {
					t.Errorf("Chunks %q", hf.Chunks)
				}
				checkHoldingData(t, root, hf)
			},
		},
		{
			name: "next chunk on another holding disk, by its absolute name",
			damage: func(t *testing.T, first string) {
				other := filepath.Join(t.TempDir(), "hold2", holdingRun, "elsewhere")
				if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(first+".1", other); err != nil {
					t.Fatal(err)
				}
				h := parse(t, first)
				h.ContFilename = other
				writeHeader(t, first, h)
			},
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if len(hf.Chunks) != 2 || filepath.Base(hf.Chunks[1]) != "elsewhere" {
					t.Errorf("Chunks %q", hf.Chunks)
				}
				checkHoldingData(t, root, hf)
			},
		},
		{
			name:   "missing chunk",
			damage: func(t *testing.T, first string) { os.Remove(first + ".1") },
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, "open holding file "+first, "chunk 2", "tried "+buildRootChunk+", "+first+".1")
			},
		},
		{
			name: "first chunk is a CONT_FILE",
			damage: func(t *testing.T, first string) {
				copyFile(t, first+".1", first)
			},
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, first, "not the first chunk", "CONT_FILE: date 20261122232930")
			},
		},
		{
			name: "next chunk belongs to another dump",
			damage: func(t *testing.T, first string) {
				h := parse(t, first+".1")
				h.Level = 1
				writeHeader(t, first+".1", h)
			},
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, "chunk 2 ("+first+".1)", "chunk of another dump", "lev 1")
			},
		},
		{
			name: "next chunk is a FILE",
			damage: func(t *testing.T, first string) {
				h := parse(t, first+".1")
				h.Type = DumpFile
				writeHeader(t, first+".1", h)
			},
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, "expected a CONT_FILE header, found FILE:")
			},
		},
		{
			name: "chain loops back",
			damage: func(t *testing.T, first string) {
				h := parse(t, first+".1")
				h.ContFilename = first
				writeHeader(t, first+".1", h)
			},
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, "names "+first+", an earlier chunk")
			},
		},
		{
			name:   "truncated chunk",
			damage: func(t *testing.T, first string) { os.Truncate(first+".1", 100) },
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, "read header of "+first+".1", "short header: 100 of 32768 bytes")
			},
		},
		{
			name:   "missing first chunk",
			damage: func(t *testing.T, first string) { os.Remove(first) },
			check: func(t *testing.T, first string, hf *HoldingFile, err error) {
				wantErr(t, err, "open holding file", first, "no such file")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			first := copyHolding(t, root, "moved")
			tc.damage(t, first)
			hf, err := OpenHolding(first)
			tc.check(t, first, hf, err)
		})
	}
}

func TestScanHoldingDisk(t *testing.T) {
	skipIfBuildRootExists(t)
	root := corpus.Unpack(t)
	files, err := ScanHoldingDisk(filepath.Join(root, "holding"))
	if err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(root, "holding", holdingRun, holdingFirst)
	if len(files) != 1 || files[0].Path != first || len(files[0].Chunks) != 2 {
		t.Fatalf("ScanHoldingDisk: %+v", files)
	}

	// A holding disk with cruft around the dump, and a dump whose second chunk is lost.
	good := copyHolding(t, root, "hold")
	disk := filepath.Dir(filepath.Dir(good))
	run := filepath.Dir(good)
	copyFile(t, good, good+".tmp")                                   // being written
	copyFile(t, good, filepath.Join(run, "x.2.1.tmp"))               // being written
	os.WriteFile(filepath.Join(run, "empty.0"), nil, 0o644)          // empty
	os.WriteFile(filepath.Join(run, "pid"), []byte("4711\n"), 0o644) // dumper pid file
	os.Mkdir(filepath.Join(run, "subdir"), 0o755)
	os.Mkdir(filepath.Join(disk, "lost+found"), 0o755)
	os.Mkdir(filepath.Join(disk, "notadate"), 0o755)
	copyFile(t, good, filepath.Join(disk, "notadate", holdingFirst))
	os.Mkdir(filepath.Join(disk, "20261399000000"), 0o755) // month 13
	copyFile(t, good, filepath.Join(disk, "20261399000000", holdingFirst))
	copyFile(t, good, filepath.Join(disk, "stray-file"))

	h := *files[0].Header
	h.Level = 400 // not a dump level
	writeHeader(t, filepath.Join(run, "bad-level.400"), h)

	broken := filepath.Join(run, "client2._etc.0")
	h = *files[0].Header
	h.Host, h.Disk, h.Level, h.ContFilename = "client2", "/etc", 0, "/nonexistent/client2._etc.0.1"
	writeHeader(t, broken, h)

	// An 8-digit run directory with a dump in one chunk.
	old := filepath.Join(disk, "20261122", "client2._etc.1")
	os.Mkdir(filepath.Dir(old), 0o755)
	h = *files[0].Header
	h.Datestamp, h.Host, h.Disk, h.Level, h.ContFilename = "20261122", "client2", "/etc", 1, ""
	writeHeader(t, old, h)

	files, err = ScanHoldingDisk(disk)
	wantErr(t, err, broken, "/nonexistent/client2._etc.0.1")
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
	}
	if want := []string{old, good}; !reflect.DeepEqual(got, want) {
		t.Errorf("ScanHoldingDisk listed %q, want %q", got, want)
	}

	_, err = ScanHoldingDisk(filepath.Join(disk, "nope"))
	wantErr(t, err, "scan holding disk", "nope")
}

func TestHoldingOpenStreamsChunks(t *testing.T) {
	dir := t.TempDir()
	h := Header{Type: DumpFile, Datestamp: "20240305021500", Host: "h", Disk: "/d", Comp: "N", Program: "DUMP"}
	var chunks []string
	want := ""
	for i, data := range []string{"first ", "", "second ", "third"} { // an empty chunk too
		path := filepath.Join(dir, "h._d.0")
		if i > 0 {
			path += "." + string(rune('0'+i))
			h.Type = ContFile
		}
		chunks = append(chunks, path)
		want += data
		os.WriteFile(path, append(make([]byte, HeaderSize), data...), 0o644) // header written below
		h.ContFilename = ""
		if i < 3 {
			h.ContFilename = filepath.Join(dir, "h._d.0."+string(rune('1'+i)))
		}
		writeHeader(t, path, h)
	}
	hf, err := OpenHolding(chunks[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hf.Chunks, chunks) || hf.Size != int64(len(want)) {
		t.Fatalf("Chunks %q, Size %d", hf.Chunks, hf.Size)
	}
	r, err := hf.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || string(got) != want {
		t.Errorf("read %q, %v; want %q", got, err, want)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}

	// A chunk that disappears between OpenHolding and reading is an error, not a short dump.
	os.Remove(chunks[2])
	r, err = hf.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := io.ReadAll(r); err == nil || !strings.Contains(err.Error(), chunks[2]) {
		t.Errorf("reading with chunk 3 gone: %v", err)
	}
}
