package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

// Member is one member of a hostile stream, written as GNU tar writes members.
type Member struct {
	Name     string
	Type     byte // '0' file, '1' hard link, '2' symbolic link, '3' char, '4' block, '5' dir, '6' fifo, 'D' dumpdir
	Linkname string
	Mode     int64 // 0: 0644, or 0755 for directories
	Uid, Gid int
	Devmajor int64
	Devminor int64
	Data     []byte // a file's content, or a dumpdir's records (see Dumpdir)
	// Size is what the header claims when it is more than len(Data): the stream then ends
	// after Data, inside the member, with no end-of-archive blocks.
	Size int64
	PAX  []string // key, value pairs of a PAX extended header before the member (NUL bytes allowed)
}

// Dumpdir returns the data of a GNU incremental directory member: records such as "Yname"
// (in the dump), "Nname" (unchanged), "Dname" (subdirectory), "R./old", "T./new" (rename).
func Dumpdir(records ...string) []byte {
	var b []byte
	for _, r := range records {
		b = append(append(b, r...), 0)
	}
	return append(b, 0)
}

// Mtime is the mtime of every member: a second before the last run of the corpus ended.
var Mtime = time.Date(2026, 11, 22, 23, 59, 59, 0, time.UTC)

const (
	blockSize  = 512
	recordSize = 20 * blockSize // GNU tar's default blocking factor
)

// Stream returns the GNU tar stream of members, padded to whole records as tar writes it.
func Stream(members []Member) []byte {
	var buf bytes.Buffer
	for _, m := range members {
		if len(m.PAX) > 0 {
			var recs []byte
			for i := 0; i+1 < len(m.PAX); i += 2 {
				recs = append(recs, paxRecord(m.PAX[i], m.PAX[i+1])...)
			}
			writeMember(&buf, header("./PaxHeaders/"+strconv.Itoa(buf.Len()), 'x', 0o644, 0, 0, int64(len(recs)), "", 0, 0), recs)
		}
		if len(m.Name) > 100 {
			writeMember(&buf, header("././@LongLink", 'L', 0o644, 0, 0, int64(len(m.Name)+1), "", 0, 0), append([]byte(m.Name), 0))
		}
		if len(m.Linkname) > 100 {
			writeMember(&buf, header("././@LongLink", 'K', 0o644, 0, 0, int64(len(m.Linkname)+1), "", 0, 0), append([]byte(m.Linkname), 0))
		}
		mode := m.Mode
		if mode == 0 {
			mode = 0o644
			if m.Type == '5' || m.Type == 'D' {
				mode = 0o755
			}
		}
		size := int64(len(m.Data))
		if m.Size > size {
			size = m.Size
		}
		hdr := header(m.Name, m.Type, mode, m.Uid, m.Gid, size, m.Linkname, m.Devmajor, m.Devminor)
		if size > int64(len(m.Data)) {
			buf.Write(hdr)
			buf.Write(m.Data)
			return buf.Bytes() // the stream ends inside the member
		}
		writeMember(&buf, hdr, m.Data)
	}
	buf.Write(make([]byte, 2*blockSize))
	buf.Write(make([]byte, -buf.Len()&(recordSize-1)))
	return buf.Bytes()
}

func writeMember(buf *bytes.Buffer, hdr, data []byte) {
	buf.Write(hdr)
	buf.Write(data)
	buf.Write(make([]byte, -len(data)&(blockSize-1)))
}

// header is a GNU header block ("ustar  \0" magic); names longer than their fields are cut,
// as GNU tar does after writing them in 'L' and 'K' members.
func header(name string, typ byte, mode int64, uid, gid int, size int64, link string, major, minor int64) []byte {
	b := make([]byte, blockSize)
	copy(b[0:100], name)
	number(b[100:108], mode)
	number(b[108:116], int64(uid))
	number(b[116:124], int64(gid))
	number(b[124:136], size)
	number(b[136:148], Mtime.Unix())
	b[156] = typ
	copy(b[157:257], link)
	copy(b[257:265], "ustar  \x00")
	copy(b[265:297], "root")
	copy(b[297:329], "root")
	number(b[329:337], major)
	number(b[337:345], minor)
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b {
		sum += int64(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// number writes n in octal, or in GNU's base-256 when it does not fit (sizes of 8 GiB and more).
func number(f []byte, n int64) {
	if s := strconv.FormatInt(n, 8); n >= 0 && len(s) < len(f) {
		copy(f, fmt.Sprintf("%0*s\x00", len(f)-1, s))
		return
	}
	clear(f)
	binary.BigEndian.PutUint64(f[len(f)-8:], uint64(n))
	f[0] |= 0x80
}

// paxRecord is "<length> key=value\n", the length counting itself.
func paxRecord(k, v string) []byte {
	rec := " " + k + "=" + v + "\n"
	n := len(rec) + 1
	for len(strconv.Itoa(n))+len(rec) != n {
		n++
	}
	return []byte(strconv.Itoa(n) + rec)
}
