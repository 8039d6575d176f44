package amconf

import (
	"fmt"
	"strings"

	"github.com/amrshell/amrshell/device"
)

type tokKind int

const (
	tWord tokKind = iota
	tString
	tLBrace
	tRBrace
	tComma
	tNL
	tEOF
)

type token struct {
	kind tokKind
	text string // unquoted for tString
	line int
}

// lexer splits amanda.conf text into tokens the way conffile.c's get_conftoken does, except
// that a run of other characters is one word (numbers with units and identifiers alike).
type lexer struct {
	file string
	src  []byte
	pos  int
	line int
}

func newLexer(file string, src []byte, line int) *lexer {
	return &lexer{file: file, src: src, line: line}
}

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", l.file, l.line, fmt.Sprintf(format, args...))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	if l.pos < len(l.src) && l.src[l.pos] == '#' {
		for l.pos < len(l.src) && l.src[l.pos] != '\n' {
			l.pos++
		}
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF, line: l.line}, nil
	}
	c := l.src[l.pos]
	line := l.line
	switch c {
	case '\n':
		l.pos++
		l.line++
		return token{kind: tNL, line: line}, nil
	case '{':
		l.pos++
		return token{kind: tLBrace, line: line}, nil
	case '}':
		l.pos++
		return token{kind: tRBrace, line: line}, nil
	case ',':
		l.pos++
		return token{kind: tComma, line: line}, nil
	case '"':
		return l.quoted()
	}
	start := l.pos
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if isSpace(c) || c == '\n' || c == '"' || c == '{' || c == '}' || c == ',' || c == '#' {
			break
		}
		l.pos++
	}
	return token{kind: tWord, text: string(l.src[start:l.pos]), line: line}, nil
}

// quoted reads a double-quoted string. A backslash before a newline continues the string on
// the next line and leaves the newline in it, as conffile.c does.
func (l *lexer) quoted() (token, error) {
	line := l.line
	var raw strings.Builder
	raw.WriteByte('"')
	l.pos++
	escape := false
	for {
		if l.pos >= len(l.src) {
			return token{}, l.errorf("string not terminated")
		}
		c := l.src[l.pos]
		l.pos++
		if c == '\n' {
			if !escape {
				l.pos--
				return token{}, l.errorf("string not terminated")
			}
			l.line++
			s := raw.String()
			raw.Reset()
			raw.WriteString(s[:len(s)-1])
			raw.WriteByte('\n')
			escape = false
			continue
		}
		raw.WriteByte(c)
		if c == '\\' && !escape {
			escape = true
			continue
		}
		if c == '"' && !escape {
			break
		}
		escape = false
	}
	return token{kind: tString, text: device.UnquoteString(raw.String()), line: line}, nil
}

// stmt is one logical line: its words, and the block that a '{' on it opened.
type stmt struct {
	file  string
	line  int
	words []token
	block []*stmt
}

// key is the statement's keyword folded like conffile.c's lookup_keyword.
func (s *stmt) key() string {
	if len(s.words) == 0 || s.words[0].kind != tWord {
		return ""
	}
	return foldKeyword(s.words[0].text)
}

// arg returns the i-th value after the keyword, or "".
func (s *stmt) arg(i int) string {
	if i+1 < len(s.words) {
		return s.words[i+1].text
	}
	return ""
}

func foldKeyword(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "-", "_"))
}

// parseStmts reads statements up to the end of input or, inside a block, up to its '}'.
func parseStmts(l *lexer, inBlock bool, depth int) ([]*stmt, error) {
	if depth > 32 {
		return nil, l.errorf("blocks nested too deep")
	}
	var out []*stmt
	cur := &stmt{file: l.file}
	flush := func() {
		if len(cur.words) > 0 || cur.block != nil {
			out = append(out, cur)
		}
		cur = &stmt{file: l.file}
	}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tEOF:
			if inBlock {
				return nil, l.errorf("end of file inside a block: \"}\" expected")
			}
			flush()
			return out, nil
		case tNL:
			flush()
		case tRBrace:
			if !inBlock {
				return nil, l.errorf("unexpected \"}\"")
			}
			flush()
			return out, nil
		case tLBrace:
			if len(cur.words) == 0 {
				cur.line = t.line
			}
			b, err := parseStmts(l, true, depth+1)
			if err != nil {
				return nil, err
			}
			cur.block = b
			if cur.block == nil {
				cur.block = []*stmt{}
			}
		case tComma:
		default:
			if len(cur.words) == 0 {
				cur.line = t.line
			}
			cur.words = append(cur.words, t)
		}
	}
}
