package shell

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// chunks is a terminal as a reader: each Read returns the next chunk; an "EOF" chunk is a
// Ctrl-D at the start of a cooked line (a read of 0 bytes); after the last chunk reads block
// until the test ends.
type chunks struct {
	list  []string
	block chan struct{}
}

func (c *chunks) Read(p []byte) (int, error) {
	if len(c.list) == 0 {
		<-c.block
		return 0, io.ErrClosedPipe
	}
	s := c.list[0]
	c.list = c.list[1:]
	if s == "EOF" {
		return 0, io.EOF
	}
	return copy(p, s), nil
}

func newChunks(t *testing.T, list ...string) *chunks {
	c := &chunks{list: list, block: make(chan struct{})}
	t.Cleanup(func() { close(c.block) })
	return c
}

func TestKeyReaderReadLine(t *testing.T) {
	ctx := context.Background()
	k := newKeyReader(newChunks(t, "ab", "c\nde", "f\r", "g\r\nh\n", "EOF", "after\n"))
	for _, want := range []string{"abc", "def", "g", "h"} {
		got, err := k.ReadLine(ctx)
		if err != nil || got != want {
			t.Fatalf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	if _, err := k.ReadLine(ctx); !errors.Is(err, io.EOF) {
		t.Fatalf("ReadLine at Ctrl-D = %v, want io.EOF", err)
	}
	// A terminal goes on after Ctrl-D.
	if got, err := k.ReadLine(ctx); err != nil || got != "after" {
		t.Fatalf("ReadLine after Ctrl-D = %q, %v; want %q", got, err, "after")
	}
}

// A line given up on Ctrl-C is not lost: the next reader gets it.
func TestKeyReaderCanceledReadKeepsLine(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	k := newKeyReader(pr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := k.ReadLine(ctx)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the read start; the test holds either way
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadLine = %v, want context.Canceled", err)
	}
	go pw.Write([]byte("typed later\n"))
	got, err := k.ReadLine(context.Background())
	if err != nil || got != "typed later" {
		t.Fatalf("next ReadLine = %q, %v; want %q", got, err, "typed later")
	}
}

// The line editor takes keys one at a time and stops after Enter: the rest of a paste stays
// for the next line or question.
func TestKeyParserStopsAtEnter(t *testing.T) {
	k := newKeyReader(newChunks(t, "ls\rcd \x1b[Ax\ré\rY\n"))
	p := &keyParser{keys: k}
	var keys []string
	line := func() {
		keys = keys[:0]
		p.arm()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			b, err := p.Read()
			if errors.Is(err, errNoKey) {
				if p.entered() {
					return
				}
				time.Sleep(time.Millisecond)
				continue
			}
			keys = append(keys, string(b))
		}
		t.Fatal("no Enter came")
	}
	line()
	if got := strings.Join(keys, "|"); got != "l|s|\r" {
		t.Errorf("first line keys %q", got)
	}
	line()
	if got := strings.Join(keys, "|"); got != "c|d| |\x1b[A|x|\r" {
		t.Errorf("second line keys %q", got)
	}
	line()
	if got := strings.Join(keys, "|"); got != "é|\r" {
		t.Errorf("third line keys %q", got)
	}
	if got, err := k.ReadLine(context.Background()); err != nil || got != "Y" {
		t.Errorf("the answer after the lines = %q, %v; want %q", got, err, "Y")
	}
}

func TestKeyParserInjectAndEOF(t *testing.T) {
	k := newKeyReader(newChunks(t, "EOF"))
	p := &keyParser{keys: k}
	p.arm()
	p.inject(ctrlC, ctrlD)
	for _, want := range []byte{ctrlC, ctrlD} {
		if b, err := p.Read(); err != nil || len(b) != 1 || b[0] != want {
			t.Fatalf("Read = %q, %v; want %q", b, err, want)
		}
	}
	// The end of input reaches go-prompt as Ctrl-D.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, err := p.Read()
		if err == nil {
			if len(b) != 1 || b[0] != ctrlD {
				t.Fatalf("Read at the end of input = %q, want Ctrl-D", b)
			}
			if p.entered() {
				t.Fatal("Ctrl-D counted as Enter")
			}
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the end of input never came")
}

func TestKeyLen(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"a", 1},
		{"abc", 1},
		{"\x1b[A rest", 3}, // Up
		{"\x1b[3~x", 4},    // Delete
		{"\x1b[1;5Cx", 6},  // Ctrl-Right, not in go-prompt's table: taken whole
		{"\x1b", 1},        // Escape alone
		{"\x1bx", 1},       // Escape, then x
		{"é!", len("é")},   // one character, two bytes
		{"\xff\xfe", 1},    // not UTF-8: one byte at a time
		{"\x1b[Z", 3},      // BackTab
		{"\x1b[12", 1},     // a cut escape sequence: Escape, then the rest as typed
		{"\x1bOHx", 3},     // SS3 Home
		{"\x7f\x7f", 1},    // Backspace
		{"\x1b[200~p", 6},  // bracketed paste start, whole
		{"\x1b[1;2P", 6},   // F1 with Shift
		{"\x04", 1},        // Ctrl-D
		{"\r\n", 1},        // Enter, then the newline as its own key
		{"日本", len("日")},   // wide characters
	}
	for _, tt := range tests {
		if got := keyLen([]byte(tt.in)); got != tt.want {
			t.Errorf("keyLen(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
