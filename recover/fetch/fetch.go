package fetch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/device"
	"github.com/amrshell/amrshell/recover"
)

// FetchOptions are amfetchdump's options.
type FetchOptions struct {
	Dir          string    // -O: where the dump files go (the caller's working directory if "")
	Pipe         io.Writer // -p: the first dump goes here, and no file is written
	Header       bool      // -h: the 32 KiB header block first
	Leave        bool      // -l: the data as on the media, compressed or not
	Compress     Compression
	NoReassembly bool      // -n: the plan has one dump per part; files are named by part
	Assume       bool      // -a: do not wait for enter before reading
	Device       string    // -d: read every volume through this device or changer
	Stdin        io.Reader // read for "Press enter when ready" without -a
	Stderr       io.Writer
	Terminal     bool // Stderr is a terminal: the size read is updated on one line
}

// ErrNoDumps is returned when the dumpspecs match no dump.
var ErrNoDumps = errors.New("No matching dumps found")

// sizeInterval is how often the size read so far is printed, as Amanda's Restore delay.
const sizeInterval = 15 * time.Second

// Fetch writes the dumps of the plan as amfetchdump does: it lists the volumes and holding
// files needed, waits for enter unless Assume, then reads each dump and writes it, going on
// with the next dump when one fails. It returns an error when any dump failed; each failure
// was printed on Stderr already.
func Fetch(ctx context.Context, cat *catalog.Catalog, plan *Plan, opts FetchOptions) error {
	if len(plan.Copies) == 0 {
		return ErrNoDumps
	}
	m := &messages{w: opts.Stderr, terminal: opts.Terminal}
	if opts.Pipe != nil && len(plan.Copies) > 1 {
		m.print("WARNING: Fetch first dump only because sending data stream to a pipe")
		plan = &Plan{Copies: plan.Copies[:1]}
	}
	var needed strings.Builder
	if vols := plan.Volumes(); len(vols) > 0 {
		fmt.Fprintf(&needed, "%d volume(s) needed for restoration\nThe following volumes are needed: %s\n", len(vols), strings.Join(vols, " "))
	}
	if files := plan.HoldingFiles(); len(files) > 0 {
		fmt.Fprintf(&needed, "%d holding file(s) needed for restoration\n", len(files))
		for _, f := range files {
			fmt.Fprintf(&needed, "  %s\n", f)
		}
	}
	m.print(needed.String())
	// Amanda 3.5.1 prints this even with -a (and then waits anyway); amrshell prints it as
	// Amanda does but waits only without -a.
	m.print("Press enter when ready")
	var stdin *bufio.Reader
	if opts.Stdin != nil {
		stdin = bufio.NewReader(opts.Stdin)
	}
	if !opts.Assume && stdin != nil {
		stdin.ReadString('\n')
	}

	r := recover.NewRestorer(cat, opts.Device)
	defer r.Close()
	r.Notes = m // the fall-backs to other copies
	if stdin != nil {
		r.Operator = volumeAsker{in: stdin, m: m}
	}
	failed := 0
	for _, cp := range plan.Copies {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fetchOne(ctx, r, cp, opts, m); err != nil {
			m.print(err.Error())
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d dumps not fetched", failed, len(plan.Copies))
	}
	return nil
}

// fetchOne reads one copy and writes it out.
func fetchOne(ctx context.Context, r *recover.Restorer, cp *catalog.Copy, opts FetchOptions, m *messages) error {
	notes := &partNotes{m: m}
	h, data, err := r.OpenCopy(ctx, cp, opts.Device, notes)
	if err != nil {
		return err
	}
	defer data.Close()
	t := transform{decrypt: !opts.Leave, decompress: !opts.Leave && opts.Compress == NoCompression, compress: opts.Compress}
	if opts.Leave {
		t.compress = NoCompression
	}
	out := t.apply(h, false)
	// The CRCs of the log stand in for those the header lacks, in the header written too.
	for _, c := range []struct {
		crc    *device.CRC
		logged string
	}{{&out.NativeCRC, cp.NativeCRC}, {&out.ClientCRC, cp.ClientCRC}, {&out.ServerCRC, cp.ServerCRC}} {
		if c.crc.Sum == 0 {
			if logged, err := device.ParseCRC(c.logged); err == nil {
				*c.crc = logged
			}
		}
	}
	// Amanda prints the first part's header as it will be written, the others as read.
	notes.first = h
	m.reading(cp.Parts[0], out)

	name := dumpName(h)
	if opts.NoReassembly {
		name += fmt.Sprintf(".%07d", h.PartNum)
	}
	if opts.Compress != NoCompression {
		name = compressedName(name, h)
	}
	var (
		w    io.Writer = opts.Pipe
		file *outputFile
	)
	if w == nil {
		if file, err = createOutput(opts.Dir, name); err != nil {
			return err
		}
		defer file.abort() // after commit, only a no-op Close and a failing Remove
		w = file
	}
	if opts.Header {
		block, err := headerBlock(out, false)
		if err != nil {
			return fmt.Errorf("%s: %w", describe(cp), err)
		}
		if _, err := w.Write(block); err != nil {
			return fmt.Errorf("%s: write the header: %w", describe(cp), err)
		}
	}
	counted := &sizeCounter{ctx: ctx, r: data}
	stop := m.sizeTicker(counted)
	p, err := t.run(h, counted, w)
	stop()
	if err != nil && opts.NoReassembly && t.isPiece(h) {
		return pieceError(h, err, "use -l to write the parts as stored, or fetch the dump without -n")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", describe(cp), err)
	}
	m.readSize(counted.n.Load())
	if !opts.NoReassembly {
		// As recover.Restore: the catalog's CRC, else the header's.
		if err := p.check(cp, h); err != nil {
			return fmt.Errorf("recovery failed: %s: %w", describe(cp), err)
		}
	}
	if file != nil {
		return file.commit()
	}
	return nil
}

// check compares the CRCs of a whole dump's streams with those Amanda recorded, in Amanda's
// words.
func (p *pipe) check(cp *catalog.Copy, h *device.Header) error {
	if err := checkCRC("server-crc", "source-crc", recorded(cp.ServerCRC, h.ServerCRC), p.stored); err != nil {
		return err
	}
	if p.native != nil {
		return checkCRC("native-crc", "restore-native-crc", recorded(cp.NativeCRC, h.NativeCRC), p.native)
	}
	return nil
}

// recorded is the CRC the log recorded, else the header's, as recover.Restore takes them.
func recorded(logged string, inHeader device.CRC) string {
	if logged == "" && inHeader.Size > 0 {
		return inHeader.String()
	}
	return logged
}

// checkCRC compares what went through r with a CRC Amanda recorded ("8hex:size"); an unknown
// record (empty, or 00000000:0) checks nothing.
func checkCRC(what, restored, want string, r *recover.CRCReader) error {
	if crc, err := device.ParseCRC(want); err != nil || crc.Sum == 0 && crc.Size == 0 {
		return nil
	}
	if got := r.String(); got != want {
		return fmt.Errorf("%s (%s) and %s (%s) differ", what, want, restored, got)
	}
	return nil
}

// partNotes prints Amanda's "Reading label" lines for the parts after the first, which the
// clerk opens while the data flows. Their headers are the first part's but for the part number
// (the clerk has checked host, disk, datestamp, level and part number of each against the
// catalog).
type partNotes struct {
	m     *messages
	first *device.Header // the first part's header as read
}

func (n *partNotes) Part(part catalog.Part, num, _ int) {
	if num == 1 || n.first == nil {
		return
	}
	h := *n.first
	h.PartNum = part.Num
	n.m.reading(part, &h)
}

func (*partNotes) Begin(string, int64) {}
func (*partNotes) Read(int64)          {}
func (*partNotes) Restored(int64)      {}
func (*partNotes) End()                {}

// sizeCounter counts the bytes read from the media, and stops the transfer when ctx is done.
type sizeCounter struct {
	ctx context.Context
	r   io.Reader
	n   atomic.Int64
}

func (c *sizeCounter) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// messages prints amfetchdump's messages on stderr, as its Amanda::FetchDump feedback.
type messages struct {
	mu         sync.Mutex
	w          io.Writer
	terminal   bool
	lastIsSize bool // a size is on the current line of the terminal
}

// Write prints each line of p as a message.
func (m *messages) Write(p []byte) (int, error) {
	for line := range strings.Lines(string(p)) {
		m.print(strings.TrimSuffix(line, "\n"))
	}
	return len(p), nil
}

// volumeAsker is amfetchdump's interactivity: it asks on standard error for a volume no
// changer has and reads the answer from standard input: enter looks again, a device name reads
// from that device, the end of input aborts.
type volumeAsker struct {
	in *bufio.Reader
	m  *messages
}

func (a volumeAsker) InsertVolume(_ context.Context, label, storage string, why error) (string, error) {
	a.m.print(why.Error())
	a.m.print(fmt.Sprintf("Insert volume labeled '%s' of storage %s", label, storage))
	a.m.print("and press enter, or ^D to abort.")
	line, err := a.in.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func (m *messages) print(msg string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.printLocked(msg)
}

func (m *messages) printLocked(msg string) {
	if m.terminal && m.lastIsSize {
		fmt.Fprintln(m.w)
	}
	fmt.Fprintln(m.w, msg)
	m.lastIsSize = false
}

// reading announces a part: a blank line, where it is read from, its header's summary.
func (m *messages) reading(part catalog.Part, h *device.Header) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(m.w)
	if part.HoldingPath != "" {
		m.printLocked(fmt.Sprintf("Reading '%s'\n%s", part.HoldingPath, h.Summary()))
		return
	}
	m.printLocked(fmt.Sprintf("Reading label '%s' filenum %d\n%s", part.Label, part.Filenum, h.Summary()))
}

// size prints the size read so far: on one line at a terminal, else a line each time.
func (m *messages) size(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.terminal {
		fmt.Fprintf(m.w, "\r%d kb    ", n/1024)
		m.lastIsSize = true
		return
	}
	fmt.Fprintf(m.w, "READ SIZE: %d kb\n", n/1024)
}

// readSize prints the size read when a dump is done.
func (m *messages) readSize(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(m.w, "\r%d kb    \n", n/1024)
	m.lastIsSize = false
}

// sizeTicker prints the size read every sizeInterval until stop is called.
func (m *messages) sizeTicker(c *sizeCounter) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(sizeInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				m.size(c.n.Load())
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
