package catalog

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// LogLine is one line of an Amanda trace log (logfile.c's get_logline): a type such as PART
// or DONE, the program that wrote it, and the rest of the line. Continuation lines (two
// leading spaces) have Type "CONT" and the program of the line before.
type LogLine struct {
	Type, Program, Rest string
}

// ParseLogLine splits one log line (without its newline). prev is the program of the previous
// line, for continuation lines. ok is false for an empty line.
func ParseLogLine(line, prev string) (l LogLine, ok bool) {
	if strings.HasPrefix(line, "  ") {
		return LogLine{Type: "CONT", Program: prev, Rest: strings.TrimLeft(line, " \t\n\v\f\r")}, true
	}
	sc := scanner{s: line}
	l.Type = sc.word()
	if l.Type == "" {
		return LogLine{}, false
	}
	l.Program = sc.word()
	switch l.Program {
	case "checkdump":
		l.Program = "amcheckdump"
	case "fetchdump":
		l.Program = "amfetchdump"
	}
	sc.ws()
	l.Rest = sc.s[sc.i:]
	return l, true
}

// scanner walks a line with the token rules of Amanda's skip_* macros.
type scanner struct {
	s string
	i int
}

func (sc *scanner) ws() {
	for sc.i < len(sc.s) && isSpace(sc.s[sc.i]) {
		sc.i++
	}
}

// done reports whether only white space is left.
func (sc *scanner) done() bool {
	sc.ws()
	return sc.i >= len(sc.s)
}

// word returns the next run of non-space bytes.
func (sc *scanner) word() string {
	sc.ws()
	start := sc.i
	for sc.i < len(sc.s) && !isSpace(sc.s[sc.i]) {
		sc.i++
	}
	return sc.s[start:sc.i]
}

// quoted returns the next token as skip_quoted_string delimits it (spaces inside double
// quotes and escaped bytes do not end it), unquoted.
func (sc *scanner) quoted() string {
	sc.ws()
	start, inQuote := sc.i, false
	for sc.i < len(sc.s) {
		c := sc.s[sc.i]
		if !inQuote && isSpace(c) {
			break
		}
		if c == '"' {
			inQuote = !inQuote
		} else if c == '\\' && sc.i+1 < len(sc.s) {
			sc.i++
		}
		sc.i++
	}
	return device.UnquoteString(sc.s[start:sc.i])
}

// logCopy is one copy of a dump as find.c reconstructs it from one log file: the parts that a
// taper DONE, PARTIAL or FAIL line (or a pre-split SUCCESS line) concluded, in one storage.
type logCopy struct {
	line                            int // of the concluding line
	host, disk, datestamp           string
	level                           int
	storage, pool                   string
	status, message                 string // dump_status: OK, PARTIAL or FAIL
	origKB                          int64
	nativeCRC, clientCRC, serverCRC string
	parts                           []logPart // OK parts only, in log order
	writeTimestamp                  string
	program, application            string // known for holding-disk dumps, from their header
	discardedPartials               int    // PARTPARTIAL parts dropped
}

type logPart struct {
	partnum, totalparts int
	label               string
	filenum             int64
	bytes               int64
	origKB              int64
	holdingPath         string // the first chunk, for a holding-disk copy
	partial             bool   // PARTPARTIAL: status PARTIAL, never visible
}

// logSearch holds the state of find.c's search_logfile for one log file.
type logSearch struct {
	datestamp  string // the log's datestamp (from the tapelist), the copies' write timestamp
	configName string // storage and pool of lines that name none (3.3 logs)
	validLabel func(label, datestamp string) bool

	rightLabel                    bool
	valid                         map[string]bool
	curLabel, curStorage, curPool string
	filenum                       int64
	taperPart                     int
	pending                       map[string][]pendingPart // key: host disk date level
	copies                        []logCopy
}

type pendingPart struct {
	logPart
	storage, pool string
}

