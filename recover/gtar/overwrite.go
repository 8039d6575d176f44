package gtar

import (
	"fmt"
	"strings"
	"time"
)

// Overwrite is the policy for entries already in the restore directory where a member goes
// (Options.Overwrite), in restic's words.
type Overwrite int

const (
	// OverwriteAlways replaces the entry: what GNU tar -x, and so amrecover, does. The default.
	OverwriteAlways Overwrite = iota
	// OverwriteNever keeps the entry, and says so.
	OverwriteNever
	// OverwriteIfNewer replaces the entry only when the member's mtime is later than its own.
	OverwriteIfNewer
)

var overwriteNames = []string{OverwriteAlways: "always", OverwriteNever: "never", OverwriteIfNewer: "if-newer"}

// String returns the policy's name: "always", "never" or "if-newer".
func (o Overwrite) String() string {
	if o >= 0 && int(o) < len(overwriteNames) {
		return overwriteNames[o]
	}
	return fmt.Sprintf("Overwrite(%d)", int(o))
}

// ParseOverwrite returns the policy named s ("always", "never", "if-newer").
func ParseOverwrite(s string) (Overwrite, error) {
	for i, n := range overwriteNames {
		if s == n {
			return Overwrite(i), nil
		}
	}
	return 0, fmt.Errorf("unknown overwrite policy %q: want %s", s, strings.Join(overwriteNames, ", "))
}

// kept applies the Overwrite policy to member h, about to be written at name: it reports
// whether what is there stays, and then says so on Notes and counts it.
func (x *extractor) kept(h *Header, name string) bool {
	why := x.keepExisting(h, name)
	if why == "" {
		return false
	}
	x.stats.Kept++
	fmt.Fprintf(x.notes, "amrshell: %s: kept what is there: %s\n", EscapeName(h.Name), why)
	return true
}

// keepExisting applies the Overwrite policy to a member other than a directory: it says why
// what is at name stays, or "" when the member is to be extracted.
func (x *extractor) keepExisting(h *Header, name string) string {
	if x.policy == OverwriteAlways {
		return ""
	}
	fi, err := x.fs.Lstat(name)
	if err != nil || (x.before != nil && !x.before(name)) {
		return "" // nothing there (or nothing readable, which the extraction reports), or ours
	}
	if x.policy == OverwriteNever {
		return "it exists (overwrite policy never)"
	}
	if !h.Mtime.After(fi.ModTime()) {
		return fmt.Sprintf("it is not older than the dump's (mtime %s, the dump's %s; overwrite policy if-newer)",
			fi.ModTime().UTC().Format(time.DateTime), h.Mtime.UTC().Format(time.DateTime))
	}
	return ""
}
