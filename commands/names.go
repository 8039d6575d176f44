package commands

import (
	"slices"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// Names in the index are kept raw, in GNU tar's escape quoting ("na\303\257ve", "back\\slash");
// amrecover shows and matches them translated, and quotes what it prints with quote_string.
// The helpers here are amrecover's own string functions, quirks included, because what they
// produce is printed and matched.

// quote is Amanda's quote_string.
func quote(s string) string { return device.QuoteString(s) }

// quoteAlways is Amanda's quote_string_always: quoted even when quote_string would not.
func quoteAlways(s string) string {
	if q := device.QuoteString(s); q != s {
		return q
	}
	return `"` + s + `"`
}

// unquote is Amanda 3.5.1's unquote_string, which amrecover applies to its arguments. It differs
// from device.UnquoteString in one place, on purpose: after an octal escape it also copies the
// byte that follows as is, so "\303\251" gives 0xC3 followed by the four bytes `\251`.
func unquote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c == '"' {
			i++
			continue
		}
		if c == '\\' {
			i++
			if i == len(s) {
				break // trailing backslash: ignored
			}
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			case 'f':
				b.WriteByte('\f')
				i++
				continue
			}
			if s[i] >= '0' && s[i] <= '7' {
				var v byte
				for n := 0; n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; n++ {
					v = v<<3 + s[i] - '0'
					i++
				}
				if v != 0 {
					b.WriteByte(v)
				}
				if i == len(s) {
					break // amrecover would read past the end here
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// translate is amrecover's translate_octal: with translation on, a backslash not preceded by a
// backslash in the raw name starts an escape; three decimal digits after it give the byte
// d*64+d*8+d (digits 8 and 9 included, wrapping at 256), any other byte after it is taken as
// is. So `back\\slash` becomes `back\slash`, but `a\\\303` keeps its last escape.
func translate(raw string, on bool) string {
	if !on || !strings.Contains(raw, `\`) {
		return raw
	}
	var b strings.Builder
	isDigit := func(i int) bool { return i < len(raw) && raw[i] >= '0' && raw[i] <= '9' }
	for i := 0; i < len(raw); {
		if raw[i] != '\\' || (i > 0 && raw[i-1] == '\\') {
			b.WriteByte(raw[i])
			i++
			continue
		}
		i++
		switch {
		case isDigit(i) && isDigit(i+1) && isDigit(i+2):
			b.WriteByte(byte(int(raw[i]-'0')*64 + int(raw[i+1]-'0')*8 + int(raw[i+2]-'0')))
			i += 3
		case i < len(raw):
			b.WriteByte(raw[i])
			i++
		}
	}
	return b.String()
}

// cleanPathname is amrecover's clean_pathname: one trailing '/' removed (unless the path is
// "/"), "/." made "/", a trailing "/." removed.
func cleanPathname(s string) string {
	n := len(s)
	trimmed := n > 1 && s[n-1] == '/'
	if trimmed {
		s = s[:n-1]
	}
	if s == "/." {
		return "/"
	}
	if !trimmed && n > 2 && strings.HasSuffix(s, "/.") {
		s = s[:n-2]
	}
	return s
}

// basename and dirname are glib's g_path_get_basename and g_path_get_dirname.
func basename(p string) string {
	if p == "" {
		return "."
	}
	end := len(p)
	for end > 0 && p[end-1] == '/' {
		end--
	}
	if end == 0 {
		return "/"
	}
	start := strings.LastIndexByte(p[:end], '/') + 1
	return p[start:end]
}

func dirname(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "."
	}
	for i > 0 && p[i] == '/' {
		i--
	}
	return p[:i+1]
}

// fileOfPath splits a pattern argument as amrecover's file_of_path: the last component, and the
// directory before it ("" when there is none).
func fileOfPath(p string) (file, dir string) {
	dir = dirname(p)
	if dir == "." {
		dir = ""
	}
	return basename(p), dir
}

// mergePath joins two paths with exactly one '/' between them, as amrecover's merge_path.
func mergePath(a, b string) string {
	aSlash := a != "" && a[len(a)-1] == '/'
	bSlash := b != "" && b[0] == '/'
	switch {
	case aSlash && bSlash:
		return a + b[1:]
	case !aSlash && !bSlash:
		return a + "/" + b
	}
	return a + b
}

// dirSlash is a directory as amindexd looks it up in the index: "/" or "/docs/".
func dirSlash(dir string) string {
	if dir == "/" {
		return dir
	}
	return dir + "/"
}

// serverArg is how amindexd reads the argument of a command line it received: the first
// word after the command (double quotes group, backslash escapes the next byte), unquoted.
// ok is false when there is no argument.
func serverArg(s string) (arg string, ok bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return "", false
	}
	start, inQuote := i, false
	for i < len(s) && (inQuote || !isSpace(s[i])) {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case '\\':
			if i+1 < len(s) {
				i++
			}
		}
		i++
	}
	return unquote(s[start:i]), true
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// tapeLabels lists the volume labels of a marshalled tape string ("storage:label:files;..."),
// each once, as amrecover's unmarshal_tapelist_str reads it (backslash escapes in names).
func tapeLabels(tapes string) []string {
	var labels []string
	s := tapes
	field := func(stop string) string {
		var b strings.Builder
		for s != "" && !strings.ContainsRune(stop, rune(s[0])) {
			if s[0] == '\\' {
				s = s[1:]
				if s == "" {
					break
				}
			}
			b.WriteByte(s[0])
			s = s[1:]
		}
		return b.String()
	}
	for {
		field(":") // storage
		if s != "" {
			s = s[1:]
		}
		label := field(":")
		if s != "" {
			s = s[1:]
		}
		if !slices.Contains(labels, label) {
			labels = append(labels, label)
		}
		if i := strings.IndexByte(s, ';'); i >= 0 {
			s = s[i+1:]
		} else {
			s = ""
		}
		if s == "" {
			return labels
		}
	}
}
