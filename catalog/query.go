package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// RefusalError is what amindexd refuses with a 501 reply; Error is the reply's text.
type RefusalError struct {
	msg string
}

func (e *RefusalError) Error() string { return e.msg }

// AmrecoverChanger returns what amindexd's TAPE verb answers: amrecover-changer, else tpchanger,
// else tapedev, as written in amanda.conf.
func (c *Catalog) AmrecoverChanger(ctx context.Context) (string, error) {
	for _, key := range []string{"amrecover_changer", "tpchanger", "tapedev"} {
		v, err := c.configValue(ctx, key)
		if err != nil {
			return "", fmt.Errorf("read %s: %w", key, err)
		}
		if v != "" {
			return v, nil
		}
	}
	return "", &RefusalError{"Tapedev or tpchanger not set in config file."}
}

// StorageChanger returns the changer of a storage, e.g. "chg-disk:/root/vtapes/main".
func (c *Catalog) StorageChanger(ctx context.Context, storage string) (string, error) {
	var changer string
	err := c.db.QueryRowContext(ctx, "SELECT changer FROM storages WHERE name = ?", storage).Scan(&changer)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("storage %q is not defined in config %s", storage, c.ConfigName())
	}
	if err != nil {
		return "", fmt.Errorf("read changer of storage %s: %w", storage, err)
	}
	return changer, nil
}

// Hosts lists the disklist's hosts in the order amindexd's LISTHOST gives them: by first
// appearance, spelt as there.
func (c *Catalog) Hosts(ctx context.Context) ([]string, error) {
	return c.strings(ctx, "list hosts", "SELECT name FROM hosts WHERE disklist_pos IS NOT NULL ORDER BY disklist_pos")
}

// Disks lists the disks of a host (compared without case) in disklist order, as LISTDISK does.
func (c *Catalog) Disks(ctx context.Context, host string) ([]string, error) {
	return c.strings(ctx, "list disks of "+host, `SELECT k.name FROM disks k JOIN hosts h ON h.id = k.host_id
		WHERE h.name = ? AND k.disklist_pos IS NOT NULL ORDER BY k.disklist_pos`, host)
}

func (c *Catalog) strings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	out, err := column[string](ctx, c.db, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// column returns the one column of a query's rows.
func column[T any](ctx context.Context, db *sql.DB, query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// DisklistHost returns the disklist's spelling of host (found without regard to case, like
// amindexd's lookup_host), which amindexd then uses in its replies.
func (c *Catalog) DisklistHost(ctx context.Context, host string) (string, error) {
	var name string
	err := c.db.QueryRowContext(ctx, "SELECT name FROM hosts WHERE name = ? AND disklist_pos IS NOT NULL", host).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &RefusalError{fmt.Sprintf("Host %s is not in your disklist.", host)}
	}
	if err != nil {
		return "", fmt.Errorf("look up host %s: %w", host, err)
	}
	return name, nil
}

// CheckHost answers like amindexd's HOST verb: nil, or a *RefusalError with the text of its
// 501 reply. amindexd 3.5.1 also has "No index records for host: X. Have you enabled
// indexing?", but its test treats get_index_dir's "not found" (-1) as found, so that text is
// never sent; neither is it here.
func (c *Catalog) CheckHost(ctx context.Context, host string) error {
	_, err := c.DisklistHost(ctx, host)
	return err
}

// CheckDisk answers like amindexd's DISK verb for a host: nil, or a *RefusalError with the
// text of its 501 reply, naming the host as the disklist spells it and the disk quoted.
// amindexd 3.5.1 never sends "No index records for disk: X. Invalid?" (it compares
// get_index_dir's result, 1 or -1, with 0), so a disklist disk without index is accepted and
// simply has an empty history.
func (c *Catalog) CheckDisk(ctx context.Context, host, disk string) error {
	name, err := c.DisklistHost(ctx, host)
	var refused *RefusalError
	if errors.As(err, &refused) {
		name = host
	} else if err != nil {
		return err
	}
	var one int
	err = c.db.QueryRowContext(ctx, `SELECT 1 FROM disks k JOIN hosts h ON h.id = k.host_id
		WHERE h.name = ? AND k.name = ? AND k.disklist_pos IS NOT NULL`, host, disk).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return &RefusalError{fmt.Sprintf("Disk %s:%s is not in the server's disklist.", name, device.QuoteString(disk))}
	}
	if err != nil {
		return fmt.Errorf("look up disk %s:%s: %w", host, disk, err)
	}
	return nil
}

