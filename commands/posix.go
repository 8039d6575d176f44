package commands

// A POSIX extended regular expression engine with the syntax, errors and semantics of glibc's
// regcomp(REG_EXTENDED|REG_NEWLINE|REG_NOSUB) in the C locale, which is what amrecover matches
// index names with. Go's regexp differs in ways that show in amrecover's transcripts and
// messages: a backslash is literal inside brackets, "\<" "\>" "\`" "\'" are anchors, matching
// is byte-wise (one '?' is one byte of a UTF-8 name), and invalid patterns have glibc's words.
//
//	parse (glibc's recursive descent, same error for the same mistake)
//	  -> syntax tree (byte sets, anchors, concatenation, alternation, repetition)
//	  -> Thompson NFA -> simulated over the bytes of the subject, unanchored (match only)
//
// Back-references are recognised and checked like glibc does, but not matched: a pattern with
// one is refused with a message saying so.

// glibc's regerror texts.
const (
	errBadPat   = "Invalid regular expression"
	errCollate  = "Invalid collation character"
	errCType    = "Invalid character class name"
	errEscape   = "Trailing backslash"
	errSubReg   = "Invalid back reference"
	errBrack    = "Unmatched [, [^, [:, [., or [="
	errParen    = "Unmatched ( or \\("
	errBrace    = "Unmatched \\{"
	errBadBr    = "Invalid content of \\{\\}"
	errRange    = "Invalid range end"
	errBadRpt   = "Invalid preceding regular expression"
	errSize     = "Regular expression too big"
	errBackRefs = "back-references are not supported by amrshell"
)

// dupMax is glibc's RE_DUP_MAX; maxInsts bounds the expanded program (glibc would run out of
// memory somewhere near there too).
const (
	dupMax   = 0x7fff
	maxInsts = 1 << 17
)

type byteSet [4]uint64

func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }
func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		s.add(byte(c))
	}
}
func (s *byteSet) invert() {
	for i := range s {
		s[i] = ^s[i]
	}
}

// anchor kinds (glibc's context constraints).
type anchor uint8

const (
	lineFirst    anchor = iota // ^
	lineLast                   // $
	bufFirst                   // \`
	bufLast                    // \'
	wordFirst                  // \<
	wordLast                   // \>
	wordDelim                  // \b
	notWordDelim               // \B
)

// token kinds of glibc's peek_token for extended syntax.
type rtokKind uint8

const (
	rEnd rtokKind = iota
	rChar
	rBackslash // a trailing lone backslash
	rAlt
	rStar
	rPlus
	rQuestion
	rOpenDup
	rCloseDup
	rOpenGroup
	rCloseGroup
	rOpenBracket
	rPeriod
	rAnchor
	rBackRef
	rWord
	rNotWord
	rSpace
	rNotSpace
)

type rtok struct {
	kind   rtokKind
	c      byte
	anchor anchor
	size   int
}

type nodeOp uint8

const (
	nSet nodeOp = iota
	nAnchor
	nCat
	nAlt
	nRepeat
)

// node is a syntax tree node; a nil *node matches the empty string.
type node struct {
	op       nodeOp
	set      byteSet
	anchor   anchor
	l, r     *node
	min, max int // nRepeat of l; max -1: unbounded
}

type regexError string

func (e regexError) Error() string { return string(e) }

type reParser struct {
	src       string
	pos       int
	tok       rtok
	nsub      int
	completed uint // glibc's completed_bkref_map
	backRef   bool
	err       string
}

