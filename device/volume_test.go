package device

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// copyDir copies the regular files of src into a new directory dst.
func copyDir(t *testing.T, src, dst string) string {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
	return dst
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeHeader replaces the header block of path (creating the file if needed) with h.
func writeHeader(t *testing.T, path string, h Header) {
	t.Helper()
	block, err := h.Build()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(block, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// crc32c is the checksum Amanda records in NATIVE-CRC, CLIENT-CRC and SERVER-CRC.
func crc32c(b []byte) CRC {
	return CRC{Sum: crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)), Size: int64(len(b))}
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func TestOpenVolumeCorpus(t *testing.T) {
	root := corpus.Unpack(t)
	tests := []struct {
		dir, wantDir, label, date string
	}{
		{"vtapes/main/slot1", "vtapes/main/slot1", "DailySet1-01", "20261122232846"},
		{"vtapes/main/slot3", "vtapes/main/slot3", "DailySet1-03", "20261122232902"},
		{"vtapes/main/slot5", "vtapes/main/slot5", "DailySet1-05", "X"},
		{"vtapes/vault/slot1", "vtapes/vault/slot1", "Vault1-01", "20261122232925"},
		// file:/vtapes/main reads the current slot through the data symlink (USE-DATA EXIST).
		{"vtapes/main", "vtapes/main/data", "DailySet1-04", "20261122232919"},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			v, err := OpenVolume(filepath.Join(root, tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			want := Volume{Dir: filepath.Join(root, tc.wantDir), Label: tc.label, Datestamp: tc.date}
			if *v != want {
				t.Errorf("got %+v, want %+v", *v, want)
			}
		})
	}
	_, err := OpenVolume(filepath.Join(root, "vtapes/main/slot99"))
	wantErr(t, err, "open volume", "slot99")
}

func TestOpenFileCorpus(t *testing.T) {
	root := corpus.Unpack(t)
	v, err := OpenVolume(filepath.Join(root, "vtapes/main/slot1"))
	if err != nil {
		t.Fatal(err)
	}
	split := func(host, disk string, part int, comp string) string {
		return "split dumpfile: date 20261122232846 host " + host + " disk " + disk + " part " + strconv.Itoa(part) +
			"/UNKNOWN lev 0 comp " + comp + " program APPLICATION"
	}
	tests := []struct {
		n, number int
		name      string
		size      int64
		summary   string
	}{
		{0, 0, "00000.DailySet1-01", 0, "start of tape: date 20261122232846 label DailySet1-01"},
		{1, 1, "00001.client2._etc.0", 20917, split("client2", "/etc", 1, ".gz")},
		{3, 3, "00003.localhost._home_alice.0", 1048576, split("localhost", "/home/alice", 1, ".gz")},
		{4, 4, "00004.localhost._home_alice.0", 322149, split("localhost", "/home/alice", 2, ".gz")},
		{6, 6, "00006.localhost._srv_media.0", 327680, split("localhost", "/srv/media", 2, "N")},
		{7, 7, "", 0, "end of tape: date "},
		{100, 100, "", 0, "end of tape: date "},
	}
	for _, tc := range tests {
		t.Run(strconv.Itoa(tc.n), func(t *testing.T) {
			f, err := v.OpenFile(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			name := ""
			if f.Path != "" {
				name = filepath.Base(f.Path)
				if f.Path != filepath.Join(v.Dir, name) {
					t.Errorf("Path %s is not in %s", f.Path, v.Dir)
				}
			}
			if f.Number != tc.number || name != tc.name || f.Size != tc.size || f.Header.Summary() != tc.summary {
				t.Errorf("got file %d %q size %d %q\nwant file %d %q size %d %q",
					f.Number, name, f.Size, f.Header.Summary(), tc.number, tc.name, tc.size, tc.summary)
			}
			data, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(data)) != tc.size {
				t.Errorf("read %d data bytes, want %d", len(data), tc.size)
			}
		})
	}
	// A single-part dump's data is what the server checksummed.
	f, err := v.OpenFile(1)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := crc32c(data); got != f.Header.ServerCRC {
		t.Errorf("file 1 data CRC %v, header SERVER-CRC %v", got, f.Header.ServerCRC)
	}
	_, err = v.OpenFile(-1)
	wantErr(t, err, "DailySet1-01 file -1")
}

// What amrestore printed for each file it read must be our Summary of that file.
func TestAmrestoreTranscripts(t *testing.T) {
	root := corpus.Unpack(t)
	transcripts := filepath.Join(root, "TRANSCRIPTS")
	fileLine := regexp.MustCompile(`^amrestore: (\d+): (?:skipping|restoring) (.*)$`)
	startLine := regexp.MustCompile(`^Restoring from tape (\S+) starting with file (\d+)\.$`)
	for _, name := range []string{"amrestore-c", "amrestore-h", "amrestore-raw", "amrestore-slot1-all"} {
		t.Run(name, func(t *testing.T) {
			cmd, err := os.ReadFile(filepath.Join(transcripts, name+".cmd"))
			if err != nil {
				t.Fatal(err)
			}
			dev := regexp.MustCompile(`file:(\S+)`).FindSubmatch(cmd)
			if dev == nil {
				t.Fatalf("no file: device in %q", cmd)
			}
			v, err := OpenVolume(strings.Replace(string(dev[1]), corpus.BuildRoot, root, 1))
			if err != nil {
				t.Fatal(err)
			}
			stderr, err := os.ReadFile(filepath.Join(transcripts, name+".stderr"))
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, line := range strings.Split(string(stderr), "\n") {
				if m := startLine.FindStringSubmatch(line); m != nil && m[1] != v.Label {
					t.Errorf("amrestore read tape %s, we read %s", m[1], v.Label)
				}
				m := fileLine.FindStringSubmatch(line)
				if m == nil {
					continue
				}
				n, _ := strconv.Atoi(m[1])
				f, err := v.OpenFile(n)
				if err != nil {
					t.Fatal(err)
				}
				f.Close()
				if f.Number != n || f.Header.Summary() != m[2] {
					t.Errorf("file %d:\n got %d: %s\nwant %s", n, f.Number, f.Header.Summary(), m[2])
				}
				checked++
			}
			if checked < 2 {
				t.Errorf("only %d amrestore lines checked", checked)
			}
		})
	}
}

// readTar checks that r is a complete tar stream and returns its member count.
func readTar(t *testing.T, r io.Reader) int {
	t.Helper()
	tr := tar.NewReader(r)
	n := 0
	for {
		_, err := tr.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("tar member %d: %v", n+1, err)
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			t.Fatalf("tar member %d: %v", n+1, err)
		}
		n++
	}
}

// lineCount counts the lines of a corpus transcript file.
func lineCount(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for s := bufio.NewScanner(f); s.Scan(); n++ {
	}
	return n
}

// The two parts of the /home/alice level 0 on DailySet1-01 (files 3 and 4) make the dump that
// amfetchdump -l fetched; gunzipped, it is the tar stream whose listing the corpus keeps.
func TestReadSplitDump(t *testing.T) {
	root := corpus.Unpack(t)
	v, err := OpenVolume(filepath.Join(root, "vtapes/main/slot1"))
	if err != nil {
		t.Fatal(err)
	}
	var dump []byte
	var first *Header
	for part, n := range []int{3, 4} {
		f, err := v.OpenFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if f.Header.PartNum != part+1 || f.Header.Disk != "/home/alice" {
			t.Fatalf("file %d is %s", n, f.Header.Summary())
		}
		b, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		dump = append(dump, b...)
		if first == nil {
			first = f.Header
		}
	}
	sum := sha256.Sum256(dump)
	fetched, err := os.ReadFile(filepath.Join(root, "TRANSCRIPTS", "amfetchdump-A0-compressed.sha256"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(sum[:]), strings.Fields(string(fetched))[0]; got != want {
		t.Errorf("sha256 of the parts %s, amfetchdump -l wrote %s", got, want)
	}
	if got := crc32c(dump); got != first.ServerCRC {
		t.Errorf("CRC of the parts %v, SERVER-CRC %v", got, first.ServerCRC)
	}
	zr, err := gzip.NewReader(strings.NewReader(string(dump)))
	if err != nil {
		t.Fatal(err)
	}
	native, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if got := crc32c(native); got != first.NativeCRC {
		t.Errorf("CRC of the gunzipped dump %v, NATIVE-CRC %v", got, first.NativeCRC)
	}
	listing := filepath.Join(root, "TRANSCRIPTS", "amfetchdump-A0.localhost._home_alice.20261122232846.0.tar-tv")
	if got, want := readTar(t, strings.NewReader(string(native))), lineCount(t, listing); got != want {
		t.Errorf("%d tar members, tar -tv listed %d", got, want)
	}
}

func TestVolumeDamaged(t *testing.T) {
	root := corpus.Unpack(t)
	slot1 := filepath.Join(root, "vtapes/main/slot1")
	label := "00000.DailySet1-01"
	tests := []struct {
		name   string
		damage func(t *testing.T, dir string)
		check  func(t *testing.T, dir string)
	}{
		{
			name:   "missing file number lands on the next",
			damage: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "00002.localhost._srv_ext2vol.0")) },
			check: func(t *testing.T, dir string) {
				f := openFile(t, dir, 2)
				if f.Number != 3 || f.Header.PartNum != 1 || f.Header.Disk != "/home/alice" {
					t.Errorf("file 2 opened %d: %s", f.Number, f.Header.Summary())
				}
			},
		},
		{
			name: "file number without zero padding",
			damage: func(t *testing.T, dir string) {
				os.Rename(filepath.Join(dir, "00004.localhost._home_alice.0"), filepath.Join(dir, "4.localhost._home_alice.0"))
			},
			check: func(t *testing.T, dir string) {
				if f := openFile(t, dir, 4); f.Number != 4 || f.Header.PartNum != 2 {
					t.Errorf("file 4 opened %d: %s", f.Number, f.Header.Summary())
				}
			},
		},
		{
			name: "locks, directories and a symlink",
			damage: func(t *testing.T, dir string) {
				for _, n := range []string{"00000-lock", "00007-lock"} {
					os.WriteFile(filepath.Join(dir, n), nil, 0o644)
				}
				os.Mkdir(filepath.Join(dir, "00008.notafile"), 0o755)
				os.Symlink("00001.client2._etc.0", filepath.Join(dir, "00009.link"))
			},
			check: func(t *testing.T, dir string) {
				if f := openFile(t, dir, 7); f.Number != 9 || f.Header.Disk != "/etc" {
					t.Errorf("file 7 opened %d: %s", f.Number, f.Header.Summary())
				}
				if f := openFile(t, dir, 10); f.Header.Type != TapeEnd || f.Number != 10 || f.Path != "" || f.Size != 0 {
					t.Errorf("file 10: %+v", f)
				}
			},
		},
		{
			name: "file 0 is not TAPESTART",
			damage: func(t *testing.T, dir string) {
				copyFile(t, filepath.Join(dir, "00001.client2._etc.0"), filepath.Join(dir, label))
			},
			check: func(t *testing.T, dir string) {
				_, err := OpenVolume(dir)
				wantErr(t, err, "bad volume label in "+dir, label, "SPLIT_FILE header", "not TAPESTART")
			},
		},
		{
			name: "file 0 is all NUL",
			damage: func(t *testing.T, dir string) {
				os.WriteFile(filepath.Join(dir, label), make([]byte, HeaderSize), 0o644)
			},
			check: func(t *testing.T, dir string) {
				_, err := OpenVolume(dir)
				wantErr(t, err, "bad volume label in "+dir, "empty header")
			},
		},
		{
			name:   "no file 0",
			damage: func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, label)) },
			check: func(t *testing.T, dir string) {
				_, err := OpenVolume(dir)
				wantErr(t, err, "volume "+dir+" is unlabeled")
			},
		},
		{
			name: "part truncated inside its header",
			damage: func(t *testing.T, dir string) {
				os.Truncate(filepath.Join(dir, "00004.localhost._home_alice.0"), 1000)
			},
			check: func(t *testing.T, dir string) {
				v, err := OpenVolume(dir)
				if err != nil {
					t.Fatal(err)
				}
				_, err = v.OpenFile(4)
				wantErr(t, err, "DailySet1-01 file 4", "00004.localhost._home_alice.0", "short header: 1000 of 32768 bytes")
			},
		},
		{
			name: "part truncated inside its data",
			damage: func(t *testing.T, dir string) {
				os.Truncate(filepath.Join(dir, "00004.localhost._home_alice.0"), HeaderSize+1000)
			},
			check: func(t *testing.T, dir string) {
				var dump []byte
				for _, n := range []int{3, 4} {
					f := openFile(t, dir, n)
					b, err := io.ReadAll(f)
					if err != nil {
						t.Fatal(err)
					}
					if int64(len(b)) != f.Size {
						t.Errorf("file %d: read %d bytes, Size %d", n, len(b), f.Size)
					}
					dump = append(dump, b...)
				}
				if len(dump) != 1048576+1000 {
					t.Errorf("read %d bytes", len(dump))
				}
				zr, err := gzip.NewReader(strings.NewReader(string(dump)))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(io.Discard, zr); !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Errorf("gunzip of a truncated dump: %v", err)
				}
			},
		},
		{
			name: "data file with a label header",
			damage: func(t *testing.T, dir string) {
				copyFile(t, filepath.Join(dir, label), filepath.Join(dir, "00007.x"))
			},
			check: func(t *testing.T, dir string) {
				v, err := OpenVolume(dir)
				if err != nil {
					t.Fatal(err)
				}
				_, err = v.OpenFile(7)
				wantErr(t, err, "DailySet1-01 file 7", "invalid Amanda header", "start of tape")
			},
		},
		{
			name: "data file with garbage",
			damage: func(t *testing.T, dir string) {
				os.WriteFile(filepath.Join(dir, "00007.x"), make([]byte, HeaderSize+5), 0o644)
			},
			check: func(t *testing.T, dir string) {
				v, err := OpenVolume(dir)
				if err != nil {
					t.Fatal(err)
				}
				_, err = v.OpenFile(5)
				if err != nil {
					t.Fatal(err)
				}
				_, err = v.OpenFile(7)
				wantErr(t, err, "DailySet1-01 file 7", "empty header")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, slot1, filepath.Join(t.TempDir(), "slot1"))
			tc.damage(t, dir)
			tc.check(t, dir)
		})
	}
}

// openFile opens the volume in dir and its file n, and closes the file at the end of the test.
func openFile(t *testing.T, dir string, n int) *File {
	t.Helper()
	v, err := OpenVolume(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := v.OpenFile(n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
