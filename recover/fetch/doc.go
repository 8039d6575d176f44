// Package fetch is amrshell's amfetchdump and amrestore: it writes whole dump images (or their
// parts) to files, as Amanda's tools name and fill them, where recover restores files out of
// them.
//
// amfetchdump (a catalog, dumpspecs):
//
//	specs := ParseDumpspecs(words, level, exact)      // host disk datestamp level ..., amanda-match(7)
//	plan  := MakePlan(catalog, specs, storages)      // catalog.FindDumps -> one copy per dump,
//	                                                 // chosen and ordered as Recovery::Planner
//	Fetch(plan):                                     // volumes needed, "Press enter when ready"
//	    for each copy: header, data := Restorer.OpenCopy(copy)   // parts concatenated, checked
//	        out := temporary file in -O DIR (or the pipe of -p)
//	        [header block] + data -> [Decompress] -> [gzip for -c/-C] -> out
//	        check the stored and native CRCs; rename out to HOST.DISK.TS.LEVEL
//
// amrestore (no catalog, no configuration):
//
//	vol := the volume of the device; for each file from -f on, up to the end of the volume:
//	    skip it unless the dumpspecs match its header
//	    header + data of this one part -> HOST.DISK.TS.LEVEL.PART[.RAW|.gz], decompressed
//	    unless -r or -c; a part that cannot be decompressed alone is reported, not written
//	a holding file: its chunks, one output file
//
// Every file is written under a temporary name and renamed when complete.
package fetch
