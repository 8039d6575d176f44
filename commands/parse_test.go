package commands

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

type testSession struct {
	*Session
	out, errOut *bytes.Buffer
	rec         *recorder
	ans         *answers
}

// newTestSession is a session on the corpus catalog at /home/alice of localhost, on
// 2026-11-22 (the corpus' day), its output so far discarded.
func newTestSession(t *testing.T) *testSession {
	t.Helper()
	idx, _ := corpusCatalog(t)
	ts := &testSession{out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, rec: &recorder{idx: idx}}
	ts.ans = &answers{out: ts.out}
	ts.Session = New(Options{Index: idx, Restorer: ts.rec, Interactive: ts.ans, Out: ts.out, Err: ts.errOut,
		TapeServer: "localhost", LocalDir: t.TempDir()})
	ts.now = func() time.Time { return time.Date(2026, 11, 22, 23, 40, 0, 0, time.Local) }
	ctx := context.Background()
	ts.Start(ctx, "localhost", "2026-11-22")
	ts.Exec(ctx, "setdisk /home/alice")
	ts.out.Reset()
	return ts
}

// run executes lines and returns what they printed.
func (ts *testSession) run(lines ...string) string {
	ts.out.Reset()
	for _, l := range lines {
		ts.Exec(context.Background(), l)
	}
	return ts.out.String()
}

// Wrong lines get the messages of amrecover's grammar, and its scanner's echo.
func TestGrammar(t *testing.T) {
	for _, c := range []struct {
		lines []string
		out   string
	}{
		{[]string{"frobnicate a b"}, "Invalid command: frobnicate\n"},
		{[]string{`"x"`}, "\"Invalid command: x\n"},
		{[]string{"   "}, "syntax error\n"},
		{[]string{""}, ""},
		{[]string{"add"}, "syntax error\n"},
		{[]string{"cd"}, "Argument required\n"},
		{[]string{"setdisk"}, "Argument required\nsyntax error\n"},
		{[]string{"ls x"}, "Invalid argument\n"},
		{[]string{"help x y"}, "Invalid argument\n"},
		{[]string{"help ls"}, "syntax error\n"},
		{[]string{"settranslate a b"}, "syntax error\n"},
		{[]string{"setdevice -h"}, "syntax error\n"},
		{[]string{"setdevice -h host"}, "Invalid argument\n"},
		{[]string{"setmode"}, "Argument required\n"},
		{[]string{"setmode tar x"}, "Invalid argument\n"},
		{[]string{"setmode foo"}, "Invalid argument\n"},
		{[]string{"setproperty"}, "Invalid argument\n"},
		{[]string{"setproperty append priority"}, "Invalid argument\n"},
		{[]string{"pwd\rpwd"}, "/home/alice\nsyntax error\n"},
		{[]string{"quit x"}, "Invalid argument\n"},
		{[]string{"exit"}, "200 Good bye.\n"},
		{[]string{"mode", "setmode smb", "mode", "setmode tar"},
			"SAMBA dumps are extracted  as TAR dumps\nSAMBA dumps will be extracted using smbclient\n" +
				"SAMBA dumps are extracted using smbclient\nSAMBA dumps will be extracted as TAR dumps\n"},
		{[]string{"setproperty Directory_X /a", "setproperty b", "setproperty append directory-x \"/b c\"", "listproperty"},
			"property \"directory-x\" \"/a\" \"/b c\"\nproperty \"b\"\n"},
		{[]string{"settape host:/dev/nst0"}, "NOTE: 'settape' is deprecated; use setdevice instead.\nUsing tape \"/dev/nst0\" from server host.\n"},
		{[]string{"settape file:/x"}, "NOTE: 'settape' is deprecated; use setdevice instead.\nUsing tape \"file:/x\".\nTape server unspecified, assumed to be localhost.\n"},
		{[]string{"settape"}, "NOTE: 'settape' is deprecated; use setdevice instead.\nUsing default tape.\nTape server unspecified, assumed to be localhost.\n"},
		{[]string{`setdevice "/dev/x"`}, "Using tape \"\"/dev/x\"\".\nTape server unspecified, assumed to be localhost.\n"},
		{[]string{"setdevice -h tapehost /dev/x"}, "Using tape \"/dev/x\" from server tapehost.\n"},
	} {
		ts := newTestSession(t)
		if got := ts.run(c.lines...); got != c.out {
			t.Errorf("%q:\n got %q\nwant %q", c.lines, got, c.out)
		}
	}
}

