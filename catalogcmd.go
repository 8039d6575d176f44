package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/shell"
)

// catalogCommand is one sub-command of `amrshell catalog`.
type catalogCommand struct {
	synopsis string // its usage line after "amrshell catalog "
	// run does it; a *usageError ends with the usage and status 2, flag.ErrHelp prints the
	// usage and succeeds, another error is printed and ends with status 1.
	run func(ctx context.Context, args []string, stdout io.Writer) error
}

// catalogCommands are the sub-commands of `amrshell catalog`: a new one is one entry here.
var catalogCommands = map[string]catalogCommand{
	"export": {"export [-C CONFIG | --amanda-conf FILE] [--catalog FILE] EXPORTFILE", catalogExport},
	"import": {"import [--catalog DEST] [--force] EXPORTFILE", catalogImport},
	"scan":   {scanSynopsis, catalogScan},
	"synth":  {synthSynopsis, catalogSynth},
}

// catalogMain runs `amrshell catalog COMMAND ARGS...`.
func catalogMain(args []string, stdout, stderr io.Writer) int {
	names := slices.Sorted(maps.Keys(catalogCommands))
	usage := func(w io.Writer, names ...string) {
		for i, name := range names {
			prefix := "usage: "
			if i > 0 {
				prefix = "       "
			}
			fmt.Fprintf(w, "%samrshell catalog %s\n", prefix, catalogCommands[name].synopsis)
		}
	}
	if len(args) == 0 || catalogCommands[args[0]].run == nil {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			usage(stdout, names...)
			return 0
		}
		if len(args) > 0 {
			fmt.Fprintf(stderr, "amrshell catalog: unknown command %q\n", args[0])
		}
		usage(stderr, names...)
		return 2
	}
	name := args[0]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := catalogCommands[name].run(ctx, args[1:], stdout)
	var ue *usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		usage(stdout, name)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "amrshell catalog %s: %v\n", name, err)
		usage(stderr, name)
		return 2
	default:
		fmt.Fprintf(stderr, "amrshell catalog %s: %v\n", name, err)
		return 1
	}
}

// catalogArgs parses a catalog command's line (options anywhere, as fetchdump's) into its
// options by name and its one operand, the export file.
func catalogArgs(args []string, set optionSet) (map[string]string, string, error) {
	set.long["help"] = false
	opts, operands, err := set.parse(args)
	if err != nil {
		return nil, "", err
	}
	named := map[string]string{}
	for _, o := range opts {
		if o.name == "help" {
			return nil, "", flag.ErrHelp
		}
		if _, twice := named[o.name]; twice {
			return nil, "", usagef("option %s given twice", optionName(o.name))
		}
		named[o.name] = o.value
	}
	if len(operands) != 1 {
		return nil, "", usagef("name one export file")
	}
	return named, operands[0], nil
}

// optionName spells an option as on the command line.
func optionName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// catalogExport writes the catalog, brought up to date with the configuration's state when
// one is named, to an export file.
func catalogExport(ctx context.Context, args []string, stdout io.Writer) error {
	opts, file, err := catalogArgs(args, optionSet{values: "C", long: map[string]bool{"amanda-conf": true, "catalog": true}})
	if err != nil {
		return err
	}
	cfg := shell.Config{ConfigName: opts["C"], AmandaConf: opts["amanda-conf"], CatalogPath: opts["catalog"]}
	cat, catPath, status, err := shell.OpenCatalog(ctx, cfg)
	if err != nil {
		if status == 2 {
			return usagef("%v", err)
		}
		return err
	}
	defer cat.Close()
	info, err := cat.Export(ctx, file, version)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported catalog %s (configuration %s, schema %d) to %s: %s\n",
		catPath, info.Config, info.Schema, file, describeFiles(info.Files))
	if len(info.Files) == 1 {
		// Only the catalog: no configuration was imported into it since catalogs keep their texts.
		fmt.Fprintf(stdout, "note: the export holds no amanda.conf, disklist or tapelist; name the configuration (-C NAME or --amanda-conf FILE) to import and include them\n")
	}
	return nil
}

// catalogImport checks an export file and installs its catalog.
func catalogImport(ctx context.Context, args []string, stdout io.Writer) error {
	opts, file, err := catalogArgs(args, optionSet{long: map[string]bool{"catalog": true, "force": false}})
	if err != nil {
		return err
	}
	_, force := opts["force"]
	r, err := catalog.OpenExport(file)
	if err != nil {
		return err
	}
	defer r.Close()
	info := r.Info()
	dest := opts["catalog"]
	if dest == "" {
		if info.Config == "" {
			return fmt.Errorf("the catalog in %s names no configuration: say where to install it (--catalog DEST)", file)
		}
		if dest, err = shell.DefaultCatalogPath(info.Config); err != nil {
			return err
		}
	}
	if err := r.Install(ctx, dest, force); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "installed the catalog of configuration %s (exported %s by amrshell %s: %s) as %s\nbrowse and restore with: amrshell --catalog %s\n",
		info.Config, info.Created.Format("2006-01-02 15:04:05 MST"), info.Version, describeFiles(info.Files), dest, dest)
	return nil
}

// describeFiles names an export's members and sizes.
func describeFiles(files []catalog.ExportFile) string {
	var parts []string
	for _, f := range files {
		parts = append(parts, fmt.Sprintf("%s %d bytes", f.Name, f.Size))
	}
	return strings.Join(parts, ", ")
}
