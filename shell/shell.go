package shell

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Prompt is the command prompt, amrecover's.
const Prompt = "amrecover> "

// maxLine bounds one input line: garbage on stdin must not make the shell grow without limit.
const maxLine = 1 << 20

// Session runs one command line; commands.Session is one.
type Session interface {
	Exec(ctx context.Context, line string) (quit bool)
}

// Input is where command lines and answers come from. It is also the session's Interactive.
type Input struct {
	raw    io.Reader     // the unbuffered input: command lines are read from it byte by byte
	ans    *bufio.Reader // amrecover's stdio buffer for answers, made at the first question
	out    io.Writer
	script bool // input is not a terminal: echo command lines, read answers as amrecover does
}

// NewInput reads commands and answers from in, printing prompts to out. script says that in is
// not a terminal: command lines are then echoed after the prompt (a terminal echoes them
// itself) and answers are read through amrecover's stdio buffer.
func NewInput(in io.Reader, out io.Writer, script bool) *Input {
	return &Input{raw: in, out: out, script: script}
}

// Ask prints a question and returns the answer, without its newline; io.EOF at the end of input.
func (in *Input) Ask(ctx context.Context, question string) (string, error) {
	fmt.Fprint(in.out, question)
	if !in.script {
		// A terminal hands over one line at a time: nothing typed ahead may be lost.
		return in.readCommandCtx(ctx)
	}
	if in.ans == nil {
		in.ans = bufio.NewReaderSize(in.raw, 4096)
	}
	line, err := in.ans.ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readCommand reads one command line from the unbuffered input.
func (in *Input) readCommand() (string, error) {
	var line bytes.Buffer
	b := make([]byte, 1)
	for {
		n, err := in.raw.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				return strings.TrimRight(line.String(), "\r"), nil
			}
			if line.Len() >= maxLine {
				return "", fmt.Errorf("input line longer than %d bytes", maxLine)
			}
			line.WriteByte(b[0])
		}
		if err == io.EOF {
			if line.Len() > 0 {
				return line.String(), nil
			}
			return "", io.EOF
		}
		if err != nil {
			return "", err
		}
	}
}

// readCommandCtx is readCommand, given up when ctx ends: a read from a pipe or terminal cannot
// be interrupted, so it runs on its own; the shell ends right after, so it is not waited for.
func (in *Input) readCommandCtx(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := in.readCommand()
		done <- result{line, err}
	}()
	select {
	case r := <-done:
		return r.line, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Unused reports how many lines the answer buffer read in and never used: amrecover loses
// them too, but the user should know.
func (in *Input) Unused() int {
	if in.ans == nil || in.ans.Buffered() == 0 {
		return 0
	}
	rest, _ := in.ans.Peek(in.ans.Buffered())
	return bytes.Count(rest, []byte("\n")) + btoi(rest[len(rest)-1] != '\n')
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Run reads command lines from in and executes them until quit, the end of input or ctx ends.
func Run(ctx context.Context, s Session, in *Input, errOut io.Writer) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprint(in.out, Prompt)
		line, err := in.readCommandCtx(ctx)
		if ctx.Err() != nil {
			fmt.Fprintln(in.out)
			return ctx.Err()
		}
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(in.out)
			break
		}
		if err != nil {
			fmt.Fprintln(in.out)
			return fmt.Errorf("read command: %w", err)
		}
		if in.script {
			fmt.Fprintln(in.out, line)
		}
		if s.Exec(ctx, line) {
			break
		}
	}
	if n := in.Unused(); n > 0 {
		fmt.Fprintf(errOut, "amrshell: %d line(s) of input after the last answer were read with the answers and not run, as amrecover does: put the answers last in scripts\n", n)
	}
	return nil
}
