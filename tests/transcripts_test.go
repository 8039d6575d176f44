package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amrshell/amrshell/internal/corpus"
)

// transcriptDir holds amrecover's recorded sessions inside the corpus.
const transcriptDir = "TRANSCRIPTS/amrecover"

// transcript is one recorded amrecover session.
type transcript struct {
	Name   string
	Stdin  string // what was fed, 'Y' answers included; paths under corpus.BuildRoot
	Stdout string
	RC     int
	Verify string // the corpus' comparison of the extracted tree; "" when nothing was extracted
}

// restoreDirOf is where the recorded session extracted to.
func restoreDirOf(name string) string { return corpus.BuildRoot + "/work/recover/" + name }

// transcriptNames lists the recorded sessions (s01-browse ...), sorted.
func transcriptNames(tb testing.TB, root string) []string {
	tb.Helper()
	stdins, err := filepath.Glob(filepath.Join(root, transcriptDir, "*.stdin"))
	if err != nil || len(stdins) == 0 {
		tb.Fatalf("no amrecover transcripts in %s (%v)", filepath.Join(root, transcriptDir), err)
	}
	var names []string
	for _, p := range stdins {
		names = append(names, strings.TrimSuffix(filepath.Base(p), ".stdin"))
	}
	return names
}

func loadTranscript(tb testing.TB, root, name string) transcript {
	tb.Helper()
	read := func(ext string, optional bool) string {
		b, err := os.ReadFile(filepath.Join(root, transcriptDir, name+ext))
		if err != nil && !(optional && os.IsNotExist(err)) {
			tb.Fatalf("read transcript: %v", err)
		}
		return string(b)
	}
	tr := transcript{Name: name, Stdin: read(".stdin", false), Stdout: read(".stdout", false), Verify: read(".verify", true)}
	rc, err := strconv.Atoi(strings.TrimSpace(read(".rc", false)))
	if err != nil {
		tb.Fatalf("%s.rc: %v", name, err)
	}
	tr.RC = rc
	return tr
}

// TestTranscripts replays each recorded amrecover session through amrshell and compares stdout,
// exit status and, for the sessions that extract, the restored tree.
func TestTranscripts(t *testing.T) {
	replayAll(t, newWorld)
}

// replayAll replays every recorded session, in parallel, each in a world makeWorld makes.
func replayAll(t *testing.T, makeWorld func(*testing.T) *world) {
	pristine := corpus.Unpack(t)
	for _, name := range transcriptNames(t, pristine) {
		t.Run(name, func(t *testing.T) {
			tr := loadTranscript(t, pristine, name)
			sess, err := parseSession(tr.Stdin)
			if err != nil && tr.Verify != "" {
				t.Fatalf("parse %s.stdin: %v", name, err)
			}
			t.Parallel()
			if tr.RC != 0 {
				t.Fatalf("amrecover's rc for %s is %d; these checks expect sessions that succeeded", name, tr.RC)
			}
			replay(t, pristine, tr, sess, makeWorld(t))
		})
	}
}

// replay runs a recorded session through amrshell in w and checks stdout, exit status, the
// restored tree and the sandbox against the transcript; it returns what amrshell printed.
func replay(t *testing.T, pristine string, tr transcript, sess *session, w *world) result {
	t.Helper()
	stdin := strings.NewReplacer(restoreDirOf(tr.Name), w.Restore, corpus.BuildRoot, w.Root).Replace(tr.Stdin)
	before := time.Now()
	res := w.run(t, stdin)
	after := time.Now()
	checkNoPanic(t, res)
	if res.ExitCode != tr.RC {
		t.Errorf("exit status %d, want %d (amrecover's)\nstderr:\n%s", res.ExitCode, tr.RC, tail(res.Stderr, 20))
	}
	compareStdout(t, tr, w, res, before, after)
	if tr.Verify == "" {
		if ents, err := os.ReadDir(w.Restore); err != nil || len(ents) > 0 {
			t.Errorf("the session extracts nothing, but the restore directory holds %d entries (%v)", len(ents), err)
		}
	} else {
		exp := asDumped(t, pristine, sess.Host, sess.Disk, expectSession(t, pristine, sess))
		if rep := verifyTree(t, w.Restore, exp, false); !rep.ok() {
			t.Errorf("extracted tree differs from run %d's manifest of %s:%s over the selection:\n%s", exp.Run, sess.Host, sess.Disk, rep)
		}
	}
	checkSandbox(t, w)
	return res
}

// compareStdout compares amrshell's stdout with the transcript's after normalising both; the
// day of the run is the day when it started or ended.
func compareStdout(t *testing.T, tr transcript, w *world, res result, before, after time.Time) {
	t.Helper()
	paths := strings.NewReplacer(restoreDirOf(tr.Name), w.Restore, corpus.BuildRoot, w.Root)
	want, err := normaliseAmrecover(tr.Stdout, paths)
	if err != nil {
		t.Fatalf("normalise %s.stdout: %v", tr.Name, err)
	}
	days := map[string]bool{before.Format("2006-01-02"): true, after.Format("2006-01-02"): true}
	got, err := normaliseAmrshell(res.Stdout, func(d string) bool { return days[d] })
	if err != nil {
		t.Fatalf("normalise amrshell's stdout: %v\nstdout (start):\n%s\nstderr:\n%s", err, head(res.Stdout, 15), tail(res.Stderr, 20))
	}
	if err := checkHelp(want.Help, got.Help); err != nil {
		t.Error(err)
	}
	if diff := unifiedDiff("amrecover "+tr.Name+".stdout", "amrshell stdout", want.Lines, got.Lines, 3, 200); diff != "" {
		t.Errorf("stdout differs from amrecover's (normalised):\n%s\namrshell's stderr:\n%s", diff, tail(res.Stderr, 20))
	}
}

// head returns the first n lines of s, for failure messages.
func head(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = "..."
	}
	return strings.Join(lines, "\n")
}
