package commands

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// lexAll scans a line as Exec gives it to the scanner and renders the tokens.
func lexAll(line string) (tokens, out, errOut string) {
	var o, e bytes.Buffer
	lx := newLexer(line+"\n", &o, &e)
	var names []string
	for {
		t := lx.next()
		switch t.kind {
		case tString:
			names = append(names, fmt.Sprintf("S(%s)", t.text))
		case tNL:
			names = append(names, "NL")
		case tEOF:
			return strings.Join(names, " "), o.String(), e.String()
		default:
			names = append(names, kindName[t.kind])
		}
	}
}

var kindName = func() map[tokKind]string {
	m := map[tokKind]string{tDashH: "-h", tTar: "tar", tSMB: "smb", tAppend: "append", tPriority: "priority"}
	for w, k := range keywords {
		if _, dup := m[k.kind]; !dup || w == "help" || w == "quit" {
			m[k.kind] = w
		}
	}
	return m
}()

func TestLexer(t *testing.T) {
	for _, c := range []struct{ line, tokens, out, errOut string }{
		{"ls", "ls NL", "", ""},
		{"ls   ", "ls NL", "", ""},
		{"listhost", "listhost NL", "", ""},
		{"listhostx", "S(listhostx) NL", "", ""},
		{"cdx ^d.*a$", "cdx S(^d.*a$) NL", "", ""},
		{"add a b", "add S(a) S(b) NL", "", ""},
		{"add ls cd", "add S(ls) S(cd) NL", "", ""}, // keywords only first
		{`add "say \"hi\".txt"`, `add S("say \"hi\".txt") NL`, "", ""},
		{`add star\*and\?question.txt`, `add S(star\*and\?question.txt) NL`, "", ""},
		{`add ab"c d"e`, `add S(ab) S("c d") S(e) NL`, "", ""},
		{`ls"x"`, `ls S("x") NL`, "", ""},
		{`add "unterminated`, "add NL", "", "Unterminated quoted string\n"},
		{`add "a\`, "add NL", `\`, "Unterminated quoted string\n"},
		{`"x"`, `S(x) NL`, `"`, "Unterminated quoted string\n"}, // no quoted strings at line start
		{"add a\x01b", "add S(a) S(b) NL", "\x01", ""},
		{"ls\rfoo", "ls NL S(foo) NL", "", ""},
		{"ls \r foo", "ls S(foo) NL", "", ""},
		{"   ", "NL", "", ""},
		{"help ls", "help ls NL", "", ""},
		{"? ls", "help S(ls) NL", "", ""},
		{"?x", "S(?x) NL", "", ""},
		{"setmode tar", "setmode tar NL", "", ""},
		{"setmode tarx", "setmode S(tarx) NL", "", ""},
		{"setmode smb tar", "setmode smb S(tar) NL", "", ""},
		{"setdevice -h host /dev/x", "setdevice -h S(host) S(/dev/x) NL", "", ""},
		{"setdevice /dev/x -h", "setdevice S(/dev/x) S(-h) NL", "", ""},
		{"setproperty append priority name v", "setproperty append priority S(name) S(v) NL", "", ""},
		{"setproperty priority append v", "setproperty priority S(append) S(v) NL", "", ""},
		{"setproperty append append", "setproperty append S(append) NL", "", ""},
		{"exit", "quit NL", "", ""},
		{"naïve café", "S(naïve) S(café) NL", "", ""},
	} {
		tokens, out, errOut := lexAll(c.line)
		if tokens != c.tokens || out != c.out || errOut != c.errOut {
			t.Errorf("%q: tokens %s, echo %q, stderr %q; want %s, %q, %q", c.line, tokens, out, errOut, c.tokens, c.out, c.errOut)
		}
	}
}

// Every line scans to an end, the last token before it ending the line.
func FuzzLexer(f *testing.F) {
	for _, s := range []string{"add \"a b\" c", "setdevice -h h d", "\"x", "ls\r\r\n", "setproperty append priority x", "add a\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var o, e bytes.Buffer
		lx := newLexer(line+"\n", &o, &e)
		last := tEOF
		for n := 0; ; n++ {
			tok := lx.next()
			if tok.kind == tEOF {
				break
			}
			if tok.kind == tString && tok.text == "" {
				t.Fatalf("%q: empty word", line)
			}
			if n > len(line)+2 {
				t.Fatalf("%q: more tokens than bytes", line)
			}
			last = tok.kind
		}
		if last != tNL {
			t.Fatalf("%q: last token %v, not the end of the line", line, last)
		}
	})
}
