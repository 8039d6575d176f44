package gtar

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseNumeric(t *testing.T) {
	b256 := func(bs ...byte) []byte { return bs }
	tests := []struct {
		field   []byte
		want    int64
		wantErr bool
	}{
		{[]byte("0000644\x00"), 0o644, false},
		{[]byte(" 644 \x00\x00\x00"), 0o644, false},
		{[]byte("\x00\x00\x00\x00\x00\x00\x00\x00"), 0, false},
		{[]byte("77777777777\x00"), 0o77777777777, false},
		{b256(0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0), 256, false},
		{b256(0x80, 0, 0, 0, 0x01, 0, 0, 0, 0, 0, 0, 0), 1 << 56, false},
		{b256(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), -1, false},
		{b256(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0x70), -400, false},
		{b256(0x80, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0), 0, true}, // more than 63 bits
		{[]byte("0008\x00"), 0, true},
		{[]byte("12x4\x00"), 0, true},
		{[]byte("7777777777777777777777\x00"), 0, true},
	}
	for _, tc := range tests {
		got, err := parseNumeric(tc.field)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("parseNumeric(%q) = %d, %v; want %d, error %v", tc.field, got, err, tc.want, tc.wantErr)
		}
	}
}

// hdrBlock makes a GNU header block by hand, for what archive/tar does not write (old GNU and
// PAX sparse maps, broken headers); edit may change any byte before the checksum is computed.
func hdrBlock(name string, typ byte, size int64, edit func(b *block)) []byte {
	var b block
	copy(b[offName:], name)
	copy(b[offMode:], "0000644\x00")
	copy(b[offUID:], "0000000\x00")
	copy(b[offGID:], "0000000\x00")
	copy(b[offSize:], fmt.Sprintf("%011o\x00", size))
	copy(b[offMtime:], fmt.Sprintf("%011o\x00", testTime.Unix()))
	b[offType] = typ
	copy(b[offMagic:], "ustar  \x00")
	if edit != nil {
		edit(&b)
	}
	copy(b[offChksum:], "        ")
	var sum int
	for _, c := range b {
		sum += int(c)
	}
	copy(b[offChksum:], fmt.Sprintf("%06o\x00 ", sum))
	return b[:]
}

// padded returns data padded to whole blocks.
func padded(data []byte) []byte {
	return append(data, make([]byte, -len(data)&(blockSize-1))...)
}

func paxRecords(kv ...string) []byte {
	var out []byte
	for i := 0; i < len(kv); i += 2 {
		rec := " " + kv[i] + "=" + kv[i+1] + "\n"
		n := len(rec) + 1
		for len(strconv.Itoa(n))+len(rec) != n {
			n++
		}
		out = append(out, strconv.Itoa(n)+rec...)
	}
	return out
}

func endBlocks() []byte { return make([]byte, 2*blockSize) }

// sparseFile is the logical content of a test sparse file and its fragments.
func sparseFile(size int64, frags ...SparseEntry) (content, stored []byte) {
	content = make([]byte, size)
	for i, f := range frags {
		for j := range f.Length {
			content[f.Offset+j] = byte('a' + (i+int(j))%26)
		}
		stored = append(stored, content[f.Offset:f.Offset+f.Length]...)
	}
	return content, stored
}

func setSparse(area []byte, frags []SparseEntry) {
	for i, f := range frags {
		copy(area[i*24:], fmt.Sprintf("%011o\x00%011o\x00", f.Offset, f.Length))
	}
}

