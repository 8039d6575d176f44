package device

import "strings"

// needsQuote reports whether Amanda's quote_string would quote s.
func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		// Amanda compares a signed char with ' ', so on amd64 every byte >= 0x80 (UTF-8 included)
		// forces quoting as well.
		if c <= ' ' || c >= 0x7f || c == ':' || c == '\'' || c == '\\' || c == '"' {
			return true
		}
	}
	return false
}

// QuoteString quotes s the way Amanda's quote_string does: unchanged when it has no space,
// control byte, byte >= 0x7f, quote, backslash or colon; otherwise in double quotes with \t \n \r
// \f \\ \" escaped and every other byte copied as is. The empty string becomes "".
func QuoteString(s string) string {
	if !needsQuote(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// UnquoteString undoes QuoteString like Amanda's unquote_string: every unescaped double quote is
// dropped, \n \t \r \f are decoded, a backslash and 1-3 octal digits give that byte (a zero byte
// is dropped), a backslash before any other byte gives that byte, and a trailing lone backslash
// is ignored.
func UnquoteString(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			continue
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			break
		}
		switch c = s[i]; {
		case c == 'n':
			b.WriteByte('\n')
		case c == 't':
			b.WriteByte('\t')
		case c == 'r':
			b.WriteByte('\r')
		case c == 'f':
			b.WriteByte('\f')
		case c >= '0' && c <= '7':
			// Amanda accumulates in a char, so \400 and up wrap around.
			var v byte
			for n := 0; n < 3 && i < len(s) && s[i] >= '0' && s[i] <= '7'; n++ {
				v = v<<3 + s[i] - '0'
				i++
			}
			i--
			if v != 0 {
				b.WriteByte(v)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SanitiseFilename turns a string into one file name component as Amanda's sanitise_filename
// does: each '/', ':' and '\' becomes '_'.
func SanitiseFilename(s string) string {
	// Byte-wise, so names that are not valid UTF-8 pass through unchanged.
	b := []byte(s)
	for i, c := range b {
		if c == '/' || c == ':' || c == '\\' {
			b[i] = '_'
		}
	}
	return string(b)
}
