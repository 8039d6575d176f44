package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// amrshell dr restores every disk of a host as of a date, each at its mount point under the
// target, exactly as the disk was at its newest dump of the view; --dry-run prints the plan
// (each volume loaded once) and restores nothing.
func TestDisasterRestore(t *testing.T) {
	w := newWorld(t)
	runs, err := runDatestamps(w.Root)
	if err != nil {
		t.Fatal(err)
	}
	dumps, err := loadDumps(w.Root)
	if err != nil {
		t.Fatal(err)
	}
	date := niceDate(runs[3])
	target := filepath.Join(w.Restore, "dr")
	args := []string{"dr", "localhost", "--date", date, "--target", target, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog}

	res := runAmrshell(t, w.Restore, "", append(args, "--dry-run")...)
	checkNoPanic(t, res)
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "Volumes to load, in order: DailySet1-01 DailySet1-02 DailySet1-03 Vault1-01\n") ||
		!strings.Contains(res.Stdout, "Dry run (--dry-run): nothing restored.") {
		t.Errorf("dr --dry-run: exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
	if snap, err := snapshotTree(w.Restore); err != nil || len(snap) != 0 {
		t.Fatalf("dr --dry-run wrote %d entries (%v)", len(snap), err)
	}

	// The shell's dr: the session's host and date.
	res = w.run(t, "sethost localhost\nsetdate "+date+"\ndr --dry-run "+target+"\nquit\n")
	checkNoPanic(t, res)
	if !strings.Contains(res.Stdout, "amrecover> dr --dry-run "+target+"\nDisaster restore of localhost as of "+date+" into "+target+", in this order:\n") ||
		!strings.Contains(res.Stdout, "Volumes to load, in order: DailySet1-01 DailySet1-02 DailySet1-03 Vault1-01\n") {
		t.Errorf("the shell's dr --dry-run:\n%s", tail(res.Stdout, 15))
	}

	res = runAmrshell(t, w.Restore, "", args...)
	checkNoPanic(t, res)
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "Disaster restore of localhost: 7 of 7 dump(s) restored.\n") {
		t.Fatalf("dr: exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 20), tail(res.Stderr, 20))
	}
	for _, disk := range []string{"/home/alice", "/srv/media", "/srv/ext2vol"} {
		chain := restoreChain(dumps, "localhost", disk, 3)
		if len(chain) == 0 {
			t.Fatalf("no dump of localhost:%s up to run 3 in the manifest", disk)
		}
		run := chain[0].Run // the disk as it was at its newest dump of the view
		m, err := loadManifest(w.Root, run, "localhost", disk)
		if err != nil {
			t.Fatal(err)
		}
		exp := asDumped(t, w.Root, "localhost", disk, wholeTree(run, m))
		if rep := verifyTree(t, filepath.Join(target, disk), exp, false); !rep.ok() {
			t.Errorf("localhost:%s differs from run %d's manifest:\n%s", disk, run, rep)
		}
	}
	checkSandbox(t, w)
}

// With the level 0 of /home/alice in no changer and the end of input at the prompt, dr stops
// there: it restores no later level over nothing, and says what it did.
func TestDisasterRestoreAborted(t *testing.T) {
	w := newWorld(t)
	for _, slot := range []string{"vtapes/main/slot1", "vtapes/vault/slot1"} {
		if err := os.RemoveAll(filepath.Join(w.Root, slot)); err != nil {
			t.Fatal(err)
		}
	}
	target := filepath.Join(w.Restore, "dr")
	res := runAmrshell(t, w.Restore, "", "dr", "localhost", "--target", target, "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog)
	checkNoPanic(t, res)
	if res.ExitCode != 1 || !strings.Contains(res.Stdout, "Insert volume labeled 'DailySet1-01' in changer") ||
		!strings.Contains(res.Stderr, "amrshell: dr aborted; 0 of ") {
		t.Errorf("exit status %d\nstdout:\n%s\nstderr:\n%s", res.ExitCode, tail(res.Stdout, 15), tail(res.Stderr, 15))
	}
	if strings.Contains(res.Stdout, "level 1 of 2026-11-22-23-29-02 into") {
		t.Errorf("dr went on after the abort:\n%s", tail(res.Stdout, 15))
	}
	checkSandbox(t, w)
}
