package shell

import (
	"context"
	"os"
	"syscall"
	"testing"
)

func TestInterrupts(t *testing.T) {
	tests := []struct {
		name        string
		interactive bool
		inCommand   bool
		sig         os.Signal
		wantShell   bool // the shell's context ends
		wantCommand bool // the command's context ends
	}{
		{"script: SIGINT ends the shell", false, true, os.Interrupt, true, true},
		{"terminal: SIGINT ends the command only", true, true, os.Interrupt, false, true},
		{"terminal: SIGINT at the prompt does nothing", true, false, os.Interrupt, false, false},
		{"terminal: SIGTERM ends the shell", true, true, syscall.SIGTERM, true, true},
		{"terminal: SIGHUP ends the shell", true, false, syscall.SIGHUP, true, false},
		{"script: SIGTERM ends the shell", false, false, syscall.SIGTERM, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shellCtx, endShell := context.WithCancel(context.Background())
			defer endShell()
			in := &interrupts{interactive: tt.interactive, endShell: endShell,
				restore: func() { t.Fatal("forced exit on the first signal") }}
			cmdCtx := context.Background()
			if tt.inCommand {
				var done func()
				cmdCtx, done = in.command(shellCtx)
				defer done()
			}
			in.handle(tt.sig)
			if got := shellCtx.Err() != nil; got != tt.wantShell {
				t.Errorf("shell ended = %v, want %v", got, tt.wantShell)
			}
			if got := cmdCtx.Err() != nil; got != tt.wantCommand {
				t.Errorf("command ended = %v, want %v", got, tt.wantCommand)
			}
		})
	}
}

// After a command has ended, SIGINT at a terminal no longer reaches it.
func TestInterruptsAfterCommand(t *testing.T) {
	shellCtx, endShell := context.WithCancel(context.Background())
	defer endShell()
	in := &interrupts{interactive: true, endShell: endShell, restore: func() { t.Fatal("forced exit") }}
	_, done := in.command(shellCtx)
	done()
	in.handle(os.Interrupt)
	in.handle(os.Interrupt) // not a second interrupt of the same command: no forced exit
	if shellCtx.Err() != nil {
		t.Error("SIGINT at the prompt ended the shell")
	}
}
