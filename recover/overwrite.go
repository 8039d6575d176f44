package recover

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"

	"github.com/amrshell/amrshell/recover/gtar"
)

// preexisting lists, the first time the extract restores each of items into target, the
// entries at and below it, and returns the test the Overwrite policy asks: was an entry there
// before the extract began? What earlier dumps of the extract wrote is not: a later dump must
// replace it. Only the chosen paths are walked, not the whole restore directory.
func (x *Extract) preexisting(root gtar.FS, target string, items []Item) (func(name string) bool, error) {
	if x.walked == nil {
		x.walked = map[string]bool{}
	}
	var walk func(name string) error
	walk = func(name string) error {
		fi, err := root.Lstat(rootName(name))
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("look at ./%s before restoring over it: %w", name, err)
		}
		if name != "" {
			x.before[target+"\x00"+name] = true
		}
		if !fi.IsDir() {
			return nil
		}
		ents, err := root.ReadDir(rootName(name))
		if err != nil {
			return fmt.Errorf("list ./%s before restoring into it: %w", name, err)
		}
		for _, e := range ents {
			if err := walk(path.Join(name, e.Name())); err != nil {
				return err
			}
		}
		return nil
	}
	for _, it := range items {
		name := memberName(it.Path)
		if x.walked[target+"\x00"+name] || !filepath.IsLocal(rootName(name)) {
			continue // walked already; a hostile name is the extractor's to refuse
		}
		x.walked[target+"\x00"+name] = true
		if err := walk(name); err != nil {
			return nil, err
		}
	}
	return func(name string) bool { return x.before[target+"\x00"+name] }, nil
}

// rootName is the root-relative name of a member path ("" is the restore directory itself).
func rootName(name string) string {
	if name == "" {
		return "."
	}
	return name
}