func TestSetDate(t *testing.T) {
	for _, c := range []struct{ arg, out string }{
		{"2026-11-22-23-29-02", "200 Working date set to 2026-11-22-23-29-02.\n"},
		{"2026-11-22", "200 Working date set to 2026-11-22.\n"},
		{"---22", "200 Working date set to 2026-11-22.\n"},
		{"--11-22", "200 Working date set to 2026-11-22.\n"},
		{"26-11-22", "200 Working date set to 2026-11-22.\n"},
		{"2026-11-22-24", "200 Working date set to 2026-11-22-24-00-00.\n"},
		{"2026-11-22-23-29", "200 Working date set to 2026-11-22-23-29-00.\n"},
		{" 2026-+11-22", "200 Working date set to 2026-11-22.\n"},
		{"2000-13-45", "invalid month"},
		{"2000-12-45", "invalid day"},
		{"2000-12-1-25", "invalid hour"},
		{"2000-12-1-1-60", "invalid minute"},
		{"2000-12-1-1-1-60", "invalid second"},
		{"12345-1-1", "invalid year"},
		{"2026-11", "Invalid date: 2026-11\n"},
		{`"2026-11-22"`, "Invalid date: \"2026-11-22\"\n"},
		{"garbage", "Invalid date: garbage\n"},
		{"99-1-2", "200 Working date set to 1999-01-02.\n500 No dumps available on or before date \"1999-01-02\"\n" +
			"No index records for cwd on new date\nSetting cwd to mount point\n"},
	} {
		ts := newTestSession(t)
		if got := ts.run("setdate " + c.arg); got != c.out {
			t.Errorf("setdate %s:\n got %q\nwant %q", c.arg, got, c.out)
		}
	}
}

func TestDirectories(t *testing.T) {
	for _, c := range []struct {
		lines []string
		out   string
	}{
		// amrecover strips the "../" and then appends the whole argument.
		{[]string{"cd projects", "cd ../docs"}, "/home/alice/projects\n500 \"/../docs\" is an invalid directory\nInvalid directory - ../docs\n"},
		{[]string{"cd .."}, "Invalid directory - Can't cd outside mount point \"/home/alice\"\n"},
		{[]string{"cd projects", "cd .."}, "/home/alice/projects\n/home/alice\n"},
		{[]string{"cd d*"}, "Too many directories matching 'd*'\n"},
		{[]string{"cd do?s", "cd ."}, "/home/alice/docs\n/home/alice/docs\n"},
		{[]string{"cd docs", "cd naïve*"}, "/home/alice/docs\n/home/alice/docs/naïve café\n"},
		{[]string{"cd /home/alice/docs/naïve*"}, "500 \"/docs/naïve*\" is an invalid directory\nInvalid directory - /home/alice/docs/naïve*\n"},
		{[]string{"cd ["}, "\"[\" is not a valid shell wildcard pattern: Unmatched [, [^, [:, [., or [=\n"},
		{[]string{"cdx ("}, "\"(\" is not a valid regular expression: Unmatched ( or \\(\n"},
		{[]string{"cdx do.s"}, "/home/alice/docs\n"},
		{[]string{"cdx ^do"}, "500 \"/^do\" is an invalid directory\nInvalid directory - ^do\n"},
		{[]string{"add ["}, "[ is not a valid shell wildcard pattern: Unmatched [, [^, [:, [., or [=\n"},
		{[]string{"delete ["}, "\"[\" is not a valid shell wildcard pattern: Unmatched [, [^, [:, [., or [=\n"},
		{[]string{"addx ("}, "\"(\" is not a valid regular expression: Unmatched ( or \\(\n"},
		{[]string{"settranslate off", "cd docs", "ls"}, "/home/alice/docs\n" +
			"2026-11-22-23-29-30 readme.txt\n" +
			"2026-11-22-23-29-30 \"new-in-run3 \\\\303\\\\274n\\\\303\\\\257.txt\"\n" +
			"2026-11-22-23-29-30 \"na\\\\303\\\\257ve caf\\\\303\\\\251/\"\n" +
			"2026-11-22-23-29-30 keep-forever.txt\n" +
			"2026-11-22-23-29-30 \"\\\\346\\\\227\\\\245\\\\346\\\\234\\\\254\\\\350\\\\252\\\\236/\"\n" +
			"2026-11-22-23-29-30 .\n" +
			"2026-11-22-23-29-02 new-in-run2.txt\n" +
			"2026-11-22-23-28-46 obsolete.txt\n" +
			"2026-11-22-23-28-46 \"\\\\303\\\\234n\\\\303\\\\257c\\\\303\\\\266d\\\\303\\\\251 \\\\342\\\\200\\\\223 r\\\\303\\\\251sum\\\\303\\\\251.txt\"\n"},
		{[]string{"storage vault", "history"}, "200- Dump history for config \"DailySet1\" host \"localhost\" disk /home/alice\n" +
			"201- 2026-11-22-23-29-19 2 vault:Vault1-01:4\n201- 2026-11-22-23-29-02 1 vault:Vault1-01:3\n" +
			"201- 2026-11-22-23-28-46 0 vault:Vault1-01:1,2\n" +
			"200 Dump history for config \"DailySet1\" host \"localhost\" disk /home/alice\n"},
		{[]string{"storage vault DailySet1"}, "599 invalid storage: \"vault DailySet1\"\n500 No dumps available on or before date \"2026-11-22\"\n"},
		{[]string{"storage"}, "599 invalid storage: \"\"\n500 No dumps available on or before date \"2026-11-22\"\n"},
		{[]string{"sethost client2", "pwd", "history"}, "200 Dump host set to client2.\nMust select disk first\n502 Must set disk before listing history\n"},
		{[]string{"setdisk /etc"}, "501 Disk localhost:/etc is not in the server's disklist.\n"},
		{[]string{"setdisk /home/alice home"}, "Mount point \"home\" invalid - must start with /\n"},
		{[]string{"setdisk /home/alice /mnt", "cd docs", "pwd", "cd /mnt/data"}, "200 Disk set to /home/alice.\n/mnt/docs\n/mnt/docs\n/mnt/data\n"},
		{[]string{"add docs/readme.txt", "pwd"}, "Added file /docs/readme.txt\n/home/alice\n"},
		{[]string{"add docs", "sethost localhost", "setdisk /srv/media"},
			"Added dir /docs/ at date 2026-11-22-23-28-46\nAdded dir /docs/ at date 2026-11-22-23-29-02\n" +
				"Added dir /docs/ at date 2026-11-22-23-29-30\n" +
				"Must clear extract list before changing host\nMust clear extract list before changing disk\n"},
	} {
		ts := newTestSession(t)
		if got := ts.run(c.lines...); got != c.out {
			t.Errorf("%q:\n got %q\nwant %q", c.lines, got, c.out)
		}
	}
}

