// Command amrshell is an interactive recovery shell for Amanda backups: amrecover's commands
// and words, on a local SQLite catalog, with no Amanda server or daemon running.
//
//	amrshell [-C CONFIG | --amanda-conf FILE] [--catalog FILE] [-h HOST] [-d DEVICE] [CONFIG]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/amrshell/amrshell/recover/gtar"
	"github.com/amrshell/amrshell/shell"
)

// version is amrshell's version, printed in the banner.
const version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "fetchdump":
			return fetchdump(args[1:], os.Stdin, os.Stdout, os.Stderr)
		case "dr":
			return disasterRestore(args[1:], os.Stdin, os.Stdout, os.Stderr)
		case "restore":
			return restore(args[1:], os.Stdout, os.Stderr)
		case "catalog":
			return catalogMain(args[1:], os.Stdout, os.Stderr)
		}
	}
	var cfg shell.Config
	fs := flag.NewFlagSet("amrshell", flag.ContinueOnError)
	fs.StringVar(&cfg.ConfigName, "C", "", "Amanda configuration `name` (reads /etc/amanda/NAME/amanda.conf)")
	fs.StringVar(&cfg.AmandaConf, "amanda-conf", "", "path of the Amanda configuration `file` (amanda.conf)")
	fs.StringVar(&cfg.CatalogPath, "catalog", "", "catalog `file` (default $XDG_STATE_HOME/amrshell/CONFIG.sqlite)")
	fs.StringVar(&cfg.Host, "h", "", "dump `host` to start with (default: this machine's name)")
	fs.StringVar(&cfg.Device, "d", "", "tape `device` or changer to read from")
	fs.StringVar(&cfg.Target, "target", "", "`directory` to restore into (the local directory to start in; made if missing)")
	fs.BoolVar(&cfg.Verify, "verify", false, "extract reads each restored file back and checks it against the dump")
	overwrite := fs.String("overwrite", "always", "`policy` for files already in the restore directory: always (as amrecover), if-newer or never")
	fs.BoolVar(&cfg.DryRun, "dry-run", false, "extract prints what it would restore and read (as estimate), and restores nothing")
	storages := fs.String("storage", "", "`storages` whose copies to prefer, in order, comma-separated (default: as amrecover)")
	indexServer := fs.String("s", "", "index `server` (accepted for amrecover compatibility; amrshell needs none)")
	tapeServer := fs.String("t", "", "tape `server` (accepted for amrecover compatibility; amrshell needs none)")
	var overrides stringList
	fs.Var(&overrides, "o", "configuration override `name=value` (accepted for amrecover compatibility)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: amrshell [-C CONFIG | --amanda-conf FILE] [--catalog FILE] [-h HOST] [-d DEVICE] [CONFIG]\n")
		fs.PrintDefaults()
	}
	// Options may come after the configuration name too (amrecover's getopt permutes).
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		operands = append(operands, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(operands) {
	case 0:
	case 1:
		if cfg.ConfigName != "" && cfg.ConfigName != operands[0] {
			fmt.Fprintf(os.Stderr, "amrshell: two configurations named: -C %s and %s\n", cfg.ConfigName, operands[0])
			return 2
		}
		cfg.ConfigName = operands[0]
	default:
		fs.Usage()
		return 2
	}
	cfg.TapeServer = "localhost"
	if *tapeServer != "" {
		cfg.TapeServer = *tapeServer
	}
	if *indexServer != "" || len(overrides) > 0 {
		fmt.Fprintln(os.Stderr, "amrshell: -s and -o are accepted for amrecover compatibility and ignored: amrshell reads its catalog, not a server")
	}
	var err error
	if cfg.Overwrite, err = gtar.ParseOverwrite(*overwrite); err != nil {
		fmt.Fprintf(os.Stderr, "amrshell: --overwrite: %v\n", err)
		return 2
	}
	if *storages != "" {
		cfg.Storages = strings.Split(*storages, ",")
	}
	cfg.Version = version

	status, err := shell.Main(context.Background(), cfg, os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "amrshell: %v\n", err)
	}
	return status
}

// stringList collects a repeated flag.
type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }
