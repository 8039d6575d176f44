package device

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// HeaderSize is the size of the header block that starts every Amanda file: vtape files, tape
// files and holding-disk chunks alike. The data follows it.
const HeaderSize = 32768

// FileType is the type of an Amanda file header. The values are Amanda's own (filetype_t).
type FileType int

// The header types. Weird, Empty and Unknown are never written; they describe what was read.
const (
	Empty     FileType = -2 // no header text at all
	Weird     FileType = -1 // text that is not a well-formed Amanda header
	Unknown   FileType = 0  // nothing known about the file yet
	TapeStart FileType = 1  // volume label, file 0 of a volume
	TapeEnd   FileType = 2  // end of the volume
	DumpFile  FileType = 3  // a whole dump, or the first chunk of a holding-disk dump
	ContFile  FileType = 4  // a following chunk of a holding-disk dump
	SplitFile FileType = 5  // one part of a dump on a volume
	NoOp      FileType = 6  // filler
)

var fileTypeNames = map[FileType]string{
	Empty:     "EMPTY",
	Weird:     "WEIRD",
	Unknown:   "UNKNOWN",
	TapeStart: "TAPESTART",
	TapeEnd:   "TAPEEND",
	DumpFile:  "FILE",
	ContFile:  "CONT_FILE",
	SplitFile: "SPLIT_FILE",
	NoOp:      "NOOP",
}

// String returns the word Amanda uses for the type in headers ("FILE", "SPLIT_FILE", ...).
func (t FileType) String() string {
	if s, ok := fileTypeNames[t]; ok {
		return s
	}
	return "UNKNOWN"
}

// CRC is a CRC32C checksum with the number of bytes it covers, as Amanda records it in headers
// and logs. The zero value means unknown.
type CRC struct {
	Sum  uint32
	Size int64
}

// String formats c as Amanda does, "8hex:size"; the zero value gives "".
func (c CRC) String() string {
	if c == (CRC{}) {
		return ""
	}
	return fmt.Sprintf("%08x:%d", c.Sum, c.Size)
}

// ParseCRC parses Amanda's "hex:size" form of a CRC.
func ParseCRC(s string) (CRC, error) {
	sum, size, ok := strings.Cut(s, ":")
	if !ok {
		return CRC{}, fmt.Errorf("CRC %q: no ':' between checksum and size", s)
	}
	n, err := strconv.ParseUint(sum, 16, 32)
	if err != nil {
		return CRC{}, fmt.Errorf("CRC %q: checksum is not 32-bit hex", s)
	}
	z, err := strconv.ParseInt(size, 10, 64)
	if err != nil {
		return CRC{}, fmt.Errorf("CRC %q: size is not a number", s)
	}
	return CRC{Sum: uint32(n), Size: z}, nil
}

// Header is a parsed Amanda file header.
type Header struct {
	Type FileType
	// Datestamp is the dump's run timestamp for dumps, the volume's date for TAPESTART (or "X"
	// for a volume never written) and TAPEEND.
	Datestamp string
	Label     string // volume label (TAPESTART)
	Host      string
	Disk      string // unquoted
	// PartNum and TotalParts are 1/1 for FILE, 0/0 for CONT_FILE and as written for SPLIT_FILE,
	// where TotalParts -1 means unknown.
	PartNum, TotalParts int
	Level               int
	Comp                string // compression suffix as written: "N" (none), ".gz", "cust", ...
	Program             string // GNUTAR, DUMP, APPLICATION, or a program path such as /sbin/dump
	Crypt               string // encryption suffix ("enc"), or "" / "N" for none

	ServerCustomCompress, ClientCustomCompress string
	ServerEncrypt, ClientEncrypt               string
	ServerDecryptOption, ClientDecryptOption   string

	ContFilename string // holding disk: absolute path of the next chunk, "" on the last one
	Application  string // application plugin, e.g. amgtar
	Partial      bool   // the dump is known to be incomplete
	OrigSizeKB   int64  // size before compression, KiB; 0 if unknown

	NativeCRC, ClientCRC, ServerCRC CRC

	// DLE is the disklist entry XML of the heredoc, without its blank lines (Amanda's parser
	// loses them too).
	DLE string

	// The restore pipeline of the informational dd line; DecryptCmd and UncompressCmd keep
	// their trailing " |". Clients write what they like there: do not run them.
	DecryptCmd, UncompressCmd, RecoverCmd string
}