// The list, its groups, and what extract hands the Restorer.
func TestExtractGroups(t *testing.T) {
	ts := newTestSession(t)
	ts.run("setdate 2026-11-22-23-29-19", "cd docs", "add *", "cd /home/alice", "add bin", "delete docs/obsolete.txt")
	if !strings.Contains(ts.out.String(), "Deleted /docs/obsolete.txt\n") {
		t.Fatalf("delete: %q", ts.out.String())
	}
	ts.ans.lines = []string{"y", "y", "y", "y"}
	ts.run("extract")
	var got []string
	for _, g := range ts.rec.groups {
		var items []string
		for _, it := range g.Items {
			items = append(items, it.Path)
		}
		got = append(got, g.Date+" "+strings.Join(items, ",")+" exact:"+strings.Join(g.ExactDirs, ","))
	}
	want := []string{
		// obsolete.txt was deleted from the level 0: that group no longer has all of /docs/.
		`2026-11-22-23-28-46 /docs/\303\234n\303\257c\303\266d\303\251 \342\200\223 r\303\251sum\303\251.txt,/docs/\346\227\245\346\234\254\350\252\236/,/docs/na\303\257ve caf\303\251/ exact:`,
		"2026-11-22-23-29-02 /bin/,/docs/new-in-run2.txt exact:/docs/",
		`2026-11-22-23-29-19 /bin/,/docs/\346\227\245\346\234\254\350\252\236/,/docs/keep-forever.txt,/docs/na\303\257ve caf\303\251/,/docs/new-in-run3 \303\274n\303\257.txt,/docs/readme.txt exact:/docs/`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(ts.Session.extract) != 0 {
		t.Errorf("extract list not empty after extract")
	}
}

// The answers to the extract questions.
func TestExtractDialogue(t *testing.T) {
	ts := newTestSession(t)
	ts.run("setdate 2026-11-22-23-29-02", "add docs")
	ts.ans.lines = []string{"?", "x", "d", "?", "", "d", "/dev/nst1", "s", "n"}
	got := ts.run("extract", "list")
	want := "\nExtracting files using tape drive changer on host localhost.\n" +
		"The following tapes are needed: Vault1-01\n" +
		"                                Vault1-01\n\n" +
		"Extracting files using tape drive changer on host localhost.\n" +
		"Load tape Vault1-01 now\n" +
		"Continue [?/Y/n/s/d]? Enter \"y\"es to continue, \"n\"o to stop, \"s\"kip this tape or \"d\" to change to a new device\n" +
		"Continue [?/Y/n/s/d]? " + // "x" is no answer
		"Continue [?/Y/n/s/d]? New device name [?]: Enter a new device name or \"default\"\n" +
		"New device name [?]: No change.\n" +
		"Continue [?/Y/n/s/d]? New device name [?]: Using tape \"/dev/nst1\" from server localhost.\n" +
		"Continue [?/Y/n/s/d]? " + // s: the level 0 is skipped
		"Extracting files using tape drive /dev/nst1 on host localhost.\n" +
		"Load tape Vault1-01 now\n" +
		"Continue [?/Y/n/s/d]? " + // n: back to the prompt
		"TAPE vault:Vault1-01:3 LEVEL 1 DATE 2026-11-22-23-29-02\n\t/docs\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if len(ts.rec.groups) != 0 {
		t.Errorf("restored %d groups", len(ts.rec.groups))
	}
	// The end of input is no, after a newline; a new device goes to the Restorer.
	ts.ans.lines = []string{"y"}
	got = ts.run("extract")
	if !strings.HasSuffix(got, "Continue [?/Y/n/s/d]? ") || len(ts.rec.groups) != 1 || ts.rec.groups[0].Device != "/dev/nst1" {
		t.Errorf("got %q, groups %+v", got, ts.rec.groups)
	}
	if got := ts.run("extract"); got != "Extract list empty - No files to extract!\n" {
		t.Errorf("got %q", got)
	}
}

