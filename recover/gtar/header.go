package gtar

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"time"
)

// Member types as Header.Typeflag gives them. The reader folds GNU tar's other letters into
// these: '\x00' and '7' (contiguous) are TypeReg, 'S' (old GNU sparse) is TypeReg with
// Header.Sparse set, and 'L', 'K', 'x', 'g' are headers of the next member, never members.
const (
	TypeReg     = '0'
	TypeLink    = '1' // hard link to Linkname, an earlier member
	TypeSymlink = '2'
	TypeChar    = '3'
	TypeBlock   = '4'
	TypeDir     = '5'
	TypeFifo    = '6'
	TypeDumpdir = 'D' // GNU incremental directory: Dumpdir lists its entries at dump time
	TypeVolume  = 'V' // volume label; carries no file
)

// Dumpdir codes (GNU tar manual, "Dumpdir").
const (
	DumpdirIncluded  = 'Y' // the entry is in this archive
	DumpdirUnchanged = 'N' // the entry existed and did not change: not in this archive
	DumpdirDirectory = 'D' // the entry is a subdirectory
	DumpdirRename    = 'R' // rename source (path relative to the archive top); a T record follows
	DumpdirTarget    = 'T' // rename target
	DumpdirTempDir   = 'X' // directory in which to make a temporary name for rename cycles
)

// Header is one member of a GNU tar archive, with GNU long names, PAX records and sparse maps
// already applied.
type Header struct {
	Name     string // as archived: "./docs/readme.txt"; GNU tar ends directory names with "/"
	Typeflag byte   // TypeReg, TypeLink, TypeSymlink, TypeChar, TypeBlock, TypeDir, TypeFifo, TypeDumpdir, ...
	Size     int64  // bytes Read returns: the file's full size (sparse files too), the dumpdir's length
	Mode     int64  // permission, set-id and sticky bits (07777)
	Uid, Gid int
	Uname    string
	Gname    string
	Mtime    time.Time
	Atime    time.Time // zero when the archive does not record it
	Linkname string    // target of a symlink, or the earlier member a hard link names
	Devmajor int64
	Devminor int64
	Dumpdir  []DumpdirEntry // TypeDumpdir: the directory's entries and rename records, in archive order
	Sparse   []SparseEntry  // data fragments of a sparse file in file order; nil for other members
}

// DumpdirEntry is one record of a dumpdir: a code (DumpdirIncluded ...) and a name, relative to
// the directory for Y/N/D and to the archive top for R/T/X.
type DumpdirEntry struct {
	Code byte
	Name string
}

// SparseEntry is one data fragment of a sparse file; everything between fragments is a hole.
type SparseEntry struct {
	Offset, Length int64
}

// FileMode returns the member's mode in io/fs terms.
func (h *Header) FileMode() fs.FileMode {
	m := fs.FileMode(h.Mode & 0o777)
	if h.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if h.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if h.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	switch h.Typeflag {
	case TypeDir, TypeDumpdir:
		m |= fs.ModeDir
	case TypeSymlink:
		m |= fs.ModeSymlink
	case TypeChar:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case TypeBlock:
		m |= fs.ModeDevice
	case TypeFifo:
		m |= fs.ModeNamedPipe
	}
	return m
}

const blockSize = 512

// Field offsets of a tar header block (POSIX ustar, with GNU's use of the prefix area).
const (
	offName     = 0
	offMode     = 100
	offUID      = 108
	offGID      = 116
	offSize     = 124
	offMtime    = 136
	offChksum   = 148
	offType     = 156
	offLinkname = 157
	offMagic    = 257
	offUname    = 265
	offGname    = 297
	offDevmajor = 329
	offDevminor = 337
	offPrefix   = 345 // ustar: name prefix (155 bytes)
	offAtime    = 345 // GNU: atime, ctime, then the old sparse map
	offSparse   = 386 // GNU: 4 entries of offset[12] numbytes[12]
	offExtended = 482 // GNU: another block of sparse entries follows
	offRealsize = 483 // GNU: full size of a sparse file

	sparseInHeader = 4
	sparseInExt    = 21 // entries in an extension block; its "extended" flag is at byte 504
)

// block is one raw 512-byte header.
type block [blockSize]byte

