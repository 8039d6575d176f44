package benchdata

import (
	"archive/tar"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Shape of the tree, as gen_data.py makes it.
const (
	minFile  = 64 << 10
	maxFile  = 16 << 20
	numDirs  = 8
	vocab    = 20000
	numWords = 1_600_000 // the base text: about 10 MiB of words
	lineLen  = 70
)

// Mtime is the modification time of the tree's directories; file n is n seconds older.
var Mtime = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// Tree is a generated tree of files. Its content is made on demand from the seed: nothing is
// kept but the base text the text files are cut from.
type Tree struct {
	Files []File // by path, as tar writes them
	Bytes int64  // content of all files
	seed  uint64
	text  []byte
}

// File is one file of a tree.
type File struct {
	Path  string // relative to the top: "dir3/rnd-00011.bin"
	Size  int64
	Mtime time.Time
	text  bool
	n     int   // its number, which seeds random content
	from  int64 // where text content starts in the base text
}

// NewTree returns the tree of total bytes of content made from seed: half random bytes, half
// text, in files of log-uniform sizes.
func NewTree(total int64, seed uint64) *Tree {
	rng := rand.New(rand.NewPCG(seed, 0x62656e6368)) // "bench"
	t := &Tree{Bytes: total, seed: seed, text: baseText(rng)}
	budget := [2]int64{total / 2, total - total/2} // random, text
	lo, hi := math.Log(minFile), math.Log(maxFile)
	for n := 0; budget[0] > 0 || budget[1] > 0; n++ {
		kind := 0
		if budget[0] < budget[1] {
			kind = 1
		}
		size := int64(math.Exp(lo + rng.Float64()*(hi-lo)))
		if budget[kind] > minFile {
			size = max(minFile, min(size, budget[kind]))
		} else {
			size = budget[kind]
		}
		f := File{Size: size, Mtime: Mtime.Add(-time.Duration(n) * time.Second), text: kind == 1, n: n}
		if f.text {
			f.Path = fmt.Sprintf("dir%d/txt-%05d.txt", n%numDirs, n)
			f.from = rng.Int64N(int64(len(t.text)))
		} else {
			f.Path = fmt.Sprintf("dir%d/rnd-%05d.bin", n%numDirs, n)
		}
		t.Files = append(t.Files, f)
		budget[kind] -= size
	}
	slices.SortFunc(t.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return t
}

// baseText is lines of words drawn from a Zipf-like vocabulary, as gen_data.py's base text.
func baseText(rng *rand.Rand) []byte {
	words := make([][]byte, vocab)
	cum := make([]float64, vocab) // cumulative weights 1/(i+1)
	total := 0.0
	for i := range words {
		w := make([]byte, 2+rng.IntN(10))
		for j := range w {
			w[j] = 'a' + byte(rng.IntN(26))
		}
		words[i] = w
		total += 1 / float64(i+1)
		cum[i] = total
	}
	var b bytes.Buffer
	b.Grow(numWords * 8)
	line := 0
	for range numWords {
		w := words[sort.SearchFloat64s(cum, rng.Float64()*total)]
		if line > 0 {
			b.WriteByte(' ')
		}
		b.Write(w)
		line += len(w) + 1
		if line > lineLen {
			b.WriteByte('\n')
			line = 0
		}
	}
	return b.Bytes()
}

// Dirs lists the tree's directories below its top, in order.
func (t *Tree) Dirs() []string {
	var dirs []string
	for _, f := range t.Files {
		if d := path.Dir(f.Path); len(dirs) == 0 || dirs[len(dirs)-1] != d {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// Content returns a reader of a file's content.
func (t *Tree) Content(f File) io.Reader {
	if f.text {
		return io.LimitReader(&cycle{b: t.text, at: int(f.from)}, f.Size)
	}
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], t.seed)
	binary.LittleEndian.PutUint64(key[8:], uint64(f.n))
	return io.LimitReader(rand.NewChaCha8(key), f.Size)
}

// cycle reads b from at, and again from its start, for ever.
type cycle struct {
	b  []byte
	at int
}

func (c *cycle) Read(p []byte) (int, error) {
	n := copy(p, c.b[c.at:])
	c.at = (c.at + n) % len(c.b)
	return n, nil
}

// recordSize is GNU tar's default record (blocking factor 20): it pads the archive to it.
const recordSize = 20 * 512

// WriteTar writes the tree as GNU tar --listed-incremental writes a level 0 of it, as amgtar
// runs it: the directories first, each a dumpdir ('D') member listing its entries, then the
// files, in name order; GNU format headers with access and change times; the end blocks and
// padding to a whole record.
func (t *Tree) WriteTar(w io.Writer) error {
	cw := &countWriter{w: w}
	tw := tar.NewWriter(cw)
	dirs := t.Dirs()
	top := []string{}
	for _, d := range dirs {
		top = append(top, "D"+d)
	}
	members := [][]string{top}
	for _, d := range dirs {
		var ents []string
		for _, f := range t.Files {
			if path.Dir(f.Path) == d {
				ents = append(ents, "Y"+path.Base(f.Path))
			}
		}
		members = append(members, ents)
	}
	for i, ents := range members {
		name := "./"
		if i > 0 {
			name = "./" + dirs[i-1] + "/"
		}
		var data []byte
		for _, e := range ents {
			data = append(append(data, e...), 0)
		}
		data = append(data, 0)
		if err := writeMember(tw, dirHeader(name, int64(len(data))), bytes.NewReader(data)); err != nil {
			return err
		}
	}
	for _, f := range t.Files {
		h := &tar.Header{Typeflag: tar.TypeReg, Name: "./" + f.Path, Size: f.Size, Mode: 0o644}
		setOwner(h, f.Mtime)
		if err := writeMember(tw, h, t.Content(f)); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("end the archive: %w", err)
	}
	_, err := cw.Write(make([]byte, (recordSize-cw.n%recordSize)%recordSize))
	return err
}

func dirHeader(name string, size int64) *tar.Header {
	h := &tar.Header{Typeflag: 'D', Name: name, Size: size, Mode: 0o755}
	setOwner(h, Mtime)
	return h
}

func setOwner(h *tar.Header, mtime time.Time) {
	h.Format = tar.FormatGNU
	h.Uname, h.Gname = "root", "root"
	h.ModTime, h.AccessTime, h.ChangeTime = mtime, mtime, mtime
}

func writeMember(tw *tar.Writer, h *tar.Header, data io.Reader) error {
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("write header of %s: %w", h.Name, err)
	}
	if _, err := io.Copy(tw, data); err != nil {
		return fmt.Errorf("write %s: %w", h.Name, err)
	}
	return nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Verify checks that dir holds exactly the tree: its directories and files and nothing else,
// each file with its content, mode and mtime.
func (t *Tree) Verify(dir string) error {
	want := map[string]bool{}
	buf, gen := make([]byte, 1<<20), make([]byte, 1<<20)
	for _, f := range t.Files {
		want[f.Path] = true
		if err := t.verifyFile(filepath.Join(dir, filepath.FromSlash(f.Path)), f, buf, gen); err != nil {
			return err
		}
	}
	dirs := append([]string{"."}, t.Dirs()...)
	for _, d := range dirs {
		want[d] = true
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if !want[filepath.ToSlash(rel)] {
			return fmt.Errorf("%s: not in the tree", p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range dirs {
		p := filepath.Join(dir, filepath.FromSlash(d))
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		if !fi.IsDir() || fi.Mode().Perm() != 0o755 || !fi.ModTime().Equal(Mtime) {
			return fmt.Errorf("%s: %v, mtime %v; want drwxr-xr-x, mtime %v", p, fi.Mode(), fi.ModTime().UTC(), Mtime)
		}
	}
	return nil
}

func (t *Tree) verifyFile(p string, f File, buf, gen []byte) error {
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 || fi.Size() != f.Size || !fi.ModTime().Equal(f.Mtime) {
		return fmt.Errorf("%s: %v, %d bytes, mtime %v; want -rw-r--r--, %d bytes, mtime %v",
			p, fi.Mode(), fi.Size(), fi.ModTime().UTC(), f.Size, f.Mtime)
	}
	file, err := os.Open(p)
	if err != nil {
		return err
	}
	defer file.Close()
	content := t.Content(f)
	for off := int64(0); off < f.Size; {
		n := int(min(int64(len(buf)), f.Size-off))
		if _, err := io.ReadFull(file, buf[:n]); err != nil {
			return fmt.Errorf("read %s at %d: %w", p, off, err)
		}
		if _, err := io.ReadFull(content, gen[:n]); err != nil {
			return err
		}
		if !bytes.Equal(buf[:n], gen[:n]) {
			return fmt.Errorf("%s: content differs from the tree's in bytes %d-%d", p, off, off+int64(n))
		}
		off += int64(n)
	}
	if _, err := file.Read(buf[:1]); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: longer than %d bytes", p, f.Size)
	}
	return nil
}
