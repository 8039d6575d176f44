package shell

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/amrshell/amrshell/catalog"
)

// Progress shows how each dump of an extract is restored, as recover.Progress. On a terminal
// it draws a bar, redrawn in place; anywhere else it writes amrecover's lines, "N kb" at most
// once a second while data arrives, never a carriage return. Both end each dump with
// amrecover's "N kb" line, N the KiB read from the media.
type Progress struct {
	w        io.Writer
	terminal bool
	every    time.Duration    // between redraws of the bar
	now      func() time.Time // for the lines' once a second
	columns  func() int       // the terminal's width

	read     atomic.Int64 // bytes read from the media in this dump
	files    atomic.Int64 // members restored in this dump
	restored atomic.Int64 // bytes of content restored in this dump
	lastLine atomic.Int64 // Unix second of the last "N kb" line: amrecover's last_time

	mu      sync.Mutex // orders what is written to w and, through Above, beside the bar
	bar     *progressbar.ProgressBar
	what    string // the dump
	total   int64  // the dump's bytes on the media, 0 when unknown
	where   string // the part being read
	line    string // the bar as last drawn, "" before the first drawing
	shown   bool   // the bar is on the screen
	midLine bool   // Above wrote the start of a line: the bar waits for its end
	stop    chan struct{}
	stopped chan struct{}
}

// NewProgress shows progress on w: a bar when terminal is true, else amrecover's lines.
func NewProgress(w io.Writer, terminal bool) *Progress {
	columns := func() int { return 80 }
	if f, ok := w.(*os.File); ok {
		columns = func() int {
			if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
				return cols
			}
			return 80
		}
	}
	return &Progress{w: w, terminal: terminal, every: 100 * time.Millisecond, now: time.Now, columns: columns}
}

// Begin starts a dump. On a terminal the bar is redrawn from a goroutine of its own until End.
func (p *Progress) Begin(what string, total int64) {
	p.read.Store(0)
	p.files.Store(0)
	p.restored.Store(0)
	if !p.terminal {
		return
	}
	size := total
	if size <= 0 {
		size = -1 // a spinner and the bytes read
	}
	p.mu.Lock()
	p.what, p.total, p.where, p.midLine = what, total, "", false // a prompt left the line open
	p.bar = progressbar.NewOptions64(size,
		// The bar only renders: Progress writes its line, so that Above can take it away.
		progressbar.OptionSetWriter(io.Discard),
		// The bar grows only when the rest of the line fits; on 80 columns, the part and the
		// number of files still do.
		progressbar.OptionSetWidth(min(max(p.columns()-150, 8), 40)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0), // else the bar starts a goroutine that writes
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
	p.bar.StartWithoutRender() // the rate and times count from here, not from the first drawing
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	p.mu.Unlock()
	go p.redraw(p.stop, p.stopped)
}

func (p *Progress) redraw(stop <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.tick()
		}
	}
}

// tick draws the bar as things stand.
func (p *Progress) tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil || p.midLine {
		return
	}
	read := p.read.Load()
	if p.total > 0 {
		// At its total the bar finishes and stops rendering; the dump ends only at End.
		read = min(read, p.total-1)
	}
	p.bar.Set64(read)
	desc := fmt.Sprintf("%d files, %s restored", p.files.Load(), iec(p.restored.Load()))
	if p.where != "" {
		desc = p.where + ": " + desc
	}
	p.bar.Describe(desc + " (" + p.what + ")")
	p.line = fit(p.bar.String(), p.columns()-1)
	io.WriteString(p.w, "\r"+p.line+"\033[K")
	p.shown = true
}

// Part notes the part being read, for the bar.
func (p *Progress) Part(part catalog.Part, num, parts int) {
	if !p.terminal {
		return
	}
	where := fmt.Sprintf("%s part %d/%d", part.Label, num, parts)
	if part.HoldingPath != "" {
		where = "holding file " + filepath.Base(part.HoldingPath)
	}
	p.mu.Lock()
	p.where = where
	p.mu.Unlock()
}

// Read counts bytes read from the media. Without a terminal it writes amrecover's line when
// data arrives in a new second.
func (p *Progress) Read(n int64) {
	read := p.read.Add(n)
	if p.terminal || n <= 0 {
		return
	}
	sec, last := p.now().Unix(), p.lastLine.Load()
	if sec <= last || !p.lastLine.CompareAndSwap(last, sec) {
		return
	}
	p.mu.Lock()
	fmt.Fprintf(p.w, "%d kb\n", read/1024)
	p.mu.Unlock()
}

// Restored counts a file restored.
func (p *Progress) Restored(size int64) {
	p.files.Add(1)
	p.restored.Add(size)
}

// End takes the bar away and writes amrecover's last line for the dump.
func (p *Progress) End() {
	if p.terminal {
		close(p.stop)
		<-p.stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		io.WriteString(p.w, "\r\033[K")
	}
	p.bar, p.line, p.shown = nil, "", false
	fmt.Fprintf(p.w, "%d kb\n", p.read.Load()/1024)
}

// Above returns a writer for lines shown while the bar may be on the screen (tar's verbose
// lines on stdout, notes on stderr): each write takes the bar away first and puts it back
// after a complete line, so that lines and bar never mix. It returns out itself when p draws
// no bar, or when out is a file that is not a terminal.
func (p *Progress) Above(out io.Writer) io.Writer {
	if f, ok := out.(*os.File); !p.terminal || ok && !term.IsTerminal(int(f.Fd())) {
		return out
	}
	return &aboveBar{p: p, out: out}
}

type aboveBar struct {
	p   *Progress
	out io.Writer
}

func (a *aboveBar) Write(b []byte) (int, error) {
	p := a.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		io.WriteString(p.w, "\r\033[K")
		p.shown = false
	}
	n, err := a.out.Write(b)
	if len(b) > 0 {
		p.midLine = b[len(b)-1] != '\n'
	}
	if p.line != "" && !p.midLine {
		io.WriteString(p.w, p.line)
		p.shown = true
	}
	return n, err
}

// fit makes a line rendered by the bar fit in cols columns: a line that wraps cannot be
// redrawn in place.
func fit(line string, cols int) string {
	line = strings.TrimRight(strings.TrimLeft(line, "\r"), " ")
	if r := []rune(line); len(r) > cols {
		return string(r[:max(cols, 0)])
	}
	return line
}

// iec writes a size in IEC units as the bar does: "812 B", "3.4 MiB", "27 GiB".
func iec(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, 0
	for v >= 1024 && unit < 5 {
		v, unit = v/1024, unit+1
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %ciB", v, "KMGTPE"[unit])
	}
	return fmt.Sprintf("%.0f %ciB", v, "KMGTPE"[unit])
}