func (b *block) isZero() bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (b *block) gnu() bool   { return string(b[offMagic:offMagic+8]) == "ustar  \x00" }
func (b *block) ustar() bool { return string(b[offMagic:offMagic+6]) == "ustar\x00" }

// checksum verifies the header checksum: the sum of all bytes with the checksum field taken as
// spaces, unsigned (POSIX) or signed (some historic tars).
func (b *block) checksum() error {
	want, err := parseNumeric(b[offChksum : offChksum+8])
	if err != nil {
		return fmt.Errorf("checksum field: %w", err)
	}
	var unsigned, signed int64
	for i, c := range b {
		if i >= offChksum && i < offChksum+8 {
			c = ' '
		}
		unsigned += int64(c)
		signed += int64(int8(c))
	}
	if want != unsigned && want != signed {
		return fmt.Errorf("bad header checksum (stored %d, computed %d)", want, unsigned)
	}
	return nil
}

// cString returns a NUL-terminated field.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parseNumeric reads a numeric field: octal digits (with leading spaces or NULs, ended by a
// space or NUL) or, when the first byte has its high bit set, GNU's base-256 two's complement.
func parseNumeric(f []byte) (int64, error) {
	if len(f) > 0 && f[0]&0x80 != 0 {
		// Base-256: bit 6 of the first byte is the sign; a negative number is read as the
		// complement of its bytes (-a-1 == ^a).
		neg := f[0]&0x40 != 0
		var v uint64
		for i, c := range f {
			if neg {
				c = ^c
			}
			if i == 0 {
				c &= 0x7f
			}
			if v>>56 != 0 {
				return 0, fmt.Errorf("base-256 number %x overflows", f)
			}
			v = v<<8 | uint64(c)
		}
		if v>>63 != 0 {
			return 0, fmt.Errorf("base-256 number %x overflows", f)
		}
		if neg {
			return ^int64(v), nil
		}
		return int64(v), nil
	}
	i := 0
	for i < len(f) && (f[i] == ' ' || f[i] == 0) {
		i++
	}
	var v int64
	for ; i < len(f); i++ {
		c := f[i]
		if c == ' ' || c == 0 {
			break
		}
		if c < '0' || c > '7' {
			return 0, fmt.Errorf("bad octal number %q", cString(f))
		}
		if v > math.MaxInt64>>3 {
			return 0, fmt.Errorf("octal number %q overflows", cString(f))
		}
		v = v<<3 | int64(c-'0')
	}
	return v, nil
}

// parseHeader decodes the fields of a checked header block.
func parseHeader(b *block) (*Header, int64, error) {
	var nums [7]int64
	for i, f := range [][2]int{{offMode, 8}, {offUID, 8}, {offGID, 8}, {offSize, 12}, {offMtime, 12}, {offDevmajor, 8}, {offDevminor, 8}} {
		n, err := parseNumeric(b[f[0] : f[0]+f[1]])
		if err != nil {
			return nil, 0, err
		}
		nums[i] = n
	}
	size := nums[3]
	if size < 0 {
		return nil, 0, fmt.Errorf("negative size %d", size)
	}
	h := &Header{
		Name:     cString(b[offName : offName+100]),
		Typeflag: b[offType],
		Size:     size,
		Mode:     nums[0] & 0o7777,
		Uid:      int(nums[1]),
		Gid:      int(nums[2]),
		Mtime:    time.Unix(nums[4], 0),
		Linkname: cString(b[offLinkname : offLinkname+100]),
		Uname:    cString(b[offUname : offUname+32]),
		Gname:    cString(b[offGname : offGname+32]),
		Devmajor: nums[5],
		Devminor: nums[6],
	}
	switch {
	case b.gnu():
		if at, err := parseNumeric(b[offAtime : offAtime+12]); err == nil && at > 0 {
			h.Atime = time.Unix(at, 0)
		}
	case b.ustar():
		if p := cString(b[offPrefix : offPrefix+155]); p != "" {
			h.Name = p + "/" + h.Name
		}
	}
	return h, size, nil
}

