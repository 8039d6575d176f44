// Package amatch holds what Amanda's match.c does for more than one part of amrshell: turning
// its globs into regular expressions.
package amatch

import (
	"regexp"
	"strings"
)

// Glob turns an Amanda glob into a regular expression between begin and end, as match.c's
// glob_to_regex (amrecover's paths: sep '/', doubleStar false) and amglob_to_regex
// (amanda-match(7) hosts and disks: "**" crosses separators) do: '?' and '*' stay between
// separators, [...] and [!...] are classes, other regex metacharacters are escaped, and a
// backslash quotes the next byte; a trailing lone backslash leaves end off, so that the
// expression fails to compile, as intended there.
func Glob(glob, begin, end string, sep byte, doubleStar bool) string {
	notSep := "[^" + regexp.QuoteMeta(string(sep)) + "]"
	var b strings.Builder
	b.WriteString(begin)
	inClass, quoted := false, false
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch {
		case inClass:
			inClass = c != ']' || glob[i-1] == '\\'
			b.WriteByte(c)
		case quoted:
			quoted = false
			b.WriteByte(c)
		case c == '\\':
			quoted = true
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
			b.WriteString(notSep)
		case c == '*' && doubleStar && i+1 < len(glob) && glob[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString(notSep + "*")
		default:
			b.WriteByte(c)
		}
	}
	if !quoted {
		b.WriteString(end)
	}
	return b.String()
}
