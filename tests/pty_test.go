package tests

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/amrshell/amrshell/device"
)

// expectTimeout bounds the wait for something to appear on the terminal.
const expectTimeout = 30 * time.Second

// console is amrshell running on a pseudo-terminal, as at an operator's console: the test
// types on the terminal and reads the screen.
type console struct {
	t   *testing.T
	cmd *exec.Cmd
	pty *os.File // the terminal's master side: what is typed and shown
	tty *os.File // its slave side, amrshell's stdin, stdout and stderr

	mu     sync.Mutex
	screen []byte // everything written to the terminal so far
	seen   int    // how much of the screen's plain text expect has already matched
	done   chan struct{}
	err    error // from Wait
}

// startConsole starts bin on a new terminal of 40x120 in dir, with its own state directory
// (command history) and args.
func startConsole(t *testing.T, bin, dir string, args ...string) *console {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	c := &console{t: t, pty: ptmx, tty: tty, done: make(chan struct{})}
	t.Cleanup(c.close)
	c.cmd = exec.Command(bin, args...)
	c.cmd.Dir = dir
	c.cmd.Env = append(os.Environ(), "TERM=xterm", "XDG_STATE_HOME="+t.TempDir())
	c.cmd.Stdin, c.cmd.Stdout, c.cmd.Stderr = tty, tty, tty
	// A session of its own with the terminal as its controlling terminal: Ctrl-C then sends
	// SIGINT to amrshell, as at a console.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	return c
}

// run starts the program; the terminal's settings can be read before.
func (c *console) run() {
	c.t.Helper()
	if err := c.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := c.pty.Read(buf)
			c.mu.Lock()
			c.screen = append(c.screen, buf[:n]...)
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
}

func (c *console) close() {
	if c.cmd.Process != nil {
		select {
		case <-c.done:
		default:
			c.cmd.Process.Kill()
			<-c.done
		}
	}
	c.tty.Close()
	c.pty.Close()
}

// typeKeys types s on the terminal.
func (c *console) typeKeys(s string) {
	c.t.Helper()
	if _, err := c.pty.Write([]byte(s)); err != nil {
		c.t.Fatalf("type %q: %v", s, err)
	}
}

// escapes are the terminal control sequences go-prompt draws with.
var escapes = regexp.MustCompile(`\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-Za-z]|[=>78])|\r`)

// plain is what the screen shows, near enough: the text without control sequences.
func plain(b []byte) string { return escapes.ReplaceAllString(string(b), "") }

