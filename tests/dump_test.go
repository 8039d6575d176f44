package tests

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// The DLE of the corpus dumped by /sbin/dump (program "DUMP"): an ext2 file system.
const dumpHost, dumpDisk = "localhost", "/srv/ext2vol"

// asDumped corrects an expectation for localhost:/srv/ext2vol as of run 2 and later where the
// corpus' level 1 itself is wrong: dump read the loop device before the new blocks of hosts
// and cron.d/new-job.conf reached it, so the dump holds zeros for them (the right size, the
// right attributes). Amanda's own restore extracted the same zeros in session s11, which the
// corpus' s11-dump-ext2.extracted.sha256 shows: that is checked here, so that a corpus without
// the defect makes this correction fail instead of hiding a wrong restore.
func asDumped(t *testing.T, root, host, disk string, exp expectation) expectation {
	t.Helper()
	if host != dumpHost || disk != dumpDisk || exp.Run < 2 {
		return exp
	}
	extracted := readSHA256List(t, filepath.Join(root, transcriptDir, "s11-dump-ext2.extracted.sha256"))
	for _, p := range []string{"hosts", "cron.d/new-job.conf"} {
		e, ok := exp.Entries[p]
		if !ok {
			continue
		}
		zeros := sha256.Sum256(make([]byte, e.Size))
		if got := extracted[p]; got != hex.EncodeToString(zeros[:]) {
			t.Fatalf("amrecover extracted %s with SHA-256 %s, not the %d zero bytes its level 1 was known to hold: drop this correction", p, got, e.Size)
		}
		e.SHA256 = hex.EncodeToString(zeros[:])
		exp.Entries[p] = e
	}
	return exp
}

// readSHA256List reads a sha256sum list ("SUM  ./path") by path without "./".
func readSHA256List(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, p, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("%s: bad line %q", file, sc.Text())
		}
		out[strings.TrimPrefix(p, "./")] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDump restores localhost:/srv/ext2vol through amrshell as of run 1 (its level 0) and
// run 2 (level 0, then level 1, which deleted the directory default, added
// cron.d/new-job.conf and changed hosts), whole and in part, and compares each tree with the
// manifest of its run over the selection: nothing missing, nothing different, nothing extra.
func TestDump(t *testing.T) {
	pristine := corpus.Unpack(t)
	if prog := indexProgram(t, pristine, dumpHost, dumpDisk); prog != "/sbin/dump" {
		t.Fatalf("%s:%s was dumped by %q, not /sbin/dump: this test would not test DUMP dumps", dumpHost, dumpDisk, prog)
	}
	runs, err := runDatestamps(pristine)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		run  int
		what string
	}{
		{1, "."},
		{2, "."},
		{2, "*"},      // the top directory Exact: default must go all the same
		{2, "cron.d"}, // both levels: level 1's cron.d adds new-job.conf
		{2, "hosts"},  // level 1 only
		{1, "default"},
		{2, "systemd"}, // level 0 only: level 1 did not dump it
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("run%d/add %s", tc.run, tc.what), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			script := extractScript(dumpHost, dumpDisk, runs[tc.run], tc.what, answersFor(t, pristine, dumpHost, dumpDisk, tc.run))
			res := w.run(t, script)
			checkNoPanic(t, res)
			if res.ExitCode != 0 {
				t.Errorf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 30), tail(res.Stderr, 30))
			}
			sess, err := parseSession(script)
			if err != nil {
				t.Fatal(err)
			}
			exp := asDumped(t, pristine, dumpHost, dumpDisk, expectSession(t, pristine, sess))
			if rep := verifyTree(t, w.Restore, exp, false); !rep.ok() {
				t.Errorf("tree differs from run %d's manifest over add %s:\n%s\nstdout:\n%s\nstderr:\n%s",
					tc.run, tc.what, rep, tail(res.Stdout, 30), tail(res.Stderr, 30))
			}
			checkSandbox(t, w)
		})
	}
}
