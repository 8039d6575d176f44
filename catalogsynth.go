package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/amrshell/amrshell/internal/synth"
)

// synthSynopsis is the usage line of `amrshell catalog synth`.
const synthSynopsis = "synth [--entries N] CONFIGDIR"

// catalogSynth writes a synthetic Amanda server state of about N index entries into CONFIGDIR
// (the configuration directory; its base name is the configuration's name), in the shape of the
// amrecover baseline: what the scale benchmarks measure, for trying it with the binary.
func catalogSynth(_ context.Context, args []string, stdout io.Writer) error {
	set := optionSet{long: map[string]bool{"entries": true, "help": false}}
	opts, operands, err := set.parse(args)
	if err != nil {
		return err
	}
	entries := 1_000_000
	for _, o := range opts {
		switch o.name {
		case "help":
			return flag.ErrHelp
		case "entries":
			if entries, err = strconv.Atoi(o.value); err != nil || entries < 0 {
				return usagef("--entries wants a count of index entries, not %q", o.value)
			}
		}
	}
	if len(operands) != 1 {
		return usagef("name one configuration directory")
	}
	srv, err := synth.WriteServer(operands[0], synth.Baseline(entries))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s:%s dumped at level 0 on %s to %s, %d index lines in %s\n",
		srv.AmandaConf, srv.Host, srv.Disk, srv.Datestamp, srv.Label, srv.Tree.Lines(), srv.Index)
	return nil
}