func TestReaderSparse(t *testing.T) {
	frags6 := []SparseEntry{{0, 10}, {4096, 5}, {9000, 1}, {20000, 700}, {30000, 3}, {65536, 512}}
	frags2 := []SparseEntry{{1 << 20, 4096}, {3 << 20, 4}}
	const size6, size2 = 70000, 3<<20 + 4

	tests := []struct {
		name  string
		size  int64
		frags []SparseEntry
		build func(stored []byte) []byte
	}{
		{"old GNU, map in the header", size2, frags2, func(stored []byte) []byte {
			h := hdrBlock("./s.img", 'S', int64(len(stored)), func(b *block) {
				setSparse(b[offSparse:], append(frags2, SparseEntry{size2, 0}))
				copy(b[offRealsize:], fmt.Sprintf("%011o\x00", size2))
			})
			return append(h, padded(stored)...)
		}},
		{"old GNU, map in an extension block", size6, frags6, func(stored []byte) []byte {
			h := hdrBlock("./s.img", 'S', int64(len(stored)), func(b *block) {
				setSparse(b[offSparse:], frags6[:4])
				b[offExtended] = 1
				copy(b[offRealsize:], fmt.Sprintf("%011o\x00", size6))
			})
			var ext block
			setSparse(ext[:], frags6[4:])
			return append(append(h, ext[:]...), padded(stored)...)
		}},
		{"PAX 0.0", size2, frags2, func(stored []byte) []byte {
			pax := paxRecords("GNU.sparse.size", strconv.Itoa(size2), "GNU.sparse.numblocks", "2",
				"GNU.sparse.offset", "1048576", "GNU.sparse.numbytes", "4096",
				"GNU.sparse.offset", "3145728", "GNU.sparse.numbytes", "4", "path", "./s.img")
			out := append(hdrBlock("./PaxHeaders/s.img", 'x', int64(len(pax)), nil), padded(pax)...)
			return append(append(out, hdrBlock("./s.img", '0', int64(len(stored)), nil)...), padded(stored)...)
		}},
		{"PAX 0.1", size6, frags6, func(stored []byte) []byte {
			var m []string
			for _, f := range frags6 {
				m = append(m, strconv.FormatInt(f.Offset, 10), strconv.FormatInt(f.Length, 10))
			}
			pax := paxRecords("GNU.sparse.size", strconv.Itoa(size6), "GNU.sparse.numblocks", "6",
				"GNU.sparse.name", "./s.img", "GNU.sparse.map", strings.Join(m, ","))
			out := append(hdrBlock("./PaxHeaders/s.img", 'x', int64(len(pax)), nil), padded(pax)...)
			return append(append(out, hdrBlock("./GNUSparseFile.1/s.img", '0', int64(len(stored)), nil)...), padded(stored)...)
		}},
		{"PAX 1.0", size6, frags6, func(stored []byte) []byte {
			pax := paxRecords("GNU.sparse.major", "1", "GNU.sparse.minor", "0",
				"GNU.sparse.name", "./s.img", "GNU.sparse.realsize", strconv.Itoa(size6))
			m := strconv.Itoa(len(frags6)) + "\n"
			for _, f := range frags6 {
				m += fmt.Sprintf("%d\n%d\n", f.Offset, f.Length)
			}
			data := append(padded([]byte(m)), stored...)
			out := append(hdrBlock("./PaxHeaders/s.img", 'x', int64(len(pax)), nil), padded(pax)...)
			return append(append(out, hdrBlock("./GNUSparseFile.1/s.img", '0', int64(len(data)), nil)...), padded(data)...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			content, stored := sparseFile(tc.size, tc.frags...)
			arc := append(tc.build(stored), hdrBlock("./after.txt", '0', 2, nil)...)
			arc = append(append(arc, padded([]byte("ok"))...), endBlocks()...)

			r := NewReader(bytes.NewReader(arc))
			h, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if h.Name != "./s.img" || h.Typeflag != TypeReg || h.Size != tc.size || !slices.Equal(h.Sparse, tc.frags) {
				t.Errorf("header %q %c size %d map %v; want ./s.img, regular, %d, %v", h.Name, h.Typeflag, h.Size, h.Sparse, tc.size, tc.frags)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, content) {
				t.Errorf("content: %d bytes (%v), equal %v; want %d bytes", len(got), err, bytes.Equal(got, content), len(content))
			}
			if h, err := r.Next(); err != nil || h.Name != "./after.txt" {
				t.Errorf("next member %v, %v; want ./after.txt", h, err)
			}

			// Extraction places the fragments and keeps the holes.
			dir, fsys := tempRoot(t)
			st, _, _, err := extract(t, arc, fsys, nil)
			if err != nil || st.Files != 2 || st.Bytes != int64(len(stored))+2 {
				t.Fatalf("extract: %+v, %v", st, err)
			}
			if got := readFile(t, dir, "s.img"); !bytes.Equal(got, content) {
				t.Errorf("extracted s.img differs (%d bytes)", len(got))
			}
		})
	}
}

func TestReaderHeaders(t *testing.T) {
	long := "./" + strings.Repeat("long/", 30) + "name.txt"
	longLink := strings.Repeat("../", 50) + "target"
	a := newArchive().
		dumpdir(t, "./", "Ddir", "Yf", "R./old", "T./new").
		dumpdir(t, "./dir/").
		add(t, &tar.Header{Name: long, Typeflag: tar.TypeReg, Uid: 1 << 22, Gid: 5, ModTime: time.Unix(-86400*400, 0)}, []byte("content")).
		add(t, &tar.Header{Name: "./sym", Typeflag: tar.TypeSymlink, Linkname: longLink}, nil).
		add(t, &tar.Header{Name: "./hard", Typeflag: tar.TypeLink, Linkname: long}, nil).
		add(t, &tar.Header{Name: "./fifo", Typeflag: tar.TypeFifo, Mode: 0o4755}, nil).
		add(t, &tar.Header{Name: "./dev", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, nil)
	r := NewReader(bytes.NewReader(a.bytes(t)))
	type want struct {
		name     string
		typ      byte
		size     int64
		linkname string
		content  string
	}
	wants := []want{
		{"./", TypeDumpdir, 23, "", "Ddir\x00Yf\x00R./old\x00T./new\x00\x00"},
		{"./dir/", TypeDumpdir, 1, "", "\x00"},
		{long, TypeReg, 7, "", "content"},
		{"./sym", TypeSymlink, 0, longLink, ""},
		{"./hard", TypeLink, 0, long, ""},
		{"./fifo", TypeFifo, 0, "", ""},
		{"./dev", TypeChar, 0, "", ""},
	}
	for _, w := range wants {
		h, err := r.Next()
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		content, err := io.ReadAll(r)
		if err != nil || h.Name != w.name || h.Typeflag != w.typ || h.Size != w.size || h.Linkname != w.linkname || string(content) != w.content {
			t.Errorf("got %q %c size %d link %q content %q (%v); want %+v", h.Name, h.Typeflag, h.Size, h.Linkname, content, err, w)
		}
		switch w.name {
		case "./":
			wantDD := []DumpdirEntry{{'D', "dir"}, {'Y', "f"}, {'R', "./old"}, {'T', "./new"}}
			if !slices.Equal(h.Dumpdir, wantDD) {
				t.Errorf("dumpdir %q, want %q", h.Dumpdir, wantDD)
			}
		case long:
			if h.Uid != 1<<22 || h.Gid != 5 || !h.Mtime.Equal(time.Unix(-86400*400, 0)) || h.Mode != 0o644 {
				t.Errorf("uid %d gid %d mtime %v mode %o", h.Uid, h.Gid, h.Mtime, h.Mode)
			}
		case "./fifo":
			if h.FileMode().String() != "purwxr-xr-x" {
				t.Errorf("FileMode %v", h.FileMode())
			}
		case "./dev":
			if h.Devmajor != 1 || h.Devminor != 3 {
				t.Errorf("device %d,%d", h.Devmajor, h.Devminor)
			}
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last member: %v, want io.EOF", err)
	}
}

func TestReaderUstarPrefix(t *testing.T) {
	name := strings.Repeat("d", 90) + "/" + strings.Repeat("e", 90) + "/file"
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Size: 1, Mode: 0o600, Format: tar.FormatUSTAR, ModTime: testTime}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte("x"))
	tw.Close()
	h, err := NewReader(&buf).Next()
	if err != nil || h.Name != name {
		t.Errorf("got %v, %v; want name %s", h, err, name)
	}
}

func TestReaderErrors(t *testing.T) {
	good := func() []byte { return append(hdrBlock("./a", '0', 3, nil), padded([]byte("abc"))...) }
	tests := []struct {
		name string
		arc  []byte
		want string // in the error of Next or Read
	}{
		{"bad checksum", append(corrupt(hdrBlock("./a", '0', 0, nil)), endBlocks()...), "bad header checksum"},
		{"not a tar archive", bytes.Repeat([]byte("hello world\n"), 100), "checksum"},
		{"empty stream", nil, "without its end-of-archive blocks"},
		{"no end blocks", good(), "without its end-of-archive blocks"},
		{"truncated header", append(good(), hdrBlock("./b", '0', 0, nil)[:100]...), "read header at byte 1024"},
		{"truncated padding", good()[:700], "skip the rest of member ./a"},
		{"truncated data", good()[:514], "archive ends inside member ./a"},
		{"huge long name", append(hdrBlock("././@LongLink", 'L', 1<<40, nil), endBlocks()...), "more than the"},
		{"huge dumpdir", append(hdrBlock("./", 'D', 1<<30, nil), endBlocks()...), "more than the"},
		{"dumpdir without NUL", append(hdrBlock("./", 'D', 3, nil), padded([]byte("Yab"))...), "no terminating NUL"},
		{"bad PAX record", append(hdrBlock("./p", 'x', 10, nil), padded([]byte("99 path=x\n"))...), "bad PAX record"},
		{"sparse map beyond size", append(hdrBlock("./s", 'S', 10, func(b *block) {
			setSparse(b[offSparse:], []SparseEntry{{100, 10}})
			copy(b[offRealsize:], "00000000012\x00")
		}), endBlocks()...), "beyond the file size"},
		{"sparse map and data disagree", append(hdrBlock("./s", 'S', 10, func(b *block) {
			setSparse(b[offSparse:], []SparseEntry{{0, 5}})
			copy(b[offRealsize:], "00000000012\x00")
		}), endBlocks()...), "holds 5 bytes but the member stores 10"},
		{"bad octal", append(hdrBlock("./a", '0', 0, func(b *block) { copy(b[offSize:], "0000000009\x00") }), endBlocks()...), "bad octal number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(tc.arc))
			var err error
			for err == nil {
				if _, err = r.Next(); err == nil {
					_, err = io.Copy(io.Discard, r)
				}
			}
			if err == io.EOF || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if _, again := r.Next(); again == nil {
				t.Error("Next goes on after an error")
			}
		})
	}
}

