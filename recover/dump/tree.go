package dump

import (
	"slices"
	"strings"

	"github.com/amrshell/amrshell/recover/gtar"
)

// rel is one name of an inode: an entry of a directory. The same rel in two dumps is the same
// link, even when the paths above it changed.
type rel struct {
	parent uint32
	name   string
}

// link is a name of an inode laid out in a tree.
type link struct {
	rel
	path string // Member form: "apt/conf00.conf", "" for the top directory
	dir  bool
	ino  uint32
}

// layout is a tree laid out from its top directory: every name of every inode it reaches.
type layout struct {
	links map[uint32][]link // by inode, sorted by path
}

// walk lays out tree (directory inode -> entries) from RootIno. A directory has one name: a
// second entry naming it (a loop, or a hard link to a directory) is refused through refuse
// (nil: silently), and so are paths more than depthLimit directories deep.
func walk(tree map[uint32][]Entry, refuse func(path string, err error)) layout {
	if refuse == nil {
		refuse = func(string, error) {}
	}
	l := layout{links: map[uint32][]link{RootIno: {{path: "", dir: true, ino: RootIno}}}}
	type frame struct {
		ino   uint32
		path  string
		depth int
	}
	stack := []frame{{RootIno, "", 0}}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, e := range tree[f.ino] {
			p := e.Name
			if f.path != "" {
				p = f.path + "/" + e.Name
			}
			dir := e.Type == dtDir || (e.Type == dtUnknown && tree[e.Ino] != nil)
			if dir {
				if first, ok := l.links[e.Ino]; ok {
					refuse(p, gtar.Refusal("directory inode %d is already at %s", e.Ino, gtar.QuoteName(dirLabel(first[0].path))))
					continue
				}
				if f.depth >= depthLimit {
					refuse(p, gtar.Refusal("more than %d directories deep", depthLimit))
					continue
				}
				stack = append(stack, frame{e.Ino, p, f.depth + 1})
			}
			l.links[e.Ino] = append(l.links[e.Ino], link{rel{f.ino, e.Name}, p, dir, e.Ino})
		}
	}
	for _, ls := range l.links {
		slices.SortFunc(ls, func(a, b link) int { return strings.Compare(a.path, b.path) })
	}
	return l
}
