package gtar

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on what the reader holds in memory; member data is streamed and never counts.
const (
	maxLongName = 1 << 20   // GNU 'L'/'K' names
	maxPAX      = 1 << 20   // one PAX extended header
	maxDumpdir  = 128 << 20 // one directory's dumpdir
	maxSparse   = 1 << 20   // fragments of one sparse file
)

// Reader reads the members of a GNU tar archive in one pass. Next returns each member's
// header; Read returns its content: a file's bytes (holes of sparse files as zeros) or a
// dumpdir's raw data.
type Reader struct {
	r      *bufio.Reader
	offset int64 // bytes consumed from the stream, for messages
	hdr    *Header
	name   string // member name for messages

	remain int64 // stored data bytes of the current member not read yet
	pad    int64 // padding after them

	raw []byte // dumpdir data still to be returned by Read

	sparse []SparseEntry // fragments not fully read yet (sparse files)
	pos    int64         // logical position in a sparse file

	global map[string]string // PAX 'g' records, applied to every later member
	err    error             // sticky error: the stream cannot be followed after it
}

// NewReader returns a Reader of the tar stream r. Headers are read through a 64 KiB buffer;
// large reads of member data bypass it.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next skips what is left of the current member and returns the next one's header, or io.EOF
// after the end-of-archive block.
func (r *Reader) Next() (*Header, error) {
	if r.err != nil {
		return nil, r.err
	}
	h, err := r.next()
	if err != nil {
		r.err = err
		r.hdr = nil
		return nil, err
	}
	r.hdr = h
	return h, nil
}

func (r *Reader) next() (*Header, error) {
	if err := r.skip(r.remain + r.pad); err != nil {
		return nil, fmt.Errorf("skip the rest of member %s: %w", r.name, err)
	}
	r.remain, r.pad, r.raw, r.sparse, r.pos = 0, 0, nil, nil, 0

	var longName, longLink []byte
	var pax map[string]string
	var paxPairs []int64
	for {
		var b block
		at := r.offset
		if _, err := io.ReadFull(r.r, b[:]); err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("archive ends at byte %d without its end-of-archive blocks: %w", at, io.ErrUnexpectedEOF)
			}
			return nil, fmt.Errorf("read header at byte %d: %w", at, noEOF(err))
		}
		r.offset += blockSize
		if b.isZero() {
			// GNU tar stops at the first zero block, warning when a second does not follow.
			return nil, io.EOF
		}
		if err := b.checksum(); err != nil {
			return nil, fmt.Errorf("header at byte %d: %w", at, err)
		}
		h, size, err := parseHeader(&b)
		if err != nil {
			return nil, fmt.Errorf("header at byte %d (%q): %w", at, h.nameOr(&b), err)
		}
		r.name = h.Name
		switch h.Typeflag {
		case 'L', 'K', 'x', 'g':
			limit := int64(maxLongName)
			if h.Typeflag == 'x' || h.Typeflag == 'g' {
				limit = maxPAX
			}
			data, err := r.meta(size, limit, at)
			if err != nil {
				return nil, err
			}
			switch h.Typeflag {
			case 'L':
				longName = trimNUL(data)
			case 'K':
				longLink = trimNUL(data)
			case 'x':
				if pax, paxPairs, err = parsePAX(data); err != nil {
					return nil, fmt.Errorf("PAX header at byte %d: %w", at, err)
				}
			case 'g':
				g, _, err := parsePAX(data)
				if err != nil {
					return nil, fmt.Errorf("PAX global header at byte %d: %w", at, err)
				}
				if r.global == nil {
					r.global = map[string]string{}
				}
				for k, v := range g {
					// Names, sizes and dumpdirs belong to one member, never to all.
					if k != "path" && k != "linkpath" && k != "size" && !strings.HasPrefix(k, "GNU.") {
						r.global[k] = v
					}
				}
			}
			continue
		}
		if longName != nil {
			h.Name = string(longName)
		}
		if longLink != nil {
			h.Linkname = string(longLink)
		}
		r.name = h.Name
		if err := r.member(h, &b, size, pax, paxPairs, at); err != nil {
			return nil, fmt.Errorf("member %s at byte %d: %w", h.Name, at, err)
		}
		return h, nil
	}
}