// A level-0 restore warns about what is in the way, and deletes what is not a directory.
func TestOverwriteCheck(t *testing.T) {
	ts := newTestSession(t)
	dir := ts.localDir
	mustWrite(t, dir+"/docs", "a file where a directory goes")
	mkdir(t, dir+"/data")
	mustWrite(t, dir+"/data/hard-a.txt", "x")
	mkdir(t, dir+"/links/dangling")
	mustWrite(t, dir+"/links/dangling/x", "x")
	ts.run("setdate 2026-11-22-23-28-46", "add docs/readme.txt data/hard-a.txt links/dangling")
	ts.ans.lines = []string{"y", "y"}
	got := ts.run("extract")
	for _, w := range []string{
		"Restoring files into directory " + dir + "\n",
		"WARNING: Existing file " + dir + "/data/hard-a.txt will be overwritten\n",
		"WARNING: All existing files in " + dir + "/links/dangling will be deleted.\n",
		"WARNING: " + dir + "/docs is not a directory, it will be deleted.\n",
		"Continue [?/Y/n]? \n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if exists(dir + "/docs") {
		t.Errorf("%s/docs not deleted", dir)
	}
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// setdate's scanning is sscanf's; any argument is either a date or refused, without panic.
func FuzzScanDate(f *testing.F) {
	for _, s := range []string{"2026-11-22", "---5", "--11-22", "2026-11-22-23-29-02", " -1-+2-3", "99999999999999999999-1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := make([]int, 6)
		if n := scanDate(s, "", v); n < 0 || n > 6 {
			t.Fatalf("scanDate(%q) = %d", s, n)
		}
		scanDate(s, "--", v[1:3])
	})
}

func TestLocal(t *testing.T) {
	ts := newTestSession(t)
	dir := ts.localDir
	mkdir(t, dir+"/sub")
	mustWrite(t, dir+"/file", "x")
	if got := ts.run("lcd sub", "lpwd", "lcd ..", "lpwd"); got != dir+"/sub\n"+dir+"\n" {
		t.Errorf("lcd/lpwd: %q", got)
	}
	ts.errOut.Reset()
	if got := ts.run("lcd nowhere", "lcd file", "lpwd"); got != dir+"\n" {
		t.Errorf("lcd errors changed the directory: %q", got)
	}
	if want := "nowhere: No such file or directory\nfile: Not a directory\n"; ts.errOut.String() != want {
		t.Errorf("stderr %q, want %q", ts.errOut.String(), want)
	}
	got := ts.run("add docs/readme.txt", "lcd sub", `list "out list"`, "list /nonexistent/x")
	want := "Added file /docs/readme.txt\nExtract list written to file \"out list\"\n" +
		"Can't open file /nonexistent/x to print extract list into\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	b, err := os.ReadFile(dir + "/sub/out list")
	if want := "TAPE HOLDING:"; err != nil || !strings.HasPrefix(string(b), want) || !strings.HasSuffix(string(b), "LEVEL 2 DATE 2026-11-22-23-29-30\n\t/docs/readme.txt\n") {
		t.Errorf("list file: %q, %v", b, err)
	}
}

// list FILE says when the file could not be written, instead of claiming it was.
func TestListToFullDevice(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full here")
	}
	ts := newTestSession(t)
	ts.run("add bin")
	ts.run("list /dev/full")
	if strings.Contains(ts.out.String(), "Extract list written") || !strings.Contains(ts.errOut.String(), "write extract list to /dev/full: ") {
		t.Errorf("stdout %q, stderr %q: want an error and no claim of success", ts.out.String(), ts.errOut.String())
	}
}
