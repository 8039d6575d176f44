// Package shell is amrshell's read-eval-print loop: it reads command lines, hands each to the
// session, and answers the session's questions (tape loads, confirmations) from the same input.
//
//	prompt "amrecover> "; line := next line     // EOF at the prompt: newline, end
//	echo line (scripts: as amrecover does)      // the transcript reads like an interactive one
//	if session.Exec(line) says quit: end
//
// Input that is not a terminal is read as amrecover reads it, so that its scripts run
// unchanged: command lines are read unbuffered, one byte at a time (readline), and the answers
// to questions through a 4 KiB stdio-like buffer. Lines that the answer buffer took in but did
// not use are therefore never run as commands, exactly as with amrecover; amrshell says so on
// stderr when it ends.
package shell
