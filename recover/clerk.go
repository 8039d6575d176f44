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

// Operator is asked for a volume that no changer could load, as Amanda's scan asks through
// its interactivity.
type Operator interface {
	// InsertVolume says why the volume label of storage could not be loaded and asks the
	// operator to bring it. It returns "" when the volume should be looked for again, or a
	// device or changer to read it from; or ErrSkipDump to give the dump up, or another
	// error (io.EOF, ctx's) to abort.
	InsertVolume(ctx context.Context, label, storage string, why error) (device string, err error)
}

var (
	// ErrSkipDump is the operator's answer that gives up the dump being restored.
	ErrSkipDump = errors.New("skipped at the operator's request")
	// ErrAborted is the operator's answer that ends the extract (the end of input).
	ErrAborted = errors.New("aborted by the operator")
)

// Clerk reads a dump from its copies, as Amanda's Recovery::Clerk reads one copy: it loads
// each part's volume through the storage's changer, checks the part's header against what
// the catalog expects, and hands out the parts' data as one stream.
//
// Unlike Amanda's, the clerk is given every copy of the dump, in order of preference. The
// copies hold the same bytes, cut in parts where each storage's part size said; when a part
// cannot be read (its volume is not in any changer, its header is wrong, it is truncated or a
// read fails), the clerk goes on from the same byte in another copy whose size agrees, and says
// so. When no copy can go on and the operator is there, it asks for the volume of the first
// copy that failed for want of its volume.
type Clerk struct {
	Changers ChangerFunc
	// Device opens a device or changer the operator names; nil for none.
	Device   func(spec string) (Changer, error)
	Operator Operator  // asked for volumes no changer has; nil: fail instead
	Notes    io.Writer // told when the clerk falls back to another copy; nil for none
	Progress Progress  // told of each part before its volume is loaded; nil for none
}

// Open returns the header of the first part read and a stream of the dump's data as the media
// hold it. Each part is opened, and its header checked, only when the stream reaches it: a
// volume is loaded when it is needed, as on a tape drive.
func (c *Clerk) Open(ctx context.Context, copies []*catalog.Copy) (*device.Header, *Stream, error) {
	if len(copies) == 0 {
		return nil, nil, errors.New("no copy to read")
	}
	s := &Stream{
		ctx: ctx, clerk: c, copies: copies,
		failed:  map[partKey]error{},
		devices: make([]string, len(copies)),
		used:    make([]bool, len(copies)),
	}
	h, err := s.openCurrent()
	if err != nil {
		return nil, nil, err
	}
	return h, s, nil
}

// Stream reads a dump's data from its copies; see Clerk.
type Stream struct {
	ctx     context.Context
	clerk   *Clerk
	copies  []*catalog.Copy
	failed  map[partKey]error // why parts of copies could not be read
	devices []string          // the device the operator named for each copy, "" for its changer
	used    []bool            // which copies data came from

	ci     int           // the copy being read
	pi     int           // index in its Parts of the current (or next) part
	skip   int64         // bytes to pass over at the start of that part (after a fall-back)
	cur    io.ReadCloser // data of the current part; nil between parts
	where  string        // the current part's place, for errors
	left   int64         // bytes the catalog says are still to come in cur; -1 if unknown
	offset int64         // bytes of the dump handed out so far
	err    error         // the error that ended the stream, but io.EOF
}

// Copy returns the copy being read.
func (s *Stream) Copy() *catalog.Copy { return s.copies[s.ci] }

// Used returns the copies that data came from.
func (s *Stream) Used() []*catalog.Copy {
	var out []*catalog.Copy
	for i, u := range s.used {
		if u {
			out = append(out, s.copies[i])
		}
	}
	return out
}

// Where names the part being read: "volume 'L' file N" or "holding file 'P'".
func (s *Stream) Where() string { return s.where }