func (p *reParser) peek() rtok {
	if p.pos >= len(p.src) {
		return rtok{kind: rEnd}
	}
	c := p.src[p.pos]
	if c == '\\' {
		if p.pos+1 >= len(p.src) {
			return rtok{kind: rBackslash, c: c, size: 1}
		}
		c2 := p.src[p.pos+1]
		t := rtok{kind: rChar, c: c2, size: 2}
		switch c2 {
		case '1', '2', '3', '4', '5', '6', '7', '8', '9':
			t.kind, t.c = rBackRef, c2-'1'
		case '<':
			t.kind, t.anchor = rAnchor, wordFirst
		case '>':
			t.kind, t.anchor = rAnchor, wordLast
		case 'b':
			t.kind, t.anchor = rAnchor, wordDelim
		case 'B':
			t.kind, t.anchor = rAnchor, notWordDelim
		case '`':
			t.kind, t.anchor = rAnchor, bufFirst
		case '\'':
			t.kind, t.anchor = rAnchor, bufLast
		case 'w':
			t.kind = rWord
		case 'W':
			t.kind = rNotWord
		case 's':
			t.kind = rSpace
		case 'S':
			t.kind = rNotSpace
		}
		return t
	}
	t := rtok{kind: rChar, c: c, size: 1}
	switch c {
	case '|':
		t.kind = rAlt
	case '*':
		t.kind = rStar
	case '+':
		t.kind = rPlus
	case '?':
		t.kind = rQuestion
	case '{':
		t.kind = rOpenDup
	case '}':
		t.kind = rCloseDup
	case '(':
		t.kind = rOpenGroup
	case ')':
		t.kind = rCloseGroup
	case '[':
		t.kind = rOpenBracket
	case '.':
		t.kind = rPeriod
	case '^':
		t.kind, t.anchor = rAnchor, lineFirst
	case '$':
		t.kind, t.anchor = rAnchor, lineLast
	}
	return t
}

func (p *reParser) fetch() {
	p.tok = p.peek()
	p.pos += p.tok.size
}

func (p *reParser) fail(msg string) *node {
	if p.err == "" {
		p.err = msg
	}
	return nil
}

func cat(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &node{op: nCat, l: a, r: b}
}

func (p *reParser) regExp(nest int) *node {
	initial := p.completed // a group closed in one branch is no group for the next
	tree := p.branch(nest)
	if p.err != "" {
		return nil
	}
	for p.tok.kind == rAlt {
		p.fetch()
		var br *node
		if p.tok.kind != rAlt && p.tok.kind != rEnd && (nest == 0 || p.tok.kind != rCloseGroup) {
			accumulated := p.completed
			p.completed = initial
			br = p.branch(nest)
			if p.err != "" {
				return nil
			}
			p.completed |= accumulated
		}
		tree = &node{op: nAlt, l: tree, r: br}
	}
	return tree
}

func (p *reParser) branch(nest int) *node {
	tree := p.expression(nest)
	for p.err == "" && p.tok.kind != rAlt && p.tok.kind != rEnd && (nest == 0 || p.tok.kind != rCloseGroup) {
		tree = cat(tree, p.expression(nest))
	}
	if p.err != "" {
		return nil
	}
	return tree
}

func (p *reParser) expression(nest int) *node {
	var tree *node
	switch t := p.tok; t.kind {
	case rChar, rCloseGroup, rCloseDup: // unmatched ')' and '}' are ordinary in ERE
		tree = &node{op: nSet}
		tree.set.add(t.c)
	case rOpenGroup:
		tree = p.subExp(nest + 1)
		if p.err != "" {
			return nil
		}
	case rOpenBracket:
		tree = p.bracket()
		if p.err != "" {
			return nil
		}
	case rBackRef:
		if p.completed&(1<<t.c) == 0 {
			return p.fail(errSubReg)
		}
		p.backRef = true
		tree = &node{op: nSet} // never matched: compileRegex refuses patterns with back-references
	case rOpenDup, rStar, rPlus, rQuestion:
		return p.fail(errBadRpt)
	case rAnchor:
		p.fetch() // an anchor takes no repetition: "^*" is an error
		return &node{op: nAnchor, anchor: t.anchor}
	case rPeriod:
		tree = &node{op: nSet}
		tree.set.invert()
		tree.set[0] &^= 1<<'\n' | 1 // REG_NEWLINE: '.' matches no newline; nor NUL
	case rWord, rNotWord:
		tree = &node{op: nSet}
		classSet(&tree.set, "alnum")
		tree.set.add('_')
		if t.kind == rNotWord {
			tree.set.invert()
		}
	case rSpace, rNotSpace:
		tree = &node{op: nSet}
		classSet(&tree.set, "space")
		if t.kind == rNotSpace {
			tree.set.invert()
		}
	case rAlt, rEnd:
		return nil
	case rBackslash:
		return p.fail(errEscape)
	}
	p.fetch()
	for p.tok.kind == rStar || p.tok.kind == rPlus || p.tok.kind == rQuestion || p.tok.kind == rOpenDup {
		tree = p.dup(tree)
		if p.err != "" {
			return nil
		}
	}
	return tree
}