func corrupt(b []byte) []byte {
	b[0] ^= 0x20
	return b
}

func TestParseDumpdirRenames(t *testing.T) {
	dd := func(recs ...string) []DumpdirEntry {
		var out []DumpdirEntry
		for _, r := range recs {
			out = append(out, DumpdirEntry{r[0], r[1:]})
		}
		return out
	}
	tests := []struct {
		name    string
		records []DumpdirEntry
		want    []Rename
		bad     int
	}{
		{"none", dd("Da", "Yb"), nil, 0},
		{"one", dd("Dprojects", "R./projects/alpha", "T./projects/alpha-renamed"), []Rename{{"projects/alpha", "projects/alpha-renamed"}}, 0},
		{"swap through the temporary directory", dd("X./", "R./a", "T", "R./b", "T./a", "R", "T./b"), []Rename{{"a", "b"}, {"b", "a"}}, 0},
		{"nested, old names", dd("R./a", "T./b", "R./a/c", "T./b/d"), []Rename{{"a", "b"}, {"a/c", "b/d"}}, 0},
		{"nested, names after the first rename", dd("R./a", "T./b", "R./b/c", "T./b/d"), []Rename{{"a", "b"}, {"a/c", "b/d"}}, 0},
		{"chain", dd("R./a", "T./b", "R./b", "T./c"), []Rename{{"a", "c"}}, 0},
		{"unsafe names", dd("R../x", "T./y", "R./z", "T/abs"), nil, 2},
		{"T without R", dd("T./y"), nil, 1},
		{"R without T", dd("R./y"), nil, 1},
	}
	for _, tc := range tests {
		got, bad := dumpdirMoves(tc.records)
		if !slices.Equal(got, tc.want) || len(bad) != tc.bad {
			t.Errorf("%s: moves %v, problems %q; want %v and %d problems", tc.name, got, bad, tc.want, tc.bad)
		}
	}
}

