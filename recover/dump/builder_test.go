package dump

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// A builder writes small dump streams the way Linux dump lays them out (volume header, map of
// inodes in use, map of inodes dumped, directories, other inodes, end record), for the cases the
// corpus lacks: renames, hard links, special files, hostile names and sizes.
type builder struct {
	date   int32
	level  int32
	used   []uint32
	dirs   map[uint32]fakeDir
	files  map[uint32]fakeFile
	header func(rec []byte) // changes each header before its checksum (hostile tests); may be nil
}

type fakeDir struct {
	mode    uint32 // permission bits
	mtime   int64
	entries []Entry
}

type fakeFile struct {
	mode  uint32 // with the type bits
	mtime int64
	data  []byte // content, or symlink target
	holes bool   // write all-zero blocks as holes
	size  int64  // the inode's size when not len(data)
}

func newBuilder(date, level int32) *builder {
	return &builder{date: date, level: level, dirs: map[uint32]fakeDir{}, files: map[uint32]fakeFile{}}
}

func (b *builder) dir(ino uint32, mtime int64, entries ...Entry) *builder {
	b.dirs[ino] = fakeDir{0o755, mtime, entries}
	b.used = append(b.used, ino)
	return b
}

func (b *builder) file(ino uint32, mode uint32, mtime int64, data string) *builder {
	b.files[ino] = fakeFile{mode: mode, mtime: mtime, data: []byte(data)}
	b.used = append(b.used, ino)
	return b
}

// keep marks inodes in use but not dumped (unchanged since the level before).
func (b *builder) keep(inos ...uint32) *builder {
	b.used = append(b.used, inos...)
	return b
}

func dirEnt(name string, ino uint32) Entry  { return Entry{Name: name, Ino: ino, Type: dtDir} }
func fileEnt(name string, ino uint32) Entry { return Entry{Name: name, Ino: ino, Type: 8} }

func (b *builder) bytes() []byte {
	var out bytes.Buffer
	rec := func(typ int32, ino uint32, fill func(r []byte)) {
		r := make([]byte, BlockSize)
		le := binary.LittleEndian
		le.PutUint32(r[0:], uint32(typ))
		le.PutUint32(r[4:], uint32(b.date))
		le.PutUint32(r[12:], 1)
		le.PutUint32(r[20:], ino)
		le.PutUint32(r[24:], magicNFS)
		le.PutUint32(r[692:], uint32(b.level))
		le.PutUint32(r[888:], flagNewInodeFormat|1)
		if fill != nil {
			fill(r)
		}
		if b.header != nil {
			b.header(r)
		}
		var sum uint32
		for i := 0; i < BlockSize; i += 4 {
			sum += le.Uint32(r[i:])
		}
		le.PutUint32(r[28:], checksum-sum)
		out.Write(r)
	}
	le := binary.LittleEndian
	inode := func(r []byte, mode uint32, size uint64, mtime int64) {
		le.PutUint16(r[32:], uint16(mode))
		le.PutUint16(r[34:], 1)
		le.PutUint64(r[40:], size)
		le.PutUint32(r[48:], uint32(mtime))
		le.PutUint32(r[56:], uint32(mtime))
	}
	maxIno := uint32(64)
	for _, i := range b.used {
		maxIno = max(maxIno, i)
	}
	bitmap := func(inos []uint32) []byte {
		m := make([]byte, (maxIno/8/BlockSize+1)*BlockSize)
		for _, i := range inos {
			m[(i-1)/8] |= 1 << ((i - 1) % 8)
		}
		return m
	}
	var dumped []uint32
	for i := range b.dirs {
		dumped = append(dumped, i)
	}
	for i := range b.files {
		dumped = append(dumped, i)
	}
	rec(TypeTape, 0, nil)
	for _, m := range []struct {
		typ int32
		bm  []byte
	}{{TypeClri, bitmap(b.used)}, {TypeBits, bitmap(dumped)}} {
		rec(m.typ, 0, func(r []byte) {
			le.PutUint64(r[40:], uint64(len(m.bm)))
			le.PutUint32(r[160:], uint32(len(m.bm)/BlockSize))
		})
		out.Write(m.bm)
	}
	// data writes an inode's blocks: 512 per header, then TS_ADDR headers.
	data := func(ino uint32, fillInode func(r []byte), content []byte, holes bool) {
		var blocks [][]byte
		for off := 0; off < len(content); off += BlockSize {
			blk := make([]byte, BlockSize)
			copy(blk, content[off:])
			blocks = append(blocks, blk)
		}
		typ := int32(TypeInode)
		for first := true; first || len(blocks) > 0; first = false {
			n := min(len(blocks), maxAddrs)
			chunk := blocks[:n]
			blocks = blocks[n:]
			rec(typ, ino, func(r []byte) {
				fillInode(r)
				le.PutUint32(r[160:], uint32(n))
				for i, blk := range chunk {
					if !holes || !allZero(blk) {
						r[164+i] = 1
					}
				}
			})
			for _, blk := range chunk {
				if !holes || !allZero(blk) {
					out.Write(blk)
				}
			}
			typ = TypeAddr
		}
	}
	for _, ino := range sortedKeys(b.dirs) {
		d := b.dirs[ino]
		content := encodeDir(d.entries)
		data(ino, func(r []byte) { inode(r, modeDir|d.mode, uint64(len(content)), d.mtime) }, content, false)
	}
	for _, ino := range sortedKeys(b.files) {
		f := b.files[ino]
		size := int64(len(f.data))
		if f.size != 0 {
			size = f.size
		}
		data(ino, func(r []byte) { inode(r, f.mode, uint64(size), f.mtime) }, f.data, f.holes)
	}
	rec(TypeEnd, 0, nil)
	return out.Bytes()
}

// encodeDir writes entries as dump does: 4.4BSD records in 1024-byte blocks, the last record of
// each block stretched to its end.
func encodeDir(entries []Entry) []byte {
	var out []byte
	var last int
	for _, e := range entries {
		n := (8 + len(e.Name) + 1 + 3) &^ 3
		if len(out)/BlockSize != (len(out)+n-1)/BlockSize {
			pad := BlockSize - len(out)%BlockSize
			binary.LittleEndian.PutUint16(out[last+4:], binary.LittleEndian.Uint16(out[last+4:])+uint16(pad))
			out = append(out, make([]byte, pad)...)
		}
		last = len(out)
		r := make([]byte, n)
		binary.LittleEndian.PutUint32(r, e.Ino)
		binary.LittleEndian.PutUint16(r[4:], uint16(n))
		r[6], r[7] = e.Type, byte(len(e.Name))
		copy(r[8:], e.Name)
		out = append(out, r...)
	}
	if pad := (BlockSize - len(out)%BlockSize) % BlockSize; pad > 0 && len(out) > 0 {
		binary.LittleEndian.PutUint16(out[last+4:], binary.LittleEndian.Uint16(out[last+4:])+uint16(pad))
		out = append(out, make([]byte, pad)...)
	}
	return out
}

func allZero(b []byte) bool { return !slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) }
