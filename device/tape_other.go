//go:build !linux || mips || mipsle || mips64 || mips64le || ppc || ppc64 || ppc64le || sparc64

package device

import (
	"fmt"
	"runtime"
)

// openTapeDrive fails: amrshell drives tapes through Linux's st ioctls only.
func openTapeDrive(path string) (tapeDrive, error) {
	return nil, fmt.Errorf("open tape drive %s: amrshell reads tape drives on linux (amd64, arm64, 386, arm, riscv64, loong64, s390x) only, not on %s/%s",
		path, runtime.GOOS, runtime.GOARCH)
}