func (p *reParser) subExp(nest int) *node {
	cur := p.nsub
	p.nsub++
	p.fetch()
	var tree *node
	if p.tok.kind != rCloseGroup {
		tree = p.regExp(nest)
		if p.err == "" && p.tok.kind != rCloseGroup {
			p.fail(errParen)
		}
		if p.err != "" {
			return nil
		}
	}
	if cur <= 8 {
		p.completed |= 1 << cur
	}
	return tree
}

// number is glibc's fetch_number: -1 none, -2 invalid or end of pattern, else the value
// (capped just above dupMax).
func (p *reParser) number() int {
	num := -1
	for {
		p.fetch()
		c := p.tok.c
		if p.tok.kind == rEnd {
			return -2
		}
		if p.tok.kind == rCloseDup || c == ',' {
			return num
		}
		switch {
		case p.tok.kind != rChar || c < '0' || c > '9' || num == -2:
			num = -2
		case num == -1:
			num = int(c - '0')
		default:
			num = min(dupMax+1, num*10+int(c-'0'))
		}
	}
}

func (p *reParser) dup(elem *node) *node {
	var start, end int
	if p.tok.kind == rOpenDup {
		start = p.number()
		if start == -1 {
			if p.tok.kind != rChar || p.tok.c != ',' {
				return p.fail(errBadBr)
			}
			start = 0 // "{,m}" is "{0,m}"
		}
		if start != -2 {
			switch {
			case p.tok.kind == rCloseDup:
				end = start
			case p.tok.kind == rChar && p.tok.c == ',':
				end = p.number()
			default:
				end = -2
			}
		}
		if start == -2 || end == -2 {
			if p.tok.kind == rEnd {
				return p.fail(errBrace)
			}
			return p.fail(errBadBr)
		}
		if (end != -1 && start > end) || p.tok.kind != rCloseDup {
			return p.fail(errBadBr)
		}
		if max(start, end) > dupMax {
			return p.fail(errSize)
		}
	} else {
		start, end = 0, -1
		switch p.tok.kind {
		case rPlus:
			start = 1
		case rQuestion:
			end = 1
		}
	}
	p.fetch()
	if elem == nil || (start == 0 && end == 0) {
		return nil
	}
	return &node{op: nRepeat, l: elem, min: start, max: end}
}

// peekBracket is glibc's peek_token_bracket.
type btokKind uint8

const (
	bEnd btokKind = iota
	bChar
	bRange // '-'
	bClose // ']'
	bNot   // '^'
	bOpenColl
	bOpenEquiv
	bOpenClass
)

type btok struct {
	kind btokKind
	c    byte
	size int
}

