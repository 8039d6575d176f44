package commands

import "strings"

// Pattern conversions of Amanda's match.c, as amrecover uses them for cd, add and delete.

// globToRegex is Amanda's glob_to_regex: the glob anchored with ^ and $, '*' as [^/]*, '?' as
// [^/], "[!" as "[^", other regex metacharacters escaped; a backslash quotes the next byte and a
// trailing lone backslash leaves the $ off (so the regex fails to compile, as intended there).
func globToRegex(glob string) string {
	var b strings.Builder
	b.WriteByte('^')
	inClass, inQuote := false, false
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch {
		case inClass:
			inClass = c != ']' || glob[i-1] == '\\'
			b.WriteByte(c)
		case inQuote:
			inQuote = false
			b.WriteByte(c)
		case c == '\\':
			inQuote = true
			b.WriteByte(c)
		case c == '[':
			b.WriteByte(c)
			inClass = true
			if i+1 < len(glob) && glob[i+1] == '!' {
				b.WriteByte('^')
				i++
			}
		case strings.IndexByte(".(){}+^$|", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '?':
			b.WriteString("[^/]")
		case c == '*':
			b.WriteString("[^/]*")
		default:
			b.WriteByte(c)
		}
	}
	if !inQuote {
		b.WriteByte('$')
	}
	return b.String()
}

// cleanRegex is Amanda's clean_regex without anchors: every byte that is not an ASCII letter or
// digit gets a backslash before it. (glibc reads some of those pairs as operators: "\<", "\>",
// "\`", "\'", so a cwd with such a byte in its name matches nothing, in amrecover too.)
func cleanRegex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// regexValid is amrecover's validate_regexp: "" when expr compiles, else glibc's message.
func regexValid(expr string) string {
	if _, err := compileRegex(expr); err != nil {
		return err.Error()
	}
	return ""
}
