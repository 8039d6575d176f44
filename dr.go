package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/amrshell/amrshell/commands"
	"github.com/amrshell/amrshell/recover/gtar"
	"github.com/amrshell/amrshell/shell"
)

const drUsage = `usage: amrshell dr [-C CONFIG | --amanda-conf FILE] [--catalog FILE] [-d DEVICE] [--storage A,B]
        [--date DATE] [--dry-run] [--verify] [--overwrite POLICY] --target DIRECTORY HOST
Restores every disk of HOST as of DATE (setdate's forms; default: the newest dumps), each under
DIRECTORY at its mount point, loading each volume once; --dry-run prints the plan only.
`

// parseDR reads dr's command line; options may come anywhere.
func parseDR(args []string) (shell.Config, error) {
	set := optionSet{flags: "", values: "Cd", long: map[string]bool{
		"amanda-conf": true, "catalog": true, "storage": true, "date": true, "target": true,
		"dry-run": false, "verify": false, "overwrite": true, "help": false,
	}}
	opts, operands, err := set.parse(args)
	if err != nil {
		return shell.Config{}, err
	}
	cfg := shell.Config{Disaster: &commands.DisasterRestore{}}
	for _, o := range opts {
		switch o.name {
		case "C":
			cfg.ConfigName = o.value
		case "amanda-conf":
			cfg.AmandaConf = o.value
		case "catalog":
			cfg.CatalogPath = o.value
		case "d":
			cfg.Device = o.value
		case "storage":
			cfg.Storages = strings.Split(o.value, ",")
		case "date":
			cfg.Disaster.Date = o.value
		case "target":
			cfg.Disaster.Target = o.value
		case "dry-run":
			cfg.Disaster.DryRun = true
		case "verify":
			cfg.Verify = true
		case "overwrite":
			if cfg.Overwrite, err = gtar.ParseOverwrite(o.value); err != nil {
				return cfg, usagef("--overwrite: %v", err)
			}
		case "help":
			return cfg, errHelp
		}
	}
	if len(operands) != 1 {
		return cfg, usagef("name one host")
	}
	if cfg.Disaster.Target == "" {
		return cfg, usagef("--target DIRECTORY is needed")
	}
	cfg.Disaster.Host = operands[0]
	return cfg, nil
}

// errHelp asks for the usage.
var errHelp = usagef("help")

// disasterRestore runs `amrshell dr`.
func disasterRestore(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	cfg, err := parseDR(args)
	if err == errHelp {
		fmt.Fprint(stdout, drUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "amrshell dr: %v\n%s", err, drUsage)
		return 2
	}
	cfg.Version, cfg.TapeServer = version, "localhost"
	status, err := shell.Main(context.Background(), cfg, stdin, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "amrshell dr: %v\n", err)
	}
	return status
}