// searchLog reads one log file like find.c's search_logfile and returns the copies it
// concludes. validLabel tells whether a volume label written at a datestamp is still that
// volume in the tapelist.
func searchLog(r io.Reader, datestamp, configName string, validLabel func(label, datestamp string) bool) ([]logCopy, error) {
	s := &logSearch{
		datestamp: datestamp, configName: configName, validLabel: validLabel,
		valid: map[string]bool{}, pending: map[string][]pendingPart{},
	}
	br := bufio.NewReader(r)
	prog := ""
	for n := 1; ; n++ {
		text, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read log: %w", err)
		}
		if text == "" && err == io.EOF {
			break
		}
		l, ok := ParseLogLine(strings.TrimSuffix(text, "\n"), prog)
		if ok {
			prog = l.Program
			if !s.line(n, l) {
				break
			}
		}
		if err == io.EOF {
			break
		}
	}
	return s.copies, nil
}

// line handles one log line; it returns false when the rest of the file must be ignored.
func (s *logSearch) line(n int, l LogLine) bool {
	taper := l.Program == "taper"
	if l.Type == "START" && taper {
		ds, label, storage, pool, ok := s.parseTaperStart(l.Rest)
		if !ok {
			return true // "strange log line"
		}
		if ds != s.datestamp {
			return false // "Log file stamped X, expecting Y!"
		}
		s.rightLabel = s.validLabel(label, ds)
		if s.rightLabel {
			s.valid[label] = true
		}
		s.curLabel, s.curStorage, s.curPool = label, storage, pool
		s.filenum = 0
	}
	// Pre-split logs number files by counting taper lines.
	switch {
	case s.rightLabel && taper && (l.Type == "SUCCESS" || l.Type == "CHUNK" || l.Type == "PART" || l.Type == "PARTPARTIAL"):
		s.filenum++
	case s.rightLabel && taper && l.Type == "PARTIAL" && s.taperPart == 0:
		s.filenum++
	}
	switch l.Type {
	case "SUCCESS", "CHUNKSUCCESS", "DONE", "FAIL", "CHUNK", "PART", "PARTIAL", "PARTPARTIAL":
		s.result(n, l, taper)
	}
	return true
}

// parseTaperStart parses `datestamp TS ["ST:s"] ["POOL:p"] label L tape N`.
func (s *logSearch) parseTaperStart(rest string) (ds, label, storage, pool string, ok bool) {
	sc := scanner{s: rest}
	if sc.word() != "datestamp" || sc.done() {
		return
	}
	ds = sc.word()
	if sc.done() {
		return
	}
	tok := sc.quoted()
	storage = s.configName
	if strings.HasPrefix(tok, "ST:") {
		if sc.done() {
			return
		}
		storage, tok = tok[3:], sc.quoted()
	}
	pool = storage
	if strings.HasPrefix(tok, "POOL:") {
		if sc.done() {
			return
		}
		pool, tok = tok[5:], sc.quoted()
	}
	if !strings.HasPrefix(tok, "label") || sc.done() {
		return
	}
	return ds, sc.quoted(), storage, pool, true
}

