package commands

import (
	"fmt"
	"io"
)

// The lexer is amrecover's flex scanner (uscan.l) rule for rule: keywords only as the first
// word of a line; then words (runs of bytes that are neither space, control nor '"') and
// double-quoted strings (kept with their quotes and backslashes; commands unquote them).
// flex picks the longest match, the earlier rule on a tie, and echoes a byte no rule matches:
// a '"' that starts a line, a control byte. That echo, and "Unterminated quoted string" on
// stderr, happen as the parser asks for tokens, interleaved with the commands' output.

type tokKind uint8

const (
	tEOF tokKind = iota
	tNL
	tString
	tListHost
	tListDisk
	tListProperty
	tSetHost
	tSetDisk
	tSetDate
	tSetMode
	tSetTape
	tSetDevice
	tSetProperty
	tSetTranslate
	tCD
	tCDX
	tQuit
	tHistory
	tLS
	tAdd
	tAddX
	tList
	tDelete
	tDeleteX
	tPWD
	tClear
	tHelp
	tLCD
	tLPWD
	tExtract
	tEstimate
	tVerify
	tDR
	tMode
	tStorage
	tDashH
	tTar
	tSMB
	tAppend
	tPriority
)

type token struct {
	kind tokKind
	text string // tString: the word, or the quoted string with its quotes
}

// lexState is a flex start condition.
type lexState uint8

const (
	stInitial lexState = iota
	stNeedString
	stNeedDevice
	stNeedMode
	stPropertyAppend
	stPropertyPriority
)

// keywords of the INITIAL start condition and the condition each leaves the scanner in.
var keywords = map[string]struct {
	kind tokKind
	next lexState
}{
	"listhost":     {tListHost, stNeedString},
	"listdisk":     {tListDisk, stNeedString},
	"listproperty": {tListProperty, stNeedString},
	"sethost":      {tSetHost, stNeedString},
	"setdisk":      {tSetDisk, stNeedString},
	"setdate":      {tSetDate, stNeedString},
	"setmode":      {tSetMode, stNeedMode},
	"settape":      {tSetTape, stNeedString},
	"setdevice":    {tSetDevice, stNeedDevice},
	"setproperty":  {tSetProperty, stPropertyAppend},
	"settranslate": {tSetTranslate, stNeedString},
	"cd":           {tCD, stNeedString},
	"cdx":          {tCDX, stNeedString},
	"quit":         {tQuit, stNeedString},
	"exit":         {tQuit, stNeedString},
	"history":      {tHistory, stNeedString},
	"ls":           {tLS, stNeedString},
	"add":          {tAdd, stNeedString},
	"addx":         {tAddX, stNeedString},
	"list":         {tList, stNeedString},
	"delete":       {tDelete, stNeedString},
	"deletex":      {tDeleteX, stNeedString},
	"pwd":          {tPWD, stNeedString},
	"clear":        {tClear, stNeedString},
	"help":         {tHelp, stInitial},
	"?":            {tHelp, stNeedString},
	"lcd":          {tLCD, stNeedString},
	"lpwd":         {tLPWD, stNeedString},
	"extract":      {tExtract, stNeedString},
	"estimate":     {tEstimate, stNeedString},
	"verify":       {tVerify, stNeedString},
	"dr":           {tDR, stNeedString},
	"mode":         {tMode, stNeedString},
	"storage":      {tStorage, stNeedString},
}

type lexer struct {
	in     string
	pos    int
	state  lexState
	out    io.Writer // flex's ECHO
	errOut io.Writer
}

func newLexer(in string, out, errOut io.Writer) *lexer {
	return &lexer{in: in, out: out, errOut: errOut}
}

func isCntrl(c byte) bool { return c < ' ' || c == 0x7f }

// linefeed is the length of flex's LINEFEED ([[:space:]]*(\n|\r|\r\n)) at i, and the length
// of the whitespace run there.
func (lx *lexer) linefeed(i int) (lf, ws int) {
	j := i
	for j < len(lx.in) && isSpace(lx.in[j]) {
		if lx.in[j] == '\n' || lx.in[j] == '\r' {
			lf = j + 1 - i
		}
		j++
	}
	return lf, j - i
}

func (lx *lexer) next() token {
	for lx.pos < len(lx.in) {
		c := lx.in[lx.pos]
		switch {
		case isSpace(c):
			lf, ws := lx.linefeed(lx.pos)
			lx.pos += ws
			if lf == ws { // the rules tie; LINEFEED comes first
				lx.state = stInitial
				return token{kind: tNL}
			}
		case c == '"' && lx.state != stInitial:
			return lx.quoted()
		case c != '"' && !isCntrl(c):
			return lx.word()
		default:
			fmt.Fprintf(lx.out, "%c", c)
			lx.pos++
		}
	}
	return token{kind: tEOF}
}

func (lx *lexer) word() token {
	start := lx.pos
	for lx.pos < len(lx.in) {
		c := lx.in[lx.pos]
		if isSpace(c) || isCntrl(c) || c == '"' {
			break
		}
		lx.pos++
	}
	w := lx.in[start:lx.pos]
	switch lx.state {
	case stInitial:
		if k, ok := keywords[w]; ok {
			lx.state = k.next
			return token{kind: k.kind}
		}
	case stNeedDevice:
		if w == "-h" {
			lx.state = stNeedString
			return token{kind: tDashH}
		}
	case stNeedMode:
		switch w {
		case "tar":
			lx.state = stNeedString
			return token{kind: tTar}
		case "smb":
			lx.state = stNeedString
			return token{kind: tSMB}
		}
	case stPropertyAppend, stPropertyPriority:
		switch {
		case w == "append" && lx.state == stPropertyAppend:
			lx.state = stPropertyPriority
			return token{kind: tAppend}
		case w == "priority":
			lx.state = stNeedString
			return token{kind: tPriority}
		}
	}
	lx.state = stNeedString
	return token{kind: tString, text: w}
}

// quoted reads a double-quoted string; at the end of the line it says it is unterminated and
// gives the line's end instead.
func (lx *lexer) quoted() token {
	start := lx.pos
	lx.pos++
	for lx.pos < len(lx.in) {
		if lf, _ := lx.linefeed(lx.pos); lf > 0 {
			fmt.Fprintln(lx.errOut, "Unterminated quoted string")
			lx.pos += lf
			lx.state = stInitial
			return token{kind: tNL}
		}
		switch c := lx.in[lx.pos]; {
		case c == '\\' && lx.pos+1 < len(lx.in) && lx.in[lx.pos+1] != '\n':
			lx.pos += 2
		case c == '\\':
			fmt.Fprintf(lx.out, "%c", c)
			lx.pos++
		case c == '"':
			lx.pos++
			lx.state = stNeedString
			return token{kind: tString, text: lx.in[start:lx.pos]}
		default:
			for lx.pos < len(lx.in) && lx.in[lx.pos] != '\\' && lx.in[lx.pos] != '"' && lx.in[lx.pos] != '\n' && lx.in[lx.pos] != '\r' {
				lx.pos++
			}
		}
	}
	// Not reached with a line that ends in '\n'; flex would hit the end of its buffer.
	lx.state = stInitial
	return token{kind: tEOF}
}
