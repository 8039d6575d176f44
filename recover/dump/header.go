package dump

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The record format (BSD protocols/dumprestore.h, as Linux dump 0.4b writes it).
const (
	BlockSize = 1024 // TP_BSIZE: every record, header or data, is this long
	maxAddrs  = 512  // TP_NINDIR: entries of c_addr in one header

	magicNFS  = 60012      // NFS_MAGIC: the 4.4BSD format Linux dump writes
	magicOFS  = 60011      // OFS_MAGIC: the 4.3BSD format
	magicUFS2 = 0x19540119 // FS_UFS2_MAGIC: FreeBSD's UFS2 dumps, another header layout
	checksum  = 84446      // CHECKSUM: what the 256 words of a header add up to

	// RootIno is the inode of the dumped file system's top directory (ROOTINO).
	RootIno = 2
)

// Record types (c_type).
const (
	TypeTape  = 1 // TS_TAPE: the volume header, first record of the dump
	TypeInode = 2 // TS_INODE: an inode and the first blocks of its data
	TypeBits  = 3 // TS_BITS: the map of the inodes this dump holds
	TypeAddr  = 4 // TS_ADDR: more blocks of the inode before
	TypeEnd   = 5 // TS_END: end of the dump
	TypeClri  = 6 // TS_CLRI: the map of the inodes in use when the dump was made
)

// Header flags (c_flags).
const (
	flagNewInodeFormat = 0x0002 // DR_NEWINODEFMT (on TS_TAPE): 4.4BSD inodes and directories
	flagMetaOnly       = 0x0100 // DR_METAONLY: the inode's attributes only, no data
	flagExtAttributes  = 0x8000 // DR_EXTATTRIBUTES: the record carries extended attributes
)

// Inode type bits of Inode.Mode (S_IFMT and its values).
const (
	modeType   = 0o170000
	modeFifo   = 0o010000
	modeChar   = 0o020000
	modeDir    = 0o040000
	modeBlock  = 0o060000
	modeReg    = 0o100000
	modeLink   = 0o120000
	modeSocket = 0o140000
)

// Header is one header record.
type Header struct {
	Type          int32
	Date, DDate   time.Time // when this dump and the one it is incremental to were made
	Volume        int32
	Ino           uint32 // c_inumber: the inode of TS_INODE and TS_ADDR records
	Inode         Inode  // TS_INODE: the inode's attributes
	Count         int    // c_count: entries of Addr in use (blocks of the maps)
	Addr          [maxAddrs]byte
	Label         string
	Level         int32
	Filesys, Dev  string
	Host          string
	Flags         int32
	ExtAttributes int32
}

// Inode is the part of a dumped inode restore uses (struct new_bsd_inode).
type Inode struct {
	Mode         uint32 // type and permission bits as st_mode
	Nlink        int16
	Size         uint64
	Atime, Mtime time.Time
	Uid, Gid     uint32
	Major, Minor uint32 // device number of a device node
}

// Type returns the inode's type bits (modeDir ...).
func (i *Inode) typ() uint32 { return i.Mode & modeType }

// blocks is the number of data records that follow the header: every used c_addr entry of
// an inode's records, every block of a map.
func (h *Header) blocks() int {
	switch h.Type {
	case TypeClri, TypeBits:
		return h.Count
	case TypeInode, TypeAddr:
		n := 0
		for _, a := range h.Addr[:h.Count] {
			if a != 0 {
				n++
			}
		}
		return n
	}
	return 0
}

// maxMapBlocks bounds the inode maps: 2^32 inodes, one bit each.
const maxMapBlocks = 1 << 32 / 8 / BlockSize

var (
	errNoMagic  = errors.New("no dump magic number")
	errChecksum = errors.New("bad header checksum")
)

// byteOrder tells the byte order of a dump from its first record, the volume header.
func byteOrder(rec []byte) (binary.ByteOrder, error) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		switch bo.Uint32(rec[24:]) {
		case magicNFS:
			return bo, nil
		case magicOFS:
			return nil, errors.New("an old-format (4.3BSD, magic 60011) dump: amrshell reads the 4.4BSD format only")
		case magicUFS2:
			return nil, errors.New("a UFS2 dump (FreeBSD): amrshell reads the ext2 dumps of Linux dump only")
		}
	}
	return nil, fmt.Errorf("not a dump: %w in the first record", errNoMagic)
}

// parseHeader decodes a header record, checking its magic number and checksum.
func parseHeader(rec []byte, bo binary.ByteOrder) (*Header, error) {
	if bo.Uint32(rec[24:]) != magicNFS {
		return nil, errNoMagic
	}
	var sum uint32
	for i := 0; i < BlockSize; i += 4 {
		sum += bo.Uint32(rec[i:])
	}
	if sum != checksum {
		return nil, errChecksum
	}
	u32 := func(off int) uint32 { return bo.Uint32(rec[off:]) }
	i32 := func(off int) int32 { return int32(bo.Uint32(rec[off:])) }
	h := &Header{
		Type:   i32(0),
		Date:   time.Unix(int64(i32(4)), 0),
		DDate:  time.Unix(int64(i32(8)), 0),
		Volume: i32(12),
		Ino:    u32(20),
		Inode: Inode{
			Mode:  uint32(bo.Uint16(rec[32:])),
			Nlink: int16(bo.Uint16(rec[34:])),
			Size:  bo.Uint64(rec[40:]),
			Atime: time.Unix(int64(u32(48)), int64(u32(52)%1e6)*1000),
			Mtime: time.Unix(int64(u32(56)), int64(u32(60)%1e6)*1000),
			Uid:   u32(144),
			Gid:   u32(148),
		},
		Label:         cstring(rec[676:692]),
		Level:         i32(692),
		Filesys:       cstring(rec[696:760]),
		Dev:           cstring(rec[760:824]),
		Host:          cstring(rec[824:888]),
		Flags:         i32(888),
		ExtAttributes: i32(900),
	}
	count := i32(160)
	copy(h.Addr[:], rec[164:164+maxAddrs])
	switch h.Type {
	case TypeTape, TypeEnd:
		count = 0 // they carry no data, whatever c_count says
	case TypeClri, TypeBits:
		if count < 0 || count > maxMapBlocks {
			return nil, fmt.Errorf("inode map of %d blocks: more than %d", count, maxMapBlocks)
		}
	case TypeInode, TypeAddr:
		if count < 0 || count > maxAddrs {
			return nil, fmt.Errorf("header of inode %d lists %d blocks: at most %d fit", h.Ino, count, maxAddrs)
		}
	default:
		return nil, fmt.Errorf("unknown record type %d", h.Type)
	}
	h.Count = int(count)
	h.Inode.Major, h.Inode.Minor = devNumber(u32(72), u32(76))
	return h, nil
}

// devNumber decodes a device number as ext2 stores it in the first two block pointers: the old
// 8+8-bit encoding in the first, else the new 12+20-bit one in the second.
func devNumber(db0, db1 uint32) (major, minor uint32) {
	if db0 != 0 {
		return db0 >> 8 & 0xff, db0 & 0xff
	}
	return db1 & 0xfff00 >> 8, db1&0xff | db1>>12&0xfff00
}

func cstring(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
