package commands

import "context"

// The parser is amrecover's bison grammar (uparse.y) written out by hand, keeping what shows:
// which messages each wrong line gets ("Invalid argument", "Argument required", "syntax
// error", "Invalid command: X"), and when actions run relative to the scanner. Bison reduces
// without looking ahead where the grammar allows, so "add a b" adds a before b is even
// scanned; and a command must be followed by the end of the input, else "syntax error"
// follows its output.

type parser struct {
	lx *lexer
	la *token
}

func (p *parser) peek() token {
	if p.la == nil {
		t := p.lx.next()
		p.la = &t
	}
	return *p.la
}

func (p *parser) take() token {
	t := p.peek()
	p.la = nil
	return t
}

// bogus reads the rest of an invalid line: words up to the end of the line.
func (p *parser) bogus() bool {
	for {
		switch p.take().kind {
		case tNL:
			return true
		case tString:
		default:
			return false
		}
	}
}

func (s *Session) syntaxError() { s.printf("syntax error\n") }

// end is bison's acceptance: nothing may follow the command.
func (s *Session) end(p *parser) {
	if p.peek().kind != tEOF {
		s.syntaxError()
	}
}

// invalid finishes "KEYWORD ... word word...": "Invalid argument" once the line is read.
func (s *Session) invalid(p *parser) {
	p.take()
	if !p.bogus() {
		s.syntaxError()
		return
	}
	s.printf("Invalid argument\n")
	s.end(p)
}

// noArg is "KEYWORD NL" with its action.
func (s *Session) noArg(p *parser, act func()) {
	switch p.peek().kind {
	case tNL:
		p.take()
		act()
		s.end(p)
	case tString:
		s.invalid(p)
	default:
		s.syntaxError()
	}
}

// optArg is "KEYWORD [word] NL"; required says that a missing word is "Argument required".
func (s *Session) optArg(p *parser, required bool, act func(arg string, ok bool)) {
	switch p.peek().kind {
	case tNL:
		p.take()
		if required {
			s.printf("Argument required\n")
		} else {
			act("", false)
		}
		s.end(p)
	case tString:
		arg := p.take().text
		switch p.peek().kind {
		case tNL:
			p.take()
			act(arg, true)
			s.end(p)
		case tString:
			s.invalid(p)
		default:
			s.syntaxError()
		}
	default:
		s.syntaxError()
	}
}

// words is "KEYWORD word... NL" where each word is acted on as soon as it is read.
func (s *Session) words(p *parser, act func(arg string)) {
	if p.peek().kind != tString {
		s.syntaxError()
		return
	}
	act(p.take().text)
	for {
		switch p.peek().kind {
		case tString:
			act(p.take().text)
		case tNL:
			p.take()
			s.end(p)
			return
		default:
			s.syntaxError()
			return
		}
	}
}

// values reads "word... NL" (right-recursive in the grammar: acted on once the line is read).
func (s *Session) values(p *parser) ([]string, bool) {
	var vals []string
	for {
		switch t := p.take(); t.kind {
		case tString:
			vals = append(vals, t.text)
		case tNL:
			return vals, true
		default:
			s.syntaxError()
			return nil, false
		}
	}
}

func (s *Session) parse(ctx context.Context, p *parser) {
	switch t := p.take(); t.kind {
	case tString:
		if !p.bogus() {
			s.syntaxError()
			return
		}
		s.printf("Invalid command: %s\n", t.text) // and bison's YYERROR: nothing more
	case tListHost:
		s.noArg(p, func() { s.listHost(ctx) })
	case tListDisk:
		s.optArg(p, false, func(a string, ok bool) { s.listDisk(ctx, a, ok) })
	case tListProperty:
		s.noArg(p, s.listProperty)
	case tSetTranslate:
		s.setTranslateLine(ctx, p)
	case tSetHost:
		s.optArg(p, true, func(a string, _ bool) { s.setHost(ctx, a) })
	case tSetDisk:
		s.setDiskLine(ctx, p)
	case tSetTape:
		s.optArg(p, false, func(a string, ok bool) {
			if !ok {
				a = "default"
			}
			s.setTape(a)
		})
	case tSetDevice:
		s.setDeviceLine(p)
	case tSetProperty:
		s.setPropertyLine(p)
	case tCD:
		s.optArg(p, true, func(a string, _ bool) { s.cdGlob(ctx, a, true) })
	case tCDX:
		s.optArg(p, true, func(a string, _ bool) { s.cdRegex(ctx, a, true) })
	case tSetMode:
		s.setModeLine(p)
	case tStorage:
		if vals, ok := s.values(p); ok {
			s.setStorage(ctx, vals)
			s.end(p)
		}
	case tSetDate:
		s.optArg(p, true, func(a string, _ bool) { s.setDateArg(ctx, a) })
	case tHistory:
		s.noArg(p, func() { s.listHistory(ctx) })
	case tLS:
		s.noArg(p, s.ls)
	case tList:
		s.optArg(p, false, s.list)
	case tPWD:
		s.noArg(p, s.pwd)
	case tClear:
		s.noArg(p, func() { s.extract = nil })
	case tMode:
		s.noArg(p, s.showMode)
	case tQuit:
		s.noArg(p, func() {
			s.printf("200 Good bye.\n")
			s.quit = true
		})
	case tAdd:
		s.words(p, func(a string) { s.addGlob(ctx, a) })
	case tAddX:
		s.words(p, func(a string) { s.addRegex(ctx, a) })
	case tDelete:
		s.words(p, func(a string) { s.deleteGlob(ctx, a) })
	case tDeleteX:
		s.words(p, func(a string) { s.deleteRegex(ctx, a) })
	case tLPWD:
		s.noArg(p, func() { s.printf("%s\n", s.localDir) })
	case tLCD:
		s.optArg(p, true, func(a string, _ bool) { s.lcd(a) })
	case tHelp:
		s.noArg(p, s.help)
	case tExtract:
		s.noArg(p, func() { s.extractFiles(ctx) })
	case tEstimate:
		s.noArg(p, func() { s.estimate(ctx) })
	case tVerify:
		s.noArg(p, func() { s.verify(ctx) })
	case tDR:
		if vals, ok := s.values(p); ok {
			s.drCommand(ctx, vals)
			s.end(p)
		}
	default:
		s.syntaxError()
	}
}

