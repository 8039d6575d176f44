// Package synth writes synthetic Amanda server state of any size, for benchmarks: a
// configuration with one DLE dumped once at level 0 (amanda.conf, disklist, tapelist, the trace
// log of the run) and the dump's file index, gzipped, where amgtar's dumper leaves it. The tree is
// the one of the amrecover baseline (shared/tools/amanda-baseline/gen_index.py), so that figures
// compare: "/big/" with 100 000 files, "/small/" with 100, and "/tree/dNNNN/" directories of
// 1000 files making up the rest.
//
//	Baseline(entries) -> Tree of about that many index lines
//	Tree.WriteIndex(w): "/", every directory, then the files directory by directory (tar's
//	    incremental order, as in the corpus' indexes)
//	WriteServer(dir, tree) -> Server: config files, log.DS.0 (START/PART/DONE taper lines),
//	    tapelist, index/HOST/DISK/DS_0-unsorted.gz
//	StartPeakRSS / PeakRSS.Growth: how far the process's resident set rose (VmHWM, reset
//	    through /proc/self/clear_refs), for memory figures that include SQLite's C heap
package synth
