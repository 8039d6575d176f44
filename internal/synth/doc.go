// Package synth writes synthetic Amanda server state of any size, for the scale benchmarks and
// `amrshell catalog synth`: a configuration with one DLE dumped once at level 0 (amanda.conf,
// disklist, tapelist, the trace log of the run) and the dump's file index, gzipped, where
// amgtar's dumper leaves it. The tree is the one of the amrecover baseline
// (shared/tools/amanda-baseline/gen_index.py), so that figures compare: "/big/" with 100 000
// files, "/small/" with 100, and "/tree/dNNNN/" directories of 1000 files making up the rest.
//
//	Baseline(entries) -> Tree of about that many index lines (1 001 004 for 1M, as there)
//	Tree.WriteIndex(w): "/", every directory, then the files directory by directory (tar's
//	    incremental order, as in the corpus' indexes)
//	WriteServer(dir, tree) -> Server: config files, log.DS.0 (SUCCESS, START/PART/DONE taper
//	    lines), tapelist, index/HOST/DISK/DS_0-unsorted.gz
//	Sizes(): 1M, and 10M with AMRSHELL_BENCH_10M=1
//	StartPeakRSS / PeakRSS.Growth / ReportPeakRSS: how far the process's resident set rose
//	    (VmHWM, reset through /proc/self/clear_refs), so that SQLite's C heap counts
package synth
