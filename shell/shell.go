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
	out io.Writer

	// Reading a script (input is not a terminal).
	raw    io.Reader     // the unbuffered input: command lines are read from it byte by byte
	ans    *bufio.Reader // amrecover's stdio buffer for answers, made at the first question
	script bool

	// Reading a terminal.
	keys   *keyReader // the one reader of its bytes
	editor *editor    // go-prompt, when the output is the terminal too; nil reads plain lines
	intr   *interrupts
}

// NewInput reads commands and answers from in, printing prompts to out. script says that in is
// not a terminal: command lines are then echoed after the prompt (a terminal echoes them
// itself) and answers are read through amrecover's stdio buffer.
func NewInput(in io.Reader, out io.Writer, script bool) *Input {
	if script {
		return &Input{raw: in, out: out, script: true}
	}
	return &Input{keys: newKeyReader(in), out: out}
}

// Ask prints a question and returns the answer, without its newline; io.EOF at the end of input.
func (in *Input) Ask(ctx context.Context, question string) (string, error) {
	fmt.Fprint(in.out, question)
	if !in.script {
		// A terminal hands over one line at a time: nothing typed ahead may be lost.
		return in.keys.ReadLine(ctx)
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

// ReadCommand prompts for a command line and reads it; io.EOF at the end of input, ctx's error
// when ctx ends. The line is left on the screen.
func (in *Input) ReadCommand(ctx context.Context) (string, error) {
	if in.editor != nil {
		return in.editor.Read(ctx)
	}
	fmt.Fprint(in.out, Prompt)
	var line string
	var err error
	if in.script {
		line, err = in.readScriptLine(ctx)
	} else {
		line, err = in.keys.ReadLine(ctx)
	}
	if err != nil {
		fmt.Fprintln(in.out)
		return "", err
	}
	if in.script {
		fmt.Fprintln(in.out, line)
	}
	return line, nil
}

// commandContext is the context of one command: at a terminal Ctrl-C cancels it alone.
func (in *Input) commandContext(ctx context.Context) (context.Context, func()) {
	if in.intr == nil {
		return ctx, func() {}
	}
	return in.intr.command(ctx)
}

// readCommand reads one command line of a script from the unbuffered input.
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

// readScriptLine is readCommand, given up when ctx ends: a read from a pipe cannot be
// interrupted, so it runs on its own; the shell ends right after, so it is not waited for.
func (in *Input) readScriptLine(ctx context.Context) (string, error) {
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
		line, err := in.ReadCommand(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read command: %w", err)
		}
		cmdCtx, done := in.commandContext(ctx)
		quit := s.Exec(cmdCtx, line)
		done()
		if quit {
			break
		}
	}
	if n := in.Unused(); n > 0 {
		fmt.Fprintf(errOut, "amrshell: %d line(s) of input after the last answer were read with the answers and not run, as amrecover does: put the answers last in scripts\n", n)
	}
	return nil
}
