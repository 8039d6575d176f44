package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// A small line diff for failure messages, so that no diff dependency is needed.
//
//	trim the common head and tail -> LCS table over the rest (or replace-all when too big)
//	-> edit script -> hunks with `context` lines around changes -> "@@ -a,b +c,d @@" text

type editKind byte

const (
	editEqual  editKind = ' '
	editDelete editKind = '-'
	editInsert editKind = '+'
)

// edit is one step of an edit script: a and b are the positions in both inputs where it
// happens (for an insert, a is the line of a it goes before; for a delete, likewise b).
type edit struct {
	kind editKind
	a, b int
}

// maxLCSCells bounds the LCS table (int32 cells); bigger middles are shown as replaced whole.
const maxLCSCells = 4 << 20

// lineEdits returns an edit script turning a into b.
func lineEdits(a, b []string) []edit {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var eds []edit
	for i := 0; i < pre; i++ {
		eds = append(eds, edit{editEqual, i, i})
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	n, m := len(am), len(bm)
	if n*m > maxLCSCells {
		for i := range am {
			eds = append(eds, edit{editDelete, pre + i, pre})
		}
		for j := range bm {
			eds = append(eds, edit{editInsert, pre + n, pre + j})
		}
	} else {
		// lcs[i][j] = length of the LCS of am[i:] and bm[j:]
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if am[i] == bm[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && am[i] == bm[j]:
				eds = append(eds, edit{editEqual, pre + i, pre + j})
				i++
				j++
			case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
				eds = append(eds, edit{editDelete, pre + i, pre + j})
				i++
			default:
				eds = append(eds, edit{editInsert, pre + i, pre + j})
				j++
			}
		}
	}
	for k := 0; k < suf; k++ {
		eds = append(eds, edit{editEqual, len(a) - suf + k, len(b) - suf + k})
	}
	return eds
}

// unifiedDiff returns a unified diff from a to b with context lines around each change, ""
// when they are equal. maxLines > 0 cuts the hunks after that many lines, so that a runaway
// output still shows its first differences.
func unifiedDiff(aName, bName string, a, b []string, context, maxLines int) string {
	eds := lineEdits(a, b)
	var changes []int // indexes of non-equal edits
	for k, e := range eds {
		if e.kind != editEqual {
			changes = append(changes, k)
		}
	}
	if len(changes) == 0 {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- %s\n+++ %s\n", aName, bName)
	written := 0
	for c := 0; c < len(changes); {
		// A hunk spans from context lines before a change to context lines after the last
		// change that is at most 2*context equal lines away from the previous one.
		start := max(changes[c]-context, 0)
		end := changes[c]
		for c < len(changes) && changes[c] <= end+2*context+1 {
			end = changes[c]
			c++
		}
		end = min(end+context, len(eds)-1)
		hunk := eds[start : end+1]
		aStart, aLen, bStart, bLen := hunkRange(hunk)
		fmt.Fprintf(&sb, "@@ -%s +%s @@\n", rangeText(aStart, aLen), rangeText(bStart, bLen))
		for _, e := range hunk {
			if maxLines > 0 && written == maxLines {
				fmt.Fprintf(&sb, "... (diff cut after %d lines)\n", maxLines)
				return sb.String()
			}
			line := ""
			switch e.kind {
			case editEqual, editDelete:
				line = a[e.a]
			case editInsert:
				line = b[e.b]
			}
			sb.WriteByte(byte(e.kind))
			sb.WriteString(line)
			sb.WriteByte('\n')
			written++
		}
	}
	return sb.String()
}

// hunkRange returns the 0-based first line and the line count of a hunk in a and in b.
func hunkRange(hunk []edit) (aStart, aLen, bStart, bLen int) {
	for _, e := range hunk {
		if e.kind != editInsert {
			aLen++
		}
		if e.kind != editDelete {
			bLen++
		}
	}
	return hunk[0].a, aLen, hunk[0].b, bLen
}

// rangeText formats a hunk range as unified diffs do: 1-based "start,len"; for an empty
// range, start is the line before it.
func rangeText(start0, n int) string {
	if n == 0 {
		return strconv.Itoa(start0) + ",0"
	}
	return strconv.Itoa(start0+1) + "," + strconv.Itoa(n)
}

// applyUnified applies a diff made by unifiedDiff (without a line limit) to a; the tests use it
// to check that the diff says exactly how a becomes b.
func applyUnified(a []string, diff string) ([]string, error) {
	if diff == "" {
		return slices.Clone(a), nil
	}
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return nil, fmt.Errorf("no ---/+++ header")
	}
	var out []string
	pos := 0
	for k := 2; k < len(lines); {
		var as, al, bs, bl int
		if _, err := fmt.Sscanf(lines[k], "@@ -%d,%d +%d,%d @@", &as, &al, &bs, &bl); err != nil {
			return nil, fmt.Errorf("line %d: %q: %v", k+1, lines[k], err)
		}
		k++
		if al > 0 {
			as-- // 1-based, except for an empty range
		}
		if as < pos || as > len(a) {
			return nil, fmt.Errorf("hunk at a line %d out of order", as)
		}
		out = append(out, a[pos:as]...)
		pos = as
		for al > 0 || bl > 0 {
			if k == len(lines) || lines[k] == "" {
				return nil, fmt.Errorf("hunk ends early at line %d", k+1)
			}
			kind, text := lines[k][0], lines[k][1:]
			k++
			if kind != '+' {
				if pos >= len(a) || a[pos] != text || al == 0 {
					return nil, fmt.Errorf("line %d: %q does not match a", k, text)
				}
				pos++
				al--
			}
			if kind != '-' {
				if bl == 0 {
					return nil, fmt.Errorf("line %d: hunk longer than its b range", k)
				}
				out = append(out, text)
				bl--
			}
		}
	}
	return append(out, a[pos:]...), nil
}

