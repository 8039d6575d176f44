// Package recover is amrshell's recovery engine: it turns the groups of an extract list into
// restored files.
//
// The flow of one extract, as amrecover's, one dump at a time, oldest first:
//
//	chain   := Chain(history, date)             // the dumps of the point-in-time view (chain.go)
//	for each group of the extract list:         // one dump of the chain, with the paths chosen in it
//	    copy   := catalog.Copy(group.CopyID)    // which storage, volumes, files and parts to read
//	    parts  := clerk.Open(copy)              // load each part's volume through its changer,
//	                                            // check the part's header against the catalog,
//	                                            // concatenate the parts' data into one stream
//	    native := Decompress(parts, header)     // gzip, zstd or none, streaming; CRC32C checked
//	    gtar.Extract(native, root, selection)   // GNU tar incremental extraction under os.Root
//
// Nothing is written outside the restore directory: every write goes through an os.Root, and
// regular files are written under a temporary name and renamed when complete.
package recover
