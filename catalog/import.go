package catalog

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/device"
)

// ImportStats tells what one ImportServer run did.
type ImportStats struct {
	LogsRead, LogsSkipped       int // trace logs parsed / unchanged since the last run
	HoldingRead, HoldingSkipped int // holding-disk dumps recorded / unchanged
	IndexRead, IndexSkipped     int // index files imported / of dumps already indexed
	IndexLines                  int64
	Copies                      int // copies written
	PartialParts                int // PARTPARTIAL parts discarded
	Removed                     int // logs, holding files and indexes gone since the last run
	Warnings                    []string
}

// holdingWriteTimestamp is the write timestamp find.c gives holding-disk dumps.
const holdingWriteTimestamp = "00000000000000"

// ImportServer brings the catalog up to date with the server state that cfg describes:
// configuration facts and disklist, tapelist, the trace logs of the volumes in the tapelist,
// the holding disks and the index files. Files unchanged since the last run are not read
// again; index files are read once per dump.
func (c *Catalog) ImportServer(ctx context.Context, cfg *amconf.Config) (ImportStats, error) {
	var st ImportStats
	if err := c.importConfig(ctx, cfg); err != nil {
		return st, fmt.Errorf("import config %s: %w", cfg.Path, err)
	}
	vols, changed, fi, err := c.importTapelist(ctx, cfg.Tapelist)
	if err != nil {
		return st, fmt.Errorf("import tapelist %s: %w", cfg.Tapelist, err)
	}
	if err := c.importLogs(ctx, cfg, vols, changed, &st); err != nil {
		return st, err
	}
	if changed {
		// Only now: an import stopped before the logs were judged against the new tapelist
		// must see it as changed again next time.
		err := c.inTx(ctx, func(tx *sql.Tx) error {
			_, err := upsertSource(ctx, tx, cfg.Tapelist, "tapelist", fi)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("import tapelist %s: %w", cfg.Tapelist, err)
		}
	}
	if err := c.importHolding(ctx, cfg, &st); err != nil {
		return st, err
	}
	if err := c.importIndexes(ctx, cfg, &st); err != nil {
		return st, err
	}
	c.mu.Lock()
	c.configName = cfg.Name
	c.mu.Unlock()
	return st, nil
}

func (c *Catalog) importConfig(ctx context.Context, cfg *amconf.Config) error {
	conf, err := os.ReadFile(cfg.Path)
	if err != nil {
		return err
	}
	disklist, err := os.ReadFile(cfg.DiskFile)
	if err != nil {
		return err
	}
	return c.inTx(ctx, func(tx *sql.Tx) error {
		if err := saveConfigFile(ctx, tx, configFileAmandaConf, cfg.Path, conf); err != nil {
			return err
		}
		if err := saveConfigFile(ctx, tx, configFileDisklist, cfg.DiskFile, disklist); err != nil {
			return err
		}
		for k, v := range map[string]string{
			"name": cfg.Name, "amrecover_changer": cfg.AmrecoverChanger,
			"tpchanger": cfg.TPChanger, "tapedev": cfg.TapeDev,
		} {
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO config(key, value) VALUES (?, ?)", k, v); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM storages"); err != nil {
			return err
		}
		for _, s := range cfg.Storages {
			sortID := slices.Index(cfg.StorageList, s.Name) + 1
			if _, err := tx.ExecContext(ctx, "INSERT INTO storages(name, changer, pool, labelstr, sort_id) VALUES (?, ?, ?, ?, ?)",
				s.Name, s.TPChanger, s.TapePool, s.Labelstr, sortID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hosts SET disklist_pos = NULL"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE disks SET disklist_pos = NULL"); err != nil {
			return err
		}
		hostPos := map[string]int{}
		for i, d := range cfg.Disklist {
			pos, seen := hostPos[strings.ToLower(d.Host)]
			if !seen {
				pos = len(hostPos)
				hostPos[strings.ToLower(d.Host)] = pos
			}
			hostID, err := upsertHost(ctx, tx, d.Host)
			if err != nil {
				return err
			}
			// The disklist spells the host as amindexd answers it.
			if _, err := tx.ExecContext(ctx, "UPDATE hosts SET name = ?, disklist_pos = ? WHERE id = ?", d.Host, pos, hostID); err != nil {
				return err
			}
			diskID, err := upsertDisk(ctx, tx, hostID, d.Disk)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE disks SET device = ?, dumptype = ?, program = ?, application = ?, disklist_pos = ? WHERE id = ?",
				d.Device, d.Dumptype, d.Program, d.Application, i, diskID); err != nil {
				return err
			}
		}
		return nil
	})
}

// importTapelist reads the tapelist and stores its volumes when it changed since the last run;
// the caller records it as read once the logs were judged against it.
func (c *Catalog) importTapelist(ctx context.Context, path string) ([]Volume, bool, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, nil, err
	}
	text, err := io.ReadAll(f)
	if err != nil {
		return nil, false, nil, err
	}
	vols, err := ParseTapelist(bytes.NewReader(text))
	if err != nil {
		return nil, false, nil, err
	}
	unchanged, err := c.sourceUnchanged(ctx, path, fi)
	if err != nil {
		return nil, false, nil, err
	}
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		// Saved even when unchanged: a catalog made before config_files existed lacks it.
		if err := saveConfigFile(ctx, tx, configFileTapelist, path, text); err != nil || unchanged {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM volumes"); err != nil {
			return err
		}
		for _, v := range vols {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO volumes(label, position, datestamp, reuse, barcode, meta,
				blocksize_kb, pool, storage, config, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				v.Label, v.Position, v.Datestamp, v.Reuse, v.Barcode, v.Meta, v.BlocksizeKB, v.Pool, v.Storage, v.Config, v.Comment); err != nil {
				return err
			}
		}
		return nil
	})
	return vols, !unchanged, fi, err
}