// result handles the lines that carry a dump: taper parts and results, and the SUCCESS and
// FAIL lines of other programs (which put nothing on a volume and are ignored here).
func (s *logSearch) result(n int, l LogLine, taper bool) {
	sc := scanner{s: l.Rest}
	if sc.done() {
		return
	}
	var host string
	storage, pool := s.curStorage, s.curPool
	switch l.Type {
	case "PART", "PARTPARTIAL", "DONE", "FAIL", "PARTIAL":
		s.taperPart++
		tok := sc.quoted()
		if tok == "VAULT" {
			tok = sc.quoted()
		}
		lineStorage := s.configName
		if strings.HasPrefix(tok, "ST:") {
			lineStorage, tok = tok[3:], sc.quoted()
		}
		linePool := lineStorage
		if strings.HasPrefix(tok, "POOL:") {
			linePool, tok = tok[5:], sc.quoted()
		}
		if l.Type == "PART" || l.Type == "PARTPARTIAL" {
			if !s.valid[tok] {
				return
			}
			s.curLabel, s.curStorage, s.curPool = tok, lineStorage, linePool
			storage, pool = lineStorage, linePool
			if sc.done() {
				return
			}
			s.filenum = atol(sc.word())
			if s.filenum == 0 || sc.done() {
				return
			}
			host = sc.word()
		} else {
			host = tok
		}
	default:
		s.taperPart = 0
		host = sc.word()
	}
	if sc.done() {
		return
	}
	disk := sc.quoted()
	if sc.done() {
		return
	}
	date := sc.word()
	partnum, totalparts := -1, -1
	var level int
	if len(date) < 3 {
		// Very old logs have no dump timestamp: the token is the level.
		level, date, partnum, totalparts = int(atol(date)), s.datestamp, 1, 1
	} else {
		if taper && (l.Type == "CHUNK" || l.Type == "PART" || l.Type == "PARTPARTIAL" || l.Type == "PARTIAL" || l.Type == "DONE") {
			mark := sc.i
			number := sc.word()
			if sc.done() || sc.s[sc.i] != '[' {
				partnum, totalparts = scanPartnum(number)
			} else {
				// nparts is not in all PARTIAL lines: the token was the level.
				partnum, totalparts = 1, 1
				sc.i = mark
			}
		}
		if sc.done() {
			return
		}
		lv, ok := scanInt(sc.s[sc.i:])
		if !ok {
			return
		}
		level = lv
		sc.word()
	}
	if sc.done() {
		return
	}
	restAt := sc.i
	rest := sc.word()
	var crcs [3]string
	if l.Type == "DONE" {
		for i := range crcs {
			if rest == "[sec" {
				break
			}
			crcs[i] = parseCRC(rest)
			restAt = sc.i
			rest = sc.word()
		}
	}
	var bytes, origKB int64
	message := ""
	if rest == "[sec" {
		if sc.done() {
			return
		}
		sc.word() // seconds
		unit := sc.word()
		if (unit != "kb" && unit != "bytes") || sc.done() {
			return
		}
		size := atof(sc.word())
		if unit == "kb" {
			bytes = int64(size * 1024)
		} else {
			bytes = int64(size)
		}
		if sc.word() != "kps" || sc.done() {
			return
		}
		sc.word()
		if sc.word() == "orig-kb" {
			if sc.done() {
				return
			}
			origKB = int64(atof(sc.word()))
		}
	} else {
		message = strings.TrimSpace(l.Rest[restAt:])
		message = strings.TrimPrefix(strings.TrimPrefix(message, "error "), "config ")
	}
	if !taper {
		return
	}
	key := host + "\x00" + disk + "\x00" + date + "\x00" + strconv.Itoa(level)
	parts := s.pending[key]
	maxparts := max(partnum, totalparts)
	for _, p := range parts {
		maxparts = max(maxparts, p.partnum, p.totalparts)
	}
	switch l.Type {
	case "SUCCESS":
		s.copies = append(s.copies, logCopy{
			line: n, host: host, disk: disk, datestamp: date, level: level,
			storage: storage, pool: pool, status: "OK", origKB: origKB, writeTimestamp: s.datestamp,
			parts: []logPart{{partnum: 1, totalparts: totalparts, label: s.curLabel, filenum: s.filenum, bytes: bytes, origKB: origKB}},
		})
	case "CHUNKSUCCESS", "DONE", "PARTIAL", "FAIL":
		if len(parts) == 0 {
			return
		}
		delete(s.pending, key)
		status := "OK"
		switch l.Type {
		case "PARTIAL":
			status = "PARTIAL"
		case "FAIL":
			status = "FAIL"
		default:
			if maxparts > -1 {
				// find.c counts down from the highest part over the parts newest first, so
				// every part 1..max must be there, OK, in log order.
				want := maxparts
				for i := len(parts) - 1; i >= 0; i-- {
					if parts[i].partnum == want && !parts[i].partial {
						want--
					}
				}
				if want != 0 {
					status, message = "FAIL", "Missing part"
				}
			}
		}
		if l.Type == "DONE" {
			for i := range parts {
				if parts[i].totalparts == -1 {
					parts[i].totalparts = maxparts
				}
				if parts[i].origKB == 0 {
					parts[i].origKB = origKB
				}
			}
		} else {
			crcs = [3]string{}
		}
		s.conclude(n, host, disk, date, level, status, message, origKB, crcs, parts)
	default: // CHUNK, PART, PARTPARTIAL
		s.pending[key] = append(parts, pendingPart{
			logPart: logPart{partnum: partnum, totalparts: totalparts, label: s.curLabel, filenum: s.filenum,
				bytes: bytes, origKB: origKB, partial: l.Type == "PARTPARTIAL"},
			storage: storage, pool: pool,
		})
	}
}

