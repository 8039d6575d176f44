package gtar

// Rename is one directory rename a dump records: the directory named From before the dump is
// named To in it. Both are in the Member form ("projects/alpha", no "./" and no trailing "/").
type Rename struct{ From, To string }

// Renames returns the renames that a dumpdir's R/T records make, as Extract applies them: from
// the names before the dump to the names in it, cycles and chains already resolved. Records
// that Extract refuses (malformed, or naming paths outside the restore directory) are left out.
func Renames(dd []DumpdirEntry) []Rename {
	moves, _ := dumpdirMoves(dd)
	return moves
}
