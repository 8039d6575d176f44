// Package tests holds amrshell's end-to-end tests: they build the amrshell binary once and drive
// it as a user would, with scripts on standard input (not a terminal, so amrshell echoes each
// command after its prompt, as amrecover does under a pipe), against private copies of the real
// Amanda 3.5.1 corpus in testdata/ (see testdata/README.md and the corpus' README.txt).
//
//	TestMain                 go build -o TMP/amrshell github.com/amrshell/amrshell (once)
//	TestTranscripts          each recorded amrecover session s01..s11 of the corpus, fed to amrshell
//	                         -> stdout == amrecover's stdout after normalising only the banner,
//	                            today's date, paths, the help block (checked apart) and tar's
//	                            "Deleting" prefix; else a unified diff
//	                         -> exit status == the session's rc (0)
//	                         -> extracted tree == MANIFEST/runN/HOST/DISK.jsonl over what the
//	                            session's add commands select (MISSING / DIFFER / EXTRA all 0);
//	                            sessions that extract nothing leave the restore directory empty
//	TestWholeDiskAsOfEachRun `add .` of a whole disk as of each run -> tree == that run's manifest;
//	                         `add *` at the top restores the same tree as `add .`
//	TestRenamedDirectory     `add alpha-renamed` (renamed since the level 0) as of run 3 -> tree ==
//	                         the manifest over it: its unchanged files come from the old name
//	TestDump                 localhost:/srv/ext2vol (/sbin/dump of ext2) as of runs 1 and 2, whole
//	                         and in part -> tree == the manifest over the selection
//	TestVaultCopiesUnreadable the sessions that read vaulted copies, with the vault's vtapes
//	                         removed or a part damaged -> same stdout and trees, from DailySet1
//	TestInsertVolume, TestSingleDevice  volumes in no changer / the wrong one in a file: drive
//	                         -> the operator prompt, answered from stdin
//	TestFetch*, TestAmrestore*  amrshell fetchdump / restore -> Amanda's file names and sha256
//	TestHostileDumps         malicious tar streams planted as holding dumps -> refused, named
//	TestVerify, TestOverwritePolicy*, TestEstimate  verify, --overwrite, estimate and --dry-run
//	TestExport*, TestScan*   the sessions on an imported export, and on a catalog rebuilt by
//	                         catalog scan --index with config/ and state/ deleted
//	TestDisasterRestore*     amrshell dr localhost as of run 3 -> every disk == its manifest
//	TestBadInput             damaged corpus copies (bad header, missing vtape slot, truncated part,
//	                         holding dump with a tar member "../x") -> exit status > 0, a stderr
//	                         line naming the volume/file/path, no half-written file or temp file,
//	                         nothing outside the restore directory
//
// A tree matches a manifest entry by type, sha256, mode (setuid, setgid and sticky bits only
// when the tests run as root) and symlink target, and the files of one hardlink_group must be
// one inode. What a session selects is read from its script (see session_test.go), not listed
// by hand: `add .`, `add *` at the top and `add DIR` select whole subtrees as of the run, named
// files themselves; directories made only to hold them are checked to be directories.
//
// Every run gets its own corpus copy (internal/corpus.Copy), catalog and restore directory, so
// runs cannot see each other's state and a test may damage its copy. The restore directory sits
// alone in a "sandbox" directory; anything else appearing there was written outside it.
//
// The helpers (stdout normalisation, the line diff, script reading and tree verification) have
// unit tests of their own, fed with the corpus' real transcripts, manifests and .verify files;
// they pass without the binary. When the binary does not build, every test that runs it fails
// with the build error: nothing is skipped silently. Session s11 restores the DUMP-program
// (/sbin/dump) images of localhost:/srv/ext2vol, whose level 1 holds zeros for two files (the
// corpus' own defect, which amrecover's extraction shows too): asDumped expects those zeros.
package tests
