//go:build linux && !(mips || mipsle || mips64 || mips64le || ppc || ppc64 || ppc64le || sparc64)

package device

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The magnetic tape ioctls of Linux's <linux/mtio.h>, which x/sys/unix lacks. The request
// numbers are encoded as asm-generic/ioctl.h does (the architectures left out by the build
// constraint encode them otherwise).

// mtop is struct mtop, the argument of MTIOCTOP.
type mtop struct {
	op    int16
	count int32
}

// mtget is struct mtget, the answer of MTIOCGET. C long is Go int on Linux.
type mtget struct {
	typ, resid, dsreg, gstat, erreg int
	fileno, blkno                   int32
}

const (
	iocWrite = 1
	iocRead  = 2

	mtFSF = 1 // space forward over file marks
	mtREW = 6 // rewind

	mtISSCSI1 = 0x71 // mt_type of SCSI drives, whose dsreg holds the block size
	mtISSCSI2 = 0x72

	mtBlockSizeMask = 0xffffff // of dsreg: the fixed block size, 0 in variable-block mode

	gmtEOD    = 0x08000000 // of gstat: at the end of the recorded data
	gmtOnline = 0x01000000 // a tape is loaded and ready
	gmtDrOpen = 0x00040000 // the door is open: no tape
)

var (
	mtIOCTOP = ioc(iocWrite, 1, unsafe.Sizeof(mtop{}))
	mtIOCGET = ioc(iocRead, 2, unsafe.Sizeof(mtget{}))
)

// ioc is _IOC(dir, 'm', nr, size).
func ioc(dir, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | 'm'<<8 | nr
}

// linuxDrive is a tape drive of Linux's st driver, a non-rewinding one (/dev/nst0) so that the
// tape stays where it is between files.
type linuxDrive struct {
	fd    int
	path  string
	fixed int // the drive's fixed block size; 0 in variable-block mode, as Amanda wants
}

// openTapeDrive opens the tape drive at path for reading. As Amanda does, it opens without
// blocking, so that an empty drive says so at once, and checks that path is a tape drive
// holding a tape ready to read.
func openTapeDrive(path string) (tapeDrive, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err == unix.EWOULDBLOCK || err == unix.EINVAL { // drivers that refuse O_NONBLOCK
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	}
	if err == unix.ENOMEDIUM {
		return nil, fmt.Errorf("open tape drive %s: %w (%v)", path, errNoTape, err)
	}
	if err != nil {
		return nil, &os.PathError{Op: "open tape drive", Path: path, Err: err}
	}
	d := &linuxDrive{fd: fd, path: path}
	if err := d.check(); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("open tape drive %s: %w", path, err)
	}
	return d, nil
}

// check asks the drive for its status: that it is a tape drive, with a tape in it.
func (d *linuxDrive) check() error {
	st, err := d.status()
	switch {
	case err == unix.ENOMEDIUM:
		return fmt.Errorf("open tape drive %s: %w (%v)", d.path, errNoTape, err)
	case err == unix.ENOTTY || err == unix.EINVAL || err == unix.ENOSYS:
		return fmt.Errorf("%s is not a tape drive (MTIOCGET: %v)", d.path, err)
	case err != nil:
		return fmt.Errorf("status of tape drive %s (MTIOCGET): %w", d.path, err)
	case st.gstat&gmtOnline == 0 || st.gstat&gmtDrOpen != 0:
		return fmt.Errorf("open tape drive %s: %w (not online)", d.path, errNoTape)
	}
	if st.typ == mtISSCSI1 || st.typ == mtISSCSI2 {
		d.fixed = st.dsreg & mtBlockSizeMask
	}
	return nil
}

func (d *linuxDrive) status() (mtget, error) {
	var st mtget
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(d.fd), mtIOCGET, uintptr(unsafe.Pointer(&st)))
	if errno != 0 {
		return st, errno
	}
	return st, nil
}

func (d *linuxDrive) op(op int16, count int) error {
	arg := mtop{op: op, count: int32(count)}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(d.fd), mtIOCTOP, uintptr(unsafe.Pointer(&arg)))
	if errno != 0 {
		return errno
	}
	return nil
}

func (d *linuxDrive) Rewind() error {
	if err := d.op(mtREW, 1); err != nil {
		return fmt.Errorf("MTREW: %w", err)
	}
	return nil
}

func (d *linuxDrive) SkipFiles(n int) error {
	if err := d.op(mtFSF, n); err != nil {
		return fmt.Errorf("MTFSF %d: %w", n, d.endOfData(err))
	}
	return nil
}

func (d *linuxDrive) Read(p []byte) (int, error) {
	if d.fixed > 0 && len(p) > d.fixed {
		p = p[:d.fixed] // in fixed-block mode a read of k blocks returns k blocks
	}
	for {
		n, err := unix.Read(d.fd, p)
		switch {
		case err == unix.EINTR || err == unix.EAGAIN:
			continue
		case err == unix.ENOMEM || err == unix.EOVERFLOW:
			return 0, fmt.Errorf("%w (%v)", errBlockTooLarge, err)
		case err != nil:
			return 0, d.endOfData(err)
		}
		return n, nil
	}
}

// endOfData tells the end of the recorded data from other errors of a read or a space: ENOSPC
// (past the end of the medium), or EIO with the drive at the end of the data.
func (d *linuxDrive) endOfData(err error) error {
	if errors.Is(err, unix.EIO) {
		if st, serr := d.status(); serr != nil || st.gstat&gmtEOD == 0 {
			return err
		}
	} else if !errors.Is(err, unix.ENOSPC) {
		return err
	}
	return fmt.Errorf("%w (%v)", errEndOfData, err)
}

func (d *linuxDrive) Close() error {
	return unix.Close(d.fd)
}
