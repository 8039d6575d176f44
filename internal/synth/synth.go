package synth

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/klauspost/compress/gzip"
)

// Tree is the shape of a synthetic disk: "/", then "/big/" with Big files, "/small/" with
// Small files and "/tree/" with Dirs directories of PerDir files each. The four directories are
// listed however empty.
type Tree struct {
	Big, Small   int
	Dirs, PerDir int
}

// Baseline is the amrecover baseline's tree for about entries index lines: its /big/ and
// /small/, and entries/1000 - 100 directories of 1000 files (1 001 004 lines for 1M, as there;
// never fewer than the 100 104 of /big/ and /small/).
func Baseline(entries int) Tree {
	return Tree{Big: 100_000, Small: 100, Dirs: max(0, entries/1000-100), PerDir: 1000}
}

// Size is one size of the scale benchmarks.
type Size struct {
	Name    string // "1M"
	Entries int    // for Baseline
}

// Sizes are the sizes the scale benchmarks run at: 1M entries, and 10M too when the
// environment has AMRSHELL_BENCH_10M=1 (about a minute more per package, 1 GB of disk).
func Sizes() []Size {
	sizes := []Size{{"1M", 1_000_000}}
	if os.Getenv("AMRSHELL_BENCH_10M") == "1" {
		sizes = append(sizes, Size{"10M", 10_000_000})
	}
	return sizes
}

// Lines is the number of lines of the tree's index.
func (t Tree) Lines() int {
	return 4 + t.Big + t.Small + t.Dirs*(1+t.PerDir)
}

// Files is the number of files (lines not ending in '/') of the tree.
func (t Tree) Files() int {
	return t.Big + t.Small + t.Dirs*t.PerDir
}

// digits is the width that keeps numbers below n sorting as strings, at least min.
func digits(n, min int) int {
	return max(min, len(strconv.Itoa(max(n-1, 0))))
}

// WriteIndex writes the tree's index as amgtar's dumper does with GNU tar's incremental
// listing: "/", every directory in path order, then the files of each directory in turn, one
// path per line, directories ending in '/'.
func (t Tree) WriteIndex(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 256*1024)
	dw, bigW, treeW := digits(t.Dirs, 4), digits(t.Big, 6), digits(t.PerDir, 4)
	var line []byte
	// numbered writes prefix, n zero-padded to width, and suffix as one line.
	numbered := func(prefix string, n, width int, suffix string) {
		line = appendPadded(append(line[:0], prefix...), n, width)
		bw.Write(append(append(line, suffix...), '\n'))
	}
	bw.WriteString("/\n/big/\n/small/\n/tree/\n")
	for d := range t.Dirs {
		numbered("/tree/d", d, dw, "/")
	}
	for i := range t.Big {
		numbered("/big/file-", i, bigW, ".dat")
	}
	for i := range t.Small {
		numbered("/small/f", i, 3, ".txt")
	}
	for d := range t.Dirs {
		dir := string(appendPadded([]byte("/tree/d"), d, dw)) + "/report-"
		for i := range t.PerDir {
			numbered(dir, i, treeW, ".txt")
		}
	}
	return bw.Flush()
}

// appendPadded appends n in decimal, zero-padded to width.
func appendPadded(b []byte, n, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// WriteIndexFile writes the tree's index gzipped to path, creating its directory.
func WriteIndexFile(path string, t Tree) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write index %s: %w", path, err)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write index %s: %w", path, err)
	}
	zw := gzip.NewWriter(f)
	err = t.WriteIndex(zw)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write index %s: %w", path, err)
	}
	return nil
}

// Server is what WriteServer made: one DLE, dumped once at level 0 to one volume.
type Server struct {
	AmandaConf string // the configuration's amanda.conf
	Host, Disk string
	Datestamp  string // the run's, also the dump's
	Label      string // the volume
	Index      string // the dump's index file
	Tree       Tree
}

// WriteServer writes, in the configuration directory dir (its base name is the configuration's
// name), a configuration whose one DLE localhost:/big was dumped at level 0 by amdump run
// 20240101000000 to volume SYN-01, with tree as its index: amanda.conf, disklist, tapelist,
// log/log.DS.0 and index/localhost/_big/DS_0-unsorted.gz.
func WriteServer(dir string, tree Tree) (*Server, error) {
	s := &Server{
		AmandaConf: filepath.Join(dir, "amanda.conf"), Host: "localhost", Disk: "/big",
		Datestamp: "20240101000000", Label: "SYN-01", Tree: tree,
	}
	s.Index = filepath.Join(dir, "index", s.Host, "_big", s.Datestamp+"_0-unsorted.gz")
	name := filepath.Base(dir)
	// Sizes only need to be plausible: about 64 bytes of data per file, 10:1 compressed.
	kb := max(1, tree.Files()*64/1024)
	bytes := kb * 1024 / 10
	files := []struct{ name, text string }{
		{"amanda.conf", fmt.Sprintf(`org %q
indexdir "index"
logdir "log"
tapelist "tapelist"
labelstr "^SYN-[0-9][0-9]*$"
sort-index no
define changer vtapes {
    tpchanger "chg-disk:%s/vtapes"
}
tpchanger "vtapes"
define dumptype gtar {
    program "GNUTAR"
    index yes
}
`, name, dir)},
		{"disklist", fmt.Sprintf("%s %s gtar\n", s.Host, s.Disk)},
		{"tapelist", fmt.Sprintf("%s %s reuse BLOCKSIZE:32 POOL:%s STORAGE:%s CONFIG:%s\n", s.Datestamp, s.Label, name, name, name)},
		{filepath.Join("log", "log."+s.Datestamp+".0"), fmt.Sprintf(`INFO amdump amdump pid 100
START planner date %[1]s
DISK planner %[2]s %[3]s
START driver date %[1]s
SUCCESS dumper %[2]s %[3]s %[1]s 0 00000000:%[5]d 00000000:%[5]d [sec 1.000 kb %[4]d kps 1.0 orig-kb %[4]d]
SUCCESS chunker %[2]s %[3]s %[1]s 0 00000000:%[6]d [sec 1.000000 kb %[7]d kps 1.000000]
START taper datestamp %[1]s "ST:%[9]s" "POOL:%[9]s" label %[8]s tape 1
PART taper "ST:%[9]s" "POOL:%[9]s" %[8]s 1 %[2]s %[3]s %[1]s 1/-1 0 [sec 1.000000 bytes %[6]d kps 1.000000 orig-kb %[4]d]
DONE taper "ST:%[9]s" "POOL:%[9]s" %[2]s %[3]s %[1]s 1 0 00000000:%[5]d 00000000:%[5]d 00000000:%[6]d [sec 1.000000 bytes %[6]d kps 1.000000 orig-kb %[4]d]
FINISH driver date %[1]s time 2.000
`, s.Datestamp, s.Host, s.Disk, kb, kb*1024, bytes, max(1, bytes/1024), s.Label, name)},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("write synthetic server %s: %w", dir, err)
		}
		if err := os.WriteFile(p, []byte(f.text), 0o644); err != nil {
			return nil, fmt.Errorf("write synthetic server %s: %w", dir, err)
		}
	}
	if err := WriteIndexFile(s.Index, tree); err != nil {
		return nil, fmt.Errorf("write synthetic server %s: %w", dir, err)
	}
	return s, nil
}