// ReadHeader reads exactly one HeaderSize block from r and parses it as ParseHeader does; a
// short read is an error wrapping io.ErrUnexpectedEOF.
func ReadHeader(r io.Reader) (*Header, error) {
	block := make([]byte, HeaderSize)
	n, err := io.ReadFull(r, block)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("short header: %d of %d bytes: %w", n, HeaderSize, io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, err
	}
	return ParseHeader(block)
}

// ParseHeader parses the header text in block, up to its first NUL byte. block may be a whole
// 32 KiB header or just its text (as in index .header files). When the text is not a valid
// header the error says what is wrong, and the returned Header is still non-nil, with Type Empty
// or Weird, so that its Summary can be printed as amrestore does.
func ParseHeader(block []byte) (*Header, error) {
	if i := bytes.IndexByte(block, 0); i >= 0 {
		block = block[:i]
	}
	if len(block) == 0 {
		return &Header{Type: Empty}, errors.New("empty header: no text before the first NUL byte")
	}
	text := string(block)
	end := firstLineEnd(text)
	h := &Header{}
	if err := h.parseFirstLine(text[:end]); err != nil {
		h.Type = Weird
		return h, err
	}
	h.parseLines(text[end:])
	return h, nil
}

// firstLineEnd finds the newline that ends the first line, ignoring newlines inside double
// quotes. Backslash escapes count inside quotes, unlike in Amanda's own scanner, so that a quoted
// disk ending in a backslash ("C:\\") does not swallow the lines after it.
func firstLineEnd(text string) int {
	inQuotes := false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n':
			if !inQuotes {
				return i
			}
		case '"':
			inQuotes = !inQuotes
		case '\\':
			if i+1 < len(text) && text[i+1] != '\n' {
				i++
			}
		}
	}
	return len(text)
}

// firstLine splits the first header line into tokens: runs of spaces separate them, as with
// strtok in Amanda.
type firstLine struct {
	line string
	pos  int
}

func (l *firstLine) skipSpaces() {
	for l.pos < len(l.line) && l.line[l.pos] == ' ' {
		l.pos++
	}
}

// next returns the next token, "" at the end of the line.
func (l *firstLine) next() string {
	l.skipSpaces()
	start := l.pos
	for l.pos < len(l.line) && l.line[l.pos] != ' ' {
		l.pos++
	}
	return l.line[start:l.pos]
}

// quoted returns the next token, joined with the following ones until its double quotes and
// backslashes balance (Amanda's strquotedstr); ok is false for an unbalanced token.
func (l *firstLine) quoted() (tok string, ok bool) {
	l.skipSpaces()
	start := l.pos
	inQuote, inBackslash := false, false
	for ; l.pos < len(l.line); l.pos++ {
		c := l.line[l.pos]
		switch {
		case inBackslash:
			inBackslash = false
		case c == ' ' && !inQuote:
			return l.line[start:l.pos], true
		case c == '"':
			inQuote = !inQuote
		case c == '\\':
			inBackslash = true
		}
	}
	return l.line[start:], !inQuote && !inBackslash
}

// missing reports a token that should have followed.
func (l *firstLine) missing(what string) error {
	return fmt.Errorf("bad Amanda header %q: truncated first line: no %s", clip(l.line), what)
}

// want reads the keyword kw.
func (l *firstLine) want(kw string) error {
	switch tok := l.next(); tok {
	case kw:
		return nil
	case "":
		return l.missing(strconv.Quote(kw))
	default:
		return fmt.Errorf("bad Amanda header %q: found %q where %q belongs", clip(l.line), tok, kw)
	}
}

// value reads the token that must follow a keyword.
func (l *firstLine) value(what string) (string, error) {
	if tok := l.next(); tok != "" {
		return tok, nil
	}
	return "", l.missing(what)
}

func (l *firstLine) errorf(format string, args ...any) error {
	return fmt.Errorf("bad Amanda header %q: %s", clip(l.line), fmt.Sprintf(format, args...))
}

