package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// historyKeep is how many lines of the history file a session loads.
const historyKeep = 1000

// historyFile keeps the command lines typed at a terminal between sessions, one a line, in
// $XDG_STATE_HOME/amrshell/history. It is a convenience: when it cannot be read or written the
// shell says so once and goes on.
type historyFile struct {
	path   string
	warn   io.Writer
	loaded []string
	last   string
	failed bool
}

// openHistory loads the history file at path; "" keeps no history.
func openHistory(path string, warn io.Writer) *historyFile {
	h := &historyFile{path: path, warn: warn}
	if path == "" {
		return h
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return h
	}
	if err != nil {
		h.fail(err)
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, maxLine)
	for sc.Scan() {
		h.loaded = append(h.loaded, sc.Text())
		if len(h.loaded) > 2*historyKeep {
			h.loaded = append(h.loaded[:0], h.loaded[len(h.loaded)-historyKeep:]...)
		}
	}
	if err := sc.Err(); err != nil {
		h.fail(err)
	}
	if len(h.loaded) > historyKeep {
		h.loaded = h.loaded[len(h.loaded)-historyKeep:]
	}
	if len(h.loaded) > 0 {
		h.last = h.loaded[len(h.loaded)-1]
	}
	return h
}

// lines are the loaded lines, oldest first.
func (h *historyFile) lines() []string { return h.loaded }

// add appends a line, unless it repeats the one before.
func (h *historyFile) add(line string) {
	if h.path == "" || h.failed || line == h.last {
		return
	}
	h.last = line
	if err := os.MkdirAll(filepath.Dir(h.path), 0o700); err != nil {
		h.fail(err)
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		h.fail(err)
		return
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		h.fail(err)
	}
}

func (h *historyFile) fail(err error) {
	h.failed = true
	fmt.Fprintf(h.warn, "amrshell: command history: %v (going on without it)\n", err)
}

// historyPath is $XDG_STATE_HOME/amrshell/history, "" when there is no home to put it in.
func historyPath() string {
	dir, err := stateDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "history")
}
