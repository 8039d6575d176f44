package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lcd changes the local directory. amrshell keeps it in the session instead of changing the
// process's (the shell and the restorer resolve against it); it is checked, and resolved to a
// physical path, as chdir and getcwd would.
func (s *Session) lcd(raw string) {
	dir := unquote(raw)
	p := s.localPath(dir)
	fi, err := os.Stat(p)
	switch {
	case err == nil && !fi.IsDir():
		err = syscall.ENOTDIR
	case err == nil:
		err = syscall.Access(p, 1) // search permission, as chdir needs
	}
	if err == nil {
		p, err = filepath.EvalSymlinks(p)
	}
	if err != nil {
		fmt.Fprintf(s.errOut, "%s: %s\n", dir, errnoText(err))
		return
	}
	s.localDir = p
}
