// Package device reads what Amanda wrote to storage: the 32 KiB file headers, vfs ("file:")
// volumes, chg-disk changers of such volumes, tapes in a drive, and dumps left on holding disks.
// It finds a dump's parts and hands out their raw data; decompressing and extracting is for the
// callers.
//
// Every Amanda file starts with a header block (HeaderSize bytes): a text first line saying
// what the file is, KEY=value lines, a DLE heredoc and a form feed, then NUL padding.
//
//	ParseHeader(block)     -> first line up to the first unquoted newline:
//	                          AMANDA: <type> <fields>, words separated by runs of spaces,
//	                          the disk quoted (QuoteString); then KEY=value lines and the DLE
//	                          heredoc; a bad header gives Type Weird and an error saying why
//
// Reading a dump through a changer, part by part:
//
//	chg := OpenChanger(spec)                     // chg-disk:DIR -> ChgDisk (slot1 ... slotN);
//	                                             // file:DIR, tape:DEV, chg-single:... -> Single
//	                                             // (one drive); a bare path by what is there
//	vol := chg.Load(ctx, label)                  // ChgDisk: the slot with 00000.<label>, else
//	                                             // ErrVolumeNotFound; Single: reads the label
//	                                             // in the drive, else ErrWrongVolume (insert
//	                                             // the right volume and Load again)
//	for each part (label, filenum) of the dump:
//	    f := vol.OpenFile(filenum)               // first file numbered >= filenum; past the
//	                                             // end a synthetic TAPEEND
//	    check f.Header against the catalog (host, disk, datestamp, level, part)
//	    copy f (the data after the header) to the output; f.Close()
//
// On a vfs volume each file is NNNNN.<anything> in the directory. On a tape (tape.go) each file
// is a header block, data blocks and a file mark: OpenFile spaces forward from where the tape is
// (else rewinds) by file marks, the data ends at the next mark and includes the NULs padding its
// last block, Size is -1, and only one file is open at a time. The drive stays open until Load
// asks the Single for another label.
//
// Reading a dump from a holding disk:
//
//	hf := OpenHolding(path)                      // FILE header, then CONT_FILENAME chain;
//	                                             // a missing absolute name is looked for
//	                                             // beside the chunks (moved holding disk)
//	r  := hf.Open()                              // data of every chunk, concatenated
//
// ScanHoldingDisk lists the dumps of a holding disk. Everything here only reads.
package device
