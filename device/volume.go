package device

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Volume is a volume Amanda wrote: a vfs ("file:") volume, a directory of files named
// NNNNN.<anything>, each a 32 KiB header followed by data, as in a chg-disk slot; or the tape in
// a drive (see tape.go). File 0 holds only the TAPESTART label.
type Volume struct {
	Dir       string // the directory the files are in; "" for a tape
	Label     string // from the TAPESTART header of file 0
	Datestamp string // TAPESTART date: the last run that wrote to the volume, or "X" if none did

	tape *tape // the drive of a tape volume; nil for a vfs volume
}

// unload releases the drive of a tape volume; a vfs volume holds nothing.
func (v *Volume) unload() error {
	if v.tape == nil {
		return nil
	}
	return v.tape.unload()
}

// labelError says that a volume has no valid label (no file 0, a blank tape, a file 0 that is
// not TAPESTART): the drive holds something that is not an Amanda volume.
type labelError struct{ err error }

func (e *labelError) Error() string { return e.err.Error() }
func (e *labelError) Unwrap() error { return e.err }

// OpenVolume opens the vfs volume of device "file:dir" and reads its label. Like Amanda's
// default (USE-DATA EXIST), a data subdirectory of dir, when there is one, is the volume, so
// the root of a chg-disk changer opens its current slot.
func OpenVolume(dir string) (*Volume, error) {
	if fi, err := os.Stat(filepath.Join(dir, "data")); err == nil && fi.IsDir() {
		dir = filepath.Join(dir, "data")
	}
	return openVolumeDir(dir)
}

// openVolumeDir opens the volume in dir itself, as chg-disk does for its slots (USE-DATA NO).
func openVolumeDir(dir string) (*Volume, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open volume: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open volume %s: not a directory", dir)
	}
	v := &Volume{Dir: dir}
	f, err := v.OpenFile(0)
	if err != nil {
		return nil, err
	}
	f.Close()
	v.Label, v.Datestamp = f.Header.Label, f.Header.Datestamp
	return v, nil
}

// File is one file of a volume, positioned at its data.
type File struct {
	Number        int
	Path          string  // the vfs file; "" on a tape and for the synthetic TAPEEND
	Header        *Header // the file's header
	Size          int64   // data bytes after the 32 KiB header; -1 if unknown (on a tape)
	io.ReadCloser         // the data after the header
}

// name says which volume an error is about.
func (v *Volume) name() string {
	if v.Label != "" {
		return v.Label
	}
	return v.where()
}

// where says where the volume is: its directory, or the tape drive.
func (v *Volume) where() string {
	if v.tape != nil {
		return v.tape.dev
	}
	return v.Dir
}

// OpenFile opens file n of the volume and reads its header. As on a vfs device, it opens the
// first file numbered n or more, so File.Number may be larger than n; past the last file it
// returns a synthetic TAPEEND (no data, no Path, no Datestamp). File 0 is the label; a data
// file whose header is not FILE, CONT_FILE or SPLIT_FILE is an error. On a tape, only one file
// may be open at a time, and its Size is -1 (unknown): see openTapeFile.
func (v *Volume) OpenFile(n int) (*File, error) {
	if n < 0 {
		return nil, fmt.Errorf("open %s file %d: negative file number", v.name(), n)
	}
	if v.tape != nil {
		return v.openTapeFile(n)
	}
	files, err := volumeFiles(v.Dir)
	if err != nil {
		return nil, fmt.Errorf("open %s file %d: %w", v.name(), n, err)
	}
	i := sort.Search(len(files), func(i int) bool { return files[i].number >= n })
	if n == 0 && (i == len(files) || files[i].number != 0) {
		return nil, &labelError{fmt.Errorf("volume %s is unlabeled: it has no file 0 (00000.<label>)", v.Dir)}
	}
	if i == len(files) {
		return tapeEnd(n), nil
	}
	vf := files[i]
	path := filepath.Join(v.Dir, vf.name)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s file %d: %w", v.name(), vf.number, err)
	}
	file, err := v.readFile(f, vf.number, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	return file, nil
}

// readFile reads the header of the open volume file f and checks its type.
func (v *Volume) readFile(f *os.File, number int, path string) (*File, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open %s file %d: %w", v.name(), number, err)
	}
	h, err := ReadHeader(f)
	if err := v.checkHeader(number, path, h, err); err != nil {
		return nil, err
	}
	return &File{Number: number, Path: path, Header: h, Size: fi.Size() - HeaderSize, ReadCloser: f}, nil
}

// checkHeader checks the header h of file number, read with error err from in (a vfs file's
// path; on a tape, the drive, or "file 0" for the label): file 0 must be the TAPESTART label,
// any other file a dump.
func (v *Volume) checkHeader(number int, in string, h *Header, err error) error {
	if number == 0 {
		if err != nil {
			return &labelError{fmt.Errorf("bad volume label in %s: %s: %w", v.where(), in, err)}
		}
		if h.Type != TapeStart {
			return &labelError{fmt.Errorf("bad volume label in %s: %s is a %s header (%s), not TAPESTART",
				v.where(), in, h.Type, h.Summary())}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read header of %s file %d (%s): %w", v.name(), number, in, err)
	}
	if !h.IsDump() {
		return fmt.Errorf("read header of %s file %d (%s): invalid Amanda header: %s", v.name(), number, in, h.Summary())
	}
	return nil
}

// tapeEnd is the synthetic TAPEEND file n that a volume gives past its last file.
func tapeEnd(n int) *File {
	return &File{Number: n, Header: &Header{Type: TapeEnd}, ReadCloser: io.NopCloser(strings.NewReader(""))}
}

type volumeFile struct {
	number int
	name   string
}

// volumeFiles lists the numbered files of a volume directory, by number. Like Amanda, it takes
// the file number from the leading digits followed by '.', so 00000-lock files are left out,
// and it ignores what is not a regular file.
func volumeFiles(dir string) ([]volumeFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []volumeFile
	for _, e := range entries {
		n, ok := fileNumber(e.Name())
		if !ok || !isRegular(dir, e) {
			continue
		}
		files = append(files, volumeFile{number: n, name: e.Name()})
	}
	// Names are sorted already, so of several files with one number the first name wins.
	sort.SliceStable(files, func(i, j int) bool { return files[i].number < files[j].number })
	return files, nil
}

// fileNumber parses the number of a volume file name, "^[0-9]+\.". Numbers beyond 32 bits are
// ignored, as Amanda does.
func fileNumber(name string) (int, bool) {
	digits := 0
	for digits < len(name) && name[digits] >= '0' && name[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(name) || name[digits] != '.' {
		return 0, false
	}
	n, err := strconv.ParseInt(name[:digits], 10, 32)
	if err != nil {
		return 0, false
	}
	return int(n), true
}

// isRegular reports whether the entry is a regular file, following a symlink as Amanda's stat
// does.
func isRegular(dir string, e fs.DirEntry) bool {
	if e.Type().IsRegular() {
		return true
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && fi.Mode().IsRegular()
}
