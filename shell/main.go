package shell

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/commands"
	"github.com/amrshell/amrshell/recover"
)

// Config is what the command line says.
type Config struct {
	ConfigName  string // -C: /etc/amanda/NAME/amanda.conf
	AmandaConf  string // --amanda-conf FILE
	CatalogPath string // --catalog FILE
	Host        string // -h
	Device      string // -d
	TapeServer  string // -t, printed in the extract dialogue
	Version     string
}

// amandaConfDir is where -C NAME finds NAME/amanda.conf, as Amanda's CONFIG_DIR.
var amandaConfDir = "/etc/amanda"

// Main opens the catalog, brings it up to date with the Amanda server's state when a
// configuration is given, and runs the shell on in. It returns the exit status: 0, or 1 when an
// extract failed.
func Main(ctx context.Context, cfg Config, in *os.File, out, errOut io.Writer) (int, error) {
	confPath := cfg.AmandaConf
	if confPath == "" && cfg.ConfigName != "" {
		confPath = filepath.Join(amandaConfDir, cfg.ConfigName, "amanda.conf")
	}
	if confPath == "" && cfg.CatalogPath == "" {
		return 2, fmt.Errorf("name an Amanda configuration (-C NAME or --amanda-conf FILE) or a catalog (--catalog FILE)")
	}
	var conf *amconf.Config
	if confPath != "" {
		var err error
		if conf, err = amconf.Load(confPath); err != nil {
			return 1, fmt.Errorf("read the Amanda configuration: %w", err)
		}
	}
	catPath := cfg.CatalogPath
	if catPath == "" {
		var err error
		if catPath, err = defaultCatalogPath(conf.Name); err != nil {
			return 1, err
		}
	}
	if conf == nil {
		// Without a configuration there is nothing to import: an empty new catalog is a typo.
		if _, err := os.Stat(catPath); err != nil {
			return 1, fmt.Errorf("catalog %s: %w", catPath, err)
		}
	}
	cat, err := catalog.Open(ctx, catPath)
	if err != nil {
		return 1, fmt.Errorf("open catalog %s: %w", catPath, err)
	}
	defer cat.Close()
	if conf != nil {
		if _, err := cat.ImportServer(ctx, conf); err != nil {
			return 1, fmt.Errorf("import the state of Amanda configuration %s into %s: %w", conf.Name, catPath, err)
		}
	}

	host := cfg.Host
	if host == "" {
		host, _ = os.Hostname()
	}
	cwd, err := os.Getwd()
	if err != nil {
		return 1, err
	}
	interactive := term.IsTerminal(int(in.Fd()))
	input := NewInput(in, out, !interactive)
	sess := commands.New(commands.Options{
		Index:       cat,
		Restorer:    recover.NewRestorer(cat, cfg.Device),
		Interactive: input,
		Out:         out,
		Err:         errOut,
		TapeServer:  cfg.TapeServer,
		Device:      cfg.Device,
		LocalDir:    cwd,
	})
	fmt.Fprintf(out, "AMRSHELL Version %s. Reading catalog %s ...\n", cfg.Version, catPath)
	sess.Start(ctx, host, time.Now().Format("2006-01-02"))
	if err := Run(ctx, sess, input, errOut); err != nil {
		if ctx.Err() != nil {
			return 1, fmt.Errorf("interrupted")
		}
		return 1, err
	}
	if sess.ExtractFailed() {
		return 1, nil
	}
	return 0, nil
}

// defaultCatalogPath is $XDG_STATE_HOME/amrshell/NAME.sqlite.
func defaultCatalogPath(config string) (string, error) {
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the default catalog: %w (use --catalog FILE)", err)
		}
		state = filepath.Join(home, ".local", "state")
	}
	name := strings.ReplaceAll(config, string(filepath.Separator), "_")
	return filepath.Join(state, "amrshell", name+".sqlite"), nil
}
