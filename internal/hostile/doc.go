// Package hostile makes the dumps a compromised Amanda client could send: GNU tar streams with
// members that try to write outside the restore directory, to plant links and devices, to claim
// data they do not have, or to break names; each packed as a real holding-disk dump, so that
// tests drive amrshell on them exactly as on the corpus' own dumps.
//
//	Cases(outside)        -> the cases: members, what each refusal must say, what must restore
//	Case.Stream()         -> the GNU tar stream, headers written by hand (archive/tar refuses
//	                         NUL bytes, lying sizes and such)
//	Plant(root, c, ds)    -> into a corpus copy (internal/corpus), as Amanda's dumper, chunker
//	                         and amindexd leave a level-0 dump of localhost:/home/alice on the
//	                         holding disk:
//	    holding/DS/localhost._home_alice.0      device.Header.Build (FILE, comp .gz, program
//	                                            APPLICATION, amgtar, its CRCs; DLE and restore
//	                                            command from the corpus' own holding dump)
//	                                            + the gzipped stream
//	    state/index/localhost/_home_alice/DS_0.gz      the index, one "/path" line a member
//	    state/index/localhost/_home_alice/DS_0.header  the header text
//	    state/log/log.DS.0                      the trace log of the run (SUCCESS dumper and
//	                                            chunker lines with the CRCs)
package hostile
