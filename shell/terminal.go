package shell

import (
	"sync"

	"golang.org/x/sys/unix"
)

// terminal is the terminal on stdin. It keeps the settings it had before amrshell changed
// anything and puts them back on every way out: go-prompt's own restore puts back settings it
// has itself modified in place, and leaves the terminal raw (no echo, no line editing) after
// a quit, an error or a panic.
type terminal struct {
	fd    int
	saved unix.Termios // before amrshell touched it
	mu    sync.Mutex   // one change of settings at a time: restore may come from a signal
}

// openTerminal reports whether fd is a terminal, and if so returns it with its settings saved.
func openTerminal(fd int) (*terminal, bool) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, false
	}
	return &terminal{fd: fd, saved: *t}, true
}

// makeRaw puts the terminal in the mode a line editor needs: bytes as they are typed, no echo,
// no signals from Ctrl-C (the editor clears the line instead). Output processing stays on, so
// "\n" still starts a new line. These are go-prompt's settings.
func (t *terminal) makeRaw() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	raw := t.saved
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Lflag &^= unix.ECHO | unix.ICANON | unix.IEXTEN | unix.ISIG | unix.ECHONL
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN] = 1
	raw.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(t.fd, unix.TCSETS, &raw)
}

// restore puts back the settings the terminal had when amrshell started. It is safe to call
// more than once and from any goroutine.
func (t *terminal) restore() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return unix.IoctlSetTermios(t.fd, unix.TCSETS, &t.saved)
}

// size is the terminal's size, 80x24 when it cannot be read.
func (t *terminal) size() (rows, cols uint16) {
	ws, err := unix.IoctlGetWinsize(t.fd, unix.TIOCGWINSZ)
	if err != nil || ws.Col == 0 || ws.Row == 0 {
		return 24, 80
	}
	return ws.Row, ws.Col
}
