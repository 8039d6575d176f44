package shell

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts turns signals into cancellations. SIGTERM and SIGHUP end the shell. SIGINT ends it
// too when it reads a script, as amrecover; at a terminal it cancels only the running command
// (an extract removes the file it was writing and keeps what it restored) and the shell goes
// on; at the prompt Ctrl-C is a key of the line editor. A second signal before the first has
// taken effect ends the program at once, with the terminal put back as it was.
type interrupts struct {
	interactive bool
	endShell    context.CancelFunc
	restore     func() // puts the terminal back before a forced exit

	sig  chan os.Signal
	done chan struct{}

	mu          sync.Mutex
	ended       bool               // endShell was called
	cmd         context.CancelFunc // the running command's; nil at the prompt
	cmdCanceled bool
}

// watchSignals starts turning signals into cancellations of the shell's context (endShell)
// or of the running command's. stop ends it.
func watchSignals(interactive bool, endShell context.CancelFunc, restore func()) *interrupts {
	in := &interrupts{
		interactive: interactive,
		endShell:    endShell,
		restore:     restore,
		sig:         make(chan os.Signal, 4),
		done:        make(chan struct{}),
	}
	signal.Notify(in.sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		for {
			select {
			case s := <-in.sig:
				in.handle(s)
			case <-in.done:
				return
			}
		}
	}()
	return in
}

func (in *interrupts) handle(s os.Signal) {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case s == os.Interrupt && in.interactive && !in.ended:
		if in.cmd == nil {
			return // not from the keyboard: at the prompt the terminal sends no SIGINT
		}
		if in.cmdCanceled {
			in.exitNow()
		}
		in.cmd()
		in.cmdCanceled = true
	default:
		if in.ended {
			in.exitNow()
		}
		in.endShell()
		in.ended = true
	}
}

func (in *interrupts) exitNow() {
	in.restore()
	os.Exit(1)
}

// command returns the context of a command that SIGINT cancels at a terminal, and the function
// to call when the command has ended.
func (in *interrupts) command(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	in.mu.Lock()
	in.cmd, in.cmdCanceled = cancel, false
	in.mu.Unlock()
	return ctx, func() {
		in.mu.Lock()
		in.cmd = nil
		in.mu.Unlock()
		cancel()
	}
}

// stop stops watching: the signals have their default effect again.
func (in *interrupts) stop() {
	signal.Stop(in.sig)
	close(in.done)
}