// clip shortens text for error messages: a damaged header can be 32 KiB of garbage.
func clip(s string) string {
	const max = 40 // enough to recognise; garbage stays short once quoted
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

func (h *Header) parseFirstLine(line string) error {
	l := &firstLine{line: line}
	switch magic := l.next(); magic {
	case "AMANDA:", "NETDUMP:":
	case "":
		return errors.New("bad Amanda header: the first line is empty")
	default:
		return fmt.Errorf("not an Amanda header: first line %q does not start with AMANDA:", clip(line))
	}
	word, err := l.value("file type")
	if err != nil {
		return err
	}
	switch word {
	case "TAPESTART":
		h.Type = TapeStart
		if err := l.want("DATE"); err != nil {
			return err
		}
		if h.Datestamp, err = l.value("volume date"); err != nil {
			return err
		}
		if err := l.want("TAPE"); err != nil {
			return err
		}
		h.Label, err = l.value("volume label")
		return err
	case "TAPEEND":
		h.Type = TapeEnd
		switch tok := l.next(); tok {
		case "":
		case "DATE":
			h.Datestamp = l.next()
		default:
			return l.errorf("found %q where \"DATE\" belongs", tok)
		}
		return nil
	case "NOOP":
		h.Type = NoOp
		return nil
	case "FILE":
		h.Type = DumpFile
	case "CONT_FILE":
		h.Type = ContFile
	case "SPLIT_FILE":
		h.Type = SplitFile
	default:
		return l.errorf("unknown file type %q", word)
	}
	return h.parseDumpLine(l)
}

// parseDumpLine parses the rest of a FILE, CONT_FILE or SPLIT_FILE first line.
func (h *Header) parseDumpLine(l *firstLine) error {
	var err error
	if h.Datestamp, err = l.value("dump timestamp"); err != nil {
		return err
	}
	if h.Host, err = l.value("host name"); err != nil {
		return err
	}
	qdisk, ok := l.quoted()
	switch {
	case qdisk == "":
		return l.missing("disk name")
	case !ok:
		return l.errorf("unbalanced quotes in disk name %s", qdisk)
	}
	h.Disk = UnquoteString(qdisk)

	switch h.Type {
	case SplitFile:
		if err := l.want("part"); err != nil {
			return err
		}
		part, err := l.value("part number n/m")
		if err != nil {
			return err
		}
		if h.PartNum, h.TotalParts, err = parsePart(part); err != nil {
			return l.errorf("%v", err)
		}
	case DumpFile:
		h.PartNum, h.TotalParts = 1, 1
	}

	if err := l.want("lev"); err != nil {
		return err
	}
	lev, err := l.value("dump level")
	if err != nil {
		return err
	}
	if h.Level, err = strconv.Atoi(lev); err != nil {
		return l.errorf("dump level %q is not a number", lev)
	}
	if err := l.want("comp"); err != nil {
		return err
	}
	if h.Comp, err = l.value("compression suffix"); err != nil {
		return err
	}

	// Everything from here on is optional, but must come in this order: parsing stops quietly
	// at the first word out of place, as Amanda's does.
	if l.next() != "program" {
		return nil
	}
	if h.Program, err = l.value("program name"); err != nil {
		return err
	}
	tok := l.next()
	for _, opt := range h.options() {
		if tok != opt.key {
			continue
		}
		if *opt.val, err = l.value(opt.key + " value"); err != nil {
			return err
		}
		tok = l.next()
	}
	return nil
}

// parsePart parses the "n/m" of a SPLIT_FILE header, m -1 meaning unknown.
func parsePart(s string) (n, m int, err error) {
	ns, ms, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("part %q is not n/m", s)
	}
	if n, err = strconv.Atoi(ns); err != nil {
		return 0, 0, fmt.Errorf("part %q: part number %q is not a number", s, ns)
	}
	if m, err = strconv.Atoi(ms); err != nil {
		return 0, 0, fmt.Errorf("part %q: part count %q is not a number", s, ms)
	}
	if n < 1 {
		return 0, 0, fmt.Errorf("part %q: part number %d is less than 1", s, n)
	}
	if m >= 0 && n > m {
		return 0, 0, fmt.Errorf("part %q: part number %d is more than the part count %d", s, n, m)
	}
	return n, m, nil
}

// Prefixes of the lines after the first one.
const (
	restoreCmdPrefix = "\tdd if=<tape> "
	restoreNote      = "To restore, position tape at start of file and run:"
)