// expect waits until the text written since the last match shows want.
func (c *console) expect(want string) {
	c.t.Helper()
	deadline := time.Now().Add(expectTimeout)
	for {
		c.mu.Lock()
		text := plain(c.screen)[c.seen:]
		if i := strings.Index(text, want); i >= 0 {
			c.seen += i + len(want)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		select {
		case <-c.done:
			c.t.Fatalf("amrshell ended (%v) before the terminal showed %q; it showed:\n%s", c.err, want, tail(c.text(), 30))
		default:
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the terminal did not show %q within %v; since the last match it showed:\n%q\nthe screen ends:\n%s",
				want, expectTimeout, text, tail(c.text(), 20))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// text is all the terminal showed.
func (c *console) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return plain(c.screen)
}

// wait waits for amrshell to end and returns its exit status (-1 when killed by a signal).
func (c *console) wait() int {
	c.t.Helper()
	select {
	case <-c.done:
	case <-time.After(expectTimeout):
		c.t.Fatalf("amrshell still running %v after it was told to end; the terminal showed:\n%s", expectTimeout, tail(c.text(), 30))
	}
	var exitErr *exec.ExitError
	switch {
	case c.err == nil:
		return 0
	case errors.As(c.err, &exitErr):
		return exitErr.ExitCode()
	}
	c.t.Fatalf("wait for amrshell: %v", c.err)
	return 0
}

// stty is what `stty -g` prints for the terminal: all its settings.
func (c *console) stty() string {
	c.t.Helper()
	cmd := exec.Command("stty", "-g")
	cmd.Stdin = c.tty
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("stty -g: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// consoleOnCorpus starts amrshell on a terminal, on w's corpus, as `amrecover -h localhost`.
func consoleOnCorpus(t *testing.T, w *world, bin string) *console {
	return startConsole(t, bin, w.Restore, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog, "-h", "localhost")
}

// TestConsoleCompletion types partial words and Tab, and reads the completions on the screen.
func TestConsoleCompletion(t *testing.T) {
	w := newWorld(t)
	c := consoleOnCorpus(t, w, binPath)
	c.run()
	c.expect("Use the setdisk command")
	c.expect("amrecover> ")

	c.typeKeys("sethost loc\t")
	c.expect("sethost localhost")
	c.typeKeys("\r")
	c.expect("200 Dump host set to localhost.")

	// Several candidates that agree on nothing more: go-prompt shows them all.
	c.typeKeys("setd\t")
	c.expect("setdate")
	c.expect("") // resynchronise
	c.typeKeys("\t")
	c.expect("setd")
	if text := c.text(); !strings.Contains(text, "setdevice") || !strings.Contains(text, "setdisk") {
		t.Errorf("the candidates for setd were not all shown:\n%s", tail(text, 10))
	}
	c.typeKeys("\x03") // Ctrl-C clears the line

	c.typeKeys("setdisk /home/al\t")
	c.expect("setdisk /home/alice")
	c.typeKeys("\r")
	c.expect("200 Disk set to /home/alice.")

	c.typeKeys("cd do\t")
	c.expect("cd docs/")
	c.typeKeys("\r")
	c.typeKeys("pwd\r")
	c.expect("/home/alice/docs")

	c.typeKeys("quit\r")
	c.expect("200 Good bye.")
	if status := c.wait(); status != 0 {
		t.Errorf("exit status %d, want 0", status)
	}
	c.mu.Lock()
	if bytes.Contains(c.screen, []byte("\x1b]2;")) {
		t.Error("the window title was changed (go-prompt clears it after each line)")
	}
	c.mu.Unlock()

	// What was typed is kept for the next session, as a shell's history.
	hist, err := os.ReadFile(filepath.Join(envValue(c.cmd.Env, "XDG_STATE_HOME"), "amrshell", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "sethost localhost\nsetdisk /home/alice\ncd docs/\npwd\nquit\n"; string(hist) != want {
		t.Errorf("history file:\n%s\nwant:\n%s", hist, want)
	}
}

func envValue(env []string, name string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == name {
			v = val
		}
	}
	return v
}

// panicBinary is amrshell built with the tag amrshell_panictest: it panics at a Tab after
// "panic!", with the terminal raw.
var panicBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "amrshell-e2e-panic-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "amrshell")
	cmd := exec.Command("go", "build", "-tags", "amrshell_panictest", "-o", bin, "github.com/amrshell/amrshell")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -tags amrshell_panictest: %v\n%s", err, out)
	}
	return bin, nil
})

// TestConsoleSettingsRestored checks that the terminal's settings after amrshell are those of
// before, whichever way it ends; and that they did change while it ran (go-prompt works on a
// raw terminal), or the test would prove nothing.
func TestConsoleSettingsRestored(t *testing.T) {
	tests := []struct {
		name   string
		panics bool
		end    func(c *console)
		status int
	}{
		{"quit", false, func(c *console) { c.typeKeys("quit\r") }, 0},
		{"Ctrl-D", false, func(c *console) { c.typeKeys("\x04") }, 0},
		{"Ctrl-C then Ctrl-D", false, func(c *console) {
			c.typeKeys("ls some words\x03")
			c.expect("amrecover> ")
			c.typeKeys("\x04")
		}, 0},
		{"SIGTERM at the prompt", false, func(c *console) { c.cmd.Process.Signal(syscall.SIGTERM) }, 1},
		{"panic", true, func(c *console) { c.typeKeys("panic!\t") }, 2},
	}
	w := newWorld(t)
	// Import once: the sessions below then start at once.
	if res := w.run(t, "quit\n"); res.ExitCode != 0 {
		t.Fatalf("import: exit status %d\n%s", res.ExitCode, res.Stderr)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := binPath
			if tt.panics {
				var err error
				if bin, err = panicBinary(); err != nil {
					t.Fatal(err)
				}
			}
			c := consoleOnCorpus(t, w, bin)
			before := c.stty()
			c.run()
			c.expect("amrecover> ")
			if during := c.stty(); during == before {
				t.Errorf("the terminal's settings at the prompt are those of before (%s): not raw", during)
			}
			tt.end(c)
			status := c.wait()
			if after := c.stty(); after != before {
				t.Errorf("stty -g after: %s\nbefore: %s", after, before)
			}
			if status != tt.status {
				t.Errorf("exit status %d, want %d; the terminal showed:\n%s", status, tt.status, tail(c.text(), 15))
			}
			if tt.panics && !strings.Contains(c.text(), "panic: amrshell_panictest") {
				t.Errorf("no panic shown:\n%s", tail(c.text(), 15))
			}
		})
	}
}

