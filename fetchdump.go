package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/amrshell/amrshell/recover/fetch"
	"github.com/amrshell/amrshell/shell"
)

const fetchdumpUsage = `usage: amrshell fetchdump [-c|-C|-l] [-p|-n] [-a] [-h] [-O DIR] [-d DEVICE] [-o storage=NAME]...
        [--exact-match] [--amanda-conf FILE] [--catalog FILE] CONFIG HOST [DISK [DATE [LEVEL [HOST ...]]]]
Writes the dumps that match, as amfetchdump does: HOST.DISK.DATE.LEVEL in DIR or here.
  -a  do not wait for enter before reading    -p  write the first dump to stdout
  -h  write the 32 KiB header block first      -n  one file per part, not reassembled
  -l  leave the data as stored (compressed)    -c, -C  gzip (fast, best) what is not compressed
  -O DIR  write the files in DIR               -d DEVICE  read every volume from this device/changer
  -o storage=NAME  read copies in storage NAME only (other -o overrides are accepted and ignored)
  --amanda-conf FILE  the configuration file instead of /etc/amanda/CONFIG/amanda.conf
  --catalog FILE      the catalog (default $XDG_STATE_HOME/amrshell/CONFIG.sqlite)
`

// fetchdumpArgs is what the fetchdump command line asks for.
type fetchdumpArgs struct {
	cfg       shell.Config
	specs     fetch.Dumpspecs
	storages  []string // -o storage=
	ignored   []string // other -o overrides
	pipe      bool
	opts      fetch.FetchOptions
	planOpts  fetch.PlanOptions
	showUsage bool
}

// usageError is a bad command line: exit status 2, with the usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// option is one option of a command line, as getopt reads it.
type option struct{ name, value string }

// optionSet says which options a command has: short ones bundled or not ("-ah", "-O/dir",
// "-O /dir"), long ones ("--catalog FILE", "--catalog=FILE"). As Amanda's Getopt::Long, options
// may come before, between or after the operands; "--" ends them.
type optionSet struct {
	flags, values string          // short options without and with a value
	long          map[string]bool // long options; true when they take a value
}

func (s optionSet) parse(args []string) (opts []option, operands []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return opts, append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			takes, known := s.long[name]
			switch {
			case !known:
				return nil, nil, usagef("unknown option --%s", name)
			case takes && !hasValue:
				if i+1 >= len(args) {
					return nil, nil, usagef("option --%s needs a value", name)
				}
				i++
				value = args[i]
			case !takes && hasValue:
				return nil, nil, usagef("option --%s takes no value", name)
			}
			opts = append(opts, option{name, value})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				c := a[j]
				switch {
				case strings.IndexByte(s.flags, c) >= 0:
					opts = append(opts, option{name: string(c)})
				case strings.IndexByte(s.values, c) >= 0:
					value := a[j+1:]
					if value == "" {
						if i+1 >= len(args) {
							return nil, nil, usagef("option -%c needs a value", c)
						}
						i++
						value = args[i]
					}
					opts = append(opts, option{string(c), value})
					j = len(a)
				default:
					return nil, nil, usagef("unknown option -%c", c)
				}
			}
		default:
			operands = append(operands, a)
		}
	}
	return opts, operands, nil
}