// parseLines parses the KEY=value lines after the first line. Unknown lines are ignored.
func (h *Header) parseLines(text string) {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if line != "" { // Amanda splits on runs of newlines
			lines = append(lines, line)
		}
	}
	for i := 0; i < len(lines); i++ {
		key, val, found := strings.Cut(lines[i], "=")
		if !found {
			key = ""
		}
		switch key {
		case "CONT_FILENAME":
			h.ContFilename = val
		case "APPLICATION":
			h.Application = val
		case "PARTIAL":
			h.Partial = strings.EqualFold(val, "yes")
		case "ORIGSIZE":
			h.OrigSizeKB, _ = strconv.ParseInt(val, 10, 64)
		case "NATIVE-CRC":
			h.NativeCRC = headerCRC(val)
		case "CLIENT-CRC":
			h.ClientCRC = headerCRC(val)
		case "SERVER-CRC":
			h.ServerCRC = headerCRC(val)
		case "DLE":
			delim, heredoc := strings.CutPrefix(val, "<<")
			if !heredoc {
				h.DLE = val
				continue
			}
			var dle []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				dle = append(dle, lines[i])
			}
			h.DLE = strings.Join(dle, "\n")
		default:
			if strings.HasPrefix(lines[i], restoreCmdPrefix) {
				h.parseRestoreCmd(lines[i])
			}
		}
	}
}

// headerCRC parses a CRC line's value; a checksum of 0 is how Amanda says "not computed".
func headerCRC(s string) CRC {
	c, err := ParseCRC(s)
	if err != nil || c.Sum == 0 {
		return CRC{}
	}
	return c
}

// parseRestoreCmd splits the dd line's pipeline into decrypt, uncompress and recover commands:
// three commands are all of them, two are uncompress and recover, one is recover.
func (h *Header) parseRestoreCmd(line string) {
	_, pipeline, ok := strings.Cut(line, "|")
	if !ok {
		h.RecoverCmd = "BUG" // what Amanda records for a dd line without a pipeline
		return
	}
	cmds := strings.SplitN(pipeline, "|", 3)
	for i := range cmds {
		cmds[i] = strings.Trim(cmds[i], " \t\n\f\r")
	}
	switch len(cmds) {
	case 1:
		h.RecoverCmd = cmds[0]
	case 2:
		h.UncompressCmd, h.RecoverCmd = cmds[0]+" |", cmds[1]
	case 3:
		h.DecryptCmd, h.UncompressCmd, h.RecoverCmd = cmds[0]+" |", cmds[1]+" |", cmds[2]
	}
}

// Compressed reports whether the data is compressed (the suffix is not "N").
func (h *Header) Compressed() bool { return h.Comp != "N" }

// IsDump reports whether the header starts dump data: FILE, CONT_FILE or SPLIT_FILE.
func (h *Header) IsDump() bool {
	return h.Type == DumpFile || h.Type == ContFile || h.Type == SplitFile
}

// Summary returns the one-line description amrestore prints for the header (Amanda's
// summarize_header), e.g.
//
//	split dumpfile: date 20261122232846 host localhost disk /home/alice part 1/UNKNOWN lev 0 comp .gz program APPLICATION
func (h *Header) Summary() string {
	var b strings.Builder
	switch h.Type {
	case Empty:
		return "EMPTY file"
	case Unknown:
		return "UNKNOWN file"
	case NoOp:
		return "NOOP file"
	case TapeStart:
		return fmt.Sprintf("start of tape: date %s label %s", h.Datestamp, h.Label)
	case TapeEnd:
		return "end of tape: date " + h.Datestamp
	case DumpFile, ContFile:
		fmt.Fprintf(&b, "%s: date %s host %s disk %s lev %d comp %s",
			h.Type, h.Datestamp, h.Host, QuoteString(h.Disk), h.Level, h.compSuffix())
	case SplitFile:
		total := "UNKNOWN"
		if h.TotalParts > 0 {
			total = strconv.Itoa(h.TotalParts)
		}
		fmt.Fprintf(&b, "split dumpfile: date %s host %s disk %s part %d/%s lev %d comp %s",
			h.Datestamp, h.Host, QuoteString(h.Disk), h.PartNum, total, h.Level, h.compSuffix())
	default:
		return "WEIRD file"
	}
	if h.Program != "" {
		b.WriteString(" program " + h.Program)
	}
	if h.Crypt == "enc" {
		b.WriteString(" crypt enc")
	}
	for _, opt := range h.options()[1:] { // crypt is printed above, only when it is "enc"
		if *opt.val != "" {
			b.WriteString(" " + opt.key + " " + *opt.val)
		}
	}
	return b.String()
}

