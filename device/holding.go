package device

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// HoldingFile is a dump on a holding disk: a first chunk with a FILE header, then chunks with
// CONT_FILE headers, each naming the next in CONT_FILENAME. The data is the concatenation of
// what follows each chunk's 32 KiB header.
type HoldingFile struct {
	Path   string   // the first chunk
	Header *Header  // the header of the first chunk
	Chunks []string // all chunks in order, Path first, as found on disk
	Size   int64    // data bytes of all chunks together
}

// OpenHolding reads the first chunk of a holding-disk dump and follows its chain of chunks.
// A CONT_FILENAME that does not exist (the holding disk was moved, or a copy unpacked
// elsewhere) is looked for under the same base name beside the chunk that names it and beside
// the first chunk; the error lists every path tried when none exists.
func OpenHolding(path string) (*HoldingFile, error) {
	first, size, err := readChunk(path)
	if err != nil {
		return nil, fmt.Errorf("open holding file: %w", err)
	}
	if first.Type != DumpFile {
		return nil, fmt.Errorf("open holding file %s: not the first chunk of a holding-disk dump: the header is %s", path, first.Summary())
	}
	hf := &HoldingFile{Path: path, Header: first, Chunks: []string{path}, Size: size}
	seen := map[string]bool{absPath(path): true}
	for prev, h := path, first; h.ContFilename != ""; {
		next, err := findChunk(h.ContFilename, prev, path)
		if err != nil {
			return nil, fmt.Errorf("open holding file %s: chunk %d: %w", path, len(hf.Chunks)+1, err)
		}
		if seen[absPath(next)] {
			return nil, fmt.Errorf("open holding file %s: chunk %s names %s, an earlier chunk", path, prev, next)
		}
		seen[absPath(next)] = true
		if h, size, err = readChunk(next); err != nil {
			return nil, fmt.Errorf("open holding file %s: chunk %d: %w", path, len(hf.Chunks)+1, err)
		}
		if err := checkContChunk(first, h); err != nil {
			return nil, fmt.Errorf("open holding file %s: chunk %d (%s): %w", path, len(hf.Chunks)+1, next, err)
		}
		hf.Chunks = append(hf.Chunks, next)
		hf.Size += size
		prev = next
	}
	return hf, nil
}

// readChunk reads the header of a holding chunk and returns it with the chunk's data size.
func readChunk(path string) (*Header, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, 0, fmt.Errorf("%s is not a regular file", path)
	}
	h, err := ReadHeader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("read header of %s: %w", path, err)
	}
	return h, fi.Size() - HeaderSize, nil
}

// findChunk resolves the CONT_FILENAME cont found in chunk prev of the dump starting at first.
func findChunk(cont, prev, first string) (string, error) {
	var tried []string
	for _, p := range []string{
		cont,
		filepath.Join(filepath.Dir(prev), filepath.Base(cont)),
		filepath.Join(filepath.Dir(first), filepath.Base(cont)),
	} {
		if !filepath.IsAbs(p) && p == cont {
			continue // a relative CONT_FILENAME would depend on the working directory
		}
		if slices.Contains(tried, p) {
			continue
		}
		tried = append(tried, p)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("CONT_FILENAME %s not found; tried %s", cont, strings.Join(tried, ", "))
}

// absPath is for telling whether two paths name the same chunk.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// checkContChunk checks that h is a continuation chunk of the dump whose first chunk is first.
func checkContChunk(first, h *Header) error {
	if h.Type != ContFile {
		return fmt.Errorf("expected a CONT_FILE header, found %s", h.Summary())
	}
	if h.Datestamp != first.Datestamp || h.Host != first.Host || h.Disk != first.Disk || h.Level != first.Level {
		return fmt.Errorf("chunk of another dump: %s", h.Summary())
	}
	return nil
}

// Open returns the data of all chunks, one after the other. Chunks are opened as reading
// reaches them.
func (h *HoldingFile) Open() (io.ReadCloser, error) {
	r := &chunkReader{chunks: h.Chunks}
	if err := r.openNext(); err != nil {
		return nil, err
	}
	return r, nil
}

// chunkReader reads the data of a list of chunks in turn.
type chunkReader struct {
	chunks []string // those not opened yet
	cur    *os.File // nil when all are read
}

func (r *chunkReader) openNext() error {
	if len(r.chunks) == 0 {
		r.cur = nil
		return nil
	}
	f, err := os.Open(r.chunks[0])
	if err != nil {
		return fmt.Errorf("read holding chunk: %w", err)
	}
	if _, err := f.Seek(HeaderSize, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("read holding chunk %s: %w", r.chunks[0], err)
	}
	r.cur, r.chunks = f, r.chunks[1:]
	return nil
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for r.cur != nil {
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur.Close()
			if err := r.openNext(); err != nil {
				return n, err
			}
			if n == 0 {
				continue
			}
			return n, nil
		}
		return n, err
	}
	return 0, io.EOF
}

func (r *chunkReader) Close() error {
	if r.cur == nil {
		return nil
	}
	err := r.cur.Close()
	r.cur, r.chunks = nil, nil
	return err
}

// ScanHoldingDisk lists the dumps on the holding disk dir, whose run directories are
// <dir>/<datestamp>/ holding files <host>.<disk>.<level>: the first chunks (FILE headers with a
// level from 0 to 399), as Amanda lists them. Names ending in .tmp (chunks being written),
// CONT_FILE chunks and anything else that is not a first chunk are skipped. A first chunk whose
// chain of chunks is broken is left out of the list and named in the error; the list is valid
// even when the error is not nil.
func ScanHoldingDisk(dir string) ([]*HoldingFile, error) {
	runs, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scan holding disk: %w", err)
	}
	var files []*HoldingFile
	var errs []error
	for _, run := range runs {
		runDir := filepath.Join(dir, run.Name())
		if !isDatestamp(run.Name()) {
			continue
		}
		if fi, err := os.Stat(runDir); err != nil || !fi.IsDir() {
			continue
		}
		entries, err := os.ReadDir(runDir)
		if err != nil {
			errs = append(errs, fmt.Errorf("scan holding disk: %w", err))
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if len(name) >= 7 && strings.HasSuffix(name, ".tmp") {
				continue
			}
			path := filepath.Join(runDir, name)
			h, _, err := readChunk(path)
			if err != nil || h.Type != DumpFile || h.Level < 0 || h.Level > 399 {
				continue
			}
			hf, err := OpenHolding(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			files = append(files, hf)
		}
	}
	return files, errors.Join(errs...)
}

// isDatestamp reports whether name is a plausible run directory name, 8 or 14 digits making a
// date from 1990 to 2100 (Amanda's is_datestr).
func isDatestamp(name string) bool {
	if checkDatestamp(name) != nil || name == "X" {
		return false
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	year, month, day := num(name[0:4]), num(name[4:6]), num(name[6:8])
	if year < 1990 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31 {
		return false
	}
	if len(name) == 8 {
		return true
	}
	return num(name[8:10]) <= 23 && num(name[10:12]) <= 59 && num(name[12:14]) <= 59
}