// Entry is one line of a directory listing.
type Entry struct {
	Name   string // raw index form relative to the directory: "" the directory itself, "sub/", "file"
	DumpID int64  // the first dump of the chain that lists it
}

// chainFilter returns the SQL list "(?, ?, ...)" and its arguments for a chain of dump ids,
// and each dump's position in the chain.
func chainFilter(chain []int64) (string, []any, map[int64]int) {
	args := make([]any, len(chain))
	pos := make(map[int64]int, len(chain))
	for i, id := range chain {
		args[i] = id
		if _, dup := pos[id]; !dup {
			pos[id] = i
		}
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(chain)), ", ") + ")", args, pos
}

// dirPath makes a directory argument end in '/'.
func dirPath(dir string) string {
	if !strings.HasSuffix(dir, "/") {
		return dir + "/"
	}
	return dir
}

// chainDir finds the directory dir of the disk the chain's dumps belong to.
func chainDir(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, chain []int64, dir string) (diskID, dirID int64, ok bool, err error) {
	err = q.QueryRowContext(ctx, "SELECT disk_id FROM dumps WHERE id = ?", chain[0]).Scan(&diskID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, fmt.Errorf("no dump %d in the catalog", chain[0])
	}
	if err != nil {
		return 0, 0, false, err
	}
	err = q.QueryRowContext(ctx, "SELECT id FROM dirs WHERE disk_id = ? AND path = ?", diskID, dir).Scan(&dirID)
	if errors.Is(err, sql.ErrNoRows) {
		return diskID, 0, false, nil
	}
	return diskID, dirID, err == nil, err
}

// ListDir lists a directory ("/" or "/docs/", raw index form) as the union of the chain's
// indexes, like OLSD: each name once, owned by the first dump of the chain (newest first) that
// lists it, in bytewise name order ("" first).
func (c *Catalog) ListDir(ctx context.Context, chain []int64, dir string) ([]Entry, error) {
	if len(chain) == 0 {
		return nil, nil
	}
	dir = dirPath(dir)
	_, dirID, ok, err := chainDir(ctx, c.db, chain, dir)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("list %s: %w", dir, err)
		}
		return nil, err
	}
	in, args, pos := chainFilter(chain)
	rows, err := c.db.QueryContext(ctx, "SELECT name, dump_id FROM entries WHERE dir_id = ? AND dump_id IN "+in+" ORDER BY name",
		append([]any{dirID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	defer rows.Close()
	var out []Entry
	err = ownedEntries(rows, pos, func(e Entry) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	return out, nil
}

// ownedEntries reads (name, dump_id) rows ordered by name and calls fn once per name with the
// dump that comes first in the chain.
func ownedEntries(rows *sql.Rows, pos map[int64]int, fn func(Entry) error) error {
	var cur Entry
	have := false
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Name, &e.DumpID); err != nil {
			return err
		}
		switch {
		case have && e.Name == cur.Name:
			if pos[e.DumpID] < pos[cur.DumpID] {
				cur.DumpID = e.DumpID
			}
			continue
		case have:
			if err := fn(cur); err != nil {
				return err
			}
		}
		cur, have = e, true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if have {
		return fn(cur)
	}
	return nil
}

// DirExists answers OISD: whether any dump of the chain has a line at or below dir.
func (c *Catalog) DirExists(ctx context.Context, chain []int64, dir string) (bool, error) {
	if len(chain) == 0 {
		return false, nil
	}
	dir = dirPath(dir)
	_, dirID, ok, err := chainDir(ctx, c.db, chain, dir)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("look up directory %s: %w", dir, err)
		}
		return false, err
	}
	in, args, _ := chainFilter(chain)
	var exists bool
	err = c.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM entries WHERE dir_id = ? AND dump_id IN "+in+")",
		append([]any{dirID}, args...)...).Scan(&exists)
	if err != nil {
		return false, fmt.Errorf("look up directory %s: %w", dir, err)
	}
	return exists, nil
}