// compSuffix is the suffix Amanda prints: "N" when uncompressed, and ".Z" for the pre-2.2 "C".
func (h *Header) compSuffix() string {
	switch {
	case !h.Compressed():
		return "N"
	case h.Comp == "C":
		return ".Z"
	}
	return h.Comp
}

// field is a named header value.
type field struct{ key, val string }

// option is an optional first-line word and the field it sets.
type option struct {
	key string
	val *string
}

// options lists the optional first-line words after "program", in the order they must come:
// crypt, then pairs of which at most one may be set.
func (h *Header) options() []option {
	return []option{
		{"crypt", &h.Crypt},
		{"server_custom_compress", &h.ServerCustomCompress},
		{"client_custom_compress", &h.ClientCustomCompress},
		{"server_encrypt", &h.ServerEncrypt},
		{"client_encrypt", &h.ClientEncrypt},
		{"server_decrypt_option", &h.ServerDecryptOption},
		{"client_decrypt_option", &h.ClientDecryptOption},
	}
}

// maxDLE is the longest DLE Amanda puts into a header; longer ones are left out.
const maxDLE = HeaderSize - 2048 - 1

// Build writes h as a HeaderSize block, as Amanda's build_header does: text, then NUL padding.
// It refuses what Amanda refuses (a bad datestamp, missing host or program, both server and
// client variants of an option, ...) and what could not be parsed back (a word with a space,
// a value with a newline). The dd line always says bs=32k, as vfs volumes and amfetchdump -h
// do; a DLE with blank lines loses them, and one longer than Amanda allows is left out.
func (h *Header) Build() ([]byte, error) {
	text, err := h.text()
	if err != nil {
		return nil, fmt.Errorf("build %s header: %w", h.Type, err)
	}
	if strings.IndexByte(text, 0) >= 0 {
		return nil, fmt.Errorf("build %s header: a field contains a NUL byte", h.Type)
	}
	if len(text) > HeaderSize {
		return nil, fmt.Errorf("build %s header: %d bytes of text do not fit in %d", h.Type, len(text), HeaderSize)
	}
	block := make([]byte, HeaderSize)
	copy(block, text)
	return block, nil
}

func (h *Header) text() (string, error) {
	switch h.Type {
	case TapeStart:
		if err := checkDatestamp(h.Datestamp); err != nil {
			return "", err
		}
		if err := checkWord("label", h.Label); err != nil {
			return "", err
		}
		return fmt.Sprintf("AMANDA: TAPESTART DATE %s TAPE %s\n\f\n", h.Datestamp, h.Label), nil
	case TapeEnd:
		if err := checkDatestamp(h.Datestamp); err != nil {
			return "", err
		}
		return fmt.Sprintf("AMANDA: TAPEEND DATE %s\n\f\n", h.Datestamp), nil
	case NoOp:
		return "AMANDA: NOOP\n\f\n", nil
	case DumpFile, ContFile, SplitFile:
		return h.dumpText()
	}
	return "", errors.New("only TAPESTART, TAPEEND, NOOP and dump headers can be written")
}

