package fetch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/recover"
)

// Compression is what -c and -C ask for: gzip the output when the dump is not compressed.
type Compression int

const (
	NoCompression Compression = iota
	CompressFast              // -c: gzip --fast
	CompressBest              // -C: gzip --best
)

const (
	// compressSuffix names what -c and -C write, as Amanda's COMPRESS_SUFFIX.
	compressSuffix = ".gz"
	// uncompressCmd is the pipeline step Amanda writes into the header of a dump it compressed
	// (UNCOMPRESS_PATH and UNCOMPRESS_OPT of Debian's build).
	uncompressCmd = " /bin/gzip -dc |"
)

// dumpName is the name Amanda gives a dump file: host.disk.datestamp.level, the disk sanitised.
func dumpName(h *device.Header) string {
	return fmt.Sprintf("%s.%s.%s.%d", h.Host, device.SanitiseFilename(h.Disk), h.Datestamp, h.Level)
}

// compressedName adds the suffix of -c/-C: the dump's own when it is compressed, else ".gz".
func compressedName(name string, h *device.Header) string {
	if h.Compressed() && h.Comp != "" {
		return name + h.Comp
	}
	return name + compressSuffix
}

// outputFile is one dump file being written: it has a temporary name in its directory until
// commit renames it, so that no half-written file ever has the final name.
type outputFile struct {
	*os.File
	final string
}

// createOutput creates the file that will be dir/name. It is readable by its owner only: a
// dump image holds a whole file system.
func createOutput(dir, name string) (*outputFile, error) {
	final := filepath.Join(dir, name)
	if strings.ContainsRune(name, filepath.Separator) || name == "." || name == ".." {
		return nil, fmt.Errorf("could not open '%s' for writing: the name is not a file name", final)
	}
	f, err := os.CreateTemp(dir, "."+name+".amrshell-*")
	if err != nil {
		return nil, fmt.Errorf("could not open '%s' for writing: %w", final, err)
	}
	return &outputFile{File: f, final: final}, nil
}

// commit closes the file and gives it its name.
func (o *outputFile) commit() error {
	err := o.Sync()
	if cerr := o.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.Name(), o.final)
	}
	if err != nil {
		os.Remove(o.Name())
		return fmt.Errorf("write '%s': %w", o.final, err)
	}
	return nil
}

// abort closes and removes the unfinished file.
func (o *outputFile) abort() {
	o.Close()
	os.Remove(o.Name())
}

// transform is what is done to a dump's data on its way to the output.
type transform struct {
	decrypt    bool        // undo the dump's encryption (which amrshell cannot: it refuses)
	decompress bool        // undo the dump's compression
	compress   Compression // gzip data that is not compressed
}

// apply returns the header describing the output of t, as Amanda rewrites it: compression
// fields cleared when decompressed (keepCustom keeps the custom program, as amrestore does),
// gzip named when compressed.
func (t transform) apply(h *device.Header, keepCustom bool) *device.Header {
	out := *h
	switch {
	case t.decompress && h.Compressed():
		out.Comp, out.UncompressCmd = "N", ""
		if !keepCustom {
			out.ServerCustomCompress, out.ClientCustomCompress = "", ""
		}
	case t.compress != NoCompression && !h.Compressed():
		out.Comp, out.UncompressCmd = compressSuffix, uncompressCmd
	}
	return &out
}

// pipe is one dump's data on its way to the output, with the CRCs of what passed through.
type pipe struct {
	stored *recover.CRCReader // the data as stored on the media
	native *recover.CRCReader // the native stream, nil when the output is not native
}

// run copies the data r of a dump whose header is h to w through t. The error names the stage
// that failed.
func (t transform) run(h *device.Header, r io.Reader, w io.Writer) (*pipe, error) {
	p := &pipe{stored: recover.NewCRCReader(r)}
	if t.decrypt && h.Crypt != "" && h.Crypt != "N" {
		return p, fmt.Errorf("the dump is encrypted (crypt %s): amrshell cannot decrypt it; write it as stored instead", h.Crypt)
	}
	var src io.Reader = p.stored
	native := !h.Compressed()
	if t.decompress && h.Compressed() {
		dec, err := recover.Decompress(h, src)
		if err != nil {
			return p, err
		}
		defer dec.Close()
		src, native = dec, true
	}
	if native {
		p.native = recover.NewCRCReader(src)
		src = p.native
	}
	if t.compress != NoCompression && !h.Compressed() {
		level := gzip.BestSpeed
		if t.compress == CompressBest {
			level = gzip.BestCompression
		}
		zw, err := gzip.NewWriterLevel(w, level)
		if err != nil {
			return p, err
		}
		if _, err := io.Copy(zw, src); err != nil {
			return p, err
		}
		return p, zw.Close()
	}
	_, err := io.Copy(w, src)
	if errors.Is(err, io.ErrUnexpectedEOF) && t.decompress && h.Compressed() {
		return p, fmt.Errorf("decompress: the compressed stream ends early: %w", err)
	}
	if err == nil {
		// The stored CRC covers all the data, even what the decompressor did not need.
		_, err = io.Copy(io.Discard, p.stored)
	}
	return p, err
}

// isPiece reports whether t decompresses a part of a split dump on its own: Amanda compresses a
// dump as one stream before it splits it, so only a dump of one part can be.
func (t transform) isPiece(h *device.Header) bool {
	return h.Type == device.SplitFile && h.Compressed() && t.decompress
}

// pieceError explains why a part could not be decompressed on its own (isPiece).
func pieceError(h *device.Header, err error, hint string) error {
	return fmt.Errorf("part %d of %s:%s level %d of %s is a piece of a dump compressed as one stream, "+
		"which cannot be decompressed alone (%v); nothing written: %s",
		h.PartNum, h.Host, device.QuoteString(h.Disk), h.Level, h.Datestamp, err, hint)
}

// headerBlock is the 32 KiB header written before the data (-h). Amanda's blocksize field
// decides whether the dd line says "bs=32k": amrestore sets it, amfetchdump writes the header
// as the clerk read it, without (device.Header.Build always writes it, so it is taken out).
func headerBlock(h *device.Header, blocksize bool) ([]byte, error) {
	block, err := h.Build()
	if err != nil || blocksize {
		return block, err
	}
	text, _, _ := strings.Cut(string(block), "\x00")
	text = strings.Replace(text, "\tdd if=<tape> bs=32k skip=1 |", "\tdd if=<tape> skip=1 |", 1)
	out := make([]byte, device.HeaderSize)
	copy(out, text)
	return out, nil
}