// member finishes a header: PAX records, the sparse map, typeflag folding and the dumpdir.
func (r *Reader) member(h *Header, b *block, size int64, pax map[string]string, paxPairs []int64, at int64) error {
	var realsize int64 = -1
	if b[offType] == 'S' {
		sp, rs, err := r.oldSparse(b)
		if err != nil {
			return err
		}
		h.Sparse, realsize = sp, rs
	}
	recs := r.global
	if len(pax) > 0 {
		if len(recs) > 0 {
			merged := make(map[string]string, len(recs)+len(pax))
			for k, v := range recs {
				merged[k] = v
			}
			for k, v := range pax {
				merged[k] = v
			}
			recs = merged
		} else {
			recs = pax
		}
	}
	var dumpdir []byte
	haveDumpdir := false
	sparse1 := false
	for k, v := range recs {
		var err error
		switch k {
		case "path":
			h.Name = v
		case "linkpath":
			h.Linkname = v
		case "size":
			size, err = strconv.ParseInt(v, 10, 64)
			if err == nil && size < 0 {
				err = errors.New("negative")
			}
		case "uid":
			h.Uid, err = strconv.Atoi(v)
		case "gid":
			h.Gid, err = strconv.Atoi(v)
		case "uname":
			h.Uname = v
		case "gname":
			h.Gname = v
		case "mtime":
			h.Mtime, err = parsePAXTime(v)
		case "atime":
			h.Atime, err = parsePAXTime(v)
		case "GNU.dumpdir":
			dumpdir, haveDumpdir = []byte(v), true
		case "GNU.sparse.size", "GNU.sparse.realsize":
			realsize, err = strconv.ParseInt(v, 10, 64)
		case "GNU.sparse.major":
			sparse1 = v == "1"
		case "GNU.sparse.map":
			var nums []int64
			if nums, err = parseNumberList(v, ','); err == nil {
				h.Sparse, err = pairsToSparse(nums)
			}
		}
		if err != nil {
			return fmt.Errorf("PAX record %s=%q: %v", k, v, err)
		}
	}
	if n, ok := recs["GNU.sparse.name"]; ok {
		h.Name = n
	}
	if len(paxPairs) > 0 {
		sp, err := pairsToSparse(paxPairs)
		if err != nil {
			return err
		}
		h.Sparse = sp
	}

	r.remain = size
	r.pad = -size & (blockSize - 1)
	if sparse1 {
		sp, err := r.sparseMap1(size)
		if err != nil {
			return err
		}
		h.Sparse = sp
		size = r.remain
	}
	if h.Sparse != nil || realsize >= 0 {
		if realsize < 0 {
			return errors.New("sparse member without its real size")
		}
		sp, err := checkSparse(h.Sparse, realsize, size)
		if err != nil {
			return err
		}
		h.Sparse, r.sparse = sp, sp
		h.Size = realsize
		h.Typeflag = TypeReg
	} else {
		h.Size = size
	}

	switch h.Typeflag {
	case '\x00', '7':
		h.Typeflag = TypeReg
	}
	if h.Typeflag == TypeReg && h.Sparse == nil && len(h.Name) > 0 && h.Name[len(h.Name)-1] == '/' {
		h.Typeflag = TypeDir // pre-POSIX archives mark directories with a trailing slash only
	}
	if h.Typeflag == TypeDumpdir || haveDumpdir {
		if !haveDumpdir {
			var err error
			if dumpdir, err = r.meta(size, maxDumpdir, at); err != nil {
				return err
			}
			r.remain, r.pad = 0, 0
		}
		entries, err := parseDumpdir(dumpdir)
		if err != nil {
			return err
		}
		h.Typeflag, h.Dumpdir, h.Size, r.raw = TypeDumpdir, entries, int64(len(dumpdir)), dumpdir
	}
	switch h.Typeflag {
	case TypeLink, TypeSymlink, TypeDir, TypeChar, TypeBlock, TypeFifo:
		h.Size = 0 // data of these (rare) is skipped, as tar does
	}
	return nil
}

// oldSparse reads the old GNU sparse map from the header and its extension blocks.
func (r *Reader) oldSparse(b *block) ([]SparseEntry, int64, error) {
	realsize, err := parseNumeric(b[offRealsize : offRealsize+12])
	if err != nil {
		return nil, 0, fmt.Errorf("sparse real size: %w", err)
	}
	var sp []SparseEntry
	add := func(area []byte, n int) error {
		for i := 0; i < n; i++ {
			e := area[i*24 : i*24+24]
			if e[0] == 0 {
				break
			}
			off, err1 := parseNumeric(e[:12])
			length, err2 := parseNumeric(e[12:])
			if err := errors.Join(err1, err2); err != nil {
				return fmt.Errorf("sparse map: %w", err)
			}
			if len(sp) >= maxSparse {
				return fmt.Errorf("more than %d sparse fragments", maxSparse)
			}
			sp = append(sp, SparseEntry{Offset: off, Length: length})
		}
		return nil
	}
	if err := add(b[offSparse:], sparseInHeader); err != nil {
		return nil, 0, err
	}
	for ext := b[offExtended] != 0; ext; {
		var e block
		if _, err := io.ReadFull(r.r, e[:]); err != nil {
			return nil, 0, fmt.Errorf("read sparse extension block: %w", noEOF(err))
		}
		r.offset += blockSize
		if err := add(e[:], sparseInExt); err != nil {
			return nil, 0, err
		}
		ext = e[504] != 0
	}
	return sp, realsize, nil
}