func (s *Stream) Read(p []byte) (n int, err error) {
	defer func() {
		if err != nil && err != io.EOF {
			s.err = err
		}
	}()
	for {
		if s.cur == nil {
			if s.pi >= len(s.copies[s.ci].Parts) {
				return 0, io.EOF
			}
			if _, err := s.openCurrent(); err != nil {
				return 0, err
			}
		}
		if s.left == 0 {
			// The part's recorded end: a tape pads its last block with NULs past it.
			s.closePart()
			s.pi++
			continue
		}
		buf := p
		if s.left > 0 && int64(len(buf)) > s.left {
			buf = buf[:s.left]
		}
		n, err := s.cur.Read(buf)
		s.offset += int64(n)
		if s.left >= 0 {
			s.left -= int64(n)
		}
		if err == io.EOF && s.left > 0 {
			err = fmt.Errorf("part is truncated: %d bytes missing", s.left)
		}
		if err == io.EOF {
			s.closePart()
			s.pi++
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			s.closePart()
			if ferr := s.fallBack(fmt.Errorf("read %s: %w", s.where, err)); ferr != nil {
				return n, ferr
			}
		}
		if n > 0 || err == nil {
			return n, nil
		}
	}
}

func (s *Stream) Close() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.Close()
	s.cur = nil
	return err
}

func (s *Stream) closePart() {
	s.cur.Close()
	s.cur = nil
}

// openCurrent opens the current part, falling back to other copies, and to the operator,
// until one opens or every way has failed.
func (s *Stream) openCurrent() (*device.Header, error) {
	for {
		h, err := s.openPart()
		if err == nil {
			return h, nil
		}
		if s.ctx.Err() != nil {
			return nil, err
		}
		if err := s.fallBack(err); err != nil {
			return nil, err
		}
	}
}

// openPart opens part pi of copy ci, checks its header, passes over skip bytes of its data and
// makes it the current part.
func (s *Stream) openPart() (*device.Header, error) {
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	cp := s.copies[s.ci]
	part := cp.Parts[s.pi]
	if s.clerk.Progress != nil {
		s.clerk.Progress.Part(part, s.pi+1, len(cp.Parts))
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
		s.left = part.Bytes - s.skip
	}
	if s.skip > 0 {
		if _, err := io.CopyN(io.Discard, data, s.skip); err != nil {
			data.Close()
			return nil, fmt.Errorf("read %s up to byte %d: %w", s.where, s.skip, err)
		}
		s.skip = 0
	}
	s.cur = newReadAhead(data)
	s.used[s.ci] = true
	return h, nil
}

