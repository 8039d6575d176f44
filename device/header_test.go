package device

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// amgtarDLE is the DLE the corpus's amgtar dumps carry; compress "" leaves the element out.
func amgtarDLE(disk, device, level, compress string) string {
	var b strings.Builder
	b.WriteString("<dle>\n  <program>APPLICATION</program>\n")
	b.WriteString("  <disk>" + disk + "</disk>\n  <diskdevice>" + device + "</diskdevice>\n")
	b.WriteString("  <level>" + level + "</level>\n  <auth>local</auth>\n")
	if compress != "" {
		b.WriteString("  <compress>" + compress + "</compress>\n")
	}
	b.WriteString("  <record>YES</record>\n  <index>YES</index>\n  <datapath>AMANDA</datapath>\n")
	b.WriteString("  <backup-program>\n    <plugin>amgtar</plugin>\n")
	for _, p := range [][2]string{
		{"gnutar-path", "/bin/tar"},
		{"check-device", "no"},
		{"sparse", "yes"},
		{"gnutar-listdir", "/tmp/amc-public/client/gnutar-lists"},
		{"atime-preserve", "no"},
	} {
		b.WriteString("    <property>\n      <name>" + p[0] + "</name>\n      <value>" + p[1] + "</value>\n    </property>\n")
	}
	b.WriteString("  </backup-program>\n</dle>")
	return b.String()
}

const (
	amgtarRecover = "/usr/lib/amanda/application/amgtar restore [./file-to-restore]+"
	gunzipCmd     = "/bin/gzip -dc |"
)

