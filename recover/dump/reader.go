package dump

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrShort is the error of an inode whose data ends before its size: the records that should
// hold the rest are missing. The stream goes on with the next header.
var ErrShort = errors.New("the dump holds less data than the inode's size")

// Reader reads a dump stream record by record: Next returns each header but the continuation
// ones (TS_ADDR), ReadBlock the data of the last one, block by block, holes included.
type Reader struct {
	br      *bufio.Reader
	bo      binary.ByteOrder
	rec     []byte
	zero    []byte
	vol     *Header // the volume header, once read
	pending *Header // a header read while looking for more data of the one before
	end     bool    // TS_END was read

	cur  *Header // the header whose data ReadBlock returns; nil when none
	last *Header // cur or its latest TS_ADDR
	idx  int     // next entry of last.Addr (of last.Count blocks for maps)
	left int64   // bytes of an inode's data not yet returned

	records int64 // records read
}

// NewReader reads the dump stream r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), rec: make([]byte, BlockSize), zero: make([]byte, BlockSize)}
}

// Next returns the next header: the volume header (TS_TAPE) first, then the inode maps
// (TS_CLRI, TS_BITS) and the inodes (TS_INODE), skipping what was not read of the data of the
// one before. After the end record it returns io.EOF. A stream that ends before its end record
// gives io.ErrUnexpectedEOF.
func (r *Reader) Next() (*Header, error) {
	if r.vol == nil {
		return r.volume()
	}
	if r.end {
		return nil, io.EOF
	}
	if err := r.skip(); err != nil {
		return nil, err
	}
	for {
		h := r.pending
		r.pending = nil
		if h == nil {
			var err error
			if h, err = r.header(); err != nil {
				return nil, err
			}
		}
		switch h.Type {
		case TypeAddr:
			// Continuation of data nobody asked for: skip it, as restore's findinode does.
			r.cur, r.last, r.idx = h, h, 0
			if err := r.skip(); err != nil {
				return nil, err
			}
			continue
		case TypeTape:
			return nil, fmt.Errorf("record %d: a second volume header: multi-volume dumps are not supported", r.records)
		case TypeEnd:
			r.end = true
			return nil, io.EOF
		}
		r.cur, r.last, r.idx, r.left = h, h, 0, int64(h.Inode.Size)
		return h, nil
	}
}

func (r *Reader) volume() (*Header, error) {
	if err := r.read(); err != nil {
		return nil, err
	}
	bo, err := byteOrder(r.rec)
	if err != nil {
		return nil, err
	}
	r.bo = bo
	h, err := parseHeader(r.rec, bo)
	if err != nil {
		return nil, fmt.Errorf("volume header: %w", err)
	}
	if h.Type != TypeTape {
		return nil, fmt.Errorf("not a dump: the first record is of type %d, not a volume header", h.Type)
	}
	if h.Volume != 1 {
		return nil, fmt.Errorf("volume %d of a dump: amrshell reads whole dumps, which start with volume 1", h.Volume)
	}
	r.vol = h
	return h, nil
}

// header reads one header record of this dump.
func (r *Reader) header() (*Header, error) {
	if err := r.read(); err != nil {
		return nil, err
	}
	h, err := parseHeader(r.rec, r.bo)
	if err != nil {
		return nil, fmt.Errorf("record %d: %w", r.records, err)
	}
	if !h.Date.Equal(r.vol.Date) {
		return nil, fmt.Errorf("record %d: a header of another dump (made %s; this one %s)", r.records,
			h.Date.UTC().Format("2006-01-02 15:04:05"), r.vol.Date.UTC().Format("2006-01-02 15:04:05"))
	}
	return h, nil
}

func (r *Reader) read() error {
	if _, err := io.ReadFull(r.br, r.rec); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("after record %d, the dump ends before its end record: %w", r.records, io.ErrUnexpectedEOF)
		}
		return err
	}
	r.records++
	return nil
}

// skip reads past the data records left in the last header.
func (r *Reader) skip() error {
	if r.last == nil {
		return nil
	}
	for ; r.idx < r.last.Count; r.idx++ {
		if stored(r.last, r.idx) {
			if err := r.read(); err != nil {
				return err
			}
		}
	}
	r.cur, r.last = nil, nil
	return nil
}

// isMap tells the headers of the inode maps, whose c_count blocks all follow them.
func isMap(h *Header) bool { return h.Type == TypeClri || h.Type == TypeBits }

// stored tells whether entry i of h's blocks is on the dump (else a hole).
func stored(h *Header, i int) bool { return isMap(h) || h.Addr[i] != 0 }

// ReadBlock returns the next block of the current header's data: BlockSize bytes, or fewer at
// the end of an inode's size. hole is true for a block that the inode does not store (the
// bytes are zeros then). The slice is valid until the next call. At the end of the data it
// returns io.EOF, or ErrShort (wrapped) when an inode's data ends before its size.
func (r *Reader) ReadBlock() (b []byte, hole bool, err error) {
	if r.cur == nil {
		return nil, false, io.EOF
	}
	for {
		inMap := isMap(r.cur)
		if !inMap && r.left <= 0 {
			if err := r.skip(); err != nil {
				return nil, false, err
			}
			return nil, false, io.EOF
		}
		if r.idx < r.last.Count {
			data := stored(r.last, r.idx)
			r.idx++
			n := int64(BlockSize)
			if !inMap {
				n = min(n, r.left)
				r.left -= BlockSize
			}
			if !data {
				return r.zero[:n], true, nil
			}
			if err := r.read(); err != nil {
				return nil, false, err
			}
			return r.rec[:n], false, nil
		}
		// The header's blocks are used up: more come in a TS_ADDR header of the same inode.
		h, err := r.header()
		if err != nil {
			return nil, false, err
		}
		if h.Type != TypeAddr || (!inMap && h.Ino != r.cur.Ino) {
			r.pending = h
			cur := r.cur
			r.cur, r.last = nil, nil
			if inMap {
				return nil, false, io.EOF
			}
			return nil, false, fmt.Errorf("inode %d: %w (%d of %d bytes missing)", cur.Ino, ErrShort, r.left, cur.Inode.Size)
		}
		r.last, r.idx = h, 0
	}
}
