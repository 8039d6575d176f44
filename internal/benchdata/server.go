package benchdata

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sys/unix"

	"github.com/amrshell/amrshell/device"
)

// version changes whenever Build would make other bytes: a cache of another version is
// rebuilt.
const version = 1

// Spec says what Build makes.
type Spec struct {
	Bytes          int64 // file content of the tree
	Seed           uint64
	PartSize       int64 // data bytes of each part on the volumes but the last (part-size)
	PartsPerVolume int   // parts written on a volume before the next one is used
}

// Default is the benchmark's dump: 1 GiB in 367 files (the Amanda baseline's /data, of the same
// shape from another generator, has 337), cut in parts of 256 MiB (its part-size), two to a
// volume so that a restore changes volumes.
var Default = Spec{Bytes: 1 << 30, Seed: 1, PartSize: 256 << 20, PartsPerVolume: 2}

// Compression is one way the tree is dumped, each to its own disk.
type Compression struct {
	Name string // "gzip", "zstd"
	Disk string // the disk its dump is of
	// Dumptype is the amanda.conf text of its dumptype; Header sets the fields of the part
	// headers that tell the compression.
	Dumptype string
	Header   func(h *device.Header)
	writer   func(w io.Writer) (io.WriteCloser, error)
	Command  []string // the program that undoes it, as the header's restore line says: gzip -dc
}

// Compressions are the dumps Build makes: gzip fast (compress client fast) and zstd (compress
// client custom, /usr/bin/zstd at its default level), as the baseline's /data and /datazstd.
var Compressions = []Compression{
	{
		Name:     "gzip",
		Disk:     "/data",
		Dumptype: "compress client fast",
		Header:   func(h *device.Header) { h.Comp, h.UncompressCmd = ".gz", "/bin/gzip -dc |" },
		writer: func(w io.Writer) (io.WriteCloser, error) {
			return gzip.NewWriterLevel(w, gzip.BestSpeed)
		},
		Command: []string{"gzip", "-dc"},
	},
	{
		Name:     "zstd",
		Disk:     "/datazstd",
		Dumptype: "compress client custom\n    client-custom-compress \"/usr/bin/zstd\"",
		Header: func(h *device.Header) {
			h.Comp, h.ClientCustomCompress, h.UncompressCmd = "cust", "/usr/bin/zstd", "/usr/bin/zstd -d |"
		},
		writer: func(w io.Writer) (io.WriteCloser, error) {
			return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedDefault))
		},
		Command: []string{"zstd", "-dc"},
	},
}

// Names of the generated server.
const (
	Config    = "Bench"
	Host      = "localhost"
	Datestamp = "20261122120000"
	labelFmt  = "BENCH-%02d"
)

// Server is a generated Amanda server state holding one level-0 dump of a tree per Compression.
type Server struct {
	Dir        string
	AmandaConf string // the configuration; its catalog knows the dumps
	Tree       *Tree
	Dumps      []Dump // as Compressions
}

// Dump is one dump of the tree on the volumes.
type Dump struct {
	Compression string
	Disk        string
	Parts       []Part
	NativeCRC   device.CRC // of the tar stream
	MediaCRC    device.CRC // of the compressed stream, as the parts hold it
}

// Part is one part of a dump: a file on a vtape, behind its 32 KiB header.
type Part struct {
	Label   string
	Filenum int
	Path    string
	Bytes   int64 // of data
}

// stamp is what a complete cache holds, written last.
type stamp struct {
	Version int
	Spec    Spec
	Dumps   []Dump
}

// Build returns the server for spec in dir, making it unless dir holds it already (its stamp
// names the same version and spec, its parts have their sizes); other processes wait for it.
// The configuration files, which name dir, are written again on each call.
func Build(dir string, spec Spec) (*Server, error) {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(dir+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock benchmark data: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return nil, fmt.Errorf("lock benchmark data %s: %w", dir, err)
	}
	s := &Server{Dir: dir, Tree: NewTree(spec.Bytes, spec.Seed)}
	st, ok := readStamp(dir, spec)
	if !ok {
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if st, err = build(dir, spec, s.Tree); err != nil {
			return nil, fmt.Errorf("build benchmark data in %s: %w", dir, err)
		}
	}
	s.Dumps = st.Dumps
	if s.AmandaConf, err = writeConfig(dir, spec, s); err != nil {
		return nil, fmt.Errorf("write configuration of benchmark data in %s: %w", dir, err)
	}
	return s, nil
}