func TestPathSelection(t *testing.T) {
	s := PathSelection{}
	s.Add("./docs/", Listed)
	s.Add("/", Exact)
	s.Add("odd names/x.txt", Listed)
	s.Add("src", Exact)
	s.Add("src", Listed)
	s.Add("bin", Exact)
	tests := map[string]Choice{
		"":                Exact,
		"docs":            Listed,
		"docs/a/b":        Listed,
		"docsx":           NotSelected,
		"odd names":       NotSelected,
		"odd names/x.txt": Listed,
		"odd names/y.txt": NotSelected,
		"src/pkg00":       Listed,
		"bin":             Exact,
		"bin/run.sh":      NotSelected,
	}
	for name, want := range tests {
		if got := s.Member(name); got != want {
			t.Errorf("Member(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestEscapeName(t *testing.T) {
	tests := []struct{ raw, escaped string }{
		{"./docs/readme.txt", "./docs/readme.txt"},
		{`./odd names/back\slash.txt`, `./odd names/back\\slash.txt`},
		{"./docs/naïve café/", `./docs/na\303\257ve caf\303\251/`},
		{"./docs/日本語/", `./docs/\346\227\245\346\234\254\350\252\236/`},
		{`./odd names/say "hi".txt`, `./odd names/say "hi".txt`},
		{"./odd names/it's here.txt", "./odd names/it's here.txt"},
		{"tab\tnl\ncr\rbell\a\b\f\v", `tab\tnl\ncr\rbell\a\b\f\v`},
		{"del\x7f ctl\x01", `del\177 ctl\001`},
	}
	for _, tc := range tests {
		if got := EscapeName(tc.raw); got != tc.escaped {
			t.Errorf("EscapeName(%q) = %q, want %q", tc.raw, got, tc.escaped)
		}
		if got := UnescapeName(tc.escaped); got != tc.raw {
			t.Errorf("UnescapeName(%q) = %q, want %q", tc.escaped, got, tc.raw)
		}
	}
	for in, want := range map[string]string{`\1x`: "\x01x", `a\`: `a\`, `\q\"`: `q"`, `\1011`: "A1"} {
		if got := UnescapeName(in); got != want {
			t.Errorf("UnescapeName(%q) = %q, want %q", in, got, want)
		}
	}
	if got, want := quoteName("./odd names/it's here.txt"), `'./odd names/it\'s here.txt'`; got != want {
		t.Errorf("quoteName = %s, want %s", got, want)
	}
}

// FuzzReader feeds arbitrary streams to the reader: it must never panic nor hold more than its
// limits, whatever the headers claim.
func FuzzReader(f *testing.F) {
	_, stored := sparseFile(5000, SparseEntry{0, 10}, SparseEntry{4000, 100})
	sp := hdrBlock("./s", 'S', int64(len(stored)), func(b *block) {
		setSparse(b[offSparse:], []SparseEntry{{0, 10}, {4000, 100}})
		copy(b[offRealsize:], fmt.Sprintf("%011o\x00", 5000))
	})
	f.Add(append(append(sp, padded(stored)...), endBlocks()...))
	a := newArchive().
		dumpdir(f, "./", "Dd", "Yf", "R./x", "T./y").
		dumpdir(f, "./d/", "Ng").
		file(f, "./f", "hello").
		add(f, &tar.Header{Name: "./" + strings.Repeat("n", 150), Typeflag: tar.TypeSymlink, Linkname: strings.Repeat("l", 120)}, nil)
	f.Add(a.bytes(f))
	pax := paxRecords("path", "./p", "GNU.sparse.major", "1", "GNU.sparse.realsize", "100")
	f.Add(append(append(hdrBlock("./x", 'x', int64(len(pax)), nil), padded(pax)...), hdrBlock("./p", '0', 512, nil)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data))
		for range 1000 {
			h, err := r.Next()
			if err != nil {
				if err != io.EOF && errors.Is(err, io.EOF) {
					t.Fatalf("plain io.EOF inside an error: %v", err)
				}
				return
			}
			if h.Size < 0 || len(h.Name) > maxLongName+100 || len(h.Sparse) > maxSparse {
				t.Fatalf("header out of bounds: size %d, name %d bytes, %d fragments", h.Size, len(h.Name), len(h.Sparse))
			}
			if _, err := io.Copy(io.Discard, io.LimitReader(r, 1<<20)); err != nil {
				return
			}
		}
	})
}

func readFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}