// WalkTree calls fn for every path at or below dir that an index line of the chain names, like
// ORLD: the directory itself ("/docs/") when listed, files ("/docs/x") and subdirectories
// ("/docs/sub/") with everything below them, raw, in bytewise path order, each once with the
// first dump of the chain that lists it. It streams: one cursor on the directories under dir in
// path order and one on the entries of each directory being walked.
func (c *Catalog) WalkTree(ctx context.Context, chain []int64, dir string, fn func(path string, owner int64) error) error {
	if len(chain) == 0 {
		return nil
	}
	dir = dirPath(dir)
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("walk %s: %w", dir, err)
	}
	defer tx.Rollback()
	diskID, _, ok, err := chainDir(ctx, tx, chain, dir)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("walk %s: %w", dir, err)
		}
		return err
	}
	// Paths below dir are those from dir up to, not including, dir with its final '/' made '0'.
	dirs, err := tx.QueryContext(ctx, "SELECT id, path FROM dirs WHERE disk_id = ? AND path >= ? AND path < ? ORDER BY path",
		diskID, dir, dir[:len(dir)-1]+"0")
	if err != nil {
		return fmt.Errorf("walk %s: %w", dir, err)
	}
	defer dirs.Close()
	in, args, pos := chainFilter(chain)
	// Not a prepared statement: a driver statement has one cursor, and the walk keeps one open
	// per level of the tree.
	entries := "SELECT name, dump_id FROM entries WHERE dir_id = ? AND dump_id IN " + in + " ORDER BY name"
	w := &treeWalker{ctx: ctx, tx: tx, dirs: dirs, entries: entries, args: args, pos: pos, fn: fn}
	id, ok, err := w.seek(dir)
	if err == nil && ok {
		err = w.walk(id, dir)
	}
	if err != nil {
		return fmt.Errorf("walk %s: %w", dir, err)
	}
	return nil
}

// TreeOwners returns the dumps of the chain, in chain order, that a walk of dir (WalkTree)
// would give as owner of some path: those that are the first of the chain to list some entry
// at or below dir. It asks, dump by dump, whether one such entry exists, so it usually stops
// at the first directory where a walk would read every entry of the tree.
func (c *Catalog) TreeOwners(ctx context.Context, chain []int64, dir string) ([]int64, error) {
	if len(chain) == 0 {
		return nil, nil
	}
	dir = dirPath(dir)
	tx, err := c.db.BeginTx(ctx, nil) // one snapshot for all the questions
	if err != nil {
		return nil, fmt.Errorf("find owners under %s: %w", dir, err)
	}
	defer tx.Rollback()
	diskID, _, ok, err := chainDir(ctx, tx, chain, dir)
	if err != nil || !ok {
		if err != nil {
			err = fmt.Errorf("find owners under %s: %w", dir, err)
		}
		return nil, err
	}
	var owners []int64
	for i, id := range chain {
		if slices.Contains(chain[:i], id) {
			continue
		}
		// A walk reports no "sub/" entry, but one that no newer dump lists may count all the
		// same: no newer dump lists anything below it either, while this one does.
		q := `SELECT EXISTS (SELECT 1 FROM dirs d JOIN entries e ON e.dir_id = d.id
			WHERE d.disk_id = ? AND d.path >= ? AND d.path < ? AND e.dump_id = ?`
		args := []any{diskID, dir, dir[:len(dir)-1] + "0", id}
		if i > 0 {
			in, newer, _ := chainFilter(chain[:i])
			q += " AND NOT EXISTS (SELECT 1 FROM entries n WHERE n.dir_id = e.dir_id AND n.name = e.name AND n.dump_id IN " + in + ")"
			args = append(args, newer...)
		}
		var owns bool
		if err := tx.QueryRowContext(ctx, q+")", args...).Scan(&owns); err != nil {
			return nil, fmt.Errorf("find owners under %s: %w", dir, err)
		}
		if owns {
			owners = append(owners, id)
		}
	}
	return owners, nil
}

type treeWalker struct {
	ctx     context.Context
	dirs    *sql.Rows // directories under the walked one, in path order
	curID   int64
	curPath string
	more    bool
	started bool
	tx      *sql.Tx
	entries string
	args    []any
	pos     map[int64]int
	fn      func(string, int64) error
}

