package tests

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amrshell/amrshell/internal/corpus"
)

// runTimeout bounds one amrshell session; the corpus is small, so hitting it means a hang.
const runTimeout = 3 * time.Minute

var (
	binPath  string // the amrshell binary built by TestMain
	buildErr error  // why it could not be built; tests that need it fail with this
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "amrshell-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests:", err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "amrshell")
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		// Fuzz workers run only the helpers' fuzz targets; one build per worker would be waste.
		buildErr = errors.New("not built in fuzz workers")
	} else if buildErr = buildBinary(binPath); buildErr != nil {
		fmt.Fprintf(os.Stderr, "tests: the end-to-end tests will fail: %v\n", buildErr)
	}
	if _, err := os.Stat(corpus.BuildRoot); err == nil {
		// The holding-disk fallback (CONT_FILENAME names the build root) is then not exercised.
		fmt.Fprintf(os.Stderr, "tests: note: %s exists on this machine; amrshell may read holding chunks from it\n", corpus.BuildRoot)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildBinary(out string) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goCmd, "build", "-o", out, "github.com/amrshell/amrshell")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build github.com/amrshell/amrshell: %v\n%s", err, b)
	}
	return nil
}

// needBinary fails the test when TestMain could not build amrshell.
func needBinary(t *testing.T) {
	t.Helper()
	if buildErr != nil {
		msg, _, _ := strings.Cut(buildErr.Error(), "\n")
		t.Fatalf("amrshell binary not available (full error at the start of the test output): %s", msg)
	}
}

// world is one run's private setting: a corpus copy, a catalog, and a restore directory that is
// the only entry of its sandbox directory.
type world struct {
	Root    string // corpus root (README.txt, config/, state/, vtapes/ ...)
	Catalog string // --catalog
	Sandbox string // parent of Restore; must hold nothing but Restore after a run
	Restore string // cwd of amrshell and target of lcd
	// CatalogOnly: run names the catalog alone, no amanda.conf (the server is lost).
	CatalogOnly bool
}

func newWorld(t *testing.T) *world {
	t.Helper()
	needBinary(t)
	sandbox := filepath.Join(t.TempDir(), "sandbox")
	w := &world{
		Root:    corpus.Copy(t),
		Catalog: filepath.Join(t.TempDir(), "catalog.sqlite"),
		Sandbox: sandbox,
		Restore: filepath.Join(sandbox, "restore"),
	}
	if err := os.MkdirAll(w.Restore, 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// amandaConf is the corpus configuration, build root already rewritten by internal/corpus.
func (w *world) amandaConf() string {
	return filepath.Join(w.Root, "config", "DailySet1", "amanda.conf")
}

// result is what one amrshell run printed and how it ended.
type result struct {
	Stdout, Stderr string
	ExitCode       int // -1 when killed by a signal
}

// run starts amrshell in w.Restore with the corpus configuration (not when CatalogOnly) and the
// usual amrecover flags, feeds it stdin and waits at most runTimeout.
func (w *world) run(t *testing.T, stdin string) result {
	t.Helper()
	args := []string{"--catalog", w.Catalog, "-h", "localhost", "-s", "localhost", "-t", "localhost"}
	if !w.CatalogOnly {
		args = append([]string{"--amanda-conf", w.amandaConf()}, args...)
	}
	return runAmrshell(t, w.Restore, stdin, args...)
}

// runAmrshell runs the binary in dir with args, stdin fed from a string, and captures both
// streams and the exit status. A run that outlives runTimeout is killed and fails the test.
func runAmrshell(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	return runAmrshellAs(t, nil, dir, stdin, args...)
}

// runAmrshellAs is runAmrshell as the user cred names (nil: the test's own).
func runAmrshellAs(t *testing.T, cred *syscall.Credential, dir, stdin string, args ...string) result {
	t.Helper()
	needBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 10 * time.Second // a child holding the pipes must not hang the test
	err := cmd.Run()
	res := result{Stdout: stdout.String(), Stderr: stderr.String()}
	if ctx.Err() != nil {
		t.Fatalf("amrshell %s: still running after %v, killed\nstdin:\n%s\nstdout (end):\n%s\nstderr (end):\n%s",
			strings.Join(args, " "), runTimeout, stdin, tail(res.Stdout, 30), tail(res.Stderr, 30))
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
	default:
		t.Fatalf("run amrshell: %v", err)
	}
	return res
}

// tail returns the last n lines of s, for failure messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("... (%d lines before)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// checkSandbox fails the test if anything but the restore directory appeared beside it.
func checkSandbox(t *testing.T, w *world) {
	t.Helper()
	ents, err := os.ReadDir(w.Sandbox)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Name() != filepath.Base(w.Restore) {
			t.Errorf("%s was written outside the restore directory %s", filepath.Join(w.Sandbox, e.Name()), w.Restore)
		}
	}
}

// checkNoPanic fails the test if amrshell's stderr shows a Go panic or a fatal runtime error.
func checkNoPanic(t *testing.T, res result) {
	t.Helper()
	for _, mark := range []string{"panic:", "goroutine ", "fatal error:"} {
		if strings.Contains(res.Stderr, mark) {
			t.Errorf("amrshell crashed (stderr has %q):\n%s", mark, tail(res.Stderr, 40))
			return
		}
	}
}
