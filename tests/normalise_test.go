package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// What may differ between amrecover's stdout and amrshell's for the same session, and how
// both are brought to one form before comparing:
//
//	banner      amrecover: lines up to the "220 " greeting; amrshell: lines before
//	            "Setting restore date to today"            -> dropped
//	today       "Setting restore date to today (D)" and the "200 Working date set to D." after
//	            it, when D is the day of the run            -> D becomes <today>
//	paths       amrecover's build root and restore dir      -> this run's (amrecover side only)
//	tar prefix  "/usr/bin/tar: Deleting '"                  -> "amrshell: Deleting '"
//	help        the block after "amrecover> help"           -> checked apart, then dropped
//
// Nothing else is touched: every other byte of stdout must be amrecover's.

const (
	prompt     = "amrecover> "
	todayLine  = "Setting restore date to today ("
	todayMark  = "<today>"
	helpHeader = "valid commands are:"
)

// normalisedOutput is a session's stdout in comparable form, with its help blocks apart.
type normalisedOutput struct {
	Lines []string
	Help  [][]string // the lines printed by each `help`, in order
}

// normaliseAmrecover brings a recorded amrecover stdout to comparable form. paths rewrites the
// build root and restore directory recorded in it to this run's (nil: none).
func normaliseAmrecover(stdout string, paths *strings.Replacer) (normalisedOutput, error) {
	lines := strings.Split(stdout, "\n")
	i := indexPrefix(lines, "220 ")
	if i < 0 {
		return normalisedOutput{}, fmt.Errorf("no \"220 \" greeting line in amrecover's output")
	}
	lines = lines[i+1:]
	for k, l := range lines {
		if paths != nil {
			l = paths.Replace(l)
		}
		lines[k] = strings.ReplaceAll(l, "/usr/bin/tar: Deleting '", "amrshell: Deleting '")
	}
	return finishNormalise(lines, func(string) bool { return true })
}

// normaliseAmrshell brings amrshell's stdout to comparable form; isToday says which dates count
// as the day of the run (a date that does not is left as printed, and so shows in the diff).
func normaliseAmrshell(stdout string, isToday func(date string) bool) (normalisedOutput, error) {
	lines := strings.Split(stdout, "\n")
	i := indexPrefix(lines, todayLine)
	if i < 0 {
		return normalisedOutput{}, fmt.Errorf("no %q line in amrshell's output", todayLine+"...)")
	}
	return finishNormalise(lines[i:], isToday)
}

func indexPrefix(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

// finishNormalise does the steps common to both sides: today's date, then the help blocks.
func finishNormalise(lines []string, isToday func(string) bool) (normalisedOutput, error) {
	if len(lines) == 0 {
		return normalisedOutput{}, fmt.Errorf("nothing after the banner")
	}
	if d, ok := strings.CutPrefix(lines[0], todayLine); ok {
		d = strings.TrimSuffix(d, ")")
		if isToday(d) {
			lines[0] = todayLine + todayMark + ")"
			if len(lines) > 1 && lines[1] == "200 Working date set to "+d+"." {
				lines[1] = "200 Working date set to " + todayMark + "."
			}
		}
	}
	var out normalisedOutput
	for i := 0; i < len(lines); i++ {
		out.Lines = append(out.Lines, lines[i])
		if lines[i] != prompt+"help" {
			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], prompt) {
			end++
		}
		out.Help = append(out.Help, lines[i+1:end])
		i = end - 1
	}
	return out, nil
}

