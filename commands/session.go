package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/recover"
	"github.com/amrshell/amrshell/recover/gtar"
)

// Index is what the commands ask the catalog, in place of what amrecover asks amindexd (the
// verb in brackets). *catalog.Catalog is one.
type Index interface {
	ConfigName() string
	// AmrecoverChanger is the device extract uses when none was given [TAPE].
	AmrecoverChanger(ctx context.Context) (string, error)
	// StorageChanger fails for a storage the configuration does not define [STORAGE].
	StorageChanger(ctx context.Context, storage string) (string, error)
	Hosts(ctx context.Context) ([]string, error)              // [LISTHOST]
	Disks(ctx context.Context, host string) ([]string, error) // [LISTDISK]
	// DisklistHost is the disklist's spelling of host, or a *catalog.RefusalError [HOST].
	DisklistHost(ctx context.Context, host string) (string, error)
	CheckDisk(ctx context.Context, host, disk string) error // [DISK]
	// HistoryInStorages is the dump history, newest first [DHST], after `storage` [STORAGE].
	// With only false, the copies of other storages come after those of the listed ones.
	HistoryInStorages(ctx context.Context, host, disk string, storages []string, only bool) ([]catalog.HistoryItem, error)
	ListDir(ctx context.Context, chain []int64, dir string) ([]catalog.Entry, error)                        // [OLSD]
	WalkTree(ctx context.Context, chain []int64, dir string, fn func(path string, owner int64) error) error // [ORLD]
	DirExists(ctx context.Context, chain []int64, dir string) (bool, error)                                 // [OISD]
	// TreeOwners is the dumps WalkTree would give as owners, without the walk [ORLD].
	TreeOwners(ctx context.Context, chain []int64, dir string) ([]int64, error)
	// Copy tells a dump's program, for the overwrite check before a level-0 restore.
	Copy(ctx context.Context, copyID int64) (*catalog.Copy, error)
}

// deviceDisks is what an Index may add to answer "listdisk DEVICE" as amindexd does: the disks
// of a host whose disklist device is device (or, without a device, whose name is). Without it
// the name alone is compared.
type deviceDisks interface {
	DisksOfDevice(ctx context.Context, host, device string) ([]string, error)
}

// Interactive asks the user a question: it prints prompt and returns the answer without its
// newline, io.EOF at the end of input, or ctx's error when ctx ends first (Ctrl-C).
type Interactive interface {
	Ask(ctx context.Context, prompt string) (string, error)
}

// Restorer restores one group of the extract list into the directory target, writing tar's
// verbose lines to verbose and its own notes to notes. recover.Restorer is the real one.
type Restorer interface {
	Restore(ctx context.Context, req recover.Request, target string, verbose, notes io.Writer) error
}

// Verifier checks a restore directory against the dumps of an extract's groups (in restore
// order) without writing; recover.Restorer is the real one.
type Verifier interface {
	Verify(ctx context.Context, groups []recover.Request, target string, out io.Writer) (gtar.CompareStats, error)
}

// Options configure a session.
type Options struct {
	Index       Index
	Restorer    Restorer
	Verifier    Verifier // for the verify command; nil: verify says it cannot
	Interactive Interactive
	Out, Err    io.Writer
	TapeServer  string // the tape server named in messages (-t); "" means "localhost"
	Device      string // -d; "" asks the catalog (amrecover-changer, tpchanger, tapedev)
	LocalDir    string // the initial local directory (lcd); "" means the process's
	// Progress is told how each restore goes (recover.Request.Progress); nil shows nothing.
	Progress recover.Progress
	// DryRun makes extract print its estimate and restore nothing (--dry-run).
	DryRun bool
	// Verify makes extract read each restored file back and check it (--verify).
	Verify bool
	// Overwrite is the policy for entries already in the restore directory (--overwrite).
	Overwrite gtar.Overwrite
	// Storages are preferred, in this order, when a dump has copies in several storages
	// (--storage); the `storage` command overrides them with amrecover's filter.
	Storages []string
}

// Session is one amrecover session: the state amrecover keeps, the state amindexd keeps for it,
// and the extract list.
type Session struct {
	idx     Index
	restore Restorer
	prog    recover.Progress
	ask     Interactive
	out     io.Writer
	errOut  io.Writer
	now     func() time.Time

	// amindexd's side.
	date         string // DATE
	srvHost      string // HOST, as the disklist spells it
	srvDisk      string // DISK
	storageSet   bool   // STORAGE was sent
	storage      string // the one storage name amrecover 3.5.1 manages to send
	storageValid bool
	preferred    []string // Options.Storages
	dryRun       bool
	verifyWrites bool // Options.Verify
	overwrite    gtar.Overwrite

	verifier    Verifier
	lastExtract []recover.Request // the groups of the last extract, for verify
	lastTarget  string            // where it restored

	// amrecover's side.
	host       string // dump_hostname
	disk       string // disk_name
	mountPoint string
	diskPath   string // cwd in raw index form ("/", "/docs"); "" when no disk is set
	diskTPath  string // diskPath translated
	dirList    []dirItem
	extract    []*group
	translate  bool
	smb        bool // setmode smb

	serverName    string // the tape server when none is set, and amrecover's index server
	tapeServer    string
	tapeServerSet bool
	device        string
	deviceSet     bool
	deviceChosen  bool // the device was named in this session, not by -d or the catalog

	props    []property
	localDir string
	quit     bool
	failed   bool
}

