package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// RestoreOptions are amrestore's options.
type RestoreOptions struct {
	Source   string // the device ("file:DIR", "chg-disk:DIR", a vtape directory) or holding file
	Holding  bool   // --holding: Source is a holding file (also when its header says so)
	Specs    Dumpspecs
	Raw      bool // -r: header and data exactly as on the media, name .RAW
	Header   bool // -h: the 32 KiB header block first
	Compress Compression
	Pipe     io.Writer // -p: the first restored file goes here, and the restore stops
	Filenum  int       // -f: the first file to look at (1 when 0)
	Label    string    // -l: the volume must have this label
	Dir      string    // where the files go
	Stderr   io.Writer
}

// ErrSomeFailed is returned when a file could not be restored; each was named on Stderr.
var ErrSomeFailed = errors.New("some files were not restored")

// Restore restores the files of a volume, or a holding file, as amrestore does: each matching
// file (each part) is written on its own, decompressed unless -r or -c, under amrestore's
// names. Unlike amrestore, it never writes a file it could not write whole: a part that cannot
// be decompressed alone (a piece of a dump compressed as one stream and split in parts) is
// reported, left out, and the restore goes on with the next file.
func Restore(ctx context.Context, opts RestoreOptions) error {
	if opts.Holding || isHoldingFile(opts.Source) {
		return restoreHolding(ctx, opts)
	}
	vol, err := openVolume(ctx, opts.Source, opts.Label)
	if err != nil {
		return err
	}
	n := max(opts.Filenum, 1)
	fmt.Fprintf(opts.Stderr, "Restoring from tape %s starting with file %d.\n", vol.Label, n)
	failed := false
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := vol.OpenFile(n)
		if err != nil {
			return fmt.Errorf("while reading next header: %w", err)
		}
		if f.Header.Type == device.TapeEnd {
			f.Close()
			break
		}
		n = f.Number + 1
		if !opts.Specs.MatchHeader(f.Header) {
			fmt.Fprintf(opts.Stderr, "amrestore: %d: skipping %s\n", f.Number, f.Header.Summary())
			f.Close()
			continue
		}
		fmt.Fprintf(opts.Stderr, "amrestore: %d: restoring %s\n", f.Number, f.Header.Summary())
		err = restoreFile(f.Header, &sizeCounter{ctx: ctx, r: f}, opts)
		f.Close()
		if err != nil {
			fmt.Fprintf(opts.Stderr, "ERROR: amrestore: %d: %v\n", f.Number, err)
			failed = true
			continue
		}
		if opts.Pipe != nil {
			break
		}
	}
	if failed {
		return ErrSomeFailed
	}
	return nil
}

// openVolume opens the volume of a device and checks its label.
func openVolume(ctx context.Context, source, label string) (*device.Volume, error) {
	kind, arg := device.ParseChangerSpec(source)
	var (
		vol *device.Volume
		err error
	)
	switch {
	case kind == "file", kind == "chg-disk", kind == "chg-single" && strings.HasPrefix(arg, "file:"):
		// The current slot of a chg-disk changer is its data directory, which OpenVolume opens.
		vol, err = device.OpenVolume(strings.TrimPrefix(arg, "file:"))
	case kind == "tape" && isDir(arg):
		vol, err = device.OpenVolume(arg)
	default:
		// A drive is read through its changer: with -l, the volume of that label; else, as
		// amrestore, whatever volume is in the drive.
		var chg device.Changer
		if chg, err = device.OpenChanger(source); err != nil {
			break
		}
		single, isSingle := chg.(*device.Single)
		switch {
		case label != "":
			vol, err = chg.Load(ctx, label)
		case isSingle:
			vol, err = single.Current(ctx)
		default:
			err = fmt.Errorf("%s: a changer of many volumes; name the volume to read with -l LABEL", source)
		}
	}
	if err != nil {
		return nil, err
	}
	if label != "" && vol.Label != label {
		return nil, fmt.Errorf("Found unexpected label '%s'", vol.Label)
	}
	return vol, nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// isHoldingFile reports whether path is a file that starts with an Amanda dump header, which
// amrestore takes for a holding file even without --holding.
func isHoldingFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	h, err := device.ReadHeader(f)
	return err == nil && h.IsDump()
}

// restoreHolding restores a holding file, following its chunks.
func restoreHolding(ctx context.Context, opts RestoreOptions) error {
	fmt.Fprintf(opts.Stderr, "Reading from '%s'\n", opts.Source)
	hf, err := device.OpenHolding(opts.Source)
	if err != nil {
		return err
	}
	if !opts.Specs.MatchHeader(hf.Header) {
		return nil
	}
	fmt.Fprintln(opts.Stderr, hf.Header.Summary())
	data, err := hf.Open()
	if err != nil {
		return err
	}
	defer data.Close()
	// The first chunk's header names the next chunk; the header written names none.
	h := *hf.Header
	h.ContFilename = ""
	if err := restoreFile(&h, &sizeCounter{ctx: ctx, r: data}, opts); err != nil {
		fmt.Fprintf(opts.Stderr, "ERROR: amrestore: %s: %v\n", opts.Source, err)
		return ErrSomeFailed
	}
	return nil
}

// restoreFile writes one file (part) whose header is h and data r.
func restoreFile(h *device.Header, r io.Reader, opts RestoreOptions) error {
	name := dumpName(h)
	if h.PartNum > 0 {
		name += fmt.Sprintf(".%07d", h.PartNum)
	}
	t := transform{decrypt: !opts.Raw, decompress: !opts.Raw && opts.Compress == NoCompression, compress: opts.Compress}
	switch {
	case opts.Raw:
		name += ".RAW"
		t.compress = NoCompression
	case opts.Compress != NoCompression:
		name = compressedName(name, h)
	}
	var (
		w    io.Writer = opts.Pipe
		file *outputFile
		err  error
	)
	if w == nil {
		if file, err = createOutput(opts.Dir, name); err != nil {
			return err
		}
		defer file.abort()
		w = file
	}
	if opts.Raw || opts.Header {
		block, err := headerBlock(t.apply(h, true), true)
		if err != nil {
			return err
		}
		if _, err := w.Write(block); err != nil {
			return fmt.Errorf("write the header: %w", err)
		}
	}
	p, err := t.run(h, r, w)
	if err != nil && t.isPiece(h) {
		return pieceError(h, err, "use -c or -r to write the parts as stored, or amrshell fetchdump to reassemble the dump")
	}
	if err != nil {
		return err
	}
	// A part's native CRC is the whole dump's: it can be checked when the part is the whole dump.
	if p.native != nil && h.NativeCRC.Size > 0 && (h.Type == device.DumpFile || p.native.Size() == h.NativeCRC.Size) {
		if err := checkCRC("native-crc", "restore-native-crc", h.NativeCRC.String(), p.native); err != nil {
			return err
		}
	}
	if file != nil {
		return file.commit()
	}
	return nil
}