func parseFetchdump(args []string) (*fetchdumpArgs, error) {
	set := optionSet{flags: "aphlcCn", values: "Odbo", long: map[string]bool{
		"amanda-conf": true, "catalog": true, "exact-match": false, "help": false,
	}}
	opts, operands, err := set.parse(args)
	if err != nil {
		return nil, err
	}
	a := &fetchdumpArgs{}
	exact := false
	for _, o := range opts {
		switch o.name {
		case "a":
			a.opts.Assume = true
		case "p":
			a.pipe = true
		case "h":
			a.opts.Header = true
		case "l":
			a.opts.Leave = true
		case "c":
			if a.opts.Compress == fetch.CompressBest {
				return nil, usagef("Can't use -c and -C")
			}
			a.opts.Compress = fetch.CompressFast
		case "C":
			if a.opts.Compress == fetch.CompressFast {
				return nil, usagef("Can't use -c and -C")
			}
			a.opts.Compress = fetch.CompressBest
		case "n":
			a.opts.NoReassembly, a.planOpts.OnePerPart = true, true
		case "O":
			a.opts.Dir = o.value
		case "d":
			a.opts.Device = o.value
		case "b":
			return nil, usagef("The -b option is no longer supported; set readblocksize in the tapetype section of amanda.conf instead.")
		case "o":
			key, value, ok := strings.Cut(o.value, "=")
			if !ok {
				return nil, usagef("-o %s: a configuration override is NAME=VALUE", o.value)
			}
			if strings.EqualFold(strings.ReplaceAll(key, "_", "-"), "storage") {
				a.storages = append(a.storages, strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' || r == '"' })...)
			} else {
				a.ignored = append(a.ignored, o.value)
			}
		case "amanda-conf":
			a.cfg.AmandaConf = o.value
		case "catalog":
			a.cfg.CatalogPath = o.value
		case "exact-match":
			exact = true
		case "help":
			a.showUsage = true
			return a, nil
		}
	}
	switch {
	case a.opts.Leave && a.opts.Compress != fetch.NoCompression:
		return nil, usagef("-l is not compatible with -c or -C")
	case a.pipe && a.opts.NoReassembly:
		return nil, usagef("-p is not compatible with -n")
	case len(operands) == 0:
		return nil, usagef("name a configuration")
	case len(operands) == 1:
		return nil, usagef("must specify at least a hostname")
	}
	a.cfg.ConfigName = operands[0]
	if a.specs, err = fetch.ParseDumpspecs(operands[1:], true, exact); err != nil {
		return nil, usagef("%v", err)
	}
	if len(a.storages) > 0 {
		a.planOpts.Storages, a.planOpts.OnlyInStorage = a.storages, true
	}
	return a, nil
}

// fetchdump runs amfetchdump's command line.
func fetchdump(args []string, stdin io.Reader, stdout, stderr *os.File) int {
	a, err := parseFetchdump(args)
	if err != nil {
		fmt.Fprintf(stderr, "amrshell fetchdump: %v\n%s", err, fetchdumpUsage)
		return 2
	}
	if a.showUsage {
		fmt.Fprint(stdout, fetchdumpUsage)
		return 0
	}
	if len(a.ignored) > 0 {
		fmt.Fprintf(stderr, "amrshell fetchdump: configuration overrides other than storage are ignored: %s\n", strings.Join(a.ignored, " "))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cat, _, status, err := shell.OpenCatalog(ctx, a.cfg)
	if err != nil {
		fmt.Fprintf(stderr, "amrshell fetchdump: %v\n", err)
		return status
	}
	defer cat.Close()
	if len(a.planOpts.Storages) == 0 {
		if a.planOpts.Storages, err = cat.StorageList(ctx); err != nil {
			fmt.Fprintf(stderr, "amrshell fetchdump: %v\n", err)
			return 1
		}
	}
	plan, err := fetch.MakePlan(ctx, cat, a.specs, a.planOpts)
	if err != nil {
		fmt.Fprintf(stderr, "amrshell fetchdump: %v\n", err)
		return 1
	}
	opts := a.opts
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if a.pipe {
		opts.Pipe = stdout
	}
	opts.Stdin, opts.Stderr = stdin, stderr
	opts.Terminal = term.IsTerminal(int(stderr.Fd()))
	err = fetch.Fetch(ctx, cat, plan, opts)
	switch {
	case errors.Is(err, fetch.ErrNoDumps):
		fmt.Fprintln(stderr, err)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "amrshell fetchdump: %v\n", err)
		return 1
	}
	return 0
}