// conclude turns the parts of one result line into copies, one per storage (find.c keys parts
// by dump only, so one result line concludes the parts of every storage written meanwhile).
func (s *logSearch) conclude(n int, host, disk, date string, level int, status, message string, origKB int64, crcs [3]string, parts []pendingPart) {
	for _, p := range parts {
		i := len(s.copies) - 1
		if i < 0 || s.copies[i].line != n || s.copies[i].storage != p.storage {
			i = -1
			for j := len(s.copies) - 1; j >= 0 && s.copies[j].line == n; j-- {
				if s.copies[j].storage == p.storage {
					i = j
				}
			}
		}
		if i < 0 {
			s.copies = append(s.copies, logCopy{
				line: n, host: host, disk: disk, datestamp: date, level: level,
				storage: p.storage, pool: p.pool, status: status, message: message, origKB: origKB,
				nativeCRC: crcs[0], clientCRC: crcs[1], serverCRC: crcs[2], writeTimestamp: s.datestamp,
			})
			i = len(s.copies) - 1
		}
		c := &s.copies[i]
		if p.partial {
			c.discardedPartials++
			continue
		}
		if c.origKB == 0 {
			c.origKB = p.origKB
		}
		c.parts = append(c.parts, p.logPart)
	}
}

// scanPartnum parses "n/m" (or "n") like sscanf("%d/%d"); missing numbers stay -1.
func scanPartnum(s string) (partnum, totalparts int) {
	partnum, totalparts = -1, -1
	a, b, slash := strings.Cut(s, "/")
	n, ok := scanInt(a)
	if !ok {
		return
	}
	partnum = n
	if slash {
		if m, ok := scanInt(b); ok {
			totalparts = m
		}
	}
	return
}

// scanInt parses a leading integer like sscanf("%d").
func scanInt(s string) (int, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '-' || s[j] == '+') {
		j++
	}
	k := j
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == j {
		return 0, false
	}
	n, err := strconv.Atoi(s[i:k])
	return n, err == nil
}

// atof parses a leading decimal number like C's atof ("50]" is 50).
func atof(s string) float64 {
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || s[end] == '-' || s[end] == '+' || s[end] == 'e' || s[end] == 'E') {
		end++
	}
	for ; end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f
		}
	}
	return 0
}

// parseCRC normalises a log CRC "8hex:size"; the unknown CRC 00000000:0 and anything
// unparsable give "".
func parseCRC(s string) string {
	h, size, ok := strings.Cut(s, ":")
	if !ok {
		return ""
	}
	crc, err1 := strconv.ParseUint(h, 16, 32)
	n, err2 := strconv.ParseInt(size, 10, 64)
	if err1 != nil || err2 != nil || (crc == 0 && n == 0) {
		return ""
	}
	return fmt.Sprintf("%08x:%d", crc, n)
}
