// Package device reads what Amanda wrote to storage: the 32 KiB file headers, vfs ("file:")
// volumes, chg-disk changers of such volumes, and dumps left on holding disks. It finds a dump's
// parts and hands out their raw data; decompressing and extracting is for the callers.
//
// Every Amanda file starts with a header block (HeaderSize bytes): a text first line saying
// what the file is, KEY=value lines, a DLE heredoc and a form feed, then NUL padding.
//
//	ParseHeader(block)     -> first line up to the first unquoted newline:
//	                          AMANDA: <type> <fields>, words separated by runs of spaces,
//	                          the disk quoted (QuoteString); then KEY=value lines and the DLE
//	                          heredoc; a bad header gives Type Weird and an error saying why
//
// Reading a dump from a chg-disk changer, part by part:
//
//	chg  := OpenChgDisk(dir)                     // slot1 ... slotN, data -> slotK
//	vol  := chg.Load(ctx, label)                 // slot with 00000.<label>, TAPESTART checked
//	for each part (label, filenum) of the dump:
//	    f := vol.OpenFile(filenum)               // first file numbered >= filenum; past the
//	                                             // end a synthetic TAPEEND
//	    check f.Header against the catalog (host, disk, datestamp, level, part)
//	    copy f (the data after the header) to the output; f.Close()
//
// Reading a dump from a holding disk:
//
//	hf := OpenHolding(path)                      // FILE header, then CONT_FILENAME chain;
//	                                             // a missing absolute name is looked for
//	                                             // beside the chunks (moved holding disk)
//	r  := hf.Open()                              // data of every chunk, concatenated
//
// ScanHoldingDisk lists the dumps of a holding disk; Volume, ChgDisk and HoldingFile only read.
package device
