//go:build amrshell_panictest

package shell

// A binary built with -tags amrshell_panictest panics at a Tab after "panic!", so that the
// end-to-end tests can check that a panic puts the terminal back as it was.
func init() {
	tabHook = func(line string) {
		if line == "panic!" {
			panic("amrshell_panictest: panic at a Tab, as the test asked")
		}
	}
}
