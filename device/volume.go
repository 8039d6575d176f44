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

// Volume is a vfs ("file:") volume: a directory of files named NNNNN.<anything>, each a 32 KiB
// header followed by data. File 0 holds only the TAPESTART label. A chg-disk slot is one.
type Volume struct {
	Dir       string // the directory the files are in
	Label     string // from the TAPESTART header of file 0
	Datestamp string // TAPESTART date: the last run that wrote to the volume, or "X" if none did
}

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
	Path          string  // "" for the synthetic TAPEEND
	Header        *Header // the file's header
	Size          int64   // data bytes after the 32 KiB header
	io.ReadCloser         // the data after the header
}

// name says which volume an error is about.
func (v *Volume) name() string {
	if v.Label != "" {
		return v.Label
	}
	return v.Dir
}

// OpenFile opens file n of the volume and reads its header. As on a vfs device, it opens the
// first file numbered n or more, so File.Number may be larger than n; past the last file it
// returns a synthetic TAPEEND (no data, no Path, no Datestamp). File 0 is the label; a data
// file whose header is not FILE, CONT_FILE or SPLIT_FILE is an error.
func (v *Volume) OpenFile(n int) (*File, error) {
	if n < 0 {
		return nil, fmt.Errorf("open %s file %d: negative file number", v.name(), n)
	}
	files, err := volumeFiles(v.Dir)
	if err != nil {
		return nil, fmt.Errorf("open %s file %d: %w", v.name(), n, err)
	}
	i := sort.Search(len(files), func(i int) bool { return files[i].number >= n })
	if n == 0 && (i == len(files) || files[i].number != 0) {
		return nil, fmt.Errorf("volume %s is unlabeled: it has no file 0 (00000.<label>)", v.Dir)
	}
	if i == len(files) {
		return &File{
			Number:     n,
			Header:     &Header{Type: TapeEnd},
			ReadCloser: io.NopCloser(strings.NewReader("")),
		}, nil
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
	if number == 0 {
		if err != nil {
			return nil, fmt.Errorf("bad volume label in %s: %s: %w", v.Dir, path, err)
		}
		if h.Type != TapeStart {
			return nil, fmt.Errorf("bad volume label in %s: %s is a %s header (%s), not TAPESTART",
				v.Dir, path, h.Type, h.Summary())
		}
	} else {
		if err != nil {
			return nil, fmt.Errorf("read header of %s file %d (%s): %w", v.name(), number, path, err)
		}
		if !h.IsDump() {
			return nil, fmt.Errorf("read header of %s file %d (%s): invalid Amanda header: %s",
				v.name(), number, path, h.Summary())
		}
	}
	return &File{Number: number, Path: path, Header: h, Size: fi.Size() - HeaderSize, ReadCloser: f}, nil
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
