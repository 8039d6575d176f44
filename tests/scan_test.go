package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// scannedWorld is a world whose Amanda server is lost: config/ and state/ are deleted, and
// the catalog is rebuilt by `amrshell catalog scan --index` from the vtapes and the holding
// disk alone. Its sessions name the catalog only.
func scannedWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	for _, dir := range []string{"config", "state"} {
		if err := os.RemoveAll(filepath.Join(w.Root, dir)); err != nil {
			t.Fatal(err)
		}
	}
	res := runAmrshell(t, w.Sandbox, "", "catalog", "scan",
		"-d", "chg-disk:"+filepath.Join(w.Root, "vtapes", "main"), "-d", "chg-disk:"+filepath.Join(w.Root, "vtapes", "vault"),
		"--holding", filepath.Join(w.Root, "holding"), "--index", "--catalog", w.Catalog)
	checkNoPanic(t, res)
	want := "scanned 12 volumes (19 dump files) and 1 holding-disk dumps into " + w.Catalog +
		" (configuration DailySet1): 14 copies; file index of 11 dumps rebuilt"
	if res.ExitCode != 0 || res.Stderr != "" || !strings.HasPrefix(res.Stdout, want) {
		t.Fatalf("catalog scan: exit %d\nstdout:\n%s\nstderr:\n%s\nwant stdout starting %q", res.ExitCode, res.Stdout, res.Stderr, want)
	}
	w.CatalogOnly = true
	return w
}

// TestScanTranscripts replays every recorded amrecover session on a catalog rebuilt from the
// volumes: same listings, histories, extract dialogues and restored trees as with the
// server's own state. Two things are not on the volumes, and the transcripts are adapted to
// what a scanned catalog rightly says instead:
//   - the disklist's order: listhost and listdisk list in name order;
//   - amanda.conf's amrecover-changer ("changer"), which the extract dialogue names: a
//     scanned catalog names the changer of its first storage, chg-disk:ROOT/vtapes/main.
func TestScanTranscripts(t *testing.T) {
	pristine := corpus.Unpack(t)
	for _, name := range transcriptNames(t, pristine) {
		t.Run(name, func(t *testing.T) {
			tr := loadTranscript(t, pristine, name)
			sess, err := parseSession(tr.Stdin)
			if err != nil && tr.Verify != "" {
				t.Fatalf("parse %s.stdin: %v", name, err)
			}
			t.Parallel()
			tr.Stdout = strings.ReplaceAll(inNameOrder(tr.Stdout), "using tape drive changer on host",
				"using tape drive chg-disk:"+corpus.BuildRoot+"/vtapes/main on host")
			replay(t, pristine, tr, sess, scannedWorld(t))
		})
	}
}

// inNameOrder sorts the host and disk lines of amindexd's LISTHOST and LISTDISK replies
// ("201- NAME" between "200- List hosts ..." or "200- List of disk ..." and the closing "200")
// by name, the order of a scanned catalog.
func inNameOrder(stdout string) string {
	lines := strings.Split(stdout, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "200- List hosts for config ") && !strings.HasPrefix(lines[i], "200- List of disk for host ") {
			continue
		}
		start := i + 1
		end := start
		for end < len(lines) && strings.HasPrefix(lines[end], "201- ") {
			end++
		}
		slices.SortFunc(lines[start:end], func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		i = end
	}
	return strings.Join(lines, "\n")
}

func TestInNameOrder(t *testing.T) {
	in := "x\n200- List hosts for config C\n201- localhost\n201- Client2\n200  List hosts for config C\n" +
		"200- List of disk for host h\n201- /srv\n201- /home\n200 List of disk for host h\n201- /z\n201- /a\n"
	want := "x\n200- List hosts for config C\n201- Client2\n201- localhost\n200  List hosts for config C\n" +
		"200- List of disk for host h\n201- /home\n201- /srv\n200 List of disk for host h\n201- /z\n201- /a\n"
	if got := inNameOrder(in); got != want {
		t.Errorf("inNameOrder:\n%s\nwant:\n%s", got, want)
	}
}

// TestScanCommandLine checks the usage errors (exit 2) and failures (exit 1) of catalog scan,
// and that --config names the configuration.
func TestScanCommandLine(t *testing.T) {
	needBinary(t)
	root := corpus.Unpack(t)
	dir := t.TempDir()
	cat := filepath.Join(dir, "c.sqlite")
	main := "chg-disk:" + filepath.Join(root, "vtapes", "main")
	for _, tt := range []struct {
		args   []string
		exit   int
		stdout string // expected in stdout
		stderr string // expected in stderr
	}{
		{[]string{"--catalog", cat}, 2, "", "name the changers or devices to scan"},
		{[]string{"-d", main}, 2, "", "name the catalog to build"},
		{[]string{"-d", main, "--catalog", cat, "extra"}, 2, "", `unexpected operand "extra"`},
		{[]string{"-d", main, "--catalog", cat, "--catalog", cat}, 2, "", "--catalog given twice"},
		{[]string{"-d", main, "--bogus", "--catalog", cat}, 2, "", "unknown option --bogus"},
		{[]string{"-d", "chg-disk:" + filepath.Join(dir, "none"), "--catalog", cat}, 1, "", "none"},
		{[]string{"--help"}, 0, "usage: amrshell catalog scan -d CHANGER...", ""},
		{[]string{"-d", main, "--config", "Rebuilt", "--catalog", cat}, 0,
			"scanned 8 volumes (15 dump files) and 0 holding-disk dumps into " + cat + " (configuration Rebuilt): 10 copies\n", ""},
	} {
		res := runAmrshell(t, dir, "", append([]string{"catalog", "scan"}, tt.args...)...)
		checkNoPanic(t, res)
		if res.ExitCode != tt.exit || !strings.Contains(res.Stdout, tt.stdout) || !strings.Contains(res.Stderr, tt.stderr) {
			t.Errorf("catalog scan %q: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d, stdout with %q, stderr with %q",
				tt.args, res.ExitCode, res.Stdout, res.Stderr, tt.exit, tt.stdout, tt.stderr)
		}
	}
}
