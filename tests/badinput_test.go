package tests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amrshell/amrshell/internal/corpus"
)

// damage is what a bad-input case did to its corpus copy and what amrshell must say about it.
type damage struct {
	what  string                 // for failure messages
	named func(line string) bool // a stderr line that names the damaged volume/file/path
	// check inspects the restore directory after the failed extract; nil: the run's manifest,
	// partially (whatever is there must be complete and expected).
	check func(t *testing.T, w *world)
}

// TestBadInput extracts from damaged copies of the corpus: amrshell must fail (exit status > 0),
// say on stderr which volume, file or path is bad, leave no half-written file under a final
// name nor temp files, and write nothing outside the restore directory.
func TestBadInput(t *testing.T) {
	pristine := corpus.Unpack(t)
	runs, err := runDatestamps(pristine)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		host, disk string
		run        int    // restore as of this run; 0: as of datestamp
		datestamp  string // for run 0
		answers    int    // for run 0
		damage     func(t *testing.T, root string) damage
	}{
		// client2:/etc run 1 is one level-0 part, DailySet1-01 file 1, with no other copy.
		{name: "damaged header", host: "client2", disk: "/etc", run: 1, damage: damageHeader},
		// /srv/media's level 0 spans DailySet1-01 files 5-6 and DailySet1-02 files 1-3.
		{name: "missing vtape slot", host: "localhost", disk: "/srv/media", run: 1, damage: removeSlot},
		// client2:/etc run 3 is a new level 0, DailySet1-04 file 2, gzip on the server.
		{name: "truncated part", host: "client2", disk: "/etc", run: 3, damage: truncatePart},
		{name: "hostile holding dump", host: "localhost", disk: "/home/alice", datestamp: hostileDatestamp, answers: 1, damage: plantHostileDump},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			d := tc.damage(t, w.Root)
			ds, answers := tc.datestamp, tc.answers
			if tc.run > 0 {
				ds, answers = runs[tc.run], answersFor(t, pristine, tc.host, tc.disk, tc.run)
			}
			res := w.run(t, extractScript(tc.host, tc.disk, ds, ".", answers))
			report := fmt.Sprintf("stdout:\n%s\nstderr:\n%s", tail(res.Stdout, 25), tail(res.Stderr, 25))
			checkNoPanic(t, res)
			if res.ExitCode <= 0 {
				t.Errorf("exit status %d with %s; want a failure (> 0)\n%s", res.ExitCode, d.what, report)
			}
			named := false
			for _, l := range strings.Split(res.Stderr, "\n") {
				named = named || d.named(l)
			}
			if !named {
				t.Errorf("no stderr line names what is wrong (%s)\n%s", d.what, report)
			}
			if d.check != nil {
				d.check(t, w)
			} else {
				m, err := loadManifest(pristine, tc.run, tc.host, tc.disk)
				if err != nil {
					t.Fatal(err)
				}
				if rep := verifyTree(t, w.Restore, wholeTree(tc.run, m), true); !rep.ok() {
					t.Errorf("after the failed extract, the restore directory holds half-written or unexpected entries:\n%s\n%s", rep, report)
				}
			}
			checkSandbox(t, w)
		})
	}
}

// volumeFile returns the path of file filenum of the chg-disk volume labelled label.
func volumeFile(t *testing.T, root, label string, filenum int, wantSuffix string) string {
	t.Helper()
	labels, _ := filepath.Glob(filepath.Join(root, "vtapes", "main", "slot*", "00000."+label))
	if len(labels) != 1 {
		t.Fatalf("volume %s: %d slots hold it", label, len(labels))
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(labels[0]), fmt.Sprintf("%05d.*", filenum)))
	if len(files) != 1 || !strings.HasSuffix(files[0], wantSuffix) {
		t.Fatalf("volume %s file %d: found %q, want one ending %q", label, filenum, files, wantSuffix)
	}
	return files[0]
}