func TestUnifiedDiff(t *testing.T) {
	abc := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	tests := []struct {
		name string
		a, b []string
		want string // "" = only check the round trip
	}{
		{name: "equal", a: abc, b: abc, want: ""},
		{name: "both empty", a: nil, b: nil, want: ""},
		{
			name: "one line changed",
			a:    abc,
			b:    []string{"a", "b", "c", "d", "E", "f", "g", "h", "i", "j"},
			want: "--- a\n+++ b\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n",
		},
		{
			name: "insert at the start",
			a:    []string{"x", "y"},
			b:    []string{"new", "x", "y"},
			want: "--- a\n+++ b\n@@ -1,2 +1,3 @@\n+new\n x\n y\n",
		},
		{
			name: "delete at the end",
			a:    []string{"x", "y", "z"},
			b:    []string{"x", "y"},
			want: "--- a\n+++ b\n@@ -1,3 +1,2 @@\n x\n y\n-z\n",
		},
		{
			name: "a empty",
			a:    nil,
			b:    []string{"p", "q"},
			want: "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+p\n+q\n",
		},
		{
			name: "two hunks far apart",
			a:    abc,
			b:    []string{"A", "b", "c", "d", "e", "f", "g", "h", "i", "J"},
			want: "--- a\n+++ b\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n@@ -7,4 +7,4 @@\n g\n h\n i\n-j\n+J\n",
		},
		{name: "trailing newline lost", a: []string{"amrecover> ", ""}, b: []string{"amrecover> "}},
		{name: "lines that look like headers", a: []string{"--- x", "+++ y", "@@ z"}, b: []string{"@@ z", "--- x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := unifiedDiff("a", "b", tt.a, tt.b, 3, 0)
			if tt.want != "" && got != tt.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, tt.want)
			}
			if (got == "") != slices.Equal(tt.a, tt.b) {
				t.Errorf("diff is %q for equal=%v", got, slices.Equal(tt.a, tt.b))
			}
			checkRoundTrip(t, tt.a, tt.b, got)
		})
	}
}

func TestUnifiedDiffCut(t *testing.T) {
	a := strings.Split(strings.Repeat("x\n", 50), "\n")
	b := strings.Split(strings.Repeat("y\n", 50), "\n")
	got := unifiedDiff("a", "b", a, b, 3, 10)
	if n := strings.Count(got, "\n"); n != 2+1+10+1 {
		t.Errorf("cut diff has %d lines, want header 2 + hunk 1 + 10 + note 1:\n%s", n, got)
	}
	if !strings.HasSuffix(got, "... (diff cut after 10 lines)\n") {
		t.Errorf("cut diff does not say it was cut:\n%s", got)
	}
}

// TestUnifiedDiffTranscripts diffs every pair of real amrecover transcripts and checks that
// applying the diff gives the second one back.
func TestUnifiedDiffTranscripts(t *testing.T) {
	root := corpus.Unpack(t)
	names := transcriptNames(t, root)
	texts := make([][]string, len(names))
	for i, n := range names {
		b, err := os.ReadFile(filepath.Join(root, transcriptDir, n+".stdout"))
		if err != nil {
			t.Fatal(err)
		}
		texts[i] = strings.Split(string(b), "\n")
	}
	for i := range texts {
		for j := range texts {
			d := unifiedDiff(names[i], names[j], texts[i], texts[j], 3, 0)
			if (d == "") != (i == j) {
				t.Errorf("%s vs %s: diff empty = %v", names[i], names[j], d == "")
			}
			checkRoundTrip(t, texts[i], texts[j], d)
		}
	}
}

func checkRoundTrip(t *testing.T, a, b []string, diff string) {
	t.Helper()
	got, err := applyUnified(a, diff)
	if err != nil {
		t.Fatalf("apply diff: %v\n%s", err, diff)
	}
	if !slices.Equal(got, b) {
		t.Fatalf("applying the diff gives %q, want %q\n%s", got, b, diff)
	}
}

func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nc\nd", uint8(3))
	f.Add("", "x", uint8(0))
	f.Add("--- x\n@@ -1 +1 @@\n", "@@ -1 +1 @@", uint8(1))
	f.Fuzz(func(t *testing.T, a, b string, context uint8) {
		al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
		d := unifiedDiff("a", "b", al, bl, int(context%8), 0)
		if (d == "") != (a == b) {
			t.Fatalf("diff empty = %v for equal = %v", d == "", a == b)
		}
		checkRoundTrip(t, al, bl, d)
	})
}