func (p *reParser) peekBracket() btok {
	if p.pos >= len(p.src) {
		return btok{kind: bEnd}
	}
	c := p.src[p.pos]
	if c == '[' {
		if p.pos+1 < len(p.src) {
			switch c2 := p.src[p.pos+1]; c2 {
			case '.':
				return btok{kind: bOpenColl, c: c2, size: 2}
			case '=':
				return btok{kind: bOpenEquiv, c: c2, size: 2}
			case ':':
				return btok{kind: bOpenClass, c: c2, size: 2}
			}
		}
		return btok{kind: bChar, c: c, size: 1}
	}
	t := btok{kind: bChar, c: c, size: 1}
	switch c {
	case '-':
		t.kind = bRange
	case ']':
		t.kind = bClose
	case '^':
		t.kind = bNot
	}
	return t
}

type elemKind uint8

const (
	elemChar elemKind = iota
	elemColl
	elemEquiv
	elemClass
)

type bracketElem struct {
	kind elemKind
	c    byte
	name string
}

// bracketElement is glibc's parse_bracket_element (the token is consumed here).
func (p *reParser) bracketElement(t btok, acceptHyphen bool) (bracketElem, string) {
	p.pos += t.size
	switch t.kind {
	case bOpenColl, bOpenEquiv, bOpenClass:
		return p.bracketSymbol(t)
	case bRange:
		if !acceptHyphen && p.peekBracket().kind != bClose {
			return bracketElem{}, errRange
		}
	}
	return bracketElem{kind: elemChar, c: t.c}, ""
}

// bracketSymbol reads the name of "[.x.]", "[=x=]" or "[:x:]".
func (p *reParser) bracketSymbol(t btok) (bracketElem, string) {
	const nameMax = 32 // glibc's BRACKET_NAME_BUF_SIZE
	if p.pos >= len(p.src) {
		return bracketElem{}, errBrack
	}
	var name []byte
	for i := 0; ; i++ {
		if i >= nameMax {
			return bracketElem{}, errBrack
		}
		ch := p.src[p.pos]
		p.pos++
		if p.pos >= len(p.src) {
			return bracketElem{}, errBrack
		}
		if ch == t.c && p.src[p.pos] == ']' {
			break
		}
		name = append(name, ch)
	}
	p.pos++
	e := bracketElem{name: string(name)}
	switch t.kind {
	case bOpenColl:
		e.kind = elemColl
	case bOpenEquiv:
		e.kind = elemEquiv
	default:
		e.kind = elemClass
	}
	return e, ""
}

// bracket is glibc's parse_bracket_exp for the C locale; the '[' was consumed.
func (p *reParser) bracket() *node {
	n := &node{op: nSet}
	t := p.peekBracket()
	if t.kind == bEnd {
		return p.fail(errBadPat)
	}
	negate := false
	if t.kind == bNot {
		negate = true
		p.pos += t.size
		t = p.peekBracket()
		if t.kind == bEnd {
			return p.fail(errBadPat)
		}
	}
	if t.kind == bClose {
		t.kind = bChar // a first ']' is an ordinary character
	}
	first := true
	for {
		start, err := p.bracketElement(t, first)
		if err != "" {
			return p.fail(err)
		}
		first = false
		t = p.peekBracket()
		isRange := false
		var t2 btok
		if start.kind != elemClass && start.kind != elemEquiv {
			if t.kind == bEnd {
				return p.fail(errBrack)
			}
			if t.kind == bRange {
				p.pos += t.size
				t2 = p.peekBracket()
				if t2.kind == bEnd {
					return p.fail(errBrack)
				}
				if t2.kind == bClose {
					p.pos -= t.size // a '-' before ']' is an ordinary character
					t.kind = bChar
				} else {
					isRange = true
				}
			}
		}
		if isRange {
			end, err := p.bracketElement(t2, true)
			if err != "" {
				return p.fail(err)
			}
			t = p.peekBracket()
			if msg := rangeSet(&n.set, start, end); msg != "" {
				return p.fail(msg)
			}
		} else if msg := elemSet(&n.set, start); msg != "" {
			return p.fail(msg)
		}
		if t.kind == bEnd {
			return p.fail(errBrack)
		}
		if t.kind == bClose {
			p.pos += t.size
			break
		}
	}
	if negate {
		n.set.invert()
		n.set[0] &^= 1 << '\n' // REG_NEWLINE: "[^...]" matches no newline
	}
	return n
}