// selectedLog is a trace log that find.c's find_dump reads.
type selectedLog struct {
	path, datestamp string
}

// selectLogs lists the logs find_dump reads: for each datestamp of the tapelist, in tapelist
// order, log.DS.0, log.DS.1 ... up to the first missing one, then log.DS.amflush and log.DS.
func selectLogs(logdir string, vols []Volume) []selectedLog {
	var out []selectedLog
	seen := map[string]bool{}
	readable := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.Mode().IsRegular()
	}
	for _, v := range vols {
		if seen[v.Datestamp] {
			continue
		}
		seen[v.Datestamp] = true
		base := filepath.Join(logdir, "log."+v.Datestamp)
		for seq := 0; ; seq++ {
			p := base + "." + strconv.Itoa(seq)
			if !readable(p) {
				break
			}
			out = append(out, selectedLog{p, v.Datestamp})
		}
		for _, p := range []string{base + ".amflush", base} {
			if readable(p) {
				out = append(out, selectedLog{p, v.Datestamp})
			}
		}
	}
	return out
}

func (c *Catalog) importLogs(ctx context.Context, cfg *amconf.Config, vols []Volume, tapelistChanged bool, st *ImportStats) error {
	written := map[string]string{}
	for _, v := range vols {
		written[v.Label] = v.Datestamp
	}
	// find.c's volume_matches: a label counts only while the tapelist still has it written at
	// the datestamp of the START line.
	valid := func(label, datestamp string) bool {
		ds, ok := written[label]
		return ok && ds == datestamp
	}
	selected := selectLogs(cfg.LogDir, vols)
	keep := map[string]bool{}
	for _, l := range selected {
		keep[l.path] = true
		if err := ctx.Err(); err != nil {
			return err
		}
		fi, err := os.Stat(l.path)
		if err != nil {
			return fmt.Errorf("import log %s: %w", l.path, err)
		}
		unchanged, err := c.sourceUnchanged(ctx, l.path, fi)
		if err != nil {
			return fmt.Errorf("import log %s: %w", l.path, err)
		}
		if unchanged && !tapelistChanged {
			st.LogsSkipped++
			continue
		}
		copies, err := readLog(l.path, l.datestamp, cfg.Name, valid)
		if err != nil {
			return fmt.Errorf("import log %s: %w", l.path, err)
		}
		err = c.inTx(ctx, func(tx *sql.Tx) error {
			srcID, err := upsertSource(ctx, tx, l.path, "log", fi)
			if err != nil {
				return err
			}
			return writeCopies(ctx, tx, srcID, copies)
		})
		if err != nil {
			return fmt.Errorf("import log %s: %w", l.path, err)
		}
		st.LogsRead++
		st.Copies += len(copies)
		for _, cp := range copies {
			st.PartialParts += cp.discardedPartials
		}
	}
	n, err := c.dropSources(ctx, "log", keep)
	st.Removed += n
	return err
}

