// Package commands is amrecover's command set, run on a session without any terminal: the
// shell hands it input lines and it prints what amrecover would print, byte for byte, asking
// the catalog what amrecover asks amindexd and the Restorer to do what amidxtaped and tar do.
//
//	New(opts); Start(host, today)        // "Setting restore date to today ...", sethost
//	for each line: Exec(line)
//	    lexer (uscan.l) -> parser (uparse.y) -> one command:
//	    sethost/setdisk/setdate/...      -> session state, as amrecover and amindexd keep it
//	    cd/ls/add/delete/...             -> view := Chain(history, date) (recover.Chain)
//	                                        listing := ListDir(view, cwd), patterns matched
//	                                        on translated names with glibc's regex rules
//	                                        -> the extract list (groups by dump)
//	    extract                          -> per group, oldest first: Load tape / Continue?,
//	                                        overwrite check for level 0, Restorer.Restore
//	ExtractFailed() -> exit status
//
// Where amrecover behaves oddly (cdx below the top directory, deletex, storage with several
// names, "cd ../x"), the oddity is kept and commented: scripts written against amrecover
// must get the same answers.
package commands