// namesVolumeFile accepts a line naming the file's path (or base name), or its volume label with
// the file number ("DailySet1-01 file 1", "DailySet1-01:1").
func namesVolumeFile(label string, filenum int, p string) func(string) bool {
	n := strconv.Itoa(filenum)
	re := regexp.MustCompile(`(?i)\bfile\s*(number\s*|#\s*|no\.?\s*)?0*` + n + `\b|` + regexp.QuoteMeta(label) + `:0*` + n + `\b`)
	return func(l string) bool {
		return strings.Contains(l, filepath.Base(p)) || (strings.Contains(l, label) && re.MatchString(l))
	}
}

func damageHeader(t *testing.T, root string) damage {
	p := volumeFile(t, root, "DailySet1-01", 1, ".client2._etc.0")
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The first line ("AMANDA: SPLIT_FILE ...") becomes noise; the rest of the 32 KiB stays.
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xa5}, 64), 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return damage{what: "the header of DailySet1-01 file 1 damaged", named: namesVolumeFile("DailySet1-01", 1, p)}
}

func removeSlot(t *testing.T, root string) damage {
	p := volumeFile(t, root, "DailySet1-02", 0, ".DailySet1-02")
	if err := os.RemoveAll(filepath.Dir(p)); err != nil {
		t.Fatal(err)
	}
	return damage{
		what:  "the slot of DailySet1-02 removed",
		named: func(l string) bool { return strings.Contains(l, "DailySet1-02") },
	}
}

func truncatePart(t *testing.T, root string) damage {
	p := volumeFile(t, root, "DailySet1-04", 2, ".client2._etc.0")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	const headerSize = 32768
	if err := os.Truncate(p, headerSize+(fi.Size()-headerSize)/2); err != nil {
		t.Fatal(err)
	}
	return damage{what: "DailySet1-04 file 2 cut to half its data", named: namesVolumeFile("DailySet1-04", 2, p)}
}

// hostileDatestamp is the run of the planted holding dump: after every real one.
const hostileDatestamp = "20261122235959"

