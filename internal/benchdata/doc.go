// Package benchdata makes the data of amrshell's restore throughput benchmarks: a dump of a
// generated tree, written as Amanda would have written it, with a server state whose catalog
// knows it.
//
//	tree  := NewTree(bytes, seed)         // the files of gen_data.py's shape (tools/amanda-baseline):
//	                                      // half random, half word text, sizes log-uniform in
//	                                      // 64 KiB-16 MiB, over 8 directories; nothing on disk
//	Build(dir, spec):                     // once per spec: dir is reused while its stamp matches
//	    native := tree.WriteTar           // GNU tar level-0 incremental stream, as amgtar's tar writes
//	    for each Compression (gzip fast, zstd custom):
//	        split compress(native) in parts of spec.PartSize on chg-disk vtapes, each part behind
//	        its 32 KiB SPLIT_FILE header (CRCs, DLE), PartsPerVolume parts on a volume
//	    the stamp, last
//	    then, on every call (they name dir): amanda.conf, disklist, tapelist, the trace log and
//	    the index, as the level-0 amdump run that wrote the dumps would have left them
//	tree.Verify(dir)                      // a restore of the whole dump is exact
package benchdata