func elemSet(s *byteSet, e bracketElem) string {
	switch e.kind {
	case elemChar:
		s.add(e.c)
	case elemColl, elemEquiv: // the C locale has single-byte elements only
		if len(e.name) != 1 {
			return errCollate
		}
		s.add(e.name[0])
	case elemClass:
		if !classSet(s, e.name) {
			return errCType
		}
	}
	return ""
}

func rangeSet(s *byteSet, start, end bracketElem) string {
	if start.kind == elemEquiv || start.kind == elemClass || end.kind == elemEquiv || end.kind == elemClass {
		return errRange
	}
	bound := func(e bracketElem) (byte, bool) {
		if e.kind == elemColl {
			if len(e.name) != 1 {
				return 0, false
			}
			return e.name[0], true
		}
		return e.c, true
	}
	lo, ok1 := bound(start)
	hi, ok2 := bound(end)
	if !ok1 || !ok2 {
		return errCollate
	}
	if lo > hi {
		return errRange
	}
	s.addRange(lo, hi)
	return ""
}

// classSet adds the bytes of a character class of the C locale; false for an unknown name.
func classSet(s *byteSet, name string) bool {
	in := func(lo, hi byte) {
		s.addRange(lo, hi)
	}
	switch name {
	case "alpha":
		in('a', 'z')
		in('A', 'Z')
	case "upper":
		in('A', 'Z')
	case "lower":
		in('a', 'z')
	case "digit":
		in('0', '9')
	case "xdigit":
		in('0', '9')
		in('a', 'f')
		in('A', 'F')
	case "space":
		in('\t', '\r')
		s.add(' ')
	case "blank":
		s.add(' ')
		s.add('\t')
	case "print":
		in(' ', '~')
	case "graph":
		in('!', '~')
	case "punct":
		in('!', '/')
		in(':', '@')
		in('[', '`')
		in('{', '~')
	case "cntrl":
		in(0, 31)
		s.add(127)
	case "alnum":
		in('a', 'z')
		in('A', 'Z')
		in('0', '9')
	default:
		return false
	}
	return true
}

// The NFA.
type instOp uint8

const (
	iByte instOp = iota
	iAnchor
	iSplit
	iJump
	iMatch
)

type inst struct {
	op     instOp
	set    *byteSet
	anchor anchor
	x, y   int
}

// regex is a compiled pattern.
type regex struct {
	prog []inst
}

type compiler struct {
	prog []inst
}

func (c *compiler) emit(i inst) (int, error) {
	if len(c.prog) >= maxInsts {
		return 0, regexError(errSize)
	}
	c.prog = append(c.prog, i)
	return len(c.prog) - 1, nil
}

func (c *compiler) gen(n *node) error {
	if n == nil {
		return nil
	}
	switch n.op {
	case nSet:
		set := n.set
		_, err := c.emit(inst{op: iByte, set: &set})
		return err
	case nAnchor:
		_, err := c.emit(inst{op: iAnchor, anchor: n.anchor})
		return err
	case nCat:
		if err := c.gen(n.l); err != nil {
			return err
		}
		return c.gen(n.r)
	case nAlt:
		split, err := c.emit(inst{op: iSplit})
		if err != nil {
			return err
		}
		c.prog[split].x = len(c.prog)
		if err := c.gen(n.l); err != nil {
			return err
		}
		jump, err := c.emit(inst{op: iJump})
		if err != nil {
			return err
		}
		c.prog[split].y = len(c.prog)
		if err := c.gen(n.r); err != nil {
			return err
		}
		c.prog[jump].x = len(c.prog)
		return nil
	case nRepeat:
		for i := 0; i < n.min; i++ {
			if err := c.gen(n.l); err != nil {
				return err
			}
		}
		if n.max == -1 { // L1: split L2, L3; L2: l; jump L1; L3:
			split, err := c.emit(inst{op: iSplit})
			if err != nil {
				return err
			}
			c.prog[split].x = len(c.prog)
			if err := c.gen(n.l); err != nil {
				return err
			}
			if _, err := c.emit(inst{op: iJump, x: split}); err != nil {
				return err
			}
			c.prog[split].y = len(c.prog)
			return nil
		}
		var splits []int
		for i := n.min; i < n.max; i++ {
			split, err := c.emit(inst{op: iSplit})
			if err != nil {
				return err
			}
			c.prog[split].x = len(c.prog)
			splits = append(splits, split)
			if err := c.gen(n.l); err != nil {
				return err
			}
		}
		for _, s := range splits {
			c.prog[s].y = len(c.prog)
		}
	}
	return nil
}