// dirItem is one entry of the current directory's listing.
type dirItem struct {
	dump   *catalog.HistoryItem // the chain dump that owns it
	server string               // the path as amindexd listed it: "/docs/", "/docs/x"
	path   string               // amrecover's form: the directory itself is "/docs/."
	tpath  string               // path translated
}

type property struct {
	name   string
	values []string
}

// New makes a session; Start begins it.
func New(opts Options) *Session {
	s := &Session{
		idx:          opts.Index,
		restore:      opts.Restorer,
		prog:         opts.Progress,
		ask:          opts.Interactive,
		out:          opts.Out,
		errOut:       opts.Err,
		now:          time.Now,
		translate:    true,
		serverName:   opts.TapeServer,
		device:       opts.Device,
		deviceSet:    opts.Device != "",
		localDir:     opts.LocalDir,
		preferred:    opts.Storages,
		dryRun:       opts.DryRun,
		verifyWrites: opts.Verify,
		verifier:     opts.Verifier,
		overwrite:    opts.Overwrite,
	}
	if s.serverName == "" {
		s.serverName = "localhost"
	}
	s.tapeServer, s.tapeServerSet = s.serverName, true
	if s.localDir == "" {
		s.localDir, _ = os.Getwd()
	}
	return s
}

// Start prints what amrecover prints once connected, with date as today's date, and selects
// host as amrecover selects its -h host.
func (s *Session) Start(ctx context.Context, host, date string) {
	s.date = date
	s.printf("Setting restore date to today (%s)\n", date)
	s.printf("200 Working date set to %s.\n", date)
	s.printf("200 Config set to %s.\n", s.idx.ConfigName())
	s.setHost(ctx, host)
	if s.host != "" {
		s.printf("Use the setdisk command to choose dump disk to recover\n")
	} else {
		s.printf("Use the sethost command to choose a host to recover\n")
	}
}

// Exec runs one input line and reports whether the session ended (quit).
func (s *Session) Exec(ctx context.Context, line string) (quit bool) {
	if i := strings.IndexByte(line, 0); i >= 0 {
		line = line[:i] // amrecover sees a C string
	}
	if line == "" {
		return false // amrecover skips empty lines
	}
	s.quit = false
	s.parse(ctx, &parser{lx: newLexer(line+"\n", s.out, s.errOut)})
	return s.quit
}

// ExtractFailed reports whether an extraction failed in this session.
func (s *Session) ExtractFailed() bool { return s.failed }

func (s *Session) printf(format string, args ...any) {
	fmt.Fprintf(s.out, format, args...)
}

// replyLine is the reply amindexd sends when the catalog refuses or fails.
func replyLine(err error) string {
	var refused *catalog.RefusalError
	if errors.As(err, &refused) {
		return "501 " + refused.Error()
	}
	return "599 System error: " + err.Error()
}

// history is the disk's dump history as amindexd has it after any `storage` command.
func (s *Session) history(ctx context.Context) ([]catalog.HistoryItem, error) {
	if s.storageSet && !s.storageValid {
		return nil, nil // amindexd keeps an empty storage list then: no dump passes
	}
	storages, only := s.storages()
	return s.idx.HistoryInStorages(ctx, s.srvHost, s.srvDisk, storages, only)
}

// storages are the storages preferred, in order, and whether the others are left out.
func (s *Session) storages() ([]string, bool) {
	if s.storageSet {
		return []string{s.storage}, true
	}
	return s.preferred, false
}

// view returns the dumps of the point-in-time view, newest first, or the line amindexd replies
// instead.
func (s *Session) view(ctx context.Context) ([]catalog.HistoryItem, string) {
	h, err := s.history(ctx)
	if err != nil {
		return nil, replyLine(err)
	}
	chain, err := recover.Chain(h, s.date)
	if err != nil {
		return nil, "500 " + err.Error()
	}
	return chain, ""
}

func dumpIDs(chain []catalog.HistoryItem) []int64 {
	ids := make([]int64, len(chain))
	for i, d := range chain {
		ids[i] = d.DumpID
	}
	return ids
}

// isDir says whether a listing entry is a directory: "x/" or the directory itself ("/x/.").
func isDir(tpath string) bool {
	n := len(tpath)
	return n > 0 && tpath[n-1] == '/' || n > 1 && tpath[n-2:] == "/."
}

// validDir is amindexd's OISD: "" when dir (raw, "/" or "/docs") is a directory of the view,
// else the reply line.
func (s *Session) validDir(ctx context.Context, dir string) string {
	if s.srvHost == "" || s.srvDisk == "" {
		return "502 Must set config,host,disk before asking about directories"
	}
	chain, reply := s.view(ctx)
	if reply != "" {
		return reply
	}
	ok, err := s.idx.DirExists(ctx, dumpIDs(chain), dirSlash(dir))
	if err != nil {
		return replyLine(err)
	}
	if !ok {
		return fmt.Sprintf("500 \"%s\" is an invalid directory", dir)
	}
	return ""
}

// owners is amindexd's ORLD seen from amrecover: the chain dumps that own something at or
// below dir (raw, cleaned), in the order of the reply (level 0 first); or the reply line.
func (s *Session) owners(ctx context.Context, dir string) ([]*catalog.HistoryItem, string) {
	chain, reply := s.view(ctx)
	if reply != "" {
		return nil, reply
	}
	ids, err := s.idx.TreeOwners(ctx, dumpIDs(chain), dirSlash(dir))
	if err != nil {
		return nil, replyLine(err)
	}
	var out []*catalog.HistoryItem
	for i := len(chain) - 1; i >= 0; i-- {
		if slices.Contains(ids, chain[i].DumpID) {
			out = append(out, &chain[i])
		}
	}
	return out, ""
}
