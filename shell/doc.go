// Package shell is amrshell's read-eval-print loop: it reads command lines, hands each to the
// session, answers the session's questions (tape loads, confirmations) from the same input,
// shows the progress of extracts, and turns signals into cancellations.
//
//	save the terminal's settings (stdin a terminal)  // put back on every way out, panics too
//	open and import the catalog                      // Ctrl-C stops it
//	loop:
//	    line := editor (terminal in and out: go-prompt, Tab, history)
//	         or plain line (terminal in only)
//	         or script line (echoed after the prompt, as amrecover's transcript)
//	    EOF: end
//	    session.Exec(line) with a context that Ctrl-C cancels at a terminal; quit: end
//
// Input that is not a terminal is read as amrecover reads it, so that its scripts run
// unchanged: command lines are read unbuffered, one byte at a time (readline), and the answers
// to questions through a 4 KiB stdio-like buffer. Lines that the answer buffer took in but did
// not use are therefore never run as commands, exactly as with amrecover; amrshell says so on
// stderr when it ends. Such input never touches a terminal, even if there is one.
//
// At a terminal, one keyReader reads the terminal's bytes for the editor, the answers and the
// plain lines alike, so that nothing typed ahead is lost between them.
package shell
