package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/recover"
	"github.com/amrshell/amrshell/shell"
)

// scanSynopsis is the usage line of `amrshell catalog scan`.
const scanSynopsis = "scan -d CHANGER... [--holding DIR]... [--index] [--catalog FILE] [--config NAME]"

// scanArgs is what the command line of `amrshell catalog scan` says.
type scanArgs struct {
	changers, holding []string
	index             bool
	catalog, config   string
}

func parseScan(args []string) (*scanArgs, error) {
	set := optionSet{values: "d", long: map[string]bool{
		"holding": true, "index": false, "catalog": true, "config": true, "help": false,
	}}
	opts, operands, err := set.parse(args)
	if err != nil {
		return nil, err
	}
	a := &scanArgs{}
	once := map[string]bool{}
	for _, o := range opts {
		switch o.name {
		case "help":
			return nil, flag.ErrHelp
		case "d":
			a.changers = append(a.changers, o.value)
		case "holding":
			a.holding = append(a.holding, o.value)
		case "index":
			a.index = true
		case "catalog", "config":
			if once[o.name] {
				return nil, usagef("option --%s given twice", o.name)
			}
			once[o.name] = true
			if o.name == "catalog" {
				a.catalog = o.value
			} else {
				a.config = o.value
			}
		}
	}
	if len(operands) > 0 {
		return nil, usagef("unexpected operand %q: changers are named with -d", operands[0])
	}
	if len(a.changers) == 0 && len(a.holding) == 0 {
		return nil, usagef("name the changers or devices to scan (-d CHANGER) or holding disks (--holding DIR)")
	}
	if a.catalog == "" && a.config == "" {
		return nil, usagef("name the catalog to build (--catalog FILE) or the configuration (--config NAME)")
	}
	return a, nil
}

// catalogScan builds a catalog from the headers of the volumes and holding-disk dumps alone,
// and with --index the file index from the dumps themselves (see catalog.Scan).
func catalogScan(ctx context.Context, args []string, stdout io.Writer) error {
	a, err := parseScan(args)
	if err != nil {
		return err
	}
	path := a.catalog
	if path == "" {
		if path, err = shell.DefaultCatalogPath(a.config); err != nil {
			return err
		}
	}
	cat, err := catalog.Open(ctx, path)
	if err != nil {
		return err
	}
	defer cat.Close()
	opts := catalog.ScanOptions{Changers: a.changers, Holding: a.holding, Config: a.config}
	if a.index {
		r := recover.NewRestorer(cat, "")
		defer r.Close()
		r.Notes = os.Stderr // when a damaged copy is read from another one
		opts.Index = r.Index
	}
	st, err := cat.Scan(ctx, opts)
	for _, w := range st.Warnings {
		fmt.Fprintf(os.Stderr, "amrshell catalog scan: warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "scanned %d volumes (%d dump files) and %d holding-disk dumps into %s (configuration %s): %d copies",
		st.Volumes, st.Parts, st.Holding, path, cat.ConfigName(), st.Copies)
	if st.Incomplete > 0 {
		fmt.Fprintf(stdout, ", %d of them incomplete (not offered)", st.Incomplete)
	}
	if a.index {
		fmt.Fprintf(stdout, "; file index of %d dumps rebuilt (%d lines)", st.Indexed, st.IndexLines)
	}
	fmt.Fprintf(stdout, "\nbrowse and restore with: amrshell --catalog %s\n", path)
	return nil
}
