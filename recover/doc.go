// Package recover is amrshell's recovery engine: it turns the groups of an extract list into
// restored files.
//
// The flow of one extract, as amrecover's, one dump at a time, oldest first:
//
//	chain   := Chain(history, date)             // the dumps of the point-in-time view (chain.go)
//	for each group of the extract list:         // one dump of the chain, with the paths chosen in it
//	    copies := the group's copy (amrecover's choice), then the dump's other OK copies:
//	              --storage / `storage` order, then oldest written first
//	    parts  := clerk.Open(copies)            // load each part's volume through its changer,
//	                                            // check the part's header against the catalog,
//	                                            // read it ahead of its consumer (readahead.go),
//	                                            // concatenate the parts' data into one stream;
//	                                            // a part that fails is read from the same byte
//	                                            // of another copy; when none can go on, the
//	                                            // Operator is asked for the volume
//	    native := Decompress(parts, header)     // gzip, zstd or none, streaming; CRC32C checked
//	    extract(native, root, selection)        // gtar (GNU tar incremental) or dump (DUMP)
//	                                            // under os.Root, with the Overwrite policy
//	    damage after decompression (decoder error, CRC) -> restore the dump again from the
//	    copies not read yet
//
// Verify compares a restore directory with the dumps again, writing nothing; Index lists a
// dump's members as Amanda's index does (catalog scan --index); OpenCopy gives a copy's data as
// on the media (amfetchdump).
//
// Nothing is written outside the restore directory: every write goes through an os.Root, and
// regular files are written under a temporary name and renamed when complete.
package recover