// The corpus headers in testdata, every field, and the summary amrestore printed for them.
var corpusHeaders = []struct {
	file    string
	want    Header
	summary string
}{
	{
		file:    "main-slot1-00000.DailySet1-01.hdr",
		want:    Header{Type: TapeStart, Datestamp: "20261122232846", Label: "DailySet1-01"},
		summary: "start of tape: date 20261122232846 label DailySet1-01",
	},
	{
		file: "main-slot1-00002.localhost._srv_ext2vol.0.hdr",
		want: Header{
			Type: SplitFile, Datestamp: "20261122232846", Host: "localhost", Disk: "/srv/ext2vol",
			PartNum: 1, TotalParts: -1, Level: 0, Comp: ".gz", Program: "/sbin/dump",
			OrigSizeKB: 195,
			NativeCRC:  CRC{0xe483d7ab, 194560}, ClientCRC: CRC{0xe483d7ab, 194560}, ServerCRC: CRC{0xa59ea450, 36888},
			DLE: "<dle>\n  <program>DUMP</program>\n  <disk>/srv/ext2vol</disk>\n  <diskdevice>/dev/loop0</diskdevice>\n" +
				"  <level>0</level>\n  <auth>local</auth>\n  <compress>SERVER-FAST</compress>\n  <record>YES</record>\n" +
				"  <index>YES</index>\n  <datapath>AMANDA</datapath>\n</dle>",
			UncompressCmd: gunzipCmd, RecoverCmd: "/sbin/restore -xpGf - ...",
		},
		summary: "split dumpfile: date 20261122232846 host localhost disk /srv/ext2vol part 1/UNKNOWN lev 0 comp .gz program /sbin/dump",
	},
	{
		file: "main-slot1-00003.localhost._home_alice.0.hdr",
		want: Header{
			Type: SplitFile, Datestamp: "20261122232846", Host: "localhost", Disk: "/home/alice",
			PartNum: 1, TotalParts: -1, Level: 0, Comp: ".gz", Program: "APPLICATION",
			Application: "amgtar", OrigSizeKB: 1630,
			NativeCRC: CRC{0x96922945, 1669120}, ClientCRC: CRC{0x7b24b78d, 1370725}, ServerCRC: CRC{0x7b24b78d, 1370725},
			DLE:           amgtarDLE("/home/alice", "/tmp/amc-public/src/localhost/_home_alice", "0", "FAST"),
			UncompressCmd: gunzipCmd, RecoverCmd: amgtarRecover,
		},
		summary: "split dumpfile: date 20261122232846 host localhost disk /home/alice part 1/UNKNOWN lev 0 comp .gz program APPLICATION",
	},
	{
		file: "main-slot1-00005.localhost._srv_media.0.hdr",
		want: Header{
			Type: SplitFile, Datestamp: "20261122232846", Host: "localhost", Disk: "/srv/media",
			PartNum: 1, TotalParts: -1, Level: 0, Comp: "N", Program: "APPLICATION",
			Application: "amgtar", OrigSizeKB: 3730,
			NativeCRC: CRC{0xc67c5084, 3819520}, ClientCRC: CRC{0xc67c5084, 3819520}, ServerCRC: CRC{0xc67c5084, 3819520},
			DLE:        amgtarDLE("/srv/media", "/tmp/amc-public/src/localhost/_srv_media", "0", ""),
			RecoverCmd: amgtarRecover,
		},
		summary: "split dumpfile: date 20261122232846 host localhost disk /srv/media part 1/UNKNOWN lev 0 comp N program APPLICATION",
	},
	{
		file: "main-slot3-00001.client2._etc.1.hdr",
		want: Header{
			Type: SplitFile, Datestamp: "20261122232902", Host: "client2", Disk: "/etc",
			PartNum: 1, TotalParts: -1, Level: 1, Comp: ".gz", Program: "APPLICATION",
			Application: "amgtar", OrigSizeKB: 20,
			NativeCRC: CRC{0x2342f506, 20480}, ClientCRC: CRC{0x2342f506, 20480}, ServerCRC: CRC{0xe72b31df, 788},
			DLE:           amgtarDLE("/etc", "/tmp/amc-public/src/client2/_etc", "1", "SERVER-BEST"),
			UncompressCmd: gunzipCmd, RecoverCmd: amgtarRecover,
		},
		summary: "split dumpfile: date 20261122232902 host client2 disk /etc part 1/UNKNOWN lev 1 comp .gz program APPLICATION",
	},
	{
		file: "holding-localhost._home_alice.2.hdr",
		want: Header{
			Type: DumpFile, Datestamp: "20261122232930", Host: "localhost", Disk: "/home/alice",
			PartNum: 1, TotalParts: 1, Level: 2, Comp: ".gz", Program: "APPLICATION",
			ContFilename: "/tmp/amc-public/holding/20261122232930/localhost._home_alice.2.1",
			Application:  "amgtar", OrigSizeKB: 1220,
			NativeCRC: CRC{0xe2804ffc, 1249280}, ClientCRC: CRC{0x4dde45fe, 1206541}, ServerCRC: CRC{0x4dde45fe, 1206541},
			DLE:           amgtarDLE("/home/alice", "/tmp/amc-public/src/localhost/_home_alice", "2", "FAST"),
			UncompressCmd: gunzipCmd, RecoverCmd: amgtarRecover,
		},
		summary: "FILE: date 20261122232930 host localhost disk /home/alice lev 2 comp .gz program APPLICATION",
	},
	{
		file: "holding-localhost._home_alice.2.1.hdr",
		want: Header{
			Type: ContFile, Datestamp: "20261122232930", Host: "localhost", Disk: "/home/alice",
			Level: 2, Comp: ".gz", Program: "APPLICATION", Application: "amgtar",
			DLE:           amgtarDLE("/home/alice", "/tmp/amc-public/src/localhost/_home_alice", "2", "FAST"),
			UncompressCmd: gunzipCmd, RecoverCmd: amgtarRecover,
		},
		summary: "CONT_FILE: date 20261122232930 host localhost disk /home/alice lev 2 comp .gz program APPLICATION",
	},
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadHeaderCorpus(t *testing.T) {
	for _, tc := range corpusHeaders {
		t.Run(tc.file, func(t *testing.T) {
			h, err := ReadHeader(bytes.NewReader(readTestdata(t, tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*h, tc.want) {
				t.Errorf("ReadHeader:\n got %+v\nwant %+v", *h, tc.want)
			}
			if got := h.Summary(); got != tc.summary {
				t.Errorf("Summary:\n got %s\nwant %s", got, tc.summary)
			}
		})
	}
}

// Build must give back Amanda's own bytes: vtape headers exactly, holding headers but for the
// "bs=32k" that Amanda leaves out there.
func TestBuildCorpus(t *testing.T) {
	for _, tc := range corpusHeaders {
		t.Run(tc.file, func(t *testing.T) {
			orig := readTestdata(t, tc.file)
			h, err := ParseHeader(orig)
			if err != nil {
				t.Fatal(err)
			}
			b, err := h.Build()
			if err != nil {
				t.Fatal(err)
			}
			want := orig
			if strings.HasPrefix(tc.file, "holding-") {
				text := string(bytes.TrimRight(orig, "\x00"))
				text = strings.Replace(text, "<tape> skip=1", "<tape> bs=32k skip=1", 1)
				want = append([]byte(text), make([]byte, HeaderSize-len(text))...)
			}
			if !bytes.Equal(b, want) {
				t.Errorf("Build:\n got %q\nwant %q", bytes.TrimRight(b, "\x00"), bytes.TrimRight(want, "\x00"))
			}
		})
	}
}

// The index directory keeps a plain-text copy of every dump's header.
func TestParseHeaderIndexCopies(t *testing.T) {
	root := corpus.Unpack(t)
	files, err := filepath.Glob(filepath.Join(root, "state", "index", "*", "*", "*.header"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 11 {
		t.Fatalf("found %d .header files in the index, want 11", len(files))
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ParseHeader(text)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		// <indexdir>/<host>/<sanitised disk>/<datestamp>_<level>.header
		rel, _ := filepath.Rel(filepath.Join(root, "state", "index"), f)
		parts := strings.Split(rel, string(filepath.Separator))
		ds, lev, _ := strings.Cut(strings.TrimSuffix(parts[2], ".header"), "_")
		if h.Type != DumpFile || h.Host != parts[0] || SanitiseFilename(h.Disk) != parts[1] ||
			h.Datestamp != ds || strconv.Itoa(h.Level) != lev {
			t.Errorf("%s: header says %s", rel, h.Summary())
		}
		if h.NativeCRC == (CRC{}) || h.ServerCRC == (CRC{}) || h.DLE == "" {
			t.Errorf("%s: no CRC or DLE: %+v", rel, h)
		}
	}
}

const threeThreeHeader = "AMANDA: SPLIT_FILE 20120301120000 client1 /var  part 2/-1  lev 0 comp .gz program GNUTAR\n" +
	"ORIGSIZE=2048\n" +
	"DLE=<<ENDDLE\n<dle>\n  <program>GNUTAR</program>\n  <disk>/var</disk>\n</dle>\nENDDLE\n" +
	"To restore, position tape at start of file and run:\n" +
	"\tdd if=<tape> bs=32k skip=1 | /bin/gzip -dc | /bin/tar -xpGf - ...\n\f\n"

// Constructed headers, in the forms Amanda writes (fileheader.c build_header), for what the corpus
// does not have.
var constructedHeaders = []struct {
	name, text string
	want       Header
	summary    string
}{
	{
		name: "quoted disk with spaces and colon",
		text: "AMANDA: FILE 20240305021500 client1 \"C:/My  Docs/a \\\"b\\\"\"  lev 0 comp N program APPLICATION\n" +
			"APPLICATION=amgtar\n\f\n",
		want: Header{Type: DumpFile, Datestamp: "20240305021500", Host: "client1", Disk: `C:/My  Docs/a "b"`,
			PartNum: 1, TotalParts: 1, Comp: "N", Program: "APPLICATION", Application: "amgtar"},
		summary: `FILE: date 20240305021500 host client1 disk "C:/My  Docs/a \"b\"" lev 0 comp N program APPLICATION`,
	},
	{
		name: "quoted disk ending in a backslash",
		text: "AMANDA: SPLIT_FILE 20240305021500 win1 \"C:\\\\\"  part 1/2  lev 1 comp .gz program DUMP\n" +
			"ORIGSIZE=10\n\f\n",
		want: Header{Type: SplitFile, Datestamp: "20240305021500", Host: "win1", Disk: `C:\`,
			PartNum: 1, TotalParts: 2, Level: 1, Comp: ".gz", Program: "DUMP", OrigSizeKB: 10},
		summary: `split dumpfile: date 20240305021500 host win1 disk "C:\\" part 1/2 lev 1 comp .gz program DUMP`,
	},
	{
		name: "quoted disk with one escaped quote",
		text: "AMANDA: FILE 20240305021500 client1 \"/it\\\"s\"  lev 0 comp N program DUMP\nAPPLICATION=x\n\f\n",
		want: Header{Type: DumpFile, Datestamp: "20240305021500", Host: "client1", Disk: `/it"s`,
			PartNum: 1, TotalParts: 1, Comp: "N", Program: "DUMP", Application: "x"},
		summary: `FILE: date 20240305021500 host client1 disk "/it\"s" lev 0 comp N program DUMP`,
	},
	{
		name: "quoted disk with an escaped newline",
		text: "AMANDA: CONT_FILE 20240305021500 client1 \"/a\\nb\"  lev 3 comp cust program GNUTAR client_custom_compress /usr/bin/zstd\n",
		want: Header{Type: ContFile, Datestamp: "20240305021500", Host: "client1", Disk: "/a\nb",
			Level: 3, Comp: "cust", Program: "GNUTAR", ClientCustomCompress: "/usr/bin/zstd"},
		summary: `CONT_FILE: date 20240305021500 host client1 disk "/a\nb" lev 3 comp cust program GNUTAR client_custom_compress /usr/bin/zstd`,
	},
	{
		name: "DLE delimiter ENDDLE1, blank line lost",
		text: "AMANDA: FILE 20240305021500 client1 /etc  lev 0 comp N program APPLICATION\n" +
			"DLE=<<ENDDLE1\n<dle>\n  <property>\nENDDLE\n\n  </property>\n</dle>\nENDDLE1\n" +
			"To restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | amgtar restore \n\f\n",
		want: Header{Type: DumpFile, Datestamp: "20240305021500", Host: "client1", Disk: "/etc",
			PartNum: 1, TotalParts: 1, Comp: "N", Program: "APPLICATION",
			DLE: "<dle>\n  <property>\nENDDLE\n  </property>\n</dle>", RecoverCmd: "amgtar restore"},
		summary: "FILE: date 20240305021500 host client1 disk /etc lev 0 comp N program APPLICATION",
	},
	{
		name: "3.3 style: no CRCs, no application",
		text: threeThreeHeader,
		want: Header{Type: SplitFile, Datestamp: "20120301120000", Host: "client1", Disk: "/var",
			PartNum: 2, TotalParts: -1, Comp: ".gz", Program: "GNUTAR", OrigSizeKB: 2048,
			DLE:           "<dle>\n  <program>GNUTAR</program>\n  <disk>/var</disk>\n</dle>",
			UncompressCmd: gunzipCmd, RecoverCmd: "/bin/tar -xpGf - ..."},
		summary: "split dumpfile: date 20120301120000 host client1 disk /var part 2/UNKNOWN lev 0 comp .gz program GNUTAR",
	},
	{
		name: "2.x style: 8-digit date, no DLE, bare tar",
		text: "AMANDA: FILE 20050301 oldhost /usr  lev 1 comp .gz program /bin/tar\n" +
			"To restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | /bin/gzip -dc | /bin/tar -f... -\n\f\n",
		want: Header{Type: DumpFile, Datestamp: "20050301", Host: "oldhost", Disk: "/usr", PartNum: 1, TotalParts: 1,
			Level: 1, Comp: ".gz", Program: "/bin/tar", UncompressCmd: gunzipCmd, RecoverCmd: "/bin/tar -f... -"},
		summary: "FILE: date 20050301 host oldhost disk /usr lev 1 comp .gz program /bin/tar",
	},
	{
		name: "encrypted, three commands, partial",
		text: "AMANDA: SPLIT_FILE 20240305021500 client1 /home  part 3/3  lev 0 comp .gz program APPLICATION crypt enc server_encrypt /usr/sbin/amcrypt server_decrypt_option -d\n" +
			"PARTIAL=yes\n" +
			"To restore, position tape at start of file and run:\n" +
			"\tdd if=<tape> bs=32k skip=1 | /usr/sbin/amcrypt -d | /bin/gzip -dc | amgtar restore | tee x \n\f\n",
		want: Header{Type: SplitFile, Datestamp: "20240305021500", Host: "client1", Disk: "/home", PartNum: 3, TotalParts: 3,
			Comp: ".gz", Program: "APPLICATION", Crypt: "enc", ServerEncrypt: "/usr/sbin/amcrypt", ServerDecryptOption: "-d",
			Partial: true, DecryptCmd: "/usr/sbin/amcrypt -d |", UncompressCmd: gunzipCmd, RecoverCmd: "amgtar restore | tee x"},
		summary: "split dumpfile: date 20240305021500 host client1 disk /home part 3/3 lev 0 comp .gz program APPLICATION crypt enc server_encrypt /usr/sbin/amcrypt server_decrypt_option -d",
	},
	{
		name: "options out of order are ignored",
		text: "NETDUMP: FILE 20240305021500 client1 /home  lev 0 comp .gz program DUMP client_encrypt /x crypt enc\n" +
			"\tdd if=<tape> skip=1 no pipeline\n",
		want: Header{Type: DumpFile, Datestamp: "20240305021500", Host: "client1", Disk: "/home", PartNum: 1, TotalParts: 1,
			Comp: ".gz", Program: "DUMP", ClientEncrypt: "/x", RecoverCmd: "BUG"},
		summary: "FILE: date 20240305021500 host client1 disk /home lev 0 comp .gz program DUMP client_encrypt /x",
	},
	{
		name: "crypt N is no encryption, CRC 0 is unknown, legacy comp C",
		text: "AMANDA: FILE 20240305021500 client1 /home  lev 0 comp C program DUMP crypt N\n" +
			"NATIVE-CRC=00000000:100\nSERVER-CRC=zz:1\nCLIENT-CRC=1:2\nDLE=literal\n",
		want: Header{Type: DumpFile, Datestamp: "20240305021500", Host: "client1", Disk: "/home", PartNum: 1, TotalParts: 1,
			Comp: "C", Program: "DUMP", Crypt: "N", ClientCRC: CRC{1, 2}, DLE: "literal"},
		summary: "FILE: date 20240305021500 host client1 disk /home lev 0 comp .Z program DUMP",
	},
	{
		name:    "fresh volume label",
		text:    "AMANDA: TAPESTART DATE X TAPE DailySet1-05\n\f\n",
		want:    Header{Type: TapeStart, Datestamp: "X", Label: "DailySet1-05"},
		summary: "start of tape: date X label DailySet1-05",
	},
	{
		name:    "TAPEEND with date",
		text:    "AMANDA: TAPEEND DATE 20240305021500\n\f\n",
		want:    Header{Type: TapeEnd, Datestamp: "20240305021500"},
		summary: "end of tape: date 20240305021500",
	},
	{
		name:    "TAPEEND without date",
		text:    "AMANDA: TAPEEND\n\f\n",
		want:    Header{Type: TapeEnd},
		summary: "end of tape: date ",
	},
	{
		name:    "NOOP",
		text:    "AMANDA: NOOP\n\f\n",
		want:    Header{Type: NoOp},
		summary: "NOOP file",
	},
}

func TestParseHeaderConstructed(t *testing.T) {
	for _, tc := range constructedHeaders {
		t.Run(tc.name, func(t *testing.T) {
			block := append([]byte(tc.text), make([]byte, 100)...)
			h, err := ParseHeader(block)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*h, tc.want) {
				t.Errorf("ParseHeader:\n got %+v\nwant %+v", *h, tc.want)
			}
			if got := h.Summary(); got != tc.summary {
				t.Errorf("Summary:\n got %s\nwant %s", got, tc.summary)
			}
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	const dump = "AMANDA: SPLIT_FILE 20240305021500 client1 /etc  "
	tests := []struct {
		name, text string
		typ        FileType
		err        string
	}{
		{"all NUL", "\x00\x00\x00", Empty, "empty header"},
		{"not AMANDA:", "alice/\x00\x00\x00", Weird, `not an Amanda header: first line "alice/" does not start with AMANDA:`},
		{"tar data", "./docs/report.txt\nmore\n", Weird, "not an Amanda header"},
		{"empty first line", "\nAMANDA: FILE\n", Weird, "first line is empty"},
		{"no type", "AMANDA:\n", Weird, "truncated first line: no file type"},
		{"unknown type", "AMANDA: DIRECTORY 1 2\n", Weird, `unknown file type "DIRECTORY"`},
		{"tapestart without TAPE", "AMANDA: TAPESTART DATE X\n", Weird, `truncated first line: no "TAPE"`},
		{"tapestart without label", "AMANDA: TAPESTART DATE X TAPE \n", Weird, "no volume label"},
		{"tapestart bad word", "AMANDA: TAPESTART TAPE X\n", Weird, `found "TAPE" where "DATE" belongs`},
		{"tapeend bad word", "AMANDA: TAPEEND 2024\n", Weird, `found "2024" where "DATE" belongs`},
		{"no date", "AMANDA: FILE\n", Weird, "no dump timestamp"},
		{"no host", "AMANDA: FILE 20240305021500\n", Weird, "no host name"},
		{"no disk", "AMANDA: FILE 20240305021500 client1   \n", Weird, "no disk name"},
		{"unbalanced quote", "AMANDA: FILE 20240305021500 client1 \"/my docs  lev 0 comp N\n", Weird, "unbalanced quotes in disk name"},
		{"trailing backslash", "AMANDA: FILE 20240305021500 client1 /my\\", Weird, "unbalanced quotes"},
		{"truncated before lev", "AMANDA: FILE 20240305021500 client1 /etc", Weird, `truncated first line: no "lev"`},
		{"truncated after lev", "AMANDA: FILE 20240305021500 client1 /etc  lev", Weird, "no dump level"},
		{"truncated after comp", "AMANDA: FILE 20240305021500 client1 /etc  lev 0 comp", Weird, "no compression suffix"},
		{"bad level", "AMANDA: FILE 20240305021500 client1 /etc  lev x comp N\n", Weird, `dump level "x" is not a number`},
		{"level with junk", "AMANDA: FILE 20240305021500 client1 /etc  lev 1a comp N\n", Weird, `dump level "1a" is not a number`},
		{"no part word", dump + "lev 0 comp N\n", Weird, `found "lev" where "part" belongs`},
		{"no part value", dump + "part", Weird, "no part number n/m"},
		{"part without slash", dump + "part 1-1  lev 0 comp N\n", Weird, `part "1-1" is not n/m`},
		{"part not a number", dump + "part a/2  lev 0 comp N\n", Weird, `part number "a" is not a number`},
		{"part count not a number", dump + "part 1/b  lev 0 comp N\n", Weird, `part count "b" is not a number`},
		{"part 0", dump + "part 0/-1  lev 0 comp N\n", Weird, "part number 0 is less than 1"},
		{"part beyond count", dump + "part 3/2  lev 0 comp N\n", Weird, "part number 3 is more than the part count 2"},
		{"program without name", "AMANDA: FILE 20240305021500 client1 /etc  lev 0 comp N program\n", Weird, "no program name"},
		{"crypt without suffix", "AMANDA: FILE 20240305021500 client1 /etc  lev 0 comp N program X crypt\n", Weird, "no crypt value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader([]byte(tc.text))
			if err == nil {
				t.Fatalf("no error; parsed %+v", h)
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %q does not contain %q", err, tc.err)
			}
			if h == nil || h.Type != tc.typ {
				t.Fatalf("header %+v, want type %v", h, tc.typ)
			}
			if want := strings.ToUpper(tc.typ.String()) + " file"; h.Summary() != want {
				t.Errorf("Summary %q, want %q", h.Summary(), want)
			}
		})
	}
}

func TestReadHeaderShort(t *testing.T) {
	for _, n := range []int{0, 1, HeaderSize - 1} {
		block := readTestdata(t, "main-slot1-00000.DailySet1-01.hdr")[:n]
		_, err := ReadHeader(bytes.NewReader(block))
		if err == nil || !strings.Contains(err.Error(), "short header") {
			t.Errorf("%d bytes: error %v, want a short header error", n, err)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	ok := Header{Type: SplitFile, Datestamp: "20240305021500", Host: "h", Disk: "/d", PartNum: 1, TotalParts: -1,
		Comp: "N", Program: "GNUTAR"}
	if _, err := ok.Build(); err != nil {
		t.Fatalf("valid header: %v", err)
	}
	tests := []struct {
		name   string
		change func(h *Header)
		err    string
	}{
		{"bad datestamp", func(h *Header) { h.Datestamp = "2024-03-05" }, `invalid datestamp "2024-03-05"`},
		{"no host", func(h *Header) { h.Host = "" }, "empty host"},
		{"host with space", func(h *Header) { h.Host = "a b" }, "contains a space"},
		{"no program", func(h *Header) { h.Program = "" }, "empty program"},
		{"part 0", func(h *Header) { h.PartNum = 0 }, "less than 1"},
		{"both custom compress", func(h *Header) { h.ServerCustomCompress, h.ClientCustomCompress = "a", "b" },
			"both server_custom_compress and client_custom_compress"},
		{"both decrypt options", func(h *Header) { h.ServerDecryptOption, h.ClientDecryptOption = "-d", "-d" },
			"both server_decrypt_option and client_decrypt_option"},
		{"uncompress without recover", func(h *Header) { h.UncompressCmd = "gzip -dc |" }, "uncompress command without a recover command"},
		{"decrypt without pipe", func(h *Header) { h.DecryptCmd, h.RecoverCmd = "amcrypt -d", "tar" }, "does not end with '|'"},
		{"newline in CONT_FILENAME", func(h *Header) { h.ContFilename = "/a\nb" }, "contains a newline"},
		{"NUL in disk", func(h *Header) { h.Disk = "/a\x00b" }, "NUL byte"},
		{"too long", func(h *Header) { h.Application = strings.Repeat("x", HeaderSize) }, "do not fit"},
		{"weird", func(h *Header) { h.Type = Weird }, "only TAPESTART, TAPEEND, NOOP and dump headers"},
		{"tapestart without label", func(h *Header) { h.Type = TapeStart }, "empty label"},
		{"tapeend without date", func(h *Header) { h.Type, h.Datestamp = TapeEnd, "" }, `invalid datestamp ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := ok
			tc.change(&h)
			_, err := h.Build()
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// A DLE that contains a line "ENDDLE" gets the delimiter ENDDLE1, and one too long is left out.
func TestBuildDLE(t *testing.T) {
	h := Header{Type: DumpFile, Datestamp: "20240305021500", Host: "h", Disk: "/d", Comp: "N", Program: "DUMP",
		DLE: "<dle>\nENDDLE\nENDDLE1\n</dle>"}
	b, err := h.Build()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("DLE=<<ENDDLE2\n<dle>\nENDDLE\nENDDLE1\n</dle>\nENDDLE2\n")) {
		t.Errorf("heredoc not delimited by ENDDLE2:\n%s", bytes.TrimRight(b, "\x00"))
	}
	back, err := ParseHeader(b)
	if err != nil || back.DLE != h.DLE {
		t.Errorf("parsed back DLE %q, %v", back.DLE, err)
	}
	h.DLE = strings.Repeat("x", maxDLE+1)
	if b, err = h.Build(); err != nil || bytes.Contains(b, []byte("DLE=")) {
		t.Errorf("a DLE of %d bytes was not left out (err %v)", len(h.DLE), err)
	}
}

// stable returns the fields of h that Build writes and ParseHeader reads back unchanged.
func stable(h Header) Header {
	h.DecryptCmd, h.UncompressCmd, h.RecoverCmd = "", "", "" // informational, freely formatted
	if !h.IsDump() {
		return Header{Type: h.Type, Datestamp: h.Datestamp, Label: h.Label}
	}
	if h.OrigSizeKB < 0 {
		h.OrigSizeKB = 0
	}
	if len(h.DLE) > maxDLE {
		h.DLE = ""
	}
	if h.Comp == "" {
		h.Comp = "N"
	}
	if h.Crypt == "N" {
		h.Crypt = ""
	}
	return h
}

func FuzzParseHeader(f *testing.F) {
	for _, tc := range corpusHeaders {
		f.Add(readTestdata(f, tc.file))
	}
	for _, tc := range constructedHeaders {
		f.Add([]byte(tc.text))
	}
	f.Add([]byte("AMANDA: FILE 20240305021500 client1 \"C:/My Docs\"  lev 0 comp N program DUMP crypt enc server_custom_compress x\n" +
		"CONT_FILENAME=/h/20240305021500/client1.C__My Docs.0.1\nPARTIAL=YES\nDLE=<<ENDDLE1\nENDDLE\nENDDLE1\n"))
	f.Add([]byte("AMANDA: TAPEEND DATE 20240305021500\n\f\n"))
	f.Fuzz(func(t *testing.T, block []byte) {
		h, err := ParseHeader(block)
		if h == nil {
			t.Fatalf("ParseHeader returned a nil header (err %v)", err)
		}
		_ = h.Summary()
		if err != nil {
			return
		}
		b, err := h.Build()
		if err != nil {
			return // a header Amanda itself would not write
		}
		back, err := ParseHeader(b)
		if err != nil {
			t.Fatalf("header built from %q does not parse: %v\n%q", block, err, b)
		}
		if got, want := stable(*back), stable(*h); !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %q:\n got %+v\nwant %+v", block, got, want)
		}
	})
}
