package shell

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	prompt "github.com/c-bata/go-prompt"
)

// Completer completes the word before the cursor: commands.Session is one. word is the word
// as typed; each candidate may replace it as it stands.
type Completer interface {
	Complete(ctx context.Context, line string) (word string, candidates []string)
}

// editor reads command lines at a terminal with go-prompt: line editing, history (the arrows,
// kept in a file between sessions), and completion on Tab.
//
// go-prompt is used through Prompt.Input, one line at a time, with amrshell's own
// ConsoleParser (keyParser): go-prompt's would read /dev/tty rather than stdin, take the
// terminal's settings in a way that can leave it raw, and drop bytes typed ahead of a line.
// Its Run loop is not used either: it exits the process on SIGINT and SIGTERM.
type editor struct {
	prompt  *prompt.Prompt
	parser  *keyParser
	comp    Completer
	history *historyFile

	ctx      context.Context // the shell's, for completion queries
	menu     bool            // candidates are on the screen: Tab goes through them
	inserted bool            // this Tab completed the word itself: show no candidates
}

// tabHook, when set, sees the line at each Tab. Only the end-to-end tests set it, in a binary
// built with the tag amrshell_panictest, to panic while the terminal is raw.
var tabHook func(line string)

// completionSeparators are where go-prompt takes a word to start, when it puts a chosen
// candidate in place of the word.
const completionSeparators = " \t"

func newEditor(t *terminal, keys *keyReader, comp Completer, history *historyFile) *editor {
	e := &editor{parser: &keyParser{term: t, keys: keys}, comp: comp, history: history}
	e.prompt = prompt.New(func(string) {}, e.complete,
		prompt.OptionParser(e.parser),
		prompt.OptionWriter(keepTitle{prompt.NewStdoutWriter()}),
		prompt.OptionPrefix(Prompt),
		prompt.OptionPrefixTextColor(prompt.DefaultColor),
		prompt.OptionHistory(history.lines()),
		prompt.OptionCompletionWordSeparator(completionSeparators),
		prompt.OptionMaxSuggestion(10),
		prompt.OptionAddKeyBind(prompt.KeyBind{Key: prompt.Tab, Fn: e.tab}),
	)
	return e
}

// Read reads a command line: io.EOF after Ctrl-D at an empty line, ctx's error when ctx ends.
func (e *editor) Read(ctx context.Context) (string, error) {
	e.ctx = ctx
	e.menu, e.inserted = false, false
	e.parser.arm()
	// go-prompt cannot be told to stop: when ctx ends, Ctrl-C clears the line and Ctrl-D on the
	// empty line ends the input.
	stop := context.AfterFunc(ctx, func() { e.parser.inject(ctrlC, ctrlD) })
	line := e.prompt.Input()
	stop()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if !e.parser.entered() {
		return "", io.EOF
	}
	// A completed word leaves a space after it; the file keeps the line without.
	if kept := strings.TrimRight(line, " \t"); strings.TrimSpace(kept) != "" {
		e.history.add(kept)
	}
	return line, nil
}

// tab completes the word before the cursor as far as the candidates agree, as a shell does;
// when they agree on nothing more, go-prompt shows them, and further Tabs go through them.
func (e *editor) tab(b *prompt.Buffer) {
	if tabHook != nil {
		tabHook(b.Text())
	}
	e.inserted = false
	if e.menu {
		return
	}
	word, cands := e.comp.Complete(e.ctx, b.Document().TextBeforeCursor())
	if len(cands) == 0 {
		return
	}
	common := commonPrefix(cands)
	if len(cands) == 1 && !strings.HasSuffix(common, "/") {
		common += " "
	}
	if len(common) <= len(word) {
		return
	}
	b.DeleteBeforeCursor(utf8.RuneCountInString(word))
	b.InsertText(common, false, true)
	e.inserted = true
}

