package amconf

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// readDisklist reads a disklist the way diskfile.c's parse_diskline does:
//
//	host disk [device] dumptype [spindle [interface]]
//	host disk [device] {            (an inline dumptype, closed by "}" on a later line)
//	includefile "other-disklist"
func (p *parser) readDisklist(path string, depth int) error {
	if depth > 16 {
		return fmt.Errorf("read disklist %s: includefile nested too deep", path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read disklist: %w", err)
	}
	pos, lineNo := 0, 1
	for pos < len(src) {
		end := bytes.IndexByte(src[pos:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += pos
		}
		line, start := src[pos:end], lineNo
		pos, lineNo = end+1, lineNo+1
		errf := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", path, start, fmt.Sprintf(format, args...))
		}

		fields := &lineFields{line: line}
		host, ok := fields.next(false)
		if !ok {
			continue
		}
		if host == "includefile" {
			name, ok := fields.next(true)
			if !ok {
				return errf("include filename name expected")
			}
			if err := p.readDisklist(p.relative(device.UnquoteString(name)), depth+1); err != nil {
				return err
			}
			continue
		}
		if err := p.checkHost(host); err != nil {
			return errf("%v", err)
		}
		qdisk, ok := fields.next(true)
		if !ok {
			return errf("disk device name expected")
		}
		d := DLE{Host: host, Disk: device.UnquoteString(qdisk)}
		if d.Disk == "" {
			return errf("invalid empty diskname")
		}
		tok, ok := fields.next(true)
		if !ok {
			return errf("disk dumptype expected")
		}
		if tok[0] != '{' {
			if dt := device.UnquoteString(tok); p.defs["dumptype"][dt] != nil {
				d.Dumptype = dt
			} else {
				d.Device = dt
				if tok, ok = fields.next(true); !ok {
					return errf("disk dumptype '%s' not found", dt)
				}
				if tok[0] != '{' {
					d.Dumptype = device.UnquoteString(tok)
				}
			}
		}
		if err := p.checkDisk(d); err != nil {
			return errf("%v", err)
		}
		var vals map[string]*stmt
		if d.Dumptype == "" {
			if rest := strings.TrimSpace(string(line[fields.pos-len(tok)+1:])); rest != "" && rest[0] != '#' {
				return errf("expected line break after `{', ignoring rest of line")
			}
			l := newLexer(path, src[min(pos, len(src)):], lineNo)
			block, err := parseStmts(l, true, 1)
			if err != nil {
				return fmt.Errorf("parse inline dumptype of %s:%s: %w", d.Host, d.Disk, err)
			}
			// What follows "}" on its line (spindle, interface) does not matter for recovery.
			pos += l.pos
			lineNo = l.line
			if nl := bytes.IndexByte(src[min(pos, len(src)):], '\n'); nl >= 0 {
				pos += nl + 1
				lineNo++
			} else {
				pos = len(src)
			}
			vals = p.blockValues("dumptype", block, map[*stmt]bool{})
		} else if vals = p.defValues("dumptype", d.Dumptype); vals == nil {
			return errf("undefined dumptype `%s'", device.QuoteString(d.Dumptype))
		}
		p.dumptypeDLE(&d, vals)
		p.cfg.Disklist = append(p.cfg.Disklist, d)
	}
	return nil
}

// checkHost refuses what diskfile.c refuses: one host spelt in two cases, or two hosts whose
// index directories would be the same.
func (p *parser) checkHost(host string) error {
	for _, d := range p.cfg.Disklist {
		switch {
		case d.Host == host:
			return nil
		case strings.EqualFold(d.Host, host):
			return fmt.Errorf("Same host with different case: \"%s\" and \"%s\".", d.Host, host)
		case device.SanitiseFilename(d.Host) == device.SanitiseFilename(host):
			return fmt.Errorf("Two hosts are mapping to the same name: \"%s\" and \"%s\"", d.Host, host)
		}
	}
	return nil
}

func (p *parser) checkDisk(n DLE) error {
	for _, d := range p.cfg.Disklist {
		if d.Host != n.Host {
			continue
		}
		if d.Disk == n.Disk {
			return fmt.Errorf("duplicate disk record %s:%s", d.Host, device.QuoteString(d.Disk))
		}
		if device.SanitiseFilename(d.Disk) == device.SanitiseFilename(n.Disk) {
			return fmt.Errorf("Two disks are mapping to the same name: \"%s\" and \"%s\"; you must use different diskname", d.Disk, n.Disk)
		}
	}
	return nil
}

// lineFields walks the whitespace-separated fields of one disklist line.
type lineFields struct {
	line []byte
	pos  int
}

// next returns the next field, or false at the end of the line or at a comment. A quoted field
// (Amanda's skip_quoted_string) keeps spaces inside double quotes and the byte after a
// backslash; it is returned raw, still quoted.
func (f *lineFields) next(quoted bool) (string, bool) {
	for f.pos < len(f.line) && isSpace(f.line[f.pos]) {
		f.pos++
	}
	if f.pos >= len(f.line) || f.line[f.pos] == '#' {
		return "", false
	}
	start, inQuote := f.pos, false
	for f.pos < len(f.line) {
		c := f.line[f.pos]
		if !inQuote && isSpace(c) {
			break
		}
		switch {
		case quoted && c == '"':
			inQuote = !inQuote
		case quoted && c == '\\' && f.pos+1 < len(f.line):
			f.pos++
		}
		f.pos++
	}
	return string(f.line[start:f.pos]), true
}
