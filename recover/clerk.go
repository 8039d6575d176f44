package recover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/device"
)

// Changer loads a volume by its label. device.ChgDisk is one.
type Changer interface {
	Load(ctx context.Context, label string) (*device.Volume, error)
}

// ChangerFunc finds the changer of a storage (the catalog records which changer each storage
// writes to).
type ChangerFunc func(ctx context.Context, storage string) (Changer, error)

// Clerk reads the parts of a copy, as Amanda's Recovery::Clerk: it loads each part's volume
// through the storage's changer, checks the part's header against what the catalog expects,
// and hands out the parts' data as one stream.
type Clerk struct {
	Changers ChangerFunc
	Progress Progress // told of each part before its volume is loaded; nil for none
}

// Open returns the header of the copy's first part and a reader of all its parts' data,
// concatenated in part order. Each part is opened, and its header checked, only when the stream
// reaches it: a volume is loaded when it is needed, as on a tape drive.
func (c *Clerk) Open(ctx context.Context, cp *catalog.Copy) (*device.Header, io.ReadCloser, error) {
	if len(cp.Parts) == 0 {
		return nil, nil, fmt.Errorf("%s:%s level %d of %s has no parts in the catalog", cp.Host, cp.Disk, cp.Level, cp.Datestamp)
	}
	s := &partStream{ctx: ctx, clerk: c, copy: cp}
	h, err := s.open(0)
	if err != nil {
		return nil, nil, err
	}
	return h, s, nil
}

// partStream reads the parts of one copy in order.
type partStream struct {
	ctx   context.Context
	clerk *Clerk
	copy  *catalog.Copy
	next  int           // index in copy.Parts of the part after cur
	cur   io.ReadCloser // data of the current part
	where string        // the current part's place, for errors
	left  int64         // bytes the catalog says are still to come in cur; -1 if unknown
}

func (s *partStream) Read(p []byte) (int, error) {
	for {
		if s.cur == nil {
			if s.next >= len(s.copy.Parts) {
				return 0, io.EOF
			}
			if _, err := s.open(s.next); err != nil {
				return 0, err
			}
		}
		n, err := s.cur.Read(p)
		if s.left >= 0 {
			s.left -= int64(n)
		}
		if err == io.EOF {
			if s.left > 0 {
				return n, fmt.Errorf("read %s: part is truncated: %d bytes missing", s.where, s.left)
			}
			s.cur.Close()
			s.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			return n, fmt.Errorf("read %s: %w", s.where, err)
		}
		return n, nil
	}
}

func (s *partStream) Close() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	s.cur = nil
	return err
}

// open opens part i, checks its header and makes it the current part.
func (s *partStream) open(i int) (*device.Header, error) {
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	part := s.copy.Parts[i]
	if s.clerk.Progress != nil {
		s.clerk.Progress.Part(part, i+1, len(s.copy.Parts))
	}
	var (
		h    *device.Header
		data io.ReadCloser
		size int64
		err  error
	)
	if part.HoldingPath != "" {
		s.where = fmt.Sprintf("holding file '%s'", part.HoldingPath)
		h, data, size, err = s.openHolding(part)
	} else {
		s.where = fmt.Sprintf("volume '%s' file %d", part.Label, part.Filenum)
		h, data, size, err = s.openOnVolume(part)
	}
	if err != nil {
		return nil, err
	}
	if err := s.check(h, part); err != nil {
		data.Close()
		return nil, err
	}
	s.left = -1
	if part.Bytes > 0 {
		if size >= 0 && size < part.Bytes {
			data.Close()
			return nil, fmt.Errorf("%s is truncated: %d bytes of data, the catalog recorded %d", s.where, size, part.Bytes)
		}
		s.left = part.Bytes
	}
	s.cur, s.next = data, i+1
	return h, nil
}

func (s *partStream) openHolding(part catalog.Part) (*device.Header, io.ReadCloser, int64, error) {
	hf, err := device.OpenHolding(part.HoldingPath)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("open %s: %w", s.where, err)
	}
	data, err := hf.Open()
	if err != nil {
		return nil, nil, 0, fmt.Errorf("open %s: %w", s.where, err)
	}
	return hf.Header, data, hf.Size, nil
}

func (s *partStream) openOnVolume(part catalog.Part) (*device.Header, io.ReadCloser, int64, error) {
	changer, err := s.clerk.Changers(s.ctx, s.copy.Storage)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("find the changer of storage %s for volume '%s': %w", s.copy.Storage, part.Label, err)
	}
	vol, err := changer.Load(s.ctx, part.Label)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("load volume '%s': %w", part.Label, err)
	}
	if vol.Label != part.Label {
		return nil, nil, 0, fmt.Errorf("expected volume label '%s', but found volume label '%s'", part.Label, vol.Label)
	}
	f, err := vol.OpenFile(part.Filenum)
	if err != nil {
		return nil, nil, 0, err // it names the volume, the file and its path
	}
	if f.Number != part.Filenum {
		f.Close()
		return nil, nil, 0, fmt.Errorf("%s not found (the next file on the volume is %d)", s.where, f.Number)
	}
	return f.Header, f, f.Size, nil
}

// check compares a part's header with what the catalog expects of it, as Amanda's Clerk does
// before it reads a byte of data.
func (s *partStream) check(h *device.Header, part catalog.Part) error {
	cp := s.copy
	var bad []string
	if !h.IsDump() {
		bad = append(bad, fmt.Sprintf("not a dump file (%s)", h.Summary()))
	} else {
		if !strings.EqualFold(h.Host, cp.Host) {
			bad = append(bad, fmt.Sprintf("got hostname '%s'; expected '%s'", h.Host, cp.Host))
		}
		if h.Disk != cp.Disk {
			bad = append(bad, fmt.Sprintf("got disk '%s'; expected '%s'", h.Disk, cp.Disk))
		}
		if padStamp(h.Datestamp) != padStamp(cp.Datestamp) {
			bad = append(bad, fmt.Sprintf("got datestamp '%s'; expected '%s'", h.Datestamp, cp.Datestamp))
		}
		if h.Level != cp.Level {
			bad = append(bad, fmt.Sprintf("got dump level '%d'; expected '%d'", h.Level, cp.Level))
		}
		if part.HoldingPath == "" && h.PartNum != part.Num {
			bad = append(bad, fmt.Sprintf("got part '%d'; expected '%d'", h.PartNum, part.Num))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("header on %s does not match expectations: %s", s.where, strings.Join(bad, "; "))
	}
	return nil
}

// padStamp pads 8-digit datestamps of old dumps to 14 digits before comparing, as Amanda does.
func padStamp(ts string) string {
	if len(ts) == 8 {
		return ts + "000000"
	}
	return ts
}

// errNoChanger is returned for a storage the catalog knows no changer of.
var errNoChanger = errors.New("no changer configured")