// compileRegex compiles expr; its error's text is glibc's regerror message.
func compileRegex(expr string) (*regex, error) {
	p := &reParser{src: expr}
	p.fetch()
	tree := p.regExp(0)
	if p.err != "" {
		return nil, regexError(p.err)
	}
	if p.backRef {
		return nil, regexError(errBackRefs)
	}
	c := &compiler{}
	if err := c.gen(tree); err != nil {
		return nil, err
	}
	if _, err := c.emit(inst{op: iMatch}); err != nil {
		return nil, err
	}
	return &regex{prog: c.prog}, nil
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

// holds reports whether an anchor is satisfied between s[pos-1] and s[pos].
func holds(a anchor, s string, pos int) bool {
	prevWord := pos > 0 && isWordByte(s[pos-1])
	nextWord := pos < len(s) && isWordByte(s[pos])
	switch a {
	case lineFirst:
		return pos == 0 || s[pos-1] == '\n'
	case lineLast:
		return pos == len(s) || s[pos] == '\n'
	case bufFirst:
		return pos == 0
	case bufLast:
		return pos == len(s)
	case wordFirst:
		return !prevWord && nextWord
	case wordLast:
		return prevWord && !nextWord
	case wordDelim:
		return prevWord != nextWord
	default: // notWordDelim
		return prevWord == nextWord
	}
}

// match reports whether the pattern matches anywhere in s: a Thompson simulation, one set of
// threads per byte position, so time is linear in len(s) for any pattern.
func (re *regex) match(s string) bool {
	n := len(re.prog)
	list, next := make([]int, 0, n), make([]int, 0, n)
	seen := make([]int, n) // the position+1 at which a pc was last added
	// add follows the empty transitions from pc at pos, collecting the byte-consuming
	// instructions; true when the match instruction is reached.
	var add func(list []int, pc, pos int) ([]int, bool)
	add = func(list []int, pc, pos int) ([]int, bool) {
		if seen[pc] == pos+1 {
			return list, false
		}
		seen[pc] = pos + 1
		switch in := re.prog[pc]; in.op {
		case iMatch:
			return list, true
		case iJump:
			return add(list, in.x, pos)
		case iSplit:
			list, ok := add(list, in.x, pos)
			if ok {
				return list, true
			}
			return add(list, in.y, pos)
		case iAnchor:
			if holds(in.anchor, s, pos) {
				return add(list, pc+1, pos)
			}
			return list, false
		default:
			return append(list, pc), false
		}
	}
	list, ok := add(list, 0, 0)
	for pos := 0; !ok && pos < len(s); pos++ {
		next = next[:0]
		for _, pc := range list {
			if re.prog[pc].set.has(s[pos]) {
				if next, ok = add(next, pc+1, pos+1); ok {
					break
				}
			}
		}
		if !ok {
			next, ok = add(next, 0, pos+1) // a match may start at any position
		}
		list, next = next, list
	}
	return ok
}
