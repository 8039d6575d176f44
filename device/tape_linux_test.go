//go:build linux && !(mips || mipsle || mips64 || mips64le || ppc || ppc64 || ppc64le || sparc64)

package device

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// The request numbers and sizes are those of <sys/mtio.h>, as gcc printed them on linux/amd64
// (MTIOCTOP 0x40086d01, MTIOCGET 0x80306d02, struct mtget 48 bytes); on 32-bit systems struct
// mtget is 28 bytes.
func TestTapeIoctlNumbers(t *testing.T) {
	getSize := uintptr(48)
	if unsafe.Sizeof(int(0)) == 4 {
		getSize = 28
	}
	if unsafe.Sizeof(mtop{}) != 8 || unsafe.Sizeof(mtget{}) != getSize {
		t.Errorf("struct sizes: mtop %d, mtget %d, want 8, %d", unsafe.Sizeof(mtop{}), unsafe.Sizeof(mtget{}), getSize)
	}
	if mtIOCTOP != 0x40086d01 || mtIOCGET != 0x80006d02|getSize<<16 {
		t.Errorf("MTIOCTOP %#x, MTIOCGET %#x", mtIOCTOP, mtIOCGET)
	}
}

// The ioctl layer, without a tape drive: what is not one says so.
func TestOpenTapeDriveNotATape(t *testing.T) {
	file := filepath.Join(t.TempDir(), "nst0")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "nothing")
	tests := []struct {
		path string
		want []string
	}{
		{file, []string{file + " is not a tape drive (MTIOCGET: inappropriate ioctl for device)"}},
		{"/dev/null", []string{"/dev/null is not a tape drive (MTIOCGET: "}},
		{missing, []string{"open tape drive " + missing, "no such file"}},
	}
	for _, tc := range tests {
		d, err := openTapeDrive(tc.path)
		if err == nil {
			d.Close()
		}
		wantErr(t, err, tc.want...)
	}
}