// plantHostileDump writes a level-0 holding-disk dump of localhost:/home/alice whose GNU tar
// stream has a member "../x" beside a harmless "./ok.txt", with a FILE header made from the real
// holding file's and the index lines of its members, as Amanda's dumper would leave them.
func plantHostileDump(t *testing.T, root string) damage {
	t.Helper()
	mtime := time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC)
	var stream bytes.Buffer
	tw := tar.NewWriter(&stream)
	for _, m := range []struct {
		name string
		flag byte
		body string
	}{
		{"./", 'D', "Yok.txt\x00\x00"}, // GNU dumpdir: the directory's entries
		{"./ok.txt", tar.TypeReg, "hello\n"},
		{"../x", tar.TypeReg, "pwned\n"},
	} {
		hdr := &tar.Header{Name: m.name, Typeflag: m.flag, Mode: 0o644, Size: int64(len(m.body)), ModTime: mtime, Format: tar.FormatGNU}
		if m.flag == 'D' {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	compressed := gzipBytes(t, stream.Bytes())

	header := hostileHeader(t, root, stream.Bytes(), compressed)
	dir := filepath.Join(root, "holding", hostileDatestamp)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	block := make([]byte, 32768)
	copy(block, header)
	hf := filepath.Join(dir, "localhost._home_alice.0")
	if err := os.WriteFile(hf, append(block, compressed...), 0o600); err != nil {
		t.Fatal(err)
	}
	idx := filepath.Join(root, "state", "index", "localhost", "_home_alice", hostileDatestamp+"_0")
	if err := os.WriteFile(idx+"-unsorted.gz", gzipBytes(t, []byte("/\n/ok.txt\n/../x\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(idx+".header", []byte(header), 0o644); err != nil {
		t.Fatal(err)
	}
	return damage{
		what:  "a holding dump with a tar member ../x (" + hf + ")",
		named: func(l string) bool { return strings.Contains(l, "../x") },
		check: func(t *testing.T, w *world) {
			tree, err := snapshotTree(w.Restore)
			if err != nil {
				t.Fatal(err)
			}
			for p, e := range tree {
				if p != "ok.txt" || e.Type != "file" || e.SHA256 != sha256Hex("hello\n") {
					t.Errorf("restore directory holds %s (%s), want at most ok.txt with its content", p, e.Type)
				}
			}
		},
	}
}

// hostileHeader turns the header of the real holding dump (level 2 of run 4, two chunks) into
// the header of a one-chunk level-0 dump of the planted stream, with its sizes and CRC32Cs.
func hostileHeader(t *testing.T, root string, native, compressed []byte) string {
	t.Helper()
	real := filepath.Join(root, "holding", "20261122232930", "localhost._home_alice.2")
	b, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	text, _, _ := strings.Cut(string(b[:min(len(b), 32768)]), "\x00")
	crc := func(data []byte) string {
		return fmt.Sprintf("%08x:%d", crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)), len(data))
	}
	lines := strings.Split(text, "\n")
	const first = "AMANDA: FILE 20261122232930 localhost /home/alice  lev 2 "
	if !strings.HasPrefix(lines[0], first) {
		t.Fatalf("%s: header starts %q, want %q", real, lines[0], first)
	}
	lines[0] = strings.Replace(strings.Replace(lines[0], "20261122232930", hostileDatestamp, 1), " lev 2 ", " lev 0 ", 1)
	edits := []struct{ prefix, line string }{
		{"ORIGSIZE=", fmt.Sprintf("ORIGSIZE=%d", (len(native)+1023)/1024)},
		{"NATIVE-CRC=", "NATIVE-CRC=" + crc(native)},
		{"CLIENT-CRC=", "CLIENT-CRC=" + crc(compressed)}, // compressed on the client
		{"SERVER-CRC=", "SERVER-CRC=" + crc(compressed)},
		{"  <level>2</level>", "  <level>0</level>"},
	}
	var out []string
	done := map[string]bool{}
	for _, l := range lines {
		if strings.HasPrefix(l, "CONT_FILENAME=") {
			continue // one chunk
		}
		for _, e := range edits {
			if strings.HasPrefix(l, e.prefix) {
				done[e.prefix] = true
				l = e.line
			}
		}
		out = append(out, l)
	}
	for _, e := range edits {
		if !done[e.prefix] {
			t.Fatalf("%s: no header line starting %q; the corpus is not the one this test knows", real, e.prefix)
		}
	}
	return strings.Join(out, "\n")
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileDumpIsWellFormed reads the planted holding dump back: a FILE header whose sizes and
// CRCs match its data, and a gzipped tar stream with the hostile member, so that TestBadInput
// tests amrshell's handling of "../x" and not a broken file.
func TestHostileDumpIsWellFormed(t *testing.T) {
	root := corpus.Copy(t)
	plantHostileDump(t, root)
	b, err := os.ReadFile(filepath.Join(root, "holding", hostileDatestamp, "localhost._home_alice.0"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) <= 32768 {
		t.Fatalf("holding file of %d bytes", len(b))
	}
	text, _, _ := strings.Cut(string(b[:32768]), "\x00")
	data := b[32768:]
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var native bytes.Buffer
	if _, err := native.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	table := crc32.MakeTable(crc32.Castagnoli)
	for _, want := range []string{
		"AMANDA: FILE " + hostileDatestamp + " localhost /home/alice  lev 0 comp .gz program APPLICATION\n",
		fmt.Sprintf("\nNATIVE-CRC=%08x:%d\n", crc32.Checksum(native.Bytes(), table), native.Len()),
		fmt.Sprintf("\nSERVER-CRC=%08x:%d\n", crc32.Checksum(data, table), len(data)),
		"\nAPPLICATION=amgtar\n", "\n  <level>0</level>\n", "\nENDDLE\n",
	} {
		if !strings.Contains("\n"+text, want) {
			t.Errorf("header lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "CONT_FILENAME") || strings.Contains(text, "lev 2") {
		t.Errorf("header still names a continuation chunk or level 2:\n%s", text)
	}
	tr := tar.NewReader(&native)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, fmt.Sprintf("%c %s", h.Typeflag, h.Name))
	}
	if got, want := strings.Join(names, ", "), "D ./, 0 ./ok.txt, 0 ../x"; got != want {
		t.Errorf("tar members %q, want %q", got, want)
	}
}