func readLog(path, datestamp, configName string, valid func(label, datestamp string) bool) ([]logCopy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return searchLog(f, datestamp, configName, valid)
}

func (c *Catalog) importHolding(ctx context.Context, cfg *amconf.Config, st *ImportStats) error {
	keep := map[string]bool{}
	for _, hd := range cfg.HoldingDisks {
		files, err := device.ScanHoldingDisk(hd.Directory)
		if err != nil {
			// The list is still good for the files it has; a missing holding disk is only noted.
			st.Warnings = append(st.Warnings, fmt.Sprintf("holding disk %s: %v", hd.Name, err))
		}
		for _, h := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			keep[h.Path] = true
			fi, err := os.Stat(h.Path)
			if err != nil {
				return fmt.Errorf("import holding file %s: %w", h.Path, err)
			}
			unchanged, err := c.sourceUnchanged(ctx, h.Path, fi)
			if err != nil {
				return fmt.Errorf("import holding file %s: %w", h.Path, err)
			}
			if unchanged {
				st.HoldingSkipped++
				continue
			}
			err = c.inTx(ctx, func(tx *sql.Tx) error {
				return writeHoldingCopy(ctx, tx, h, fi)
			})
			if err != nil {
				return fmt.Errorf("import holding file %s: %w", h.Path, err)
			}
			st.HoldingRead++
			st.Copies++
		}
	}
	n, err := c.dropSources(ctx, "holding", keep)
	st.Removed += n
	return err
}

// writeHoldingCopy records the holding-disk dump h (its first chunk's file info fi) as find.c
// lists it: one copy in storage HOLDING, one part numbered -1 at file 0.
func writeHoldingCopy(ctx context.Context, tx *sql.Tx, h *device.HoldingFile, fi os.FileInfo) error {
	hdr := h.Header
	cp := logCopy{
		host: hdr.Host, disk: hdr.Disk, datestamp: hdr.Datestamp, level: hdr.Level,
		storage: "HOLDING", pool: "HOLDING", status: "OK", writeTimestamp: holdingWriteTimestamp,
		origKB: hdr.OrigSizeKB, nativeCRC: hdr.NativeCRC.String(), clientCRC: hdr.ClientCRC.String(),
		serverCRC: hdr.ServerCRC.String(), program: hdr.Program, application: hdr.Application,
		parts: []logPart{{partnum: -1, totalparts: -1, label: h.Path, holdingPath: h.Path, bytes: h.Size}},
	}
	if hdr.Partial {
		cp.status = "PARTIAL"
	}
	srcID, err := upsertSource(ctx, tx, h.Path, "holding", fi)
	if err != nil {
		return err
	}
	return writeCopies(ctx, tx, srcID, []logCopy{cp})
}

// indexKey names one dump's index among the files of an index directory.
type indexKey struct {
	diskID    int64
	datestamp string
	level     int
}

type indexFile struct {
	path string
	rank int
}