func readStamp(dir string, spec Spec) (stamp, bool) {
	var st stamp
	b, err := os.ReadFile(filepath.Join(dir, "stamp.json"))
	if err != nil || json.Unmarshal(b, &st) != nil || st.Version != version || st.Spec != spec {
		return st, false
	}
	for _, d := range st.Dumps {
		for _, p := range d.Parts {
			if fi, err := os.Stat(p.Path); err != nil || fi.Size() != device.HeaderSize+p.Bytes {
				return st, false
			}
		}
	}
	return st, true
}

func build(dir string, spec Spec, tree *Tree) (stamp, error) {
	st := stamp{Version: version, Spec: spec}
	staging := filepath.Join(dir, "staging")
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return st, err
	}
	// The tree is made once and fed to every compressor at the same time.
	native := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	size := &countWriter{w: native}
	writers := []io.Writer{size}
	results := make([]struct {
		dump Dump
		err  error
	}, len(Compressions))
	var wg sync.WaitGroup
	var pipes []*io.PipeWriter
	for i, c := range Compressions {
		pr, pw := io.Pipe()
		pipes = append(pipes, pw)
		writers = append(writers, pw)
		wg.Go(func() {
			d, err := compress(staging, spec, c, pr)
			pr.CloseWithError(err) // unblock the tree's writer
			results[i].dump, results[i].err = d, err
		})
	}
	err := tree.WriteTar(io.MultiWriter(writers...))
	for _, pw := range pipes {
		pw.CloseWithError(err)
	}
	wg.Wait()
	if err != nil {
		return st, fmt.Errorf("write the tar stream: %w", err)
	}
	for _, r := range results {
		if r.err != nil {
			return st, r.err
		}
		r.dump.NativeCRC = device.CRC{Sum: native.Sum32(), Size: size.n}
		st.Dumps = append(st.Dumps, r.dump)
	}
	if err := layOut(dir, spec, st.Dumps); err != nil {
		return st, err
	}
	if err := os.Remove(staging); err != nil {
		return st, err
	}
	b, err := json.MarshalIndent(st, "", "\t")
	if err != nil {
		return st, err
	}
	return st, writeFile(filepath.Join(dir, "stamp.json"), string(b))
}

// compress writes the compressed stream of native in parts of spec.PartSize into staging,
// each behind room for its header.
func compress(staging string, spec Spec, c Compression, native io.Reader) (Dump, error) {
	d := Dump{Compression: c.Name, Disk: c.Disk}
	media := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	pw := &partWriter{dir: staging, name: c.Name, size: spec.PartSize, dump: &d}
	counted := &countWriter{w: io.MultiWriter(media, pw)}
	zw, err := c.writer(counted)
	if err != nil {
		return d, err
	}
	if _, err := io.Copy(zw, native); err != nil {
		return d, fmt.Errorf("compress with %s: %w", c.Name, err)
	}
	if err := zw.Close(); err != nil {
		return d, fmt.Errorf("compress with %s: %w", c.Name, err)
	}
	if err := pw.close(); err != nil {
		return d, err
	}
	d.MediaCRC = device.CRC{Sum: media.Sum32(), Size: counted.n}
	return d, nil
}

// partWriter cuts a stream in part files of size bytes, each starting with a zero block where
// its header goes.
type partWriter struct {
	dir, name string
	size      int64
	dump      *Dump
	f         *bufio.Writer
	file      *os.File
	left      int64
}

