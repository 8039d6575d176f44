package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/commands"
	"github.com/amrshell/amrshell/recover"
	"github.com/amrshell/amrshell/recover/gtar"
)

// Config is what the command line says.
type Config struct {
	ConfigName  string         // -C: /etc/amanda/NAME/amanda.conf
	AmandaConf  string         // --amanda-conf FILE
	CatalogPath string         // --catalog FILE
	Host        string         // -h
	Device      string         // -d
	Storages    []string       // --storage: storages preferred, in order, among a dump's copies
	Target      string         // --target: the local directory to start in (restore into), made if missing
	DryRun      bool           // --dry-run: extract prints its estimate only
	Verify      bool           // --verify: extract reads each restored file back and checks it
	Overwrite   gtar.Overwrite // --overwrite
	// Disaster, when set, runs that disaster restore (amrshell dr) instead of the shell.
	Disaster   *commands.DisasterRestore
	TapeServer string // -t, printed in the extract dialogue
	Version    string
}

// amandaConfDir is where -C NAME finds NAME/amanda.conf, as Amanda's CONFIG_DIR.
var amandaConfDir = "/etc/amanda"

// Main opens the catalog, brings it up to date with the Amanda server's state when a
// configuration is given, and runs the shell on in. It returns the exit status: 0, or 1 when an
// extract failed or the shell was interrupted.
//
// When in is a terminal, the terminal's settings are put back as they were on every way out,
// a panic included; when in is not one, the terminal is never touched, even if there is one.
func Main(ctx context.Context, cfg Config, in *os.File, out, errOut io.Writer) (status int, err error) {
	tty, interactive := openTerminal(int(in.Fd()))
	restore := func() {}
	if interactive {
		restore = func() { tty.restore() }
		defer restore() // also while panicking
	}
	ctx, endShell := context.WithCancel(ctx)
	defer endShell()
	intr := watchSignals(interactive, endShell, restore)
	defer intr.stop()
	defer func() {
		if err != nil && errors.Is(err, context.Canceled) {
			status, err = 1, fmt.Errorf("interrupted")
		}
	}()

	// Ctrl-C at a terminal stops the import, and the shell with it.
	startCtx, started := intr.command(ctx)
	cat, catPath, status, err := OpenCatalog(startCtx, cfg)
	started()
	if err != nil {
		return status, err
	}
	defer cat.Close()

	host := cfg.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	cwd, err := localDir(cfg.Target)
	if err != nil {
		return 1, err
	}
	input := NewInput(in, out, !interactive)
	if interactive {
		input.intr = intr
	}
	// A script gets amrecover's plain "N kb" lines even inside a terminal: it must behave as
	// it does anywhere else.
	prog := NewProgress(errOut, interactive && writesTo(errOut, os.Stderr) && term.IsTerminal(int(os.Stderr.Fd())))
	restorer := recover.NewRestorer(cat, cfg.Device)
	defer restorer.Close()
	sess := commands.New(commands.Options{
		Index:       cat,
		Restorer:    restorer,
		Verifier:    restorer,
		Interactive: input,
		Progress:    prog,
		Out:         prog.Above(out),
		Err:         prog.Above(errOut),
		TapeServer:  cfg.TapeServer,
		Device:      cfg.Device,
		LocalDir:    cwd,
		Storages:    cfg.Storages,
		DryRun:      cfg.DryRun,
		Verify:      cfg.Verify,
		Overwrite:   cfg.Overwrite,
	})
	restorer.Operator = sess // asked for volumes no changer has
	if interactive && writesTo(out, os.Stdout) && term.IsTerminal(int(os.Stdout.Fd())) && hasControllingTerminal() {
		input.editor = newEditor(tty, input.keys, sess, openHistory(historyPath(), errOut))
	}
	if cfg.Disaster != nil {
		drCtx, done := intr.command(ctx)
		defer done()
		if !sess.Disaster(drCtx, *cfg.Disaster) {
			return 1, nil
		}
		return 0, nil
	}
	fmt.Fprintf(out, "AMRSHELL Version %s. Reading catalog %s ...\n", cfg.Version, catPath)
	sess.Start(ctx, host, time.Now().Format("2006-01-02"))
	if err := Run(ctx, sess, input, errOut); err != nil {
		return 1, err
	}
	if sess.ExtractFailed() {
		return 1, nil
	}
	return 0, nil
}