func (c *Catalog) importIndexes(ctx context.Context, cfg *amconf.Config, st *ImportStats) error {
	type disk struct {
		id         int64
		host, name string
	}
	var disks []disk
	rows, err := c.db.QueryContext(ctx, "SELECT k.id, h.name, k.name FROM disks k JOIN hosts h ON h.id = k.host_id ORDER BY k.id")
	if err != nil {
		return fmt.Errorf("import indexes: %w", err)
	}
	for rows.Next() {
		var d disk
		if err := rows.Scan(&d.id, &d.host, &d.name); err != nil {
			rows.Close()
			return fmt.Errorf("import indexes: %w", err)
		}
		disks = append(disks, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("import indexes: %w", err)
	}

	found := map[indexKey]indexFile{}
	var order []indexKey
	for _, d := range disks {
		for _, cand := range indexDirs(cfg.IndexDir, d.host, d.name) {
			entries, err := os.ReadDir(cand.dir)
			if err != nil {
				continue
			}
			for _, e := range entries {
				ts, level, rank, ok := parseIndexName(e.Name())
				if !ok || (cand.old && indexSuffixes[rank] != ".gz") {
					continue
				}
				k := indexKey{d.id, ts, level}
				prev, seen := found[k]
				if !seen {
					order = append(order, k)
				}
				if !seen || rank < prev.rank {
					found[k] = indexFile{filepath.Join(cand.dir, e.Name()), rank}
				}
			}
		}
	}

	for _, k := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		var indexed sql.NullInt64
		err := c.db.QueryRowContext(ctx, "SELECT index_source FROM dumps WHERE disk_id = ? AND datestamp = ? AND level = ?",
			k.diskID, k.datestamp, k.level).Scan(&indexed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("import indexes: %w", err)
		}
		if indexed.Valid {
			st.IndexSkipped++
			continue
		}
		file := found[k]
		fi, err := os.Stat(file.path)
		if err != nil {
			return fmt.Errorf("import index %s: %w", file.path, err)
		}
		lines, err := c.importIndexFile(ctx, k.diskID, k.datestamp, k.level, file.path, fi)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			// A damaged index must not stop the rest; it is tried again on the next run.
			st.Warnings = append(st.Warnings, fmt.Sprintf("index %s: %v", file.path, err))
			continue
		}
		if err := c.importDumpHeader(ctx, k, file.path); err != nil {
			st.Warnings = append(st.Warnings, err.Error())
		}
		st.IndexRead++
		st.IndexLines += lines
	}
	n, err := c.pruneIndexes(ctx, found)
	st.Removed += n
	return err
}

type indexDir struct {
	dir string
	old bool // pre-2.5 naming: only TS_L.gz files there count
}

// indexDirs lists the directories amindexd looks in for a disk's index files: the host as
// given and in lower case, with sanitise_filename and then old_sanitise_filename names.
func indexDirs(indexdir, host, disk string) []indexDir {
	var out []indexDir
	hosts := []string{host}
	if lower := strings.ToLower(host); lower != host {
		hosts = append(hosts, lower)
	}
	for _, old := range []bool{false, true} {
		for _, h := range hosts {
			var d indexDir
			if old {
				d = indexDir{filepath.Join(indexdir, oldSanitise(h), oldSanitise(disk)), true}
			} else {
				d = indexDir{filepath.Join(indexdir, device.SanitiseFilename(h), device.SanitiseFilename(disk)), false}
			}
			if !slices.ContainsFunc(out, func(o indexDir) bool { return o.dir == d.dir }) {
				out = append(out, d)
			}
		}
	}
	return out
}

// oldSanitise is Amanda's old_sanitise_filename: '_' doubled, then '/' made '_'.
func oldSanitise(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "_", "__"), "/", "_")
}

// importDumpHeader records program and application from the dump's TS_L.header file, written
// by the dumper beside the index.
func (c *Catalog) importDumpHeader(ctx context.Context, k indexKey, indexPath string) error {
	p := filepath.Join(filepath.Dir(indexPath), k.datestamp+"_"+strconv.Itoa(k.level)+".header")
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read dump header %s: %w", p, err)
	}
	h, err := device.ParseHeader(b)
	if err != nil {
		return fmt.Errorf("read dump header %s: %w", p, err)
	}
	_, err = c.db.ExecContext(ctx, `UPDATE dumps SET program = ?, application = ? WHERE disk_id = ? AND datestamp = ? AND level = ?`,
		h.Program, h.Application, k.diskID, k.datestamp, k.level)
	return err
}

