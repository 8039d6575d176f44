package recover

import (
	"bufio"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/amrshell/amrshell/device"
)

// gzipBuffer is the size of the buffer gzip reads the media through.
const gzipBuffer = 1 << 20

// Decompress returns the native (uncompressed) stream of a dump whose first part's header is h.
// It undoes Amanda's compression in Go rather than by running the program named in the header:
// gzip for `comp .gz` (client or server), and the usual custom programs by their name.
func Decompress(h *device.Header, r io.Reader) (io.ReadCloser, error) {
	if h.Crypt != "" && h.Crypt != "N" {
		prog := h.ServerEncrypt + h.ClientEncrypt
		return nil, fmt.Errorf("the dump is encrypted (crypt %s, %s): amrshell cannot decrypt it", h.Crypt, prog)
	}
	if !h.Compressed() {
		return io.NopCloser(r), nil
	}
	kind := h.Comp
	if kind == "cust" {
		prog := h.ServerCustomCompress
		if prog == "" {
			prog = h.ClientCustomCompress
		}
		kind = customKind(prog)
		if kind == "" {
			return nil, fmt.Errorf("the dump was compressed by the custom program %q, which amrshell cannot undo", prog)
		}
	}
	switch kind {
	case ".gz":
		// A *bufio.Reader is what klauspost's inflater reads fastest from; it would make one
		// of 4 KiB.
		zr, err := gzip.NewReader(bufio.NewReaderSize(r, gzipBuffer))
		if err != nil {
			return nil, fmt.Errorf("start gzip decompression: %w", err)
		}
		return zr, nil
	case ".zst":
		// Decoding in the reader's goroutine: the clerk's reads and the extractor's writes have
		// goroutines of their own, and on a small machine more threads of the decoder only
		// compete with them (measured on 2 cores: 5-10% slower with 2).
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("start zstd decompression: %w", err)
		}
		return zr.IOReadCloser(), nil
	}
	return nil, fmt.Errorf("unknown compression suffix %q in the dump's header", h.Comp)
}

// customKind maps a custom compression program to the format it writes, by its name.
func customKind(prog string) string {
	switch strings.TrimSuffix(filepath.Base(prog), ".exe") {
	case "gzip", "pigz":
		return ".gz"
	case "zstd", "pzstd":
		return ".zst"
	}
	return ""
}

// crcReader computes Amanda's CRC32C of the bytes read through it.
type crcReader struct {
	r io.Reader
	h hash.Hash32
	n int64
}

func newCRCReader(r io.Reader) *crcReader {
	return &crcReader{r: r, h: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
}

func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// check compares what went through with a CRC recorded by Amanda ("8hex:size"); an unknown or
// empty record checks nothing.
func (c *crcReader) check(recorded string) error {
	sum, size, ok := parseCRC(recorded)
	if !ok {
		return nil
	}
	if got := c.h.Sum32(); got != sum || c.n != size {
		return fmt.Errorf("native CRC %08x:%d of the restored stream differs from the recorded %s", got, c.n, recorded)
	}
	return nil
}

func parseCRC(s string) (uint32, int64, bool) {
	hexSum, sizeText, ok := strings.Cut(s, ":")
	if !ok {
		return 0, 0, false
	}
	sum, err1 := strconv.ParseUint(hexSum, 16, 32)
	size, err2 := strconv.ParseInt(sizeText, 10, 64)
	if err1 != nil || err2 != nil || (sum == 0 && size == 0) {
		return 0, 0, false
	}
	return uint32(sum), size, true
}