// setDiskLine: "setdisk DISK [MOUNTPOINT]"; a bare "setdisk" reduces at once ("Argument
// required") and then fails acceptance ("syntax error").
func (s *Session) setDiskLine(ctx context.Context, p *parser) {
	if p.peek().kind != tString {
		s.printf("Argument required\n")
		s.end(p)
		return
	}
	disk := p.take().text
	switch p.peek().kind {
	case tNL:
		p.take()
		s.setDisk(ctx, disk, "", false)
		s.end(p)
	case tString:
		mount := p.take().text
		switch p.peek().kind {
		case tNL:
			p.take()
			s.setDisk(ctx, disk, mount, true)
			s.end(p)
		case tString:
			s.invalid(p)
		default:
			s.syntaxError()
		}
	default:
		s.syntaxError()
	}
}

// setTranslateLine: "settranslate [WORD]"; with two words the grammar wants a second end of
// line after the invalid words, which never comes.
func (s *Session) setTranslateLine(ctx context.Context, p *parser) {
	switch p.peek().kind {
	case tNL:
		p.take()
		s.setTranslate(ctx, "", false)
		s.end(p)
	case tString:
		arg := p.take().text
		switch p.peek().kind {
		case tNL:
			p.take()
			s.setTranslate(ctx, arg, true)
			s.end(p)
		case tString:
			p.take()
			if p.bogus() && p.take().kind == tNL {
				s.printf("Invalid argument\n")
				s.end(p)
				return
			}
			s.syntaxError()
		default:
			s.syntaxError()
		}
	default:
		s.syntaxError()
	}
}

// setDeviceLine: "setdevice [[-h HOST] DEVICE]".
func (s *Session) setDeviceLine(p *parser) {
	switch p.peek().kind {
	case tNL:
		p.take()
		s.setDevice("", false, "", false)
		s.end(p)
	case tString:
		s.optArg(p, false, func(dev string, _ bool) { s.setDevice("", false, dev, true) })
	case tDashH:
		p.take()
		if p.peek().kind != tString {
			s.syntaxError()
			return
		}
		host := p.take().text
		switch p.peek().kind {
		case tNL:
			p.take()
			s.printf("Invalid argument\n")
			s.end(p)
		case tString:
			s.optArg(p, false, func(dev string, _ bool) { s.setDevice(host, true, dev, true) })
		default:
			s.syntaxError()
		}
	default:
		s.syntaxError()
	}
}

// setModeLine: "setmode smb|tar".
func (s *Session) setModeLine(p *parser) {
	switch t := p.peek(); t.kind {
	case tSMB, tTar:
		p.take()
		s.noArg(p, func() { s.setMode(t.kind == tSMB) })
	case tString:
		s.invalid(p)
	case tNL:
		p.take()
		s.printf("Argument required\n")
		s.end(p)
	default:
		s.syntaxError()
	}
}

// setPropertyLine: "setproperty [append] [priority] NAME [VALUE...]".
func (s *Session) setPropertyLine(p *parser) {
	appendTo := false
	if p.peek().kind == tAppend {
		p.take()
		appendTo = true
	}
	if p.peek().kind == tPriority {
		p.take() // accepted and ignored, as amrecover does
	}
	switch t := p.take(); t.kind {
	case tString:
		if vals, ok := s.values(p); ok {
			s.setProperty(t.text, appendTo, vals)
			s.end(p)
		}
	case tNL:
		s.printf("Invalid argument\n")
		s.end(p)
	default:
		s.syntaxError()
	}
}