// TestScriptInsideConsole runs a script on stdin while stdout is a terminal that is also the
// controlling one: amrshell must not touch the terminal and must print what it prints with no
// terminal at all.
func TestScriptInsideConsole(t *testing.T) {
	w := newWorld(t)
	script := "setdisk /home/alice\nls\ncd docs\nadd readme.txt\nlist\nextract\nY\nY\n"
	plainRun := w.run(t, script)
	if plainRun.ExitCode != 0 || !strings.Contains(plainRun.Stderr, " kb\n") {
		t.Fatalf("without a terminal: exit status %d, stderr:\n%s", plainRun.ExitCode, plainRun.Stderr)
	}
	// The same restore again, into the same place, says the same.
	if err := os.RemoveAll(filepath.Join(w.Restore, "docs")); err != nil {
		t.Fatal(err)
	}

	c := startConsole(t, binPath, w.Restore, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog,
		"-h", "localhost", "-s", "localhost", "-t", "localhost")
	c.cmd.Stdin = strings.NewReader(script)
	var stderr bytes.Buffer
	c.cmd.Stderr = &stderr
	c.cmd.SysProcAttr.Ctty = 1 // stdout is the terminal
	before := c.stty()
	c.run()
	if status := c.wait(); status != plainRun.ExitCode {
		t.Errorf("exit status %d, without a terminal %d", status, plainRun.ExitCode)
	}
	if after := c.stty(); after != before {
		t.Errorf("stty -g after: %s\nbefore: %s", after, before)
	}
	time.Sleep(100 * time.Millisecond) // the last output on its way through the terminal
	c.mu.Lock()
	got := strings.ReplaceAll(string(c.screen), "\r\n", "\n") // the terminal's own ONLCR
	c.mu.Unlock()
	if got != plainRun.Stdout {
		t.Errorf("stdout on a terminal differs from stdout on a pipe:\n%s",
			unifiedDiff("pipe", "terminal", strings.Split(plainRun.Stdout, "\n"), strings.Split(got, "\n"), 3, 40))
	}
	// Progress lines come once a second: their number depends on timing, their form not.
	if strings.Contains(stderr.String(), "\r") || !strings.Contains(stderr.String(), " kb\n") {
		t.Errorf("stderr %q, want amrecover's plain \"N kb\" lines, no carriage return", stderr.String())
	}
}

// TestConsoleCtrlCDuringExtract interrupts an extract that takes long: the prompt comes back,
// no file is left under its final name, and the shell goes on.
func TestConsoleCtrlCDuringExtract(t *testing.T) {
	w := newWorld(t)
	big := "data/holding-only.bin" // the holding dump's file, made huge
	makeHugeHoldingDump(t, w, big, 16<<30)
	c := consoleOnCorpus(t, w, binPath)
	before := c.stty()
	c.run()
	c.expect("amrecover> ")
	c.typeKeys("setdisk /home/alice\r")
	c.expect("200 Disk set to /home/alice.")
	c.typeKeys("add " + big + "\r")
	c.expect("Added file /" + big)
	c.typeKeys("extract\r")
	c.expect("Extracting from file")
	c.expect("holding file localhost._home_alice.2:") // the progress line
	waitForFileUnder(t, w.Restore, 10*time.Second)
	c.typeKeys("\x03")
	c.expect("amrecover> ")
	if files := regularFilesUnder(t, w.Restore); len(files) > 0 {
		t.Errorf("after Ctrl-C the restore directory holds %q; want no file (the one being written is removed)", files)
	}
	c.typeKeys("list\r")
	c.expect(big) // the interrupted dump stays in the extract list
	c.typeKeys("quit\r")
	c.wait()
	if after := c.stty(); after != before {
		t.Errorf("stty -g after: %s\nbefore: %s", after, before)
	}
}

// makeHugeHoldingDump replaces the holding-disk dump of run 4 of localhost:/home/alice with
// one, uncompressed, whose only member is name, of size bytes of zeros: a sparse file that
// costs no disk and takes long to restore.
func makeHugeHoldingDump(t *testing.T, w *world, name string, size int64) {
	t.Helper()
	dir := filepath.Join(w.Root, "holding", "20261122232930")
	first := filepath.Join(dir, "localhost._home_alice.2")
	h := readHoldingHeader(t, first)
	h.Comp, h.ContFilename = "N", ""
	h.NativeCRC.Size, h.ClientCRC.Size, h.ServerCRC.Size = 0, 0, 0
	block, err := h.Build()
	if err != nil {
		t.Fatal(err)
	}
	var tarHeader bytes.Buffer
	writeTarHeader(t, &tarHeader, "./"+name, size)
	f, err := os.Create(first)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(block, tarHeader.Bytes()...)); err != nil {
		t.Fatal(err)
	}
	// The member's data and tar's end blocks are zeros: a hole.
	if err := f.Truncate(int64(len(block)+tarHeader.Len()) + size + 1024); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(first + ".1"); err != nil {
		t.Fatal(err)
	}
}

// waitForFileUnder waits until a regular file appears under dir (the extract is writing).
func waitForFileUnder(t *testing.T, dir string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for len(regularFilesUnder(t, dir)) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no file appeared under %s within %v", dir, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func regularFilesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func readHoldingHeader(t *testing.T, path string) device.Header {
	t.Helper()
	hf, err := device.OpenHolding(path)
	if err != nil {
		t.Fatal(err)
	}
	return *hf.Header
}

// writeTarHeader writes the header block(s) of a regular file member, in GNU format as
// amgtar's tar writes them (base-256 sizes beyond 8 GiB).
func writeTarHeader(t *testing.T, w io.Writer, name string, size int64) {
	t.Helper()
	tw := tar.NewWriter(w)
	err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o644,
		ModTime: time.Unix(1795390166, 0), Format: tar.FormatGNU})
	if err != nil {
		t.Fatal(err)
	}
}
