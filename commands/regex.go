package commands

import (
	"strings"

	"github.com/amrshell/amrshell/internal/amatch"
)

// Pattern conversions of Amanda's match.c, as amrecover uses them for cd, add and delete.

// globToRegex is Amanda's glob_to_regex: the glob anchored with ^ and $, '*' as [^/]*, '?' as
// [^/], "[!" as "[^", other regex metacharacters escaped; a backslash quotes the next byte and a
// trailing lone backslash leaves the $ off (so the regex fails to compile, as intended there).
func globToRegex(glob string) string { return amatch.Glob(glob, "^", "$", '/', false) }

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
