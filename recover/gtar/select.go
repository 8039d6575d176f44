package gtar

import "strings"

// Choice is how a member is selected for extraction.
type Choice int

const (
	// NotSelected members are skipped (their dumpdir's rename records still count, see Extract).
	NotSelected Choice = iota
	// Listed members are what tar --files-from would extract: printed on Options.Verbose and
	// created; a listed directory member also has its dumpdir applied as tar -G does.
	Listed
	// Exact directory members are not printed nor created, but their dumpdir is applied
	// silently, so that restoring a directory's entries one by one (amrecover's `add *`) gives
	// the same tree as restoring the directory (`add .`). On other members Exact is NotSelected.
	Exact
)

func (c Choice) String() string {
	switch c {
	case NotSelected:
		return "not selected"
	case Listed:
		return "listed"
	case Exact:
		return "exact"
	}
	return "choice?"
}

// Selection tells Extract which members to restore.
type Selection interface {
	// Member reports how the member named name (archive form without "./" prefix and without
	// trailing "/", "" for the top directory) is selected: not at all, listed (tar would extract
	// and print it), or only "exact" (amrshell restores the directory's state silently).
	Member(name string) Choice
}

// PathSelection selects by path, as tar's --files-from list does: a Listed path selects its
// member and everything below it; an Exact path selects only its own directory member.
// Paths are in the Member form ("docs/readme.txt", "" for the top); Add normalises "./x",
// "/x" and "x/".
type PathSelection map[string]Choice

// Add selects path with choice c. Listed wins over Exact when both are given for a path.
func (s PathSelection) Add(path string, c Choice) {
	path = normalisePath(path)
	if c == NotSelected || s[path] == Listed {
		return
	}
	s[path] = c
}

// Member implements Selection.
func (s PathSelection) Member(name string) Choice {
	own := s[name]
	if own == Listed {
		return Listed
	}
	for p := name; p != ""; {
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			p = ""
		} else {
			p = p[:i]
		}
		if s[p] == Listed {
			return Listed
		}
	}
	return own
}

// normalisePath turns "./a/b/", "/a/b", "a//b" and "." into the Member form "a/b" or "".
func normalisePath(p string) string {
	var parts []string
	for _, f := range strings.Split(p, "/") {
		if f != "" && f != "." {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, "/")
}

// everything selects every member as Listed: extraction without a selection.
type everything struct{}

func (everything) Member(string) Choice { return Listed }
