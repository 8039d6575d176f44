package dump

import (
	"context"
	"io"

	"github.com/amrshell/amrshell/recover/gtar"
)

// List calls fn for every name `restore -t` lists of the dump stream r, the names Amanda's
// index of a DUMP dump holds: the top directory (""), then each entry of a dumped directory
// whose inode this dump holds, reached from the top through dumped directories; dir is set for
// the dumped directories. Paths are in the Member form ("etc/hosts"), raw, as restore prints
// them. Only the records up to the last directory are read: dump writes every directory first.
//
// A directory that cannot be read is left out with what is below it, as restore leaves out
// what it cannot reach; an error that ends the stream is returned.
func List(ctx context.Context, r io.Reader, fn func(path string, dir bool) error) error {
	x := &extractor{
		ctx:    ctx,
		w:      gtar.NewWriter(ctx, nil, gtar.Options{}), // only for Outcome: nothing is written
		rd:     NewReader(r),
		dirs:   map[uint32][]Entry{},
		bad:    map[uint32][]badEntry{},
		dirHdr: map[uint32]*Header{},
	}
	if err := x.readMaps(); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := x.rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if h.Type != TypeInode || h.Flags&flagExtAttributes != 0 {
			continue
		}
		if h.Inode.typ() != modeDir {
			break // the first file: no directory comes after it
		}
		if err := x.directory(h); err != nil {
			return err
		}
	}
	// restore -t walks the names from the top: a name whose inode is a dumped directory is
	// listed and descended into, any other name is listed when its inode was dumped.
	if !bit(x.dumped, RootIno) {
		return nil
	}
	if err := fn("", true); err != nil {
		return err
	}
	tree := walk(x.dirs, nil)
	for _, ino := range sortedKeys(tree.links) {
		if ino == RootIno || !bit(x.dumped, ino) {
			continue
		}
		_, isDir := x.dirs[ino]
		for _, l := range tree.links[ino] {
			if err := fn(l.path, isDir); err != nil {
				return err
			}
		}
	}
	return nil
}