func (s *Stream) openHolding(part catalog.Part) (*device.Header, io.ReadCloser, int64, error) {
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

// volumeError is a volume that could not be loaded: the operator may bring it.
type volumeError struct {
	label, storage string
	err            error
}

func (e *volumeError) Error() string { return fmt.Sprintf("load volume '%s': %v", e.label, e.err) }
func (e *volumeError) Unwrap() error { return e.err }

func (s *Stream) openOnVolume(part catalog.Part) (*device.Header, io.ReadCloser, int64, error) {
	cp := s.copies[s.ci]
	var (
		changer Changer
		err     error
	)
	if spec := s.devices[s.ci]; spec != "" {
		if changer, err = s.clerk.Device(spec); err != nil {
			return nil, nil, 0, &volumeError{part.Label, cp.Storage, fmt.Errorf("open device %s named for volume '%s': %w", spec, part.Label, err)}
		}
	} else if changer, err = s.clerk.Changers(s.ctx, cp.Storage); err != nil {
		return nil, nil, 0, &volumeError{part.Label, cp.Storage, fmt.Errorf("find the changer of storage %s: %w", cp.Storage, err)}
	}
	vol, err := changer.Load(s.ctx, part.Label)
	if err != nil {
		return nil, nil, 0, &volumeError{part.Label, cp.Storage, err}
	}
	if vol.Label != part.Label {
		return nil, nil, 0, &volumeError{part.Label, cp.Storage,
			fmt.Errorf("expected volume label '%s', but found volume label '%s'", part.Label, vol.Label)}
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

// partKey is a part of a copy: indexes in Stream.copies and in the copy's Parts.
type partKey struct{ copy, part int }

// fallBack gives up the current part for why, and makes the same byte in another copy the
// place to go on from; when no copy can go on, it asks the operator, if there is one, for a
// volume that was missing. It returns an error when there is no way on.
func (s *Stream) fallBack(why error) error {
	s.failed[partKey{s.ci, s.pi}] = why
	size := mediaBytes(s.copies[s.ci])
	for i, cp := range s.copies {
		pi, skip, ok := locate(cp, s.offset, size)
		if !ok || s.failed[partKey{i, pi}] != nil {
			continue
		}
		s.notef("amrshell: the %s failed: %v\n", describeCopy(s.copies[s.ci]), why)
		s.ci, s.pi, s.skip = i, pi, skip
		s.notef("amrshell: reading %s from the %s instead%s\n", describe(cp), describeCopy(s.copies[i]), s.fromWhere(pi))
		return nil
	}
	if s.clerk.Operator != nil {
		if len(s.copies) > 1 {
			s.notef("amrshell: the %s failed: %v\n", describeCopy(s.copies[s.ci]), why)
		}
		for i := range s.copies {
			pi, skip, ok := locate(s.copies[i], s.offset, size)
			var ve *volumeError
			if !ok || !errors.As(s.failed[partKey{i, pi}], &ve) {
				continue
			}
			dev, err := s.clerk.Operator.InsertVolume(s.ctx, ve.label, ve.storage, ve.err)
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = ErrAborted
				}
				return fmt.Errorf("%v: %w", ve, err)
			}
			if dev != "" && s.clerk.Device == nil {
				return fmt.Errorf("cannot read from device %s", dev)
			}
			delete(s.failed, partKey{i, pi})
			s.devices[i] = dev
			s.ci, s.pi, s.skip = i, pi, skip
			return nil
		}
	}
	return s.noWayOn(size, why)
}

// noWayOn says why no copy could go on from the current byte; last is the last failure.
func (s *Stream) noWayOn(size int64, last error) error {
	if len(s.copies) == 1 {
		return last
	}
	var why []string
	for i, cp := range s.copies {
		pi, _, ok := locate(cp, s.offset, size)
		switch {
		case !ok:
			why = append(why, fmt.Sprintf("%s: its size differs from the other copies'", describeCopy(s.copies[i])))
		case s.failed[partKey{i, pi}] != nil:
			why = append(why, fmt.Sprintf("%s: %v", describeCopy(s.copies[i]), s.failed[partKey{i, pi}]))
		}
	}
	return fmt.Errorf("no copy of %s can be read: %s", describe(s.copies[0]), strings.Join(why, "; "))
}

// describeCopy names a copy by its storage and volumes: "copy in storage vault (Vault1-01)".
func describeCopy(cp *catalog.Copy) string {
	if len(cp.Parts) > 0 && cp.Parts[0].HoldingPath != "" {
		return fmt.Sprintf("copy on the holding disk (%s)", cp.Parts[0].HoldingPath)
	}
	var labels []string
	for _, p := range cp.Parts {
		if len(labels) == 0 || labels[len(labels)-1] != p.Label {
			labels = append(labels, p.Label)
		}
	}
	return fmt.Sprintf("copy in storage %s (%s)", cp.Storage, strings.Join(labels, ", "))
}

// fromWhere says where a fall-back goes on, when it is not the start of the dump.
func (s *Stream) fromWhere(pi int) string {
	if s.offset == 0 {
		return ""
	}
	return fmt.Sprintf(", from byte %d (part %d)", s.offset, s.copies[s.ci].Parts[pi].Num)
}

func (s *Stream) notef(format string, args ...any) {
	if s.clerk.Notes != nil {
		fmt.Fprintf(s.clerk.Notes, format, args...)
	}
}

// locate finds the part of cp that holds byte offset of the dump, and how far into that part
// it is. Past the start, the copy must be as long as the one it replaces (size, 0 when
// unknown) and the size of each of its parts known: copies of a dump hold the same bytes, and a
// copy of another length is not the same dump.
func locate(cp *catalog.Copy, offset, size int64) (part int, skip int64, ok bool) {
	if len(cp.Parts) == 0 {
		return 0, 0, false
	}
	if offset == 0 {
		return 0, 0, true
	}
	if size == 0 || mediaBytes(cp) != size {
		return 0, 0, false
	}
	for i, p := range cp.Parts {
		if offset < p.Bytes {
			return i, offset, true
		}
		offset -= p.Bytes
	}
	return len(cp.Parts), 0, offset == 0
}

// check compares a part's header with what the catalog expects of it, as Amanda's Clerk does
// before it reads a byte of data.
func (s *Stream) check(h *device.Header, part catalog.Part) error {
	cp := s.copies[s.ci]
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
