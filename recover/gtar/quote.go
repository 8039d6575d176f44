package gtar

import "strings"

// EscapeName quotes a member name as GNU tar's default "escape" style does in the C locale:
// the way tar -v prints names and Amanda's index files store them. Backslash becomes \\, the C
// control escapes (\a \b \f \n \r \t \v) are used, and every other byte that is not printable
// ASCII (controls, DEL, all non-ASCII bytes) becomes a three-digit octal escape \ooo.
func EscapeName(name string) string {
	return escape(name, 0)
}

// quoteName quotes a name as GNU tar's quote() does in its messages ("Deleting './x'"): the
// escape style inside single quotes, with the quote itself escaped as \'.
func quoteName(name string) string {
	return "'" + escape(name, '\'') + "'"
}

func escape(name string, quote byte) string {
	clean := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c >= 0x7f || c == '\\' || (quote != 0 && c == quote) {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 16)
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '\\' || (quote != 0 && c == quote):
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		case c == '\a':
			b.WriteString(`\a`)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\f':
			b.WriteString(`\f`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\v':
			b.WriteString(`\v`)
		default:
			b.WriteByte('\\')
			b.WriteByte('0' + c>>6)
			b.WriteByte('0' + c>>3&7)
			b.WriteByte('0' + c&7)
		}
	}
	return b.String()
}

// UnescapeName reverses EscapeName (and the C-style escapes GNU tar's other quoting styles
// produce): \ooo (one to three octal digits), \a \b \f \n \r \t \v, and \X for any other X.
// A trailing lone backslash is kept.
func UnescapeName(s string) string {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for n := 1; n < 3 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; n++ {
				i++
				v = v<<3 | int(s[i]-'0')
			}
			b.WriteByte(byte(v))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
