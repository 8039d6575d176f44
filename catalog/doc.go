// Package catalog keeps what amindexd knows about an Amanda configuration in an SQLite
// database and answers amrecover's questions from it: hosts and disks, the dump history of a
// disk, directory listings of a chain of dumps, and where each copy of a dump is.
//
// The answers are amindexd 3.5.1's: History reproduces find.c's reconstruction of dumps from
// the trace logs (only logs of datestamps in the tapelist, PARTPARTIAL parts discarded, parts
// checked complete), its "DLKHspwB" sort, and disk_history.c's grouping of parts; listings
// reproduce OLSD/ORLD/OISD over the index files. The index is stored so that a listing is one
// indexed range query however many files a disk has: each line "/a/b/c" becomes the entry
// "c" of directory "/a/b/", and every directory above it an entry "b/" of its parent, per dump.
//
//	Open(path): create or migrate the schema (PRAGMA user_version), WAL
//	ImportServer(cfg):
//	    config facts, storages, disklist hosts and disks
//	    tapelist (when changed)
//	    for each log find_dump reads (tapelist datestamps; changed ones, or all when the
//	        tapelist changed): searchLog -> copies with their OK parts -> upsert by (log, line, storage)
//	    for each holding disk: device.ScanHoldingDisk -> one HOLDING copy per changed file
//	    for each disk: index files (five name forms, amindexd's preference), once per dump,
//	        one transaction each: line -> dirs + entries; gone ones pruned
//	Scan(changers, holding disks), no server state: the 32 KiB header of every volume file
//	    and holding dump -> copies per storage (parts 1..n complete?) -> the same statements;
//	    with an IndexFunc, each dump without an index read once: lines -> dirs + entries
//	History(host, disk): OK parts of OK copies -> sort DLKHspwB -> build_disk_table ->
//	    add_dump / clean_dump -> items newest first
//	ListDir(chain, dir): entries of dir for the chain's dumps, owner = first in the chain
//	WalkTree(chain, dir): directories under dir in path order x their entries, depth first
//	TreeOwners(chain, dir): per dump of the chain, EXISTS an entry under dir no newer one lists
//	Copy(id): copy, dump, disk and parts, for reading the data
//	Export(file): VACUUM INTO a snapshot -> tar of MANIFEST (sizes, SHA-256s), catalog.sqlite
//	    and the config texts kept at import -> temporary name, fsync, rename
//	OpenExport(file).Install(dest): manifest, tar headers, padding, each member's SHA-256,
//	    integrity_check, schema version -> migrate -> rename into place
package catalog