// OpenCatalog opens the catalog the command line names, importing the Amanda server's state
// into it when a configuration is named. When -C NAME has no amanda.conf any more (the server
// was lost), NAME's catalog is read as it is. status is the exit status for err.
func OpenCatalog(ctx context.Context, cfg Config) (cat *catalog.Catalog, path string, status int, err error) {
	confPath := cfg.AmandaConf
	if confPath == "" && cfg.ConfigName != "" {
		confPath = filepath.Join(amandaConfDir, cfg.ConfigName, "amanda.conf")
	}
	if confPath == "" && cfg.CatalogPath == "" {
		return nil, "", 2, fmt.Errorf("name an Amanda configuration (-C NAME or --amanda-conf FILE) or a catalog (--catalog FILE)")
	}
	var conf *amconf.Config
	var confErr error // -C NAME whose amanda.conf is gone: NAME's catalog is read as it is
	name := cfg.ConfigName
	if confPath != "" {
		if conf, confErr = amconf.Load(confPath); confErr == nil {
			name = conf.Name
		} else if cfg.AmandaConf != "" || !errors.Is(confErr, fs.ErrNotExist) {
			return nil, "", 1, fmt.Errorf("read the Amanda configuration: %w", confErr)
		}
	}
	path = cfg.CatalogPath
	if path == "" {
		if path, err = DefaultCatalogPath(name); err != nil {
			return nil, "", 1, err
		}
	}
	if conf == nil {
		// Without a configuration there is nothing to import: an empty new catalog is a typo.
		if _, err := os.Stat(path); err != nil {
			if confErr != nil {
				return nil, "", 1, fmt.Errorf("read the Amanda configuration: %w (and there is no catalog %s to read instead)", confErr, path)
			}
			return nil, "", 1, fmt.Errorf("catalog %s: %w", path, err)
		}
	}
	cat, err = catalog.Open(ctx, path)
	if err != nil {
		return nil, "", 1, fmt.Errorf("open catalog %s: %w", path, err)
	}
	if confErr != nil && cat.ConfigName() != cfg.ConfigName {
		cat.Close()
		return nil, "", 1, fmt.Errorf("catalog %s is configuration %q's, not %q's (and there is no amanda.conf of %s to import: use --amanda-conf FILE)",
			path, cat.ConfigName(), cfg.ConfigName, cfg.ConfigName)
	}
	if conf != nil {
		if _, err := cat.ImportServer(ctx, conf); err != nil {
			cat.Close()
			return nil, "", 1, fmt.Errorf("import the state of Amanda configuration %s into %s: %w", conf.Name, path, err)
		}
	}
	return cat, path, 0, nil
}

// DefaultCatalogPath is where the catalog of configuration name is when --catalog does not
// say: $XDG_STATE_HOME/amrshell/NAME.sqlite.
func DefaultCatalogPath(name string) (string, error) {
	dir, err := stateDir()
	if err != nil {
		return "", fmt.Errorf("find the default catalog: %w (use --catalog FILE)", err)
	}
	return filepath.Join(dir, strings.ReplaceAll(name, string(filepath.Separator), "_")+".sqlite"), nil
}

// localDir is the local directory the shell starts in: target (--target), made if missing,
// else the working directory.
func localDir(target string) (string, error) {
	if target == "" {
		return os.Getwd()
	}
	if err := os.MkdirAll(target, 0o755); err != nil {
		return "", fmt.Errorf("make the restore directory (--target): %w", err)
	}
	abs, err := filepath.Abs(target)
	if err != nil {
		return "", fmt.Errorf("restore directory (--target): %w", err)
	}
	return abs, nil
}

// stateDir is $XDG_STATE_HOME/amrshell, where the default catalog and the command history are.
func stateDir() (string, error) {
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "amrshell"), nil
}

// writesTo reports whether w is the file f.
func writesTo(w io.Writer, f *os.File) bool {
	wf, ok := w.(*os.File)
	return ok && wf.Fd() == f.Fd()
}

// hasControllingTerminal reports whether /dev/tty can be opened: go-prompt opens it when it is
// set up (and then reads amrshell's parser instead), and panics when it cannot.
func hasControllingTerminal() bool {
	f, err := os.Open("/dev/tty")
	if err != nil {
		return false
	}
	f.Close()
	return true
}
