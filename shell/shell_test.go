package shell

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

// script is a Session that runs a tiny command language: "ask Q" asks Q and records the answer,
// "quit" ends, anything else is recorded.
type script struct {
	in  *Input
	log []string
}

func (s *script) Exec(ctx context.Context, line string) bool {
	switch {
	case line == "quit":
		return true
	case strings.HasPrefix(line, "ask "):
		ans, err := s.in.Ask(ctx, strings.TrimPrefix(line, "ask ")+"? ")
		if err != nil {
			s.log = append(s.log, "answer error "+err.Error())
			return false
		}
		s.log = append(s.log, "answer "+ans)
	default:
		s.log = append(s.log, "ran "+line)
	}
	return false
}

// onlyReader hides bytes.Reader's other methods, like a pipe.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestRun(t *testing.T) {
	tests := []struct {
		name, input string
		wantOut     string
		wantLog     []string
		wantErr     string
	}{
		{
			name:    "echo and quit",
			input:   "one\ntwo\nquit\nthree\n",
			wantOut: "amrecover> one\namrecover> two\namrecover> quit\n",
			wantLog: []string{"ran one", "ran two"},
		},
		{
			name:    "EOF at the prompt prints a newline",
			input:   "one\n",
			wantOut: "amrecover> one\namrecover> \n",
			wantLog: []string{"ran one"},
		},
		{
			name:    "last line without newline still runs",
			input:   "one",
			wantOut: "amrecover> one\namrecover> \n",
			wantLog: []string{"ran one"},
		},
		{
			// amrecover reads answers through stdio: the lines after them are swallowed.
			name:    "answers swallow the rest of a short script",
			input:   "ask Continue\nY\nafter\nquit\n",
			wantOut: "amrecover> ask Continue\nContinue? amrecover> \n",
			wantLog: []string{"answer Y"},
			wantErr: "2 line(s) of input after the last answer",
		},
		{
			name:    "EOF at a question",
			input:   "ask Continue\n",
			wantOut: "amrecover> ask Continue\nContinue? amrecover> \n",
			wantLog: []string{"answer error EOF"},
		},
		{
			name:    "CRLF line ends",
			input:   "one\r\nquit\r\n",
			wantOut: "amrecover> one\namrecover> quit\n",
			wantLog: []string{"ran one"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			in := NewInput(onlyReader{strings.NewReader(tt.input)}, &out, true)
			s := &script{in: in}
			if err := Run(context.Background(), s, in, &errOut); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.wantOut {
				t.Errorf("output\n%q\nwant\n%q", out.String(), tt.wantOut)
			}
			if strings.Join(s.log, "|") != strings.Join(tt.wantLog, "|") {
				t.Errorf("session saw %q, want %q", s.log, tt.wantLog)
			}
			if tt.wantErr == "" && errOut.Len() > 0 || !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut.String(), tt.wantErr)
			}
		})
	}
}

// A script longer than the answer buffer: commands beyond the first 4 KiB after the answers
// are read by the command reader again, as with amrecover's readline and stdio.
func TestRunLongScriptAfterAnswers(t *testing.T) {
	filler := strings.Repeat("# filler line to pass the stdio buffer\n", 200)
	input := "ask Continue\nY\n" + filler + "late\nquit\n"
	var out, errOut bytes.Buffer
	in := NewInput(onlyReader{strings.NewReader(input)}, &out, true)
	s := &script{in: in}
	if err := Run(context.Background(), s, in, &errOut); err != nil {
		t.Fatal(err)
	}
	if got := s.log[len(s.log)-1]; got != "ran late" {
		t.Errorf("last command run = %q, want %q (log %q)", got, "ran late", s.log)
	}
}

func TestRunRefusesHugeLine(t *testing.T) {
	var out, errOut bytes.Buffer
	in := NewInput(onlyReader{strings.NewReader(strings.Repeat("x", maxLine+10) + "\n")}, &out, true)
	err := Run(context.Background(), &script{in: in}, in, &errOut)
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("Run = %v, want a line-too-long error", err)
	}
}

// At a terminal nothing typed ahead of a question is lost, and lines are not echoed.
func TestRunTerminalKeepsTypeahead(t *testing.T) {
	var out, errOut bytes.Buffer
	in := NewInput(onlyReader{strings.NewReader("ask Continue\nY\nafter\nquit\n")}, &out, false)
	s := &script{in: in}
	if err := Run(context.Background(), s, in, &errOut); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(s.log, "|"), "answer Y|ran after"; got != want {
		t.Errorf("session saw %q, want %q", got, want)
	}
	if got, want := out.String(), "amrecover> Continue? amrecover> amrecover> "; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	if errOut.Len() > 0 {
		t.Errorf("stderr %q, want nothing", errOut.String())
	}
}

// An interrupt (ctx cancelled) ends the shell even while it waits for input that never comes.
func TestRunInterruptedWhileReading(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	prompted := make(chan struct{})
	out := &notifyWriter{first: prompted}
	in := NewInput(pr, out, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, &script{in: in}, in, io.Discard) }()
	<-prompted // Run waits for a command now
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

// notifyWriter closes first at its first write.
type notifyWriter struct {
	first chan struct{}
	once  sync.Once
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.first) })
	return len(p), nil
}
