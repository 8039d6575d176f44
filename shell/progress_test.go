package shell

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/amrshell/amrshell/catalog"
)

// Without a terminal, Progress writes amrecover's lines: "N kb" when data arrives in a new
// second (amrecover's clock is not reset between dumps), and once more at the end of each dump.
func TestProgressLines(t *testing.T) {
	type event struct {
		at   int64 // Unix second
		read int64 // 0: End; -1: Begin
	}
	tests := []struct {
		name   string
		events []event
		want   string
	}{
		{
			name:   "one line a second",
			events: []event{{100, -1}, {100, 1024}, {100, 2048}, {101, 4096}, {101, 1024}, {103, 1024}, {103, 0}},
			want:   "1 kb\n7 kb\n9 kb\n9 kb\n",
		},
		{
			name:   "no line for no data",
			events: []event{{100, -1}, {101, 0}},
			want:   "0 kb\n",
		},
		{
			name:   "the clock goes on between dumps",
			events: []event{{100, -1}, {100, 3072}, {100, 0}, {100, -1}, {100, 2048}, {100, 0}, {101, -1}, {101, 1024}, {101, 0}},
			want:   "3 kb\n3 kb\n2 kb\n1 kb\n1 kb\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := NewProgress(&out, false)
			var now int64
			p.now = func() time.Time { return time.Unix(now, 0) }
			for _, e := range tt.events {
				now = e.at
				switch e.read {
				case -1:
					p.Begin("localhost:/srv/media level 0 of 20261122232846", 4<<20)
					p.Part(catalog.Part{Label: "DailySet1-01", Filenum: 5}, 1, 5)
				case 0:
					p.Restored(100)
					p.Read(0) // the end of the stream
					p.End()
				default:
					p.Read(e.read)
				}
			}
			if out.String() != tt.want {
				t.Errorf("wrote %q, want %q", out.String(), tt.want)
			}
		})
	}
}

// On a terminal, Progress draws a bar with the bytes read of the total, the part being read and
// what was restored; at the end of the dump the bar goes and amrecover's line stays.
func TestProgressBar(t *testing.T) {
	holding := "/holding/20261122232930/localhost._home_alice.2"
	tests := []struct {
		name    string
		columns int
		total   int64
		part    catalog.Part
		want    []string // in the bar
	}{
		{
			name:    "known total",
			columns: 200,
			total:   3 << 20,
			part:    catalog.Part{Num: 2, Label: "DailySet1-01", Filenum: 4},
			want:    []string{"33%", "1.0/3.0 MiB", "DailySet1-01 part 2/3: 2 files, 1.0 KiB restored (localhost:/home/alice level 0 of 20261122232846)"},
		},
		{
			name:    "80 columns",
			columns: 80,
			total:   3 << 20,
			part:    catalog.Part{Num: 2, Label: "DailySet1-01", Filenum: 4},
			want:    []string{"33%", "1.0/3.0 MiB", "DailySet1-01 part 2/3"},
		},
		{
			name:    "unknown total",
			columns: 132,
			part:    catalog.Part{Num: -1, Label: holding, HoldingPath: holding},
			want:    []string{"1.0 MiB", "holding file localhost._home_alice.2: 2 files, 1.0 KiB restored"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := NewProgress(&out, true)
			p.every = time.Hour // the test draws
			p.columns = func() int { return tt.columns }
			p.Begin("localhost:/home/alice level 0 of 20261122232846", tt.total)
			p.Part(tt.part, 2, 3)
			p.Read(1 << 20)
			p.Restored(1000)
			p.Restored(24)
			p.tick()
			bar := screen(out.String())
			if len(bar) != 1 {
				t.Fatalf("the bar takes lines %q", bar)
			}
			for _, w := range tt.want {
				if !strings.Contains(bar[0], w) {
					t.Errorf("bar %q lacks %q", bar[0], w)
				}
			}
			if n := utf8.RuneCountInString(bar[0]); n >= tt.columns {
				t.Errorf("bar %q is %d columns wide: it would wrap on %d columns", bar[0], n, tt.columns)
			}
			p.End()
			if got, want := screen(out.String()), []string{"1024 kb", ""}; !slices.Equal(got, want) {
				t.Errorf("screen after the dump: %q, want %q", got, want)
			}
		})
	}
}

// Lines written through Above while the bar is shown come out on their own lines, the bar
// below them; a line written in pieces is not cut by the bar.
func TestProgressAbove(t *testing.T) {
	var term bytes.Buffer // stdout and stderr on one screen
	p := NewProgress(&term, true)
	p.every = time.Hour
	stdout := p.Above(&term)
	p.Begin("localhost:/home/alice level 0 of 20261122232846", 2048)
	p.Part(catalog.Part{Num: 1, Label: "DailySet1-01", Filenum: 4}, 1, 1)
	p.Read(1024)
	p.tick()
	stdout.Write([]byte("./docs/\n"))
	stdout.Write([]byte("./docs/read"))
	p.tick() // the bar waits for the end of the line
	stdout.Write([]byte("me.txt\n"))
	lines := screen(term.String())
	if len(lines) != 3 || lines[0] != "./docs/" || lines[1] != "./docs/readme.txt" || !strings.Contains(lines[2], "DailySet1-01 part 1/1") {
		t.Errorf("screen %q, want the two lines and the bar below them", lines)
	}
	p.End()
	if got, want := screen(term.String()), []string{"./docs/", "./docs/readme.txt", "1 kb", ""}; !slices.Equal(got, want) {
		t.Errorf("screen after the dump: %q, want %q", got, want)
	}
}

// Above is the writer itself where no bar can be on its screen.
func TestProgressAboveWithoutBar(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var buf bytes.Buffer
	if w := NewProgress(&buf, false).Above(&buf); w != &buf {
		t.Errorf("without a terminal, Above(out) is %T, want out", w)
	}
	if w := NewProgress(&buf, true).Above(file); w != file {
		t.Errorf("for a file, Above(out) is %T, want out", w)
	}
}

// The bar is redrawn from a goroutine of its own while the dump goes on, and never after End.
func TestProgressRedrawStops(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, true)
	p.every = time.Millisecond
	p.Begin("localhost:/home/alice level 0 of 20261122232846", 0)
	p.Read(4096)
	written := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return out.Len()
	}
	for deadline := time.Now().Add(10 * time.Second); written() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the bar was never drawn")
		}
	}
	p.End()
	n := written()
	time.Sleep(50 * time.Millisecond)
	if written() != n {
		t.Errorf("written after End: %q", out.String()[n:])
	}
}

func TestIEC(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{3565158, "3.4 MiB"},
		{27 << 30, "27 GiB"},
	}
	for _, tt := range tests {
		if got := iec(tt.n); got != tt.want {
			t.Errorf("iec(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// screen is what a terminal shows after out: "\r" goes back to the start of the line, "\033[K"
// erases to its end and "\n" starts the next line.
func screen(out string) []string {
	lines := []string{""}
	col := 0
	for i := 0; i < len(out); {
		cur := []rune(lines[len(lines)-1])
		switch {
		case strings.HasPrefix(out[i:], "\033[K"):
			lines[len(lines)-1] = string(cur[:col])
			i += len("\033[K")
		case out[i] == '\r':
			col = 0
			i++
		case out[i] == '\n':
			lines = append(lines, "")
			col = 0
			i++
		default:
			r, size := utf8.DecodeRuneInString(out[i:])
			if col < len(cur) {
				cur[col] = r
			} else {
				cur = append(cur, r)
			}
			lines[len(lines)-1] = string(cur)
			col++
			i += size
		}
	}
	return lines
}
