package dump

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// Directory entry types (d_type).
const (
	dtUnknown = 0
	dtDir     = 4
)

// Entry is one entry of a dumped directory (4.4BSD struct direct).
type Entry struct {
	Name string
	Ino  uint32
	Type uint8 // d_type: dtDir, another DT_ value, or dtUnknown when the dump does not say
}

// badEntry is an entry refused for its name.
type badEntry struct {
	Entry
	why string
}

// parseDir reads the entries of a dumped directory: records of d_ino (4 bytes), d_reclen (2),
// then d_type and d_namlen (1 each) in the 4.4BSD format, or d_namlen (2) in the old one,
// then the name. Empty slots (d_ino 0), "." and ".." are left out, and so are names that are
// empty, hold a '/' or a NUL, or come twice, which are returned apart. The entries come sorted by name.
func parseDir(data []byte, bo binary.ByteOrder, newFormat bool) ([]Entry, []badEntry, error) {
	var ents []Entry
	var bad []badEntry
	for off := 0; off+8 <= len(data); {
		ino := bo.Uint32(data[off:])
		reclen := int(bo.Uint16(data[off+4:]))
		var typ uint8
		var namlen int
		if newFormat {
			typ, namlen = data[off+6], int(data[off+7])
		} else {
			namlen = int(bo.Uint16(data[off+6:]))
		}
		if reclen < 8 || reclen%4 != 0 || reclen > len(data)-off || 8+namlen > reclen {
			return nil, nil, fmt.Errorf("corrupt directory: entry at offset %d has length %d and a name of %d bytes", off, reclen, namlen)
		}
		name := string(data[off+8 : off+8+namlen])
		off += reclen
		if ino == 0 || name == "." || name == ".." {
			continue
		}
		e := Entry{Name: name, Ino: ino, Type: typ}
		switch {
		case name == "":
			bad = append(bad, badEntry{e, "an empty name"})
		case strings.ContainsRune(name, '/'):
			bad = append(bad, badEntry{e, "a name with '/'"})
		case strings.ContainsRune(name, 0):
			bad = append(bad, badEntry{e, "a name with a NUL byte"})
		default:
			ents = append(ents, e)
		}
	}
	slices.SortStableFunc(ents, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	// One name twice would be two files at one path: the first one wins.
	out := ents[:0]
	for _, e := range ents {
		if len(out) > 0 && e.Name == out[len(out)-1].Name {
			bad = append(bad, badEntry{e, "a name listed twice"})
			continue
		}
		out = append(out, e)
	}
	return out, bad, nil
}
