package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/amrshell/amrshell/recover/fetch"
)

const restoreUsage = `usage: amrshell restore [-r|-c|-C] [-p] [-h] [-f FILENUM] [-l LABEL] [--exact-match]
        {DEVICE | [--holding] HOLDINGFILE} [HOST [DISK [DATE [HOST ...]]]]
Writes the files of a volume (or a holding file) that match, one per part, as amrestore does.
DEVICE is file:DIR, chg-disk:DIR (its current slot) or a vtape directory; a tape drive with -l.
  -r  raw: header and data as stored (.RAW)    -c, -C  gzip (fast, best) what is not compressed
  -h  write the 32 KiB header block first      -p  write the first matching file to stdout
  -f FILENUM  start at this file (default 1)   -l LABEL  the volume must be labelled LABEL
  (-b, -o and --config are accepted for amrestore compatibility and ignored: no configuration is read)
`

// restoreArgs is what the restore command line asks for.
type restoreArgs struct {
	opts      fetch.RestoreOptions
	pipe      bool
	showUsage bool
}

func parseRestore(args []string) (*restoreArgs, error) {
	set := optionSet{flags: "rhpcC", values: "fblo", long: map[string]bool{
		"holding": false, "exact-match": false, "config": true, "continue-on-filter-error": false, "help": false,
	}}
	opts, operands, err := set.parse(args)
	if err != nil {
		return nil, err
	}
	a := &restoreArgs{}
	exact := false
	for _, o := range opts {
		switch o.name {
		case "r":
			a.opts.Raw = true
		case "h":
			a.opts.Header = true
		case "p":
			a.pipe = true
		case "c":
			a.opts.Compress = max(a.opts.Compress, fetch.CompressFast)
		case "C":
			a.opts.Compress = fetch.CompressBest
		case "f":
			n, err := strconv.Atoi(o.value)
			if err != nil || n < 0 {
				return nil, usagef("-f %s: the file number must be a number, 0 or more", o.value)
			}
			a.opts.Filenum = n
		case "l":
			a.opts.Label = o.value
		case "holding":
			a.opts.Holding = true
		case "exact-match":
			exact = true
		case "help":
			a.showUsage = true
			return a, nil
		}
	}
	switch {
	case a.opts.Raw && a.opts.Compress != fetch.NoCompression:
		return nil, usagef("Cannot use both -r (raw) and -c/-C (compression) -- use -h instead")
	case len(operands) == 0:
		return nil, usagef("Must specify a device or holding-disk file")
	case a.opts.Holding && a.opts.Label != "":
		return nil, usagef("Cannot check a label on a holding-disk file")
	}
	a.opts.Source = operands[0]
	if a.opts.Specs, err = fetch.ParseDumpspecs(operands[1:], false, exact); err != nil {
		return nil, usagef("%v", err)
	}
	return a, nil
}

// restore runs amrestore's command line.
func restore(args []string, stdout, stderr io.Writer) int {
	a, err := parseRestore(args)
	if err != nil {
		fmt.Fprintf(stderr, "amrshell restore: %v\n%s", err, restoreUsage)
		return 2
	}
	if a.showUsage {
		fmt.Fprint(stdout, restoreUsage)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := a.opts
	opts.Dir, opts.Stderr = ".", stderr
	if a.pipe {
		opts.Pipe = stdout
	}
	err = fetch.Restore(ctx, opts)
	switch {
	case errors.Is(err, fetch.ErrSomeFailed):
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return 1
	}
	return 0
}