// checkHelp reports the command lines of amrecover's help blocks that amrshell's do not print.
// Runs of blanks are compared as one space: amrshell may list more commands and align its
// columns differently.
func checkHelp(amrecover, amrshell [][]string) error {
	if len(amrecover) != len(amrshell) {
		return fmt.Errorf("amrecover printed %d help blocks, amrshell %d", len(amrecover), len(amrshell))
	}
	var missing []string
	for i, want := range amrecover {
		have := map[string]bool{}
		for _, l := range amrshell[i] {
			have[collapseBlanks(l)] = true
		}
		for _, l := range want {
			c := collapseBlanks(l)
			if c != "" && c != helpHeader && !have[c] {
				missing = append(missing, l)
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("amrshell's help lacks amrecover's lines:\n\t%s", strings.Join(missing, "\n\t"))
	}
	return nil
}

func collapseBlanks(s string) string { return strings.Join(strings.Fields(s), " ") }

// fakeAmrshell turns a recorded amrecover stdout into what amrshell is meant to print for the
// same session on day `today`, in directories /ROOT and /RESTORE: its own banner, today's
// date, its tar prefix, and a help block with one more command and other spacing.
func fakeAmrshell(stdout, name, today string) string {
	lines := strings.Split(stdout, "\n")[2:] // amrecover's two banner lines
	paths := strings.NewReplacer(
		corpus.BuildRoot+"/work/recover/"+name, "/RESTORE",
		corpus.BuildRoot, "/ROOT",
		"/usr/bin/tar: Deleting '", "amrshell: Deleting '")
	day := ""
	var out []string
	inHelp := false
	for i, l := range lines {
		if d, ok := strings.CutPrefix(l, todayLine); ok && i == 0 {
			day = strings.TrimSuffix(d, ")")
			l = todayLine + today + ")"
		}
		if i == 1 && day != "" {
			l = strings.Replace(l, day, today, 1)
		}
		l = paths.Replace(l)
		switch {
		case l == prompt+"help":
			inHelp = true
		case strings.HasPrefix(l, prompt):
			if inHelp {
				out = append(out, "settape [host:]device - select tape server and device (deprecated)")
			}
			inHelp = false
		case inHelp:
			l = collapseBlanks(l)
		}
		out = append(out, l)
	}
	return "amrshell 0.1.0 (catalog /CATALOG/catalog.sqlite)\nImported 20 dumps.\n" + strings.Join(out, "\n")
}

func TestNormaliseAmrecoverTranscripts(t *testing.T) {
	root := corpus.Unpack(t)
	for _, name := range transcriptNames(t, root) {
		t.Run(name, func(t *testing.T) {
			tr := loadTranscript(t, root, name)
			paths := strings.NewReplacer(corpus.BuildRoot+"/work/recover/"+name, "/RESTORE", corpus.BuildRoot, "/ROOT")
			n, err := normaliseAmrecover(tr.Stdout, paths)
			if err != nil {
				t.Fatal(err)
			}
			if n.Lines[0] != todayLine+todayMark+")" || n.Lines[1] != "200 Working date set to "+todayMark+"." {
				t.Errorf("first lines %q, want today's date normalised", n.Lines[:2])
			}
			for _, l := range n.Lines {
				for _, bad := range []string{corpus.BuildRoot, "/usr/bin/tar:", "AMRECOVER Version", helpHeader} {
					if strings.Contains(l, bad) {
						t.Errorf("normalised line still has %q: %q", bad, l)
					}
				}
			}
			helpLines := 0
			for _, h := range n.Help {
				helpLines += len(h)
			}
			if got, want := len(n.Lines)+helpLines, strings.Count(tr.Stdout, "\n")+1-2; got != want {
				t.Errorf("%d lines kept + %d help lines, want %d (all but the 2 banner lines)", len(n.Lines), helpLines, want)
			}
			if want := countLines(tr.Stdin, "help"); len(n.Help) != want {
				t.Errorf("%d help blocks, want %d (one per help command)", len(n.Help), want)
			}
			for _, h := range n.Help {
				if len(h) < 20 || h[0] != helpHeader || !slices.ContainsFunc(h, func(l string) bool { return strings.HasPrefix(l, "setdate {YYYY-MM-DD") }) {
					t.Errorf("help block not cut where it should be: %q", h)
				}
			}
			if strings.Contains(tr.Stdin, "\nlpwd\n") && !slices.Contains(n.Lines, "/RESTORE") {
				t.Errorf("lpwd's restore directory not rewritten")
			}
			if strings.Contains(tr.Stdout, "/usr/bin/tar: Deleting './") && !slices.ContainsFunc(n.Lines, func(l string) bool { return strings.HasPrefix(l, "amrshell: Deleting './") }) {
				t.Errorf("tar's Deleting lines not rewritten")
			}
		})
	}
}

func TestNormaliseAmrshell(t *testing.T) {
	root := corpus.Unpack(t)
	const today = "2031-01-02"
	isToday := func(d string) bool { return d == today }
	same := func(s string) string { return s }
	tests := []struct {
		name    string
		session string              // "" = every session
		edit    func(string) string // applied to the faked amrshell output
		same    bool                // normalised lines must equal amrecover's
		helpOK  bool                // checkHelp must pass
		diffHas string              // a line the diff must show when not same
	}{
		{name: "as meant", edit: same, same: true, helpOK: true},
		{
			name:    "one reply changed",
			session: "s02-point-in-time",
			edit: func(s string) string {
				return strings.Replace(s, "200 Dump host set to localhost.", "200 Dump host set to localhost", 1)
			},
			helpOK:  true,
			diffHas: "-200 Dump host set to localhost.",
		},
		{
			name:    "another day",
			session: "s08-errors",
			edit:    func(s string) string { return strings.Replace(s, todayLine+today, todayLine+"2031-01-03", 1) },
			helpOK:  true,
			diffHas: "+" + todayLine + "2031-01-03)",
		},
		{
			name:    "tar prefix kept",
			session: "s03-extract-all-run3",
			edit: func(s string) string {
				return strings.ReplaceAll(s, "amrshell: Deleting '", "/usr/bin/tar: Deleting '")
			},
			helpOK:  true,
			diffHas: "+/usr/bin/tar: Deleting './docs/obsolete.txt'",
		},
		{
			name:    "line of the prompt answers lost",
			session: "s10-extract-dot-run2",
			edit:    func(s string) string { return strings.Replace(s, "Continue [?/Y/n]? \n", "", 1) },
			helpOK:  true,
			diffHas: "-Continue [?/Y/n]? ",
		},
		{
			name:    "help lacks a command",
			session: "s01-browse",
			edit:    func(s string) string { return strings.Replace(s, "history - show dump history of disk\n", "", 1) },
			same:    true,
		},
	}
	for _, name := range transcriptNames(t, root) {
		tr := loadTranscript(t, root, name)
		paths := strings.NewReplacer(corpus.BuildRoot+"/work/recover/"+name, "/RESTORE", corpus.BuildRoot, "/ROOT")
		want, err := normaliseAmrecover(tr.Stdout, paths)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			if tc.session != "" && tc.session != name {
				continue
			}
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				fake := tc.edit(fakeAmrshell(tr.Stdout, name, today))
				if tc.session != "" && fake == fakeAmrshell(tr.Stdout, name, today) {
					t.Fatalf("the edit changed nothing in %s: the case tests nothing", name)
				}
				got, err := normaliseAmrshell(fake, isToday)
				if err != nil {
					t.Fatal(err)
				}
				diff := unifiedDiff("amrecover", "amrshell", want.Lines, got.Lines, 3, 0)
				if equal := diff == ""; equal != tc.same {
					t.Errorf("normalised outputs equal = %v, want %v\n%s", equal, tc.same, diff)
				}
				if tc.diffHas != "" && !strings.Contains(diff, "\n"+tc.diffHas+"\n") {
					t.Errorf("diff does not show %q:\n%s", tc.diffHas, diff)
				}
				if err := checkHelp(want.Help, got.Help); (err == nil) != tc.helpOK {
					t.Errorf("checkHelp = %v, want ok = %v", err, tc.helpOK)
				}
			})
		}
	}
}

func TestNormaliseAmrshellNoBanner(t *testing.T) {
	if _, err := normaliseAmrshell("amrshell: cannot open catalog\n", func(string) bool { return true }); err == nil {
		t.Errorf("output without %q accepted", todayLine)
	}
	if _, err := normaliseAmrecover("AMRECOVER Version 3.5.1\n", nil); err == nil {
		t.Errorf("amrecover output without a 220 line accepted")
	}
}