// pruneIndexes drops the index of every dump whose index files are gone (amtrmidx removed them)
// and that no copy references any more, and the dumps left with neither.
func (c *Catalog) pruneIndexes(ctx context.Context, found map[indexKey]indexFile) (int, error) {
	type gone struct {
		dumpID, diskID, sourceID int64
	}
	var drop []gone
	rows, err := c.db.QueryContext(ctx, `SELECT d.id, d.disk_id, d.datestamp, d.level, d.index_source FROM dumps d
		WHERE d.index_source IS NOT NULL AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.dump_id = d.id)`)
	if err != nil {
		return 0, fmt.Errorf("prune indexes: %w", err)
	}
	for rows.Next() {
		var g gone
		var k indexKey
		if err := rows.Scan(&g.dumpID, &g.diskID, &k.datestamp, &k.level, &g.sourceID); err != nil {
			rows.Close()
			return 0, fmt.Errorf("prune indexes: %w", err)
		}
		k.diskID = g.diskID
		if _, ok := found[k]; !ok {
			drop = append(drop, g)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("prune indexes: %w", err)
	}
	for _, g := range drop {
		err := c.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, "DELETE FROM entries WHERE dump_id = ? AND dir_id IN (SELECT id FROM dirs WHERE disk_id = ?)", g.dumpID, g.diskID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM dumps WHERE id = ?", g.dumpID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "DELETE FROM sources WHERE id = ?", g.sourceID)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("prune index of dump %d: %w", g.dumpID, err)
		}
	}
	_, err = c.db.ExecContext(ctx, `DELETE FROM dumps WHERE index_source IS NULL
		AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.dump_id = dumps.id)`)
	if err != nil {
		return 0, fmt.Errorf("prune dumps: %w", err)
	}
	return len(drop), nil
}

// sourceUnchanged reports whether path was imported before with this size and mtime.
func (c *Catalog) sourceUnchanged(ctx context.Context, path string, fi os.FileInfo) (bool, error) {
	var size, mtime int64
	err := c.db.QueryRowContext(ctx, "SELECT size, mtime_ns FROM sources WHERE path = ?", path).Scan(&size, &mtime)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return size == fi.Size() && mtime == fi.ModTime().UnixNano(), nil
}

func upsertSource(ctx context.Context, tx *sql.Tx, path, kind string, fi os.FileInfo) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO sources(path, kind, size, mtime_ns) VALUES (?, ?, ?, ?)
		ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, size = excluded.size, mtime_ns = excluded.mtime_ns
		RETURNING id`, path, kind, fi.Size(), fi.ModTime().UnixNano()).Scan(&id)
	return id, err
}

// dropSources forgets the sources of a kind that are not in keep, and what came from them.
func (c *Catalog) dropSources(ctx context.Context, kind string, keep map[string]bool) (int, error) {
	rows, err := c.db.QueryContext(ctx, "SELECT id, path FROM sources WHERE kind = ?", kind)
	if err != nil {
		return 0, fmt.Errorf("drop old %s sources: %w", kind, err)
	}
	var drop []int64
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			rows.Close()
			return 0, fmt.Errorf("drop old %s sources: %w", kind, err)
		}
		if !keep[path] {
			drop = append(drop, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("drop old %s sources: %w", kind, err)
	}
	for _, id := range drop {
		if _, err := c.db.ExecContext(ctx, "DELETE FROM sources WHERE id = ?", id); err != nil {
			return 0, fmt.Errorf("drop old %s source %d: %w", kind, id, err)
		}
	}
	return len(drop), nil
}

func upsertHost(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO hosts(name) VALUES (?) ON CONFLICT(name) DO UPDATE SET name = hosts.name
		RETURNING id`, name).Scan(&id)
	return id, err
}

