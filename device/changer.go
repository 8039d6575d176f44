package device

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// Changer loads a volume by its label.
type Changer interface {
	Load(ctx context.Context, label string) (*Volume, error)
}

var (
	_ Changer = (*ChgDisk)(nil)
	_ Changer = (*Single)(nil)
)

// ErrWrongVolume is returned (wrapped) by a single-drive changer whose drive holds another
// volume than the one asked for, an unlabeled one, or none: the operator is to insert the
// right one, and Load again.
var ErrWrongVolume = errors.New("wrong volume in the drive")

// wrongVolumeError says which volume is in the drive instead; it is ErrWrongVolume.
type wrongVolumeError struct {
	msg   string
	cause error // why the volume in the drive could not be read, if that is why
}

func (e *wrongVolumeError) Error() string        { return e.msg }
func (e *wrongVolumeError) Unwrap() error        { return e.cause }
func (e *wrongVolumeError) Is(target error) bool { return target == ErrWrongVolume }

// readers lists what OpenChanger reads, for its errors.
const readers = "chg-disk:DIR, file:DIR, tape:DEVICE, chg-single:file:DIR, chg-single:tape:DEVICE, " +
	"or the path of a chg-disk directory, a vtape directory or a tape device"

// OpenChanger opens the changer or device a spec names, as amrecover's -d, amfetchdump's -d
// and amanda.conf's tpchanger and tapedev name them:
//
//	chg-disk:DIR                           a chg-disk changer (OpenChgDisk)
//	file:DIR, chg-single:file:DIR          the vfs volume in DIR (its data subdirectory if any)
//	tape:DEV, chg-single:tape:DEV          the tape in drive DEV
//	chg-single:DEV                         the same: a device name without a kind is a tape
//	DIR                                    chg-disk if DIR has slotN subdirectories, else file:
//	DEV                                    a character device is a tape drive
//
// Other changers (chg-robot, chg-multi, chg-ndmp, ...) and devices (s3:, ndmp:, ...) are refused.
func OpenChanger(spec string) (Changer, error) {
	if spec == "" {
		return nil, fmt.Errorf("no changer or device given: amrshell reads %s", readers)
	}
	if !strings.Contains(spec, ":") {
		return openPath(spec)
	}
	kind, arg := ParseChangerSpec(spec)
	switch kind {
	case "chg-disk":
		return OpenChgDisk(arg)
	case "chg-single":
		kind, arg = ParseChangerSpec(arg)
		if kind != "file" && kind != "tape" {
			return nil, fmt.Errorf("changer %q: amrshell reads chg-single over a file: or tape: device, not %s; it reads %s", spec, kind, readers)
		}
	}
	switch kind {
	case "file":
		return openSingleFile(arg)
	case "tape":
		return openSingleTape(arg)
	}
	return nil, fmt.Errorf("changer %q: amrshell does not read %s changers or devices; it reads %s", spec, kind, readers)
}

// openPath opens the changer a bare path names, by what is there.
func openPath(path string) (Changer, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open changer: %w", err)
	}
	switch {
	case fi.IsDir():
		chg := &ChgDisk{Dir: path}
		if slots, err := chg.slots(); err == nil && len(slots) > 0 {
			return chg, nil
		}
		return openSingleFile(path)
	case fi.Mode()&os.ModeCharDevice != 0:
		return openSingleTape(path)
	}
	return nil, fmt.Errorf("open changer %s: neither a directory nor a tape device; amrshell reads %s", path, readers)
}

// Single is Amanda's chg-single: one drive, and whatever volume is in it. Load reads the label
// of that volume and gives it if it is the one asked for. A tape volume keeps the drive open
// until Load asks for another label (which reopens the drive: the tape may have been changed)
// or Close: a Load of the label already loaded gives the same volume, where its tape is, as
// Amanda's clerk keeps its device.
type Single struct {
	Device string // "file:DIR" or "tape:DEV"

	read func() (*Volume, error) // reads the volume now in the drive

	mu  sync.Mutex
	cur *Volume // the tape volume loaded last, its drive open
}

// openSingleFile is chg-single over the vfs device file:dir.
func openSingleFile(dir string) (*Single, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open file:%s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open file:%s: not a directory", dir)
	}
	return &Single{Device: "file:" + dir, read: func() (*Volume, error) { return OpenVolume(dir) }}, nil
}

// openSingleTape is chg-single over the tape device tape:path.
func openSingleTape(path string) (*Single, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open tape:%s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("open tape:%s: a directory, not a tape drive (a vtape directory is file:%s)", path, path)
	}
	return newSingleTape("tape:"+path, func() (tapeDrive, error) { return openTapeDrive(path) }), nil
}

// newSingleTape is chg-single over the tape drive dev that open opens.
func newSingleTape(dev string, open func() (tapeDrive, error)) *Single {
	return &Single{Device: dev, read: func() (*Volume, error) {
		d, err := open()
		if err != nil {
			return nil, err
		}
		v, err := openTapeVolume(dev, d)
		if err != nil {
			d.Close()
			return nil, err
		}
		return v, nil
	}}
}

// Load gives the volume in the drive if its label is label; else an error wrapping
// ErrWrongVolume says what the drive holds.
func (s *Single) Load(ctx context.Context, label string) (*Volume, error) {
	return s.load(ctx, label, true)
}

// Current reads the volume in the drive, whatever its label, as amrestore does. A drive that
// holds no volume, or an unlabeled one, gives an error wrapping ErrWrongVolume.
func (s *Single) Current(ctx context.Context) (*Volume, error) {
	return s.load(ctx, "", false)
}

// load reads the volume in the drive and, if check is set, checks that its label is label.
func (s *Single) load(ctx context.Context, label string, check bool) (*Volume, error) {
	what, expected := "the volume", ""
	if check {
		what, expected = "'"+label+"'", fmt.Sprintf("expected volume label '%s', but ", label)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load %s from %s: %w", what, s.Device, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if check && s.cur != nil && s.cur.Label == label {
		return s.cur, nil
	}
	if err := s.unload(); err != nil {
		return nil, err
	}
	v, err := s.read()
	var noLabel *labelError
	switch {
	case errors.Is(err, errNoTape):
		return nil, &wrongVolumeError{fmt.Sprintf("%s%s holds no volume (%v)", expected, s.Device, err), err}
	case errors.As(err, &noLabel):
		return nil, &wrongVolumeError{fmt.Sprintf("%sthe volume in %s is not labeled (%v)", expected, s.Device, err), err}
	case err != nil:
		return nil, fmt.Errorf("load %s from %s: %w", what, s.Device, err)
	}
	if check && v.Label != label {
		v.unload()
		return nil, &wrongVolumeError{msg: fmt.Sprintf("%sfound volume label '%s' in %s", expected, v.Label, s.Device)}
	}
	if v.tape != nil {
		s.cur = v
	}
	return v, nil
}

// Close releases the drive.
func (s *Single) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unload()
}

func (s *Single) unload() error {
	if s.cur == nil {
		return nil
	}
	err := s.cur.unload()
	s.cur = nil
	return err
}
