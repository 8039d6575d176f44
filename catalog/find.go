package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// DumpFilter chooses dumps for FindDumps the way Amanda's dumpspecs do (amanda-match(7)
// patterns, which SQL cannot match). It is asked in stages, host, then disk, then dump, so that
// each stage reads only what the previous one kept, through the tables' indexes.
type DumpFilter interface {
	Host(host string) bool
	Disk(host, disk string) bool
	Dump(host, disk, datestamp string, level int) bool
}

// FoundDump is one dump image with every copy of it the catalog knows, whatever their status.
type FoundDump struct {
	ID         int64
	Host, Disk string
	Datestamp  string
	Level      int
	Copies     []*Copy // by copy id: in the order the importer met them
}

// FindDumps returns the dumps the filter chooses, with all their copies and each copy's parts,
// as Amanda::DB::Catalog's get_dumps hands them to the recovery planner: hosts in name order,
// disks in name order, dumps by timestamp and level.
func (c *Catalog) FindDumps(ctx context.Context, f DumpFilter) ([]FoundDump, error) {
	type disk struct {
		id         int64
		host, name string
	}
	hosts, err := c.idNames(ctx, "SELECT id, name FROM hosts ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("find dumps: list hosts: %w", err)
	}
	var disks []disk
	for _, h := range hosts {
		if !f.Host(h.name) {
			continue
		}
		// disks(host_id, name) is the UNIQUE index.
		ds, err := c.idNames(ctx, "SELECT id, name FROM disks WHERE host_id = ? ORDER BY name", h.id)
		if err != nil {
			return nil, fmt.Errorf("find dumps: list disks of %s: %w", h.name, err)
		}
		for _, d := range ds {
			if f.Disk(h.name, d.name) {
				disks = append(disks, disk{id: d.id, host: h.name, name: d.name})
			}
		}
	}
	var found []FoundDump
	for _, d := range disks {
		// dumps(disk_id, datestamp, level) is the UNIQUE index.
		rows, err := c.db.QueryContext(ctx, "SELECT id, datestamp, level FROM dumps WHERE disk_id = ? ORDER BY datestamp, level", d.id)
		if err != nil {
			return nil, fmt.Errorf("find dumps of %s:%s: %w", d.host, d.name, err)
		}
		var dumps []FoundDump
		for rows.Next() {
			fd := FoundDump{Host: d.host, Disk: d.name}
			if err := rows.Scan(&fd.ID, &fd.Datestamp, &fd.Level); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find dumps of %s:%s: %w", d.host, d.name, err)
			}
			if f.Dump(fd.Host, fd.Disk, fd.Datestamp, fd.Level) {
				dumps = append(dumps, fd)
			}
		}
		err = errors.Join(rows.Err(), rows.Close())
		if err != nil {
			return nil, fmt.Errorf("find dumps of %s:%s: %w", d.host, d.name, err)
		}
		for i := range dumps {
			if dumps[i].Copies, err = c.DumpCopies(ctx, dumps[i].ID); err != nil {
				return nil, err
			}
		}
		found = append(found, dumps...)
	}
	return found, nil
}

// DumpCopies reads every copy of a dump (the copies_dump index) with its parts, whatever its
// status, in the order the importer met them.
func (c *Catalog) DumpCopies(ctx context.Context, dumpID int64) ([]*Copy, error) {
	ids, err := c.idNames(ctx, "SELECT id, '' FROM copies WHERE dump_id = ? ORDER BY id", dumpID)
	if err != nil {
		return nil, fmt.Errorf("list copies of dump %d: %w", dumpID, err)
	}
	copies := make([]*Copy, 0, len(ids))
	for _, id := range ids {
		cp, err := c.Copy(ctx, id.id)
		if err != nil {
			return nil, err
		}
		copies = append(copies, cp)
	}
	return copies, nil
}

type idName struct {
	id   int64
	name string
}

// idNames runs a query of (id, name) rows.
func (c *Catalog) idNames(ctx context.Context, query string, args ...any) ([]idName, error) {
	rows, err := c.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []idName
	for rows.Next() {
		var r idName
		if err := rows.Scan(&r.id, &r.name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// VolumePosition returns a volume's position in the tapelist (1 = newest), as the recovery
// planner orders volumes; ok is false for a label the tapelist does not have.
func (c *Catalog) VolumePosition(ctx context.Context, label string) (pos int, ok bool, err error) {
	err = c.db.QueryRowContext(ctx, "SELECT position FROM volumes WHERE label = ?", label).Scan(&pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("look up volume %s in the tapelist: %w", label, err)
	}
	return pos, true, nil
}

// StorageList returns the configuration's `storage` list, in its order.
func (c *Catalog) StorageList(ctx context.Context) ([]string, error) {
	return c.strings(ctx, "list storages", "SELECT name FROM storages WHERE sort_id > 0 ORDER BY sort_id")
}

// StorageLabelstr returns the labelstr of a storage, "" when it has none or is not defined.
func (c *Catalog) StorageLabelstr(ctx context.Context, storage string) (string, error) {
	var labelstr string
	err := c.db.QueryRowContext(ctx, "SELECT labelstr FROM storages WHERE name = ?", storage).Scan(&labelstr)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read labelstr of storage %s: %w", storage, err)
	}
	return labelstr, nil
}