// parsePAX decodes extended header records "<len> <key>=<value>\n". Repeated keys keep the
// last value, except GNU sparse 0.0's offset/numbytes pairs, which are returned in order.
func parsePAX(data []byte) (map[string]string, []int64, error) {
	recs := map[string]string{}
	var pairs []int64
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp <= 0 {
			return nil, nil, fmt.Errorf("bad PAX record %q", clip(data))
		}
		n, err := strconv.Atoi(string(data[:sp]))
		if err != nil || n <= sp+1 || n > len(data) || data[n-1] != '\n' {
			return nil, nil, fmt.Errorf("bad PAX record length in %q", clip(data))
		}
		kv := data[sp+1 : n-1]
		data = data[n:]
		eq := bytes.IndexByte(kv, '=')
		if eq <= 0 {
			return nil, nil, fmt.Errorf("bad PAX record %q", clip(kv))
		}
		k, v := string(kv[:eq]), string(kv[eq+1:])
		if k == "GNU.sparse.offset" || k == "GNU.sparse.numbytes" {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil || x < 0 {
				return nil, nil, fmt.Errorf("bad PAX record %s=%q", k, v)
			}
			if len(pairs) >= maxSparse*2 {
				return nil, nil, fmt.Errorf("more than %d sparse fragments", maxSparse)
			}
			pairs = append(pairs, x)
			continue
		}
		recs[k] = v
	}
	return recs, pairs, nil
}

// parsePAXTime reads "seconds[.fraction]".
func parsePAXTime(v string) (time.Time, error) {
	sec, frac, _ := bytes.Cut([]byte(v), []byte("."))
	s, err := strconv.ParseInt(string(sec), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad PAX time %q", v)
	}
	var ns int64
	for i := 0; i < 9; i++ {
		ns *= 10
		if i < len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return time.Time{}, fmt.Errorf("bad PAX time %q", v)
			}
			ns += int64(frac[i] - '0')
		}
	}
	if s < 0 {
		ns = -ns
	}
	return time.Unix(s, ns), nil
}

// parseDumpdir splits dumpdir data into records; an empty name (the final NUL) ends it, except
// that R and T records may have empty names when they go through the X temporary directory.
func parseDumpdir(data []byte) ([]DumpdirEntry, error) {
	var out []DumpdirEntry
	for len(data) > 0 {
		end := bytes.IndexByte(data, 0)
		if end < 0 {
			return nil, fmt.Errorf("dumpdir record %q has no terminating NUL", clip(data))
		}
		rec := data[:end]
		data = data[end+1:]
		if len(rec) == 0 {
			break
		}
		out = append(out, DumpdirEntry{Code: rec[0], Name: string(rec[1:])})
	}
	return out, nil
}

// parseSparseMapText reads the map GNU sparse 1.0 puts at the start of the data: decimal
// numbers, one a line: the count, then offset and length pairs.
func parseSparseMapText(nums []int64) ([]SparseEntry, error) {
	if len(nums) == 0 || nums[0] < 0 || nums[0] > maxSparse || int64(len(nums)) != 1+2*nums[0] {
		return nil, fmt.Errorf("bad sparse map")
	}
	return pairsToSparse(nums[1:])
}

func pairsToSparse(nums []int64) ([]SparseEntry, error) {
	if len(nums)%2 != 0 {
		return nil, fmt.Errorf("sparse map has an offset without a length")
	}
	sp := make([]SparseEntry, 0, len(nums)/2)
	for i := 0; i < len(nums); i += 2 {
		sp = append(sp, SparseEntry{Offset: nums[i], Length: nums[i+1]})
	}
	return sp, nil
}

// checkSparse validates a map against the file's full size and the stored data size, and drops
// the empty fragments GNU tar writes to mark the end of the file.
func checkSparse(sp []SparseEntry, realsize, stored int64) ([]SparseEntry, error) {
	out := sp[:0]
	var end, sum int64
	for _, e := range sp {
		if e.Offset < 0 || e.Length < 0 || e.Offset < end || e.Length > realsize || e.Offset > realsize-e.Length {
			return nil, fmt.Errorf("sparse fragment %d+%d is out of order or beyond the file size %d", e.Offset, e.Length, realsize)
		}
		if e.Length == 0 {
			continue
		}
		end = e.Offset + e.Length
		sum += e.Length
		out = append(out, e)
	}
	if sum != stored {
		return nil, fmt.Errorf("sparse map holds %d bytes but the member stores %d", sum, stored)
	}
	return out, nil
}

func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}