func (w *partWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if w.file == nil {
			if err := w.next(); err != nil {
				return n, err
			}
		}
		k := int(min(int64(len(p)), w.left))
		if _, err := w.f.Write(p[:k]); err != nil {
			return n, err
		}
		n += k
		w.left -= int64(k)
		w.dump.Parts[len(w.dump.Parts)-1].Bytes += int64(k)
		p = p[k:]
		if w.left == 0 {
			if err := w.close(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (w *partWriter) next() error {
	p := filepath.Join(w.dir, fmt.Sprintf("%s.%d", w.name, len(w.dump.Parts)+1))
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w.file, w.f, w.left = f, bufio.NewWriterSize(f, 1<<20), w.size
	w.dump.Parts = append(w.dump.Parts, Part{Path: p})
	_, err = w.f.Write(make([]byte, device.HeaderSize))
	return err
}

func (w *partWriter) close() error {
	if w.file == nil {
		return nil
	}
	err := w.f.Flush()
	if cerr := w.file.Close(); err == nil {
		err = cerr
	}
	w.file = nil
	return err
}

// layOut writes the part headers and moves the parts onto the volumes, dump after dump.
func layOut(dir string, spec Spec, dumps []Dump) error {
	vol, file := 0, spec.PartsPerVolume
	for i := range dumps {
		d := &dumps[i]
		for j := range d.Parts {
			p := &d.Parts[j]
			if file == spec.PartsPerVolume {
				vol, file = vol+1, 0
				if err := newVolume(dir, vol); err != nil {
					return err
				}
			}
			file++
			h := dumpHeader(d, device.SplitFile)
			h.PartNum, h.TotalParts = j+1, -1
			block, err := h.Build()
			if err != nil {
				return err
			}
			f, err := os.OpenFile(p.Path, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			_, err = f.WriteAt(block, 0)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			p.Label, p.Filenum = fmt.Sprintf(labelFmt, vol), file
			to := filepath.Join(dir, "vtapes", fmt.Sprintf("slot%d", vol),
				fmt.Sprintf("%05d.%s.%s.0", file, Host, device.SanitiseFilename(d.Disk)))
			if err := os.Rename(p.Path, to); err != nil {
				return err
			}
			p.Path = to
		}
	}
	return nil
}

func newVolume(dir string, vol int) error {
	slot := filepath.Join(dir, "vtapes", fmt.Sprintf("slot%d", vol))
	if err := os.MkdirAll(slot, 0o755); err != nil {
		return err
	}
	label := fmt.Sprintf(labelFmt, vol)
	h := device.Header{Type: device.TapeStart, Datestamp: Datestamp, Label: label}
	block, err := h.Build()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(slot, "00000."+label), block, 0o644)
}

// dumpHeader is the header of a dump's files: the parts' (SPLIT_FILE) or the index's (FILE).
func dumpHeader(d *Dump, typ device.FileType) *device.Header {
	h := &device.Header{
		Type: typ, Datestamp: Datestamp, Host: Host, Disk: d.Disk, Level: 0, PartNum: 1, TotalParts: 1,
		Program: "APPLICATION", Application: "amgtar",
		OrigSizeKB: d.NativeCRC.Size / 1024,
		NativeCRC:  d.NativeCRC, ClientCRC: d.MediaCRC, ServerCRC: d.MediaCRC,
		DLE: fmt.Sprintf("<dle>\n  <program>APPLICATION</program>\n  <disk>%s</disk>\n  <level>0</level>\n"+
			"  <backup-program>\n    <plugin>amgtar</plugin>\n  </backup-program>\n</dle>", d.Disk),
		RecoverCmd: "/usr/lib/amanda/application/amgtar restore [./file-to-restore]+",
	}
	for _, c := range Compressions {
		if c.Name == d.Compression {
			c.Header(h)
		}
	}
	return h
}

// writeConfig writes amanda.conf, disklist, tapelist, the trace log and the indexes of a
// level-0 run that wrote the dumps.
func writeConfig(dir string, spec Spec, s *Server) (string, error) {
	state := filepath.Join(dir, "state")
	conf := filepath.Join(dir, "config", Config, "amanda.conf")
	var dumptypes, disklist strings.Builder
	for _, c := range Compressions {
		fmt.Fprintf(&dumptypes, "define dumptype gtar-%s {\n    gtar-base\n    %s\n}\n", c.Name, c.Dumptype)
		fmt.Fprintf(&disklist, "%s %s gtar-%s\n", Host, c.Disk, c.Name)
	}
	vols := 0
	for _, d := range s.Dumps {
		for _, p := range d.Parts {
			fmt.Sscanf(p.Label, labelFmt, &vols)
		}
	}
	files := map[string]string{
		conf: fmt.Sprintf(`# Written by amrshell's internal/benchdata: the server of the restore benchmark.
org "%[1]s"
infofile "%[2]s/curinfo"
logdir "%[2]s/log"
indexdir "%[2]s/index"
tapelist "%[2]s/tapelist"
labelstr "^BENCH-[0-9][0-9]*$"

define tapetype VTAPE {
    length 8192 mbytes
    part-size %[3]d kbytes
    part-cache-type none
}

define changer bench-changer {
    tpchanger "chg-disk:%[4]s"
    property "num-slot" "%[5]d"
}

define storage %[1]s {
    tpchanger "bench-changer"
    tapetype "VTAPE"
    labelstr "^BENCH-[0-9][0-9]*$"
    tapepool "%[1]s"
}
storage "%[1]s"

define application-tool app_amgtar {
    plugin "amgtar"
}

define dumptype gtar-base {
    program "APPLICATION"
    application "app_amgtar"
    index yes
}
%[6]s`, Config, state, spec.PartSize/1024, filepath.Join(dir, "vtapes"), vols, dumptypes.String()),
		filepath.Join(dir, "config", Config, "disklist"): disklist.String(),
	}
	var tapelist strings.Builder
	for v := vols; v >= 1; v-- {
		fmt.Fprintf(&tapelist, "%s "+labelFmt+" reuse BLOCKSIZE:32 POOL:%s STORAGE:%s CONFIG:%s\n", Datestamp, v, Config, Config, Config)
	}
	files[filepath.Join(state, "tapelist")] = tapelist.String()
	files[filepath.Join(state, "log", "log."+Datestamp+".0")] = s.traceLog()
	for path, text := range files {
		if err := writeFile(path, text); err != nil {
			return "", err
		}
	}
	for i := range s.Dumps {
		if err := s.writeIndex(state, &s.Dumps[i]); err != nil {
			return "", err
		}
	}
	return conf, nil
}

// traceLog is the taper's part of the run's trace log: a START line per volume, a PART line
// per part, a DONE line per dump with its CRCs.
func (s *Server) traceLog() string {
	var b strings.Builder
	fmt.Fprintf(&b, "START driver date %s\n", Datestamp)
	label := ""
	for _, d := range s.Dumps {
		origKB := d.NativeCRC.Size / 1024
		for i, p := range d.Parts {
			if p.Label != label {
				tape := 0
				fmt.Sscanf(p.Label, labelFmt, &tape)
				fmt.Fprintf(&b, "START taper datestamp %s \"ST:%s\" \"POOL:%s\" label %s tape %d\n", Datestamp, Config, Config, p.Label, tape)
				label = p.Label
			}
			fmt.Fprintf(&b, "PART taper \"ST:%s\" \"POOL:%s\" %s %d %s %s %s %d/-1 0 [sec 1.000000 bytes %d kps %d orig-kb %d]\n",
				Config, Config, p.Label, p.Filenum, Host, d.Disk, Datestamp, i+1, p.Bytes, p.Bytes/1024, origKB)
		}
		fmt.Fprintf(&b, "DONE taper \"ST:%s\" \"POOL:%s\" %s %s %s %d 0 %s %s %s [sec 1.000000 bytes %d kps %d orig-kb %d]\n",
			Config, Config, Host, d.Disk, Datestamp, len(d.Parts), d.NativeCRC, d.MediaCRC, d.MediaCRC,
			d.MediaCRC.Size, d.MediaCRC.Size/1024, origKB)
	}
	fmt.Fprintf(&b, "FINISH driver date %s time 1.000\n", Datestamp)
	return b.String()
}

// writeIndex writes the dump's index (directories first, as amgtar's) and header file.
func (s *Server) writeIndex(state string, d *Dump) error {
	dir := filepath.Join(state, "index", Host, device.SanitiseFilename(d.Disk))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	block, err := dumpHeader(d, device.DumpFile).Build()
	if err != nil {
		return err
	}
	text, _, _ := strings.Cut(string(block), "\x00")
	if err := writeFile(filepath.Join(dir, Datestamp+"_0.header"), text); err != nil {
		return err
	}
	var lines strings.Builder
	lines.WriteString("/\n")
	for _, dir := range s.Tree.Dirs() {
		lines.WriteString("/" + dir + "/\n")
	}
	for _, f := range s.Tree.Files {
		lines.WriteString("/" + f.Path + "\n")
	}
	f, err := os.Create(filepath.Join(dir, Datestamp+"_0-unsorted.gz"))
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	_, err = io.WriteString(zw, lines.String())
	err = errors.Join(err, zw.Close(), f.Close())
	return err
}

func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(text), 0o644)
}
