package tests

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the test writes the catalog while amrshell exports it

	"github.com/amrshell/amrshell/internal/corpus"
)

// runOK runs amrshell in a directory of its own and fails the test unless it exits with 0.
func runOK(t *testing.T, args ...string) result {
	t.Helper()
	res := runAmrshell(t, t.TempDir(), "", args...)
	checkNoPanic(t, res)
	if res.ExitCode != 0 {
		t.Fatalf("amrshell %s: exit status %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), res.ExitCode, res.Stdout, res.Stderr)
	}
	return res
}

// exportPristine exports the catalog of the shared corpus copy (only read) to a new file.
func exportPristine(t *testing.T) string {
	t.Helper()
	root := corpus.Unpack(t)
	export := filepath.Join(t.TempDir(), "DailySet1.amrcat")
	runOK(t, "catalog", "export", "--amanda-conf", filepath.Join(root, "config", "DailySet1", "amanda.conf"),
		"--catalog", filepath.Join(t.TempDir(), "catalog.sqlite"), export)
	return export
}

// TestExportImportSessions loses the server: the corpus' catalog is exported, the Amanda
// state (config/ and state/ of the corpus copy) and the catalog are deleted, the export is
// imported into a clean directory, and every recorded amrecover session is replayed with that
// catalog alone (--catalog, no amanda.conf), reading the vtapes and the holding disk where the
// catalog recorded them.
func TestExportImportSessions(t *testing.T) {
	w := newWorld(t)
	export := filepath.Join(t.TempDir(), "safe", "DailySet1.amrcat")
	if err := os.MkdirAll(filepath.Dir(export), 0o755); err != nil {
		t.Fatal(err)
	}
	// Options before and after the operand, as with every subcommand.
	res := runOK(t, "catalog", "export", "--amanda-conf", w.amandaConf(), export, "--catalog", w.Catalog)
	if !strings.Contains(res.Stdout, "(configuration DailySet1, schema ") {
		t.Errorf("export said:\n%s", res.Stdout)
	}
	for _, gone := range []string{filepath.Join(w.Root, "config"), filepath.Join(w.Root, "state"), filepath.Dir(w.Catalog)} {
		if err := os.RemoveAll(gone); err != nil {
			t.Fatal(err)
		}
	}
	installed := filepath.Join(t.TempDir(), "clean", "DailySet1.sqlite")
	res = runOK(t, "catalog", "import", "--catalog", installed, export)
	if !strings.Contains(res.Stdout, "amrshell --catalog "+installed) {
		t.Errorf("import said:\n%s", res.Stdout)
	}
	replayAll(t, func(t *testing.T) *world {
		sandbox := filepath.Join(t.TempDir(), "sandbox")
		sw := &world{Root: w.Root, Catalog: installed, Sandbox: sandbox, Restore: filepath.Join(sandbox, "restore"), CatalogOnly: true}
		if err := os.MkdirAll(sw.Restore, 0o755); err != nil {
			t.Fatal(err)
		}
		return sw
	})
}

// TestImportDefaultLocation installs an export where the shell looks for the catalog of its
// configuration, and replaces it only with --force.
func TestImportDefaultLocation(t *testing.T) {
	export := exportPristine(t)
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	dest := filepath.Join(state, "amrshell", "DailySet1.sqlite")
	res := runOK(t, "catalog", "import", export)
	if !strings.Contains(res.Stdout, " as "+dest+"\n") {
		t.Errorf("import said:\n%s", res.Stdout)
	}
	before, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}

	res = runAmrshell(t, t.TempDir(), "", "catalog", "import", export)
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, "amrshell catalog import: install catalog "+dest+": it exists already (--force replaces it)") {
		t.Errorf("a second import: exit status %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
	if after, err := os.Stat(dest); err != nil || !os.SameFile(before, after) {
		t.Errorf("the refused import replaced the catalog (%v)", err)
	}
	runOK(t, "catalog", "import", export, "--force")
	if after, err := os.Stat(dest); err != nil || os.SameFile(before, after) {
		t.Errorf("import --force did not replace the catalog (%v)", err)
	}

	// The shell finds the hosts in it with no configuration at all: named by its file, or by
	// the configuration's name when its amanda.conf is gone.
	shells := [][]string{{"--catalog", dest}, {"DailySet1", "--catalog", dest}}
	if _, err := os.Stat("/etc/amanda/DailySet1/amanda.conf"); err == nil {
		t.Log("/etc/amanda/DailySet1/amanda.conf exists on this machine: -C DailySet1 would import it, not checked")
	} else {
		shells = append(shells, []string{"-C", "DailySet1"})
	}
	for _, args := range shells {
		res = runAmrshell(t, t.TempDir(), "listhost\nquit\n", args...)
		if res.ExitCode != 0 || !strings.Contains(res.Stdout, "201- localhost\n") {
			t.Errorf("amrshell %q on the imported catalog: exit status %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
		}
	}
	res = runAmrshell(t, t.TempDir(), "quit\n", "-C", "NoSuchConfig", "--catalog", dest)
	if want := "catalog " + dest + ` is configuration "DailySet1"'s, not "NoSuchConfig"'s`; res.ExitCode != 1 || !strings.Contains(res.Stderr, want) {
		t.Errorf("another configuration's name: exit status %d, stderr:\n%s\nwant %q", res.ExitCode, res.Stderr, want)
	}
	res = runAmrshell(t, t.TempDir(), "quit\n", "-C", "NoSuchConfig")
	if want := "(and there is no catalog " + filepath.Join(state, "amrshell", "NoSuchConfig.sqlite") + " to read instead)"; res.ExitCode != 1 || !strings.Contains(res.Stderr, want) {
		t.Errorf("a configuration with neither amanda.conf nor catalog: exit status %d, stderr:\n%s\nwant %q", res.ExitCode, res.Stderr, want)
	}
	if names, _ := filepath.Glob(filepath.Join(state, "amrshell", ".*")); len(names) > 0 {
		t.Errorf("temporary files left: %q", names)
	}
}

// TestImportRefusesDamage flips one byte of the catalog in an export: the import says which
// member is damaged and installs nothing.
func TestImportRefusesDamage(t *testing.T) {
	export := exportPristine(t)
	b, err := os.ReadFile(export)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(b, []byte("SQLite format 3\x00"))
	if start < 0 {
		t.Fatal("no SQLite database in the export")
	}
	b[start+5000] ^= 0x20
	if err := os.WriteFile(export, b, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dest := filepath.Join(dir, "DailySet1.sqlite")
	res := runAmrshell(t, t.TempDir(), "", "catalog", "import", "--catalog", dest, export)
	checkNoPanic(t, res)
	want := "amrshell catalog import: catalog export " + export + ": member catalog.sqlite is damaged: its SHA-256 is "
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, want) {
		t.Errorf("exit status %d, stderr:\n%s\nwant status 1 and %q", res.ExitCode, res.Stderr, want)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		t.Errorf("the refused import left %d files in %s", len(ents), dir)
	}
}

// TestExportWhileWriting exports with amrshell while this process commits transactions that
// keep two counters equal in the catalog: each export holds one transaction's state.
func TestExportWhileWriting(t *testing.T) {
	root := corpus.Unpack(t)
	cat := filepath.Join(t.TempDir(), "catalog.sqlite")
	runOK(t, "catalog", "export", "--amanda-conf", filepath.Join(root, "config", "DailySet1", "amanda.conf"),
		"--catalog", cat, filepath.Join(t.TempDir(), "first.amrcat"))

	db := openSQLite(t, cat)
	if _, err := db.Exec("CREATE TABLE probe (a INTEGER, b INTEGER); INSERT INTO probe VALUES (0, 0)"); err != nil {
		t.Fatal(err)
	}
	var commits atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := bumpProbe(db); err != nil {
				t.Error(err)
				return
			}
			commits.Add(1)
		}
	}()
	dir := t.TempDir()
	var exports []string
	var during int
	for i := range 3 {
		before := commits.Load()
		export := filepath.Join(dir, fmt.Sprintf("e%d.amrcat", i))
		runOK(t, "catalog", "export", "--catalog", cat, export)
		if commits.Load() > before {
			during++
		}
		exports = append(exports, export)
	}
	close(stop)
	wg.Wait()
	if during == 0 {
		t.Fatal("no transaction committed during any export: the test proved nothing")
	}
	for i, export := range exports {
		dest := filepath.Join(dir, fmt.Sprintf("c%d.sqlite", i))
		runOK(t, "catalog", "import", "--catalog", dest, export)
		var a, b int
		if err := openSQLite(t, dest).QueryRow("SELECT a, b FROM probe").Scan(&a, &b); err != nil || a != b {
			t.Errorf("export %d: probe a=%d b=%d (%v): not one transaction's state", i, a, b, err)
		}
	}
}

func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_busy_timeout=10000&_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// bumpProbe adds one to both counters of the probe table in one transaction, with a pause
// between the two.
func bumpProbe(db *sql.DB) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("UPDATE probe SET a = a + 1"); err != nil {
		return err
	}
	time.Sleep(time.Millisecond)
	if _, err := tx.Exec("UPDATE probe SET b = b + 1"); err != nil {
		return err
	}
	return tx.Commit()
}