func (h *Header) dumpText() (string, error) {
	if err := checkDatestamp(h.Datestamp); err != nil {
		return "", err
	}
	comp := h.Comp
	if comp == "" {
		comp = "N"
	}
	for _, w := range []field{{"host", h.Host}, {"program", h.Program}, {"compression suffix", comp}} {
		if err := checkWord(w.key, w.val); err != nil {
			return "", err
		}
	}
	var part string
	if h.Type == SplitFile {
		if _, _, err := parsePart(fmt.Sprintf("%d/%d", h.PartNum, h.TotalParts)); err != nil {
			return "", err
		}
		part = fmt.Sprintf(" part %d/%d ", h.PartNum, h.TotalParts)
	}
	var b strings.Builder
	// The double spaces around the part text are Amanda's.
	fmt.Fprintf(&b, "AMANDA: %s %s %s %s %s lev %d comp %s program %s",
		h.Type, h.Datestamp, h.Host, QuoteString(h.Disk), part, h.Level, comp, h.Program)
	opts := h.options()
	for i, opt := range opts {
		if *opt.val == "" || i == 0 && *opt.val == "N" { // crypt N means not encrypted
			continue
		}
		if i%2 == 1 && *opts[i+1].val != "" {
			return "", fmt.Errorf("both %s and %s are set", opt.key, opts[i+1].key)
		}
		if err := checkWord(opt.key, *opt.val); err != nil {
			return "", err
		}
		b.WriteString(" " + opt.key + " " + *opt.val)
	}
	b.WriteString("\n")

	for _, kv := range []field{{"CONT_FILENAME", h.ContFilename}, {"APPLICATION", h.Application}} {
		if err := checkLine(kv.key, kv.val); err != nil {
			return "", err
		}
		if kv.val != "" {
			fmt.Fprintf(&b, "%s=%s\n", kv.key, kv.val)
		}
	}
	if h.Partial {
		b.WriteString("PARTIAL=YES\n")
	}
	if h.OrigSizeKB > 0 {
		fmt.Fprintf(&b, "ORIGSIZE=%d\n", h.OrigSizeKB)
	}
	for _, c := range []struct {
		key string
		crc CRC
	}{{"NATIVE-CRC", h.NativeCRC}, {"CLIENT-CRC", h.ClientCRC}, {"SERVER-CRC", h.ServerCRC}} {
		if c.crc.Sum != 0 {
			fmt.Fprintf(&b, "%s=%s\n", c.key, c.crc)
		}
	}
	if h.DLE != "" && len(h.DLE) <= maxDLE {
		delim := heredocDelimiter(h.DLE, "ENDDLE")
		fmt.Fprintf(&b, "DLE=<<%s\n%s\n%s\n", delim, h.DLE, delim)
	}

	b.WriteString(restoreNote + "\n")
	b.WriteString(restoreCmdPrefix + "bs=32k skip=1 | ")
	for _, c := range []field{{"decrypt command", h.DecryptCmd}, {"uncompress command", h.UncompressCmd}} {
		if c.val == "" {
			continue
		}
		if h.RecoverCmd == "" {
			return "", fmt.Errorf("%s without a recover command", c.key)
		}
		if !strings.HasSuffix(c.val, "|") {
			return "", fmt.Errorf("%s %q does not end with '|'", c.key, c.val)
		}
	}
	if h.RecoverCmd != "" {
		for _, c := range []string{h.DecryptCmd, h.UncompressCmd, h.RecoverCmd} {
			if err := checkLine("restore command", c); err != nil {
				return "", err
			}
			if c != "" {
				b.WriteString(c + " ")
			}
		}
	}
	b.WriteString("\n\f\n")
	return b.String(), nil
}

// heredocDelimiter picks prefix, or prefix1, prefix2, ..., whichever is not a line of text.
func heredocDelimiter(text, prefix string) string {
	lines := make(map[string]bool)
	for _, l := range strings.Split(text, "\n") {
		lines[l] = true
	}
	delim := prefix
	for n := 1; lines[delim]; n++ {
		delim = prefix + strconv.Itoa(n)
	}
	return delim
}

// checkDatestamp accepts what Amanda accepts: "X", 8 or 14 digits.
func checkDatestamp(ds string) error {
	if ds == "X" {
		return nil
	}
	if len(ds) != 8 && len(ds) != 14 {
		return fmt.Errorf("invalid datestamp %q", ds)
	}
	for i := 0; i < len(ds); i++ {
		if ds[i] < '0' || ds[i] > '9' {
			return fmt.Errorf("invalid datestamp %q", ds)
		}
	}
	return nil
}

// checkWord rejects a first-line word that would not parse back as the same word.
func checkWord(what, w string) error {
	if w == "" {
		return fmt.Errorf("empty %s", what)
	}
	if strings.ContainsAny(w, " \n\"") {
		return fmt.Errorf("%s %q contains a space, newline or double quote", what, w)
	}
	return nil
}

// checkLine rejects a value that would break its header line.
func checkLine(what, v string) error {
	if strings.Contains(v, "\n") {
		return fmt.Errorf("%s %q contains a newline", what, v)
	}
	return nil
}
