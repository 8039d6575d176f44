// Package amconf reads the parts of an Amanda server configuration that recovery needs:
// amanda.conf (the places of the index, log, tapelist and holding disks, the changers and
// storages, the dumptypes) and the disklist it names.
//
// It follows the grammar of Amanda's conffile.c and diskfile.c (keywords case-insensitive with
// '-' and '_' alike, quoted strings, includefile, define blocks with inheritance, inline
// dumptypes in the disklist) but keeps only the values amrshell uses; anything else is skipped.
//
//	Load(path):
//	    statements := parse(amanda.conf)           // includefile expanded in place
//	    for each statement: record keyword values, define blocks, holdingdisk blocks
//	    resolve storages (tpchanger through `define changer`, defaults from the globals,
//	        an implicit storage named after the config when none is listed)
//	    for each disklist line: host, disk, [device], dumptype or { inline dumptype }
//	        program / application plugin from the dumptype chain
package amconf
