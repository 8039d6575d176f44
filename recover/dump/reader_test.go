package dump

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

// TestReaderCorpus reads the corpus' level 0 record by record: the volume header, the two
// maps, the directories, then the other inodes, and the end.
func TestReaderCorpus(t *testing.T) {
	rd := NewReader(bytes.NewReader(image(t, level0)))
	vol, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if vol.Type != TypeTape || vol.Level != 0 || vol.Host != "vm" || vol.Dev != "/dev/loop0" || vol.Flags&flagNewInodeFormat == 0 {
		t.Errorf("volume header %+v", vol)
	}
	var types []int32
	dirs, files, links := 0, 0, 0
	for {
		h, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.Date.Equal(vol.Date) {
			t.Errorf("inode %d: date %v, the volume's %v", h.Ino, h.Date, vol.Date)
		}
		types = append(types, h.Type)
		var data []byte
		for {
			b, hole, err := rd.ReadBlock()
			if err == io.EOF {
				break
			}
			if err != nil || hole {
				t.Fatalf("inode %d: hole %v, %v", h.Ino, hole, err)
			}
			data = append(data, b...)
		}
		switch {
		case h.Type != TypeInode:
		case h.Inode.typ() == modeDir:
			dirs++
			if _, bad, err := parseDir(data, binary.LittleEndian, true); err != nil || len(bad) > 0 {
				t.Errorf("directory inode %d: %v %v", h.Ino, bad, err)
			}
		case h.Inode.typ() == modeLink:
			links++
			if string(data) != "/proc/self/mounts" {
				t.Errorf("symbolic link inode %d: target %q", h.Ino, data)
			}
		default:
			files++
			if uint64(len(data)) != h.Inode.Size {
				t.Errorf("inode %d: %d bytes of data, size %d", h.Ino, len(data), h.Inode.Size)
			}
		}
	}
	// ext2vol as of run 1: 9 directories (the top one too), 37 files, 1 symbolic link.
	if types[0] != TypeClri || types[1] != TypeBits || dirs != 9 || files != 37 || links != 1 {
		t.Errorf("records %v...: %d directories, %d files, %d links", types[:2], dirs, files, links)
	}
	if _, err := rd.Next(); err != io.EOF {
		t.Errorf("after the end: %v, want io.EOF", err)
	}
}

// FuzzReader reads arbitrary streams through Reader and parseDir: no panic, blocks never
// longer than BlockSize, and the reading ends. The real images are cut after their first
// directory and inputs kept under 32 records: Go's fuzzer crawls on inputs of tens of KiB.
func FuzzReader(f *testing.F) {
	const maxInput = 32 * BlockSize
	f.Add(image(f, level0)[:8*BlockSize])
	f.Add(image(f, level1)[:8*BlockSize])
	f.Add(renameLevel0())
	f.Add(renameLevel1())
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > maxInput {
			return
		}
		rd := NewReader(bytes.NewReader(data))
		// One budget of blocks for the whole input: holes cost no input, so a few records can
		// claim billions of blocks, and each execution must stay short.
		budget := 1 << 16
		for budget > 0 {
			h, err := rd.Next()
			if err != nil {
				return
			}
			var dir []byte
			for ; budget > 0; budget-- {
				b, _, err := rd.ReadBlock()
				if err != nil {
					break
				}
				if len(b) > BlockSize {
					t.Fatalf("block of %d bytes", len(b))
				}
				if h.Type == TypeInode && h.Inode.typ() == modeDir && len(dir) < 1<<20 {
					dir = append(dir, b...)
				}
			}
			if dir != nil {
				ents, _, _ := parseDir(dir, binary.LittleEndian, true)
				for _, e := range ents {
					if e.Name == "" || e.Name == "." || e.Name == ".." || bytes.ContainsAny([]byte(e.Name), "/\x00") {
						t.Fatalf("parseDir let %q through", e.Name)
					}
				}
			}
		}
	})
}