// sparseMap1 reads the GNU sparse 1.0 map from the start of the member's data: decimal numbers
// one a line, padded to a block boundary.
func (r *Reader) sparseMap1(size int64) ([]SparseEntry, error) {
	var nums []int64
	var cur []byte
	var used int64
	want := int64(-1) // numbers still expected, once the count is known
	for want != 0 {
		var b block
		if used+blockSize > size {
			return nil, errors.New("sparse 1.0 map runs past the member's data")
		}
		if _, err := io.ReadFull(r.r, b[:]); err != nil {
			return nil, fmt.Errorf("read sparse map: %w", noEOF(err))
		}
		r.offset += blockSize
		used += blockSize
		for _, c := range b {
			if want == 0 {
				break
			}
			if c != '\n' {
				if c < '0' || c > '9' || len(cur) > 19 {
					return nil, errors.New("bad sparse 1.0 map")
				}
				cur = append(cur, c)
				continue
			}
			n, err := strconv.ParseInt(string(cur), 10, 64)
			if err != nil {
				return nil, errors.New("bad sparse 1.0 map")
			}
			cur = cur[:0]
			nums = append(nums, n)
			if want < 0 {
				if n < 0 || n > maxSparse {
					return nil, errors.New("bad sparse 1.0 map count")
				}
				want = 2 * n
			} else {
				want--
			}
		}
	}
	r.remain = size - used
	r.pad = -size & (blockSize - 1)
	return parseSparseMapText(nums)
}

// meta reads a member's data whole (names, PAX records, dumpdirs), refusing more than limit
// bytes. It grows with the data actually read, so a lying size field costs nothing.
func (r *Reader) meta(size, limit, at int64) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("header at byte %d: %d bytes of metadata is more than the %d allowed", at, size, limit)
	}
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r.r, size)
	r.offset += n
	if err != nil {
		return nil, fmt.Errorf("read %d bytes of metadata at byte %d: %w", size, at, noEOF(err))
	}
	pad := -size & (blockSize - 1)
	if err := r.skip(pad); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (r *Reader) skip(n int64) error {
	for n > 0 {
		chunk := n
		if chunk > 1<<30 {
			chunk = 1 << 30
		}
		d, err := r.r.Discard(int(chunk))
		r.offset += int64(d)
		n -= int64(d)
		if err != nil {
			return noEOF(err)
		}
	}
	return nil
}

// Read reads the current member's content.
func (r *Reader) Read(p []byte) (int, error) {
	if r.hdr == nil {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	switch r.hdr.Typeflag {
	case TypeDumpdir:
		if len(r.raw) == 0 {
			return 0, io.EOF
		}
		n := copy(p, r.raw)
		r.raw = r.raw[n:]
		return n, nil
	case TypeLink, TypeSymlink, TypeDir, TypeChar, TypeBlock, TypeFifo:
		return 0, io.EOF
	}
	if r.hdr.Sparse != nil {
		return r.readSparse(p)
	}
	return r.readData(p)
}

// readSparse returns a sparse file's logical content: stored fragments, zeros elsewhere.
func (r *Reader) readSparse(p []byte) (int, error) {
	size := r.hdr.Size
	if r.pos >= size {
		return 0, io.EOF
	}
	if int64(len(p)) > size-r.pos {
		p = p[:size-r.pos]
	}
	if len(r.sparse) > 0 && r.pos >= r.sparse[0].Offset {
		f := &r.sparse[0]
		if int64(len(p)) > f.Offset+f.Length-r.pos {
			p = p[:f.Offset+f.Length-r.pos]
		}
		n, err := r.readData(p)
		r.pos += int64(n)
		if r.pos == f.Offset+f.Length {
			r.sparse = r.sparse[1:]
		}
		if err == io.EOF {
			err = r.truncated()
		}
		return n, err
	}
	hole := size - r.pos
	if len(r.sparse) > 0 {
		hole = r.sparse[0].Offset - r.pos
	}
	if int64(len(p)) > hole {
		p = p[:hole]
	}
	clear(p)
	r.pos += int64(len(p))
	return len(p), nil
}

// readData reads the member's stored bytes.
func (r *Reader) readData(p []byte) (int, error) {
	if r.remain == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.remain {
		p = p[:r.remain]
	}
	n, err := r.r.Read(p)
	r.remain -= int64(n)
	r.offset += int64(n)
	if err == io.EOF && r.remain > 0 {
		err = r.truncated()
	}
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func (r *Reader) truncated() error {
	return fmt.Errorf("archive ends inside member %s (%d bytes missing): %w", r.name, r.remain, io.ErrUnexpectedEOF)
}

// noEOF turns io.EOF inside a structure into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func trimNUL(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func parseNumberList(s string, sep byte) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	var out []int64
	for _, f := range bytes.Split([]byte(s), []byte{sep}) {
		n, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return nil, err
		}
		if len(out) >= 2*maxSparse {
			return nil, fmt.Errorf("more than %d sparse fragments", maxSparse)
		}
		out = append(out, n)
	}
	return out, nil
}

// nameOr gives a name for messages about a header that failed to parse.
func (h *Header) nameOr(b *block) string {
	if h != nil {
		return h.Name
	}
	return cString(b[offName : offName+100])
}