// seek advances the directory cursor to path. The walk asks for directories in increasing path
// order, which is the cursor's order, so the cursor only moves forward.
func (w *treeWalker) seek(path string) (int64, bool, error) {
	if !w.started {
		w.started, w.more = true, w.next()
	}
	for w.more && w.curPath < path {
		w.more = w.next()
	}
	if err := w.dirs.Err(); err != nil {
		return 0, false, err
	}
	return w.curID, w.more && w.curPath == path, nil
}

func (w *treeWalker) next() bool {
	if !w.dirs.Next() {
		return false
	}
	return w.dirs.Scan(&w.curID, &w.curPath) == nil
}

// walk lists directory path depth first. Names sort bytewise and a subdirectory's paths all
// start with its "name/", so visiting it where its name sorts gives bytewise path order.
func (w *treeWalker) walk(id int64, path string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	rows, err := w.tx.QueryContext(w.ctx, w.entries, append([]any{id}, w.args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return ownedEntries(rows, w.pos, func(e Entry) error {
		switch {
		case e.Name == "":
			return w.fn(path, e.DumpID)
		case strings.HasSuffix(e.Name, "/"):
			sub := path + e.Name
			subID, ok, err := w.seek(sub)
			if err != nil || !ok {
				return err
			}
			return w.walk(subID, sub)
		default:
			return w.fn(path+e.Name, e.DumpID)
		}
	})
}

// Copy is one copy of a dump with what recovery needs to read it.
type Copy struct {
	ID, DumpID                      int64
	Host, Disk, Datestamp           string
	Level                           int
	Program, Application            string
	Storage, Pool, WriteTimestamp   string
	Status                          string // OK, PARTIAL or FAIL
	NativeCRC, ClientCRC, ServerCRC string // "8hex:bytes" or ""
	OrigKB                          int64
	Parts                           []Part
}

// Part is one part of a copy: a file on a volume, or a holding-disk file (Num -1, file 0,
// Label the holding file, as in Amanda's catalog).
type Part struct {
	Num         int
	Label       string
	Filenum     int
	HoldingPath string
	Bytes       int64
}

// Copy returns one copy and its parts in part order. Program and application come from the
// dump's header when the catalog saw one, else from the disklist; CRCs the copy's log line
// lacks (a vault copy's) are the dump's.
func (c *Catalog) Copy(ctx context.Context, copyID int64) (*Copy, error) {
	cp := &Copy{ID: copyID}
	err := c.db.QueryRowContext(ctx, `
		SELECT c.dump_id, h.name, k.name, d.datestamp, d.level,
			CASE WHEN d.program <> '' THEN d.program ELSE k.program END,
			CASE WHEN d.application <> '' THEN d.application ELSE k.application END,
			c.storage, c.pool, c.write_timestamp, c.status,
			CASE WHEN c.native_crc <> '' THEN c.native_crc ELSE d.native_crc END,
			CASE WHEN c.client_crc <> '' THEN c.client_crc ELSE d.client_crc END,
			CASE WHEN c.server_crc <> '' THEN c.server_crc ELSE d.server_crc END,
			CASE WHEN c.orig_kb <> 0 THEN c.orig_kb ELSE d.orig_kb END
		FROM copies c JOIN dumps d ON d.id = c.dump_id JOIN disks k ON k.id = d.disk_id JOIN hosts h ON h.id = k.host_id
		WHERE c.id = ?`, copyID).Scan(&cp.DumpID, &cp.Host, &cp.Disk, &cp.Datestamp, &cp.Level, &cp.Program, &cp.Application,
		&cp.Storage, &cp.Pool, &cp.WriteTimestamp, &cp.Status, &cp.NativeCRC, &cp.ClientCRC, &cp.ServerCRC, &cp.OrigKB)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("no copy %d in the catalog", copyID)
	}
	if err != nil {
		return nil, fmt.Errorf("read copy %d: %w", copyID, err)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT partnum, label, filenum, holding_path, bytes FROM parts
		WHERE copy_id = ? ORDER BY partnum, seq`, copyID)
	if err != nil {
		return nil, fmt.Errorf("read parts of copy %d: %w", copyID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Part
		if err := rows.Scan(&p.Num, &p.Label, &p.Filenum, &p.HoldingPath, &p.Bytes); err != nil {
			return nil, fmt.Errorf("read parts of copy %d: %w", copyID, err)
		}
		cp.Parts = append(cp.Parts, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read parts of copy %d: %w", copyID, err)
	}
	return cp, nil
}