// complete gives go-prompt the candidates to show: only after a Tab that completed nothing
// itself (a menu at every key would slow typing and hide the screen), and while going through
// them.
func (e *editor) complete(d prompt.Document) []prompt.Suggest {
	switch d.LastKeyStroke() {
	case prompt.Tab, prompt.BackTab:
	case prompt.Up, prompt.Down:
		if e.menu {
			break
		}
		fallthrough
	default:
		e.menu = false
		return nil
	}
	if e.inserted {
		e.menu = false
		return nil
	}
	before := d.TextBeforeCursor()
	word, cands := e.comp.Complete(e.ctx, before)
	s := suggestions(before, d.GetWordBeforeCursorUntilSeparator(completionSeparators), word, cands)
	e.menu = len(s) > 0
	return s
}

// keepTitle is go-prompt's writer, except that it leaves the terminal's window title alone:
// go-prompt clears it after every line.
type keepTitle struct{ prompt.ConsoleWriter }

func (keepTitle) ClearTitle() {}

// suggestions turns candidates for word (the end of before) into go-prompt's suggestions,
// whose text go-prompt puts in place of goWord, its own idea of the word: a quoted name with a
// space in it is two words to go-prompt.
func suggestions(before, goWord, word string, cands []string) []prompt.Suggest {
	keep := before[:len(before)-len(goWord)]
	base := before[:len(before)-len(word)]
	var out []prompt.Suggest
	for _, c := range cands {
		if text, ok := strings.CutPrefix(base+c, keep); ok {
			out = append(out, prompt.Suggest{Text: text})
		}
	}
	return out
}

// commonPrefix is the longest common prefix of ss, cut at a rune boundary.
func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		n := 0
		for n < len(p) && n < len(s) && p[n] == s[n] {
			n++
		}
		p = p[:n]
	}
	for len(p) > 0 && !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}

// keyParser is go-prompt's ConsoleParser: it hands go-prompt one key at a time from the
// keyReader, and nothing after the Enter that ends a line, so that what was typed ahead stays
// for the next reader.
type keyParser struct {
	term *terminal
	keys *keyReader

	mu       sync.Mutex
	done     bool   // Enter was handed over: the line is complete
	injected []byte // keys to hand over before any typed one
}

// errNoKey is what Read returns when no key is waiting; go-prompt tries again soon.
var errNoKey = errors.New("no key typed")

func (p *keyParser) Setup() error    { return p.term.makeRaw() }
func (p *keyParser) TearDown() error { return p.term.restore() }

func (p *keyParser) GetWinSize() *prompt.WinSize {
	rows, cols := p.term.size()
	return &prompt.WinSize{Row: rows, Col: cols}
}

func (p *keyParser) Read() ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.injected) > 0 {
		k := p.injected[:1]
		p.injected = p.injected[1:]
		return k, nil
	}
	if p.done {
		return nil, errNoKey
	}
	k, ok := p.keys.nextKey(keyLen)
	if !ok {
		return nil, errNoKey
	}
	if len(k) == 1 && (k[0] == '\r' || k[0] == '\n') {
		p.done = true
	}
	return k, nil
}

// arm readies the parser for a new line.
func (p *keyParser) arm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.injected = false, nil
}

// entered reports whether the line was ended by Enter (rather than Ctrl-D).
func (p *keyParser) entered() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done
}

// inject hands go-prompt keys as if typed, before any typed one.
func (p *keyParser) inject(keys ...byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.injected = append(p.injected, keys...)
}

// keyLen is the length of the key at the start of b: one of go-prompt's known sequences, an
// unknown escape sequence whole (so that a key go-prompt does not know inserts nothing), or one
// character. Splitting keys this way lets a pasted block of lines be read line by line.
func keyLen(b []byte) int {
	if b[0] == 0x1b {
		best := 1
		for _, s := range prompt.ASCIISequences {
			if len(s.ASCIICode) > best && len(s.ASCIICode) <= len(b) && string(b[:len(s.ASCIICode)]) == string(s.ASCIICode) {
				best = len(s.ASCIICode)
			}
		}
		if best == 1 && len(b) > 2 && (b[1] == '[' || b[1] == 'O') {
			// CSI or SS3: parameters, then a final byte in 0x40-0x7e.
			for i := 2; i < len(b); i++ {
				if b[i] >= 0x40 && b[i] <= 0x7e {
					return i + 1
				}
			}
		}
		return best
	}
	if b[0] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRune(b)
	return n
}