func upsertDisk(ctx context.Context, tx *sql.Tx, hostID int64, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO disks(host_id, name) VALUES (?, ?)
		ON CONFLICT(host_id, name) DO UPDATE SET name = disks.name RETURNING id`, hostID, name).Scan(&id)
	return id, err
}

func upsertDump(ctx context.Context, tx *sql.Tx, diskID int64, datestamp string, level int) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO dumps(disk_id, datestamp, level) VALUES (?, ?, ?)
		ON CONFLICT(disk_id, datestamp, level) DO UPDATE SET level = dumps.level RETURNING id`,
		diskID, datestamp, level).Scan(&id)
	return id, err
}

// writeCopies replaces what a source said about copies: copies keep their ids across runs as
// long as the source still concludes them on the same line.
func writeCopies(ctx context.Context, tx *sql.Tx, sourceID int64, copies []logCopy) error {
	kept := map[int64]bool{}
	for _, cp := range copies {
		hostID, err := upsertHost(ctx, tx, cp.host)
		if err != nil {
			return err
		}
		diskID, err := upsertDisk(ctx, tx, hostID, cp.disk)
		if err != nil {
			return err
		}
		dumpID, err := upsertDump(ctx, tx, diskID, cp.datestamp, cp.level)
		if err != nil {
			return err
		}
		// What one copy knows of the image serves the dump (a vault copy's log has no CRCs).
		if _, err := tx.ExecContext(ctx, `UPDATE dumps SET
			orig_kb = CASE WHEN orig_kb = 0 THEN ? ELSE orig_kb END,
			native_crc = CASE WHEN native_crc = '' THEN ? ELSE native_crc END,
			client_crc = CASE WHEN client_crc = '' THEN ? ELSE client_crc END,
			server_crc = CASE WHEN server_crc = '' THEN ? ELSE server_crc END,
			program = CASE WHEN program = '' THEN ? ELSE program END,
			application = CASE WHEN application = '' THEN ? ELSE application END
			WHERE id = ?`, cp.origKB, cp.nativeCRC, cp.clientCRC, cp.serverCRC, cp.program, cp.application, dumpID); err != nil {
			return err
		}
		var copyID int64
		err = tx.QueryRowContext(ctx, `INSERT INTO copies(dump_id, source_id, line, storage, pool, write_timestamp,
				status, message, orig_kb, native_crc, client_crc, server_crc)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(source_id, line, storage) DO UPDATE SET dump_id = excluded.dump_id, pool = excluded.pool,
				write_timestamp = excluded.write_timestamp, status = excluded.status, message = excluded.message,
				orig_kb = excluded.orig_kb, native_crc = excluded.native_crc, client_crc = excluded.client_crc,
				server_crc = excluded.server_crc
			RETURNING id`,
			dumpID, sourceID, cp.line, cp.storage, cp.pool, cp.writeTimestamp, cp.status, cp.message,
			cp.origKB, cp.nativeCRC, cp.clientCRC, cp.serverCRC).Scan(&copyID)
		if err != nil {
			return err
		}
		kept[copyID] = true
		if _, err := tx.ExecContext(ctx, "DELETE FROM parts WHERE copy_id = ?", copyID); err != nil {
			return err
		}
		for i, p := range cp.parts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO parts(copy_id, seq, partnum, totalparts, label, filenum, holding_path, bytes)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, copyID, i, p.partnum, p.totalparts, p.label, p.filenum, p.holdingPath, p.bytes); err != nil {
				return err
			}
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM copies WHERE source_id = ?", sourceID)
	if err != nil {
		return err
	}
	var stale []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		if !kept[id] {
			stale = append(stale, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range stale {
		if _, err := tx.ExecContext(ctx, "DELETE FROM copies WHERE id = ?", id); err != nil {
			return err
		}
	}
	return nil
}
