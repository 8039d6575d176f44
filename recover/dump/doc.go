// Package dump reads and extracts the BSD dump format that Linux dump (/sbin/dump, Amanda's
// program "DUMP") writes of ext2/3/4 file systems, in pure Go: it replaces amrecover's
// `restore -xB xbf 2 - PATH...`, and restores an incremental level over the levels before it
// exactly, as `restore -r` does.
//
// A dump is a stream of 1024-byte records. Headers (magic 60012, words summing to 84446) say
// what follows: the volume header (TS_TAPE); the map of inodes in use (TS_CLRI) and of inodes
// dumped (TS_BITS); each dumped inode (TS_INODE, its data blocks listed in c_addr, 0 for a
// hole, continued by TS_ADDR headers), every directory before any other file, a directory's
// data being 4.4BSD struct direct entries; then TS_END. Reader parses that stream; Extract
// restores it into a gtar.FS through gtar.Writer, so that writes are those of the GNU tar
// extractor (os.Root, temporary names, refusals):
//
//	read TS_TAPE, TS_CLRI (used), TS_BITS (dumped)
//	for each directory inode: read its entries (names with '/' or NUL, empty or twice: refused)
//	at the first other inode (or the end), plan:
//	    tree := the directories of State (the level before) still used and not dumped again,
//	            plus the directories of this dump
//	    lay tree out from inode 2: each inode's names (a directory only one; loops refused)
//	    move:  each inode whose names changed since State and whose new name is Listed:
//	           stage its old path aside (deepest first), put it at the new name (shallowest
//	           first), hard-link its other new names; a file that kept a name is linked from it
//	    purge: each dumped directory selected: delete what its entries no longer list, or list
//	           as another kind ("amrshell: Deleting './x'" on Notes); Exact spares opts.Keep
//	    mkdir: each dumped directory Listed, parents first (attributes set at the end)
//	for each other inode, at its Listed names: regular file (holes kept, through a temporary
//	    name), symbolic link, device, fifo; its other names are hard links to the first
//	State := tree
//
// Listed and Exact mean what they mean for gtar (amrecover's `add .` and `add *`). Nothing is
// printed on Verbose: restore -x without -v prints nothing. Extended attributes are skipped,
// as the GNU tar extractor skips them; sockets are not made, as tar does not make them.
package dump
