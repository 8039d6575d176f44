package fetch

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/amrshell/amrshell/internal/amatch"
)

// The amanda-match(7) expressions of dumpspecs, as Amanda's match_host, match_disk,
// match_datestamp and match_level: hosts and disks are globs matched against whole
// '.'- or '/'-separated words, datestamps and levels are prefixes or ranges, and a leading '='
// asks for the exact string.

// matchHost matches a host expression, without regard to ASCII case unless it is exact.
func matchHost(expr, host string) (bool, error) {
	if exact, ok := strings.CutPrefix(expr, "="); ok {
		return exact == host, nil
	}
	return matchWord(strings.ToLower(expr), strings.ToLower(host), '.')
}

// matchDisk matches a disk expression. A Windows share (\\host\share, no '/') is matched with
// its backslashes as slashes, and so are the doubled backslashes of the expression.
func matchDisk(expr, disk string) (bool, error) {
	if exact, ok := strings.CutPrefix(expr, "="); ok {
		return exact == disk, nil
	}
	if strings.HasPrefix(disk, `\\`) && !strings.Contains(disk, "/") {
		expr = strings.ReplaceAll(expr, `\\`, "/")
		disk = strings.ReplaceAll(disk, `\`, "/")
	}
	return matchWord(expr, disk, '/')
}

// matchWord matches a host or disk glob against word, both seen as sep-separated words: the
// glob must match whole words unless it is anchored with '^' or '$' or starts or ends with sep.
func matchWord(glob, word string, sep byte) (bool, error) {
	if glob == "" {
		return false, fmt.Errorf("empty expression")
	}
	s := regexp.QuoteMeta(string(sep))
	wrapped := wrapWord(word, sep, glob)
	switch glob {
	case string(sep), "^" + string(sep), string(sep) + "$", "^" + string(sep) + "$":
		return wrapped == string([]byte{sep, sep}), nil
	}
	g := glob
	begin := s
	switch {
	case g[0] == '^':
		begin, g = "^", g[1:]
		if g != "" && g[0] == sep {
			begin, g = "^"+s, g[1:]
		}
	case g[0] == sep:
		begin = ""
	}
	// The end is decided on the whole expression, as Amanda does, then cut off g.
	end := s
	switch last := glob[len(glob)-1]; {
	case last == '\\' || last == sep:
		end = ""
	case last == '$':
		end = "$"
		cut := 1
		if len(glob) >= 2 && glob[len(glob)-2] == sep {
			end, cut = s+"$", 2
			if len(glob) >= 3 && glob[len(glob)-3] == '\\' {
				cut = 3
			}
		}
		g = g[:max(0, len(g)-cut)]
	}
	re, err := compile(amatch.Glob(g, begin, end, sep, true))
	if err != nil {
		return false, err
	}
	return re.MatchString(wrapped), nil
}

// wrapWord puts sep around word where the glob is not anchored, so that globs match whole words.
func wrapWord(word string, sep byte, glob string) string {
	switch {
	case word == "":
		return string(sep)
	case word == string(sep):
		return string([]byte{sep, sep})
	}
	var b strings.Builder
	if word[0] != sep && glob[0] != '^' {
		b.WriteByte(sep)
	}
	b.WriteString(word)
	if word[len(word)-1] != sep && glob[len(glob)-1] != '$' {
		b.WriteByte(sep)
	}
	return b.String()
}

var regexps sync.Map // expression -> *regexp.Regexp, as Amanda's regex cache

func compile(expr string) (*regexp.Regexp, error) {
	if re, ok := regexps.Load(expr); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	regexps.Store(expr, re)
	return re, nil
}

// matchDatestamp matches a datestamp expression: a prefix ("2026112"), a range of prefixes
// ("20261120-22": 20261120 to 20261122), "$" for the whole stamp, "*" for any.
func matchDatestamp(expr, ds string) (bool, error) {
	if expr == "*" {
		return true, nil
	}
	if exact, ok := strings.CutPrefix(expr, "="); ok {
		return exact == ds, nil
	}
	illegal := fmt.Errorf("illegal datestamp expression %q", expr)
	e := strings.TrimPrefix(expr, "^")
	e, exact := strings.CutSuffix(e, "$")
	if e == "" {
		return false, illegal
	}
	if first, last, ok := strings.Cut(e, "-"); ok {
		// XXXYYYY-ZZZZ means XXXYYYY to XXXZZZZ.
		if exact || strings.Contains(last, "-") || len(last) > len(first) {
			return false, illegal
		}
		last = first[:len(first)-len(last)] + last
		if !allDigits(first) || !allDigits(last) || first > last {
			return false, illegal
		}
		return prefixCompare(ds, first) >= 0 && prefixCompare(ds, last) <= 0, nil
	}
	if !allDigits(e) {
		return false, illegal
	}
	if exact {
		return ds == e, nil
	}
	return strings.HasPrefix(ds, e), nil
}

// prefixCompare compares the first len(bound) bytes of s with bound, as strncmp does.
func prefixCompare(s, bound string) int {
	return strings.Compare(s[:min(len(s), len(bound))], bound)
}

// matchLevel matches a level expression: a prefix ("1" matches 1 and 12), "N$" exactly, or a
// range "LOW-HIGH".
func matchLevel(expr string, level int) (bool, error) {
	lv := strconv.Itoa(level)
	if exact, ok := strings.CutPrefix(expr, "="); ok {
		return exact == lv, nil
	}
	illegal := fmt.Errorf("illegal level expression %q", expr)
	e := strings.TrimPrefix(expr, "^")
	e, exact := strings.CutSuffix(e, "$")
	if e == "" {
		return false, illegal
	}
	if lowText, highText, ok := strings.Cut(e, "-"); ok {
		if exact || !allDigits(lowText) || !allDigits(highText) {
			return false, illegal
		}
		low, err1 := parseLevel(lowText)
		high, err2 := parseLevel(highText)
		if err1 != nil || err2 != nil {
			return false, illegal
		}
		return int64(level) >= low && int64(level) <= high, nil
	}
	if !allDigits(e) {
		return false, illegal
	}
	if exact {
		return lv == e, nil
	}
	return strings.HasPrefix(lv, e), nil
}

// parseLevel reads one end of a level range; an empty one is 0, as strtol makes it.
func parseLevel(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// allDigits is Amanda's alldigits: true for "" too.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
