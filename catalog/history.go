package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// HistoryItem is one line of amindexd's DHST reply: one copy of one dump.
type HistoryItem struct {
	DumpID, CopyID int64
	Datestamp      string // dump timestamp as recorded, normally 14 digits
	Date           string // nicedate YYYY-MM-DD-HH-MM-SS (YYYY-MM-DD for 8-digit stamps)
	Level          int
	Storage        string // "HOLDING" for a holding copy
	Tapes          string // marshalled: "vault:Vault1-01:1,2", "DailySet1:A:5,6;DailySet1:B:1", "HOLDING:/path:0"
}

// findResult is one record of find.c's find_dump as amindexd keeps it: one part of one OK copy.
type findResult struct {
	dumpID, copyID int64
	host, disk     string
	datestamp      string
	writeTimestamp string
	level          int
	storage        string
	storageID      int // find.c's storage_id
	partnum        int
	totalparts     int
	label          string
	filenum        int64
}

// History returns the dump history of a disk as amindexd's DHST lists it: newest first, only
// complete OK copies, a holding-disk copy hiding the other copies of its dump, each copy's
// parts gathered into its tape string.
func (c *Catalog) History(ctx context.Context, host, disk string) ([]HistoryItem, error) {
	return c.HistoryInStorages(ctx, host, disk, nil, true)
}

// HistoryInStorages is History with the copies of the named storages ("HOLDING" names the
// holding disk) preferred in the order of the list, instead of the configuration's storage
// list. With only, as after amrecover's `storage` command, the copies in other storages are
// left out; else they come after. No storages means all, as History.
func (c *Catalog) HistoryInStorages(ctx context.Context, host, disk string, storages []string, only bool) ([]HistoryItem, error) {
	recs, err := c.findResults(ctx, host, disk, storages, only)
	if err != nil {
		return nil, fmt.Errorf("history of %s:%s: %w", host, disk, err)
	}
	sortFindResults(recs)
	return buildDiskHistory(recs), nil
}

// findResults loads the visible parts of a disk's copies: OK copies (find.c's dump_status) and
// their OK parts (PARTPARTIAL parts were never stored).
func (c *Catalog) findResults(ctx context.Context, host, disk string, storages []string, only bool) ([]findResult, error) {
	rows, err := c.db.QueryContext(ctx, `
		SELECT d.id, c.id, h.name, k.name, d.datestamp, c.write_timestamp, d.level, c.storage,
			COALESCE(s.sort_id, 0), p.partnum, p.totalparts, p.label, p.filenum
		FROM hosts h
		JOIN disks k ON k.host_id = h.id
		JOIN dumps d ON d.disk_id = k.id
		JOIN copies c ON c.dump_id = d.id
		JOIN parts p ON p.copy_id = c.id
		LEFT JOIN storages s ON s.name = c.storage
		WHERE h.name = ? AND k.name = ? AND c.status = 'OK'
		ORDER BY c.id, p.seq`, host, disk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var recs []findResult
	for rows.Next() {
		var r findResult
		if err := rows.Scan(&r.dumpID, &r.copyID, &r.host, &r.disk, &r.datestamp, &r.writeTimestamp, &r.level,
			&r.storage, &r.storageID, &r.partnum, &r.totalparts, &r.label, &r.filenum); err != nil {
			return nil, err
		}
		if len(storages) > 0 {
			i := slices.Index(storages, r.storage)
			if i < 0 && only {
				continue
			}
			if i < 0 {
				i = len(storages)
			}
			r.storageID = i + 1
		}
		recs = append(recs, r)
	}
	return recs, rows.Err()
}

// sortFindResults sorts like find.c's sort_find_result with amindexd's key "DLKHspwB": dump
// timestamp descending, level ascending, disk and host descending, storage id ascending (so
// storages outside the `storage` list, vaults and HOLDING, come first), part ascending, write
// timestamp ascending, label descending.
func sortFindResults(recs []findResult) {
	slices.SortStableFunc(recs, func(a, b findResult) int {
		if c := strings.Compare(b.datestamp, a.datestamp); c != 0 {
			return c
		}
		if c := a.level - b.level; c != 0 {
			return c
		}
		if c := strings.Compare(b.disk, a.disk); c != 0 {
			return c
		}
		if c := strings.Compare(b.host, a.host); c != 0 {
			return c
		}
		if c := a.storageID - b.storageID; c != 0 {
			return c
		}
		if c := a.partnum - b.partnum; c != 0 {
			return c
		}
		if c := strings.Compare(a.writeTimestamp, b.writeTimestamp); c != 0 {
			return c
		}
		return strings.Compare(b.label, a.label)
	})
}

// historyItem is disk_history.c's DUMP_ITEM.
type historyItem struct {
	HistoryItem
	split   bool
	maxpart int
	tapes   []tapeFiles
}

// tapeFiles is one volume of a tapelist_t: its files and the part numbers they hold.
type tapeFiles struct {
	storage, label string
	files          []int64
	partnums       []int
}

// buildDiskHistory is amindexd's build_disk_table and disk_history.c's add_dump and
// clean_dump over sorted find results.
func buildDiskHistory(recs []findResult) []HistoryItem {
	var items []*historyItem
	var last *findResult
	for i := range recs {
		r := &recs[i]
		if last != nil && r.datestamp == last.datestamp && r.level == last.level {
			// The sort puts a holding-disk copy (file 0) first; it hides the other copies.
			if last.filenum == 0 {
				continue
			}
			// A part already taken from the same storage.
			if r.partnum == last.partnum && r.storage == last.storage {
				continue
			}
		}
		last = r
		items = addDump(items, r)
	}
	items = cleanDump(items)
	out := make([]HistoryItem, len(items))
	for i, it := range items {
		it.Tapes = marshalTapes(it.tapes)
		out[i] = it.HistoryItem
	}
	return out
}

// addDump is disk_history.c's add_dump: a part beyond the first joins the item of the same
// date, level and storage; a new item goes before all older ones and after the ones of the same
// date, so equal dates keep the order of the sorted find results.
func addDump(items []*historyItem, r *findResult) []*historyItem {
	date := niceDate(r.datestamp)
	if r.partnum > 1 {
		for _, it := range items {
			if it.Date == date && it.Level == r.level && it.split && it.Storage == r.storage {
				it.tapes = appendTape(it.tapes, r.storage, r.label, r.filenum, r.partnum)
				it.maxpart = max(it.maxpart, r.totalparts)
				break
			}
		}
		return items
	}
	it := &historyItem{
		HistoryItem: HistoryItem{DumpID: r.dumpID, CopyID: r.copyID, Datestamp: r.datestamp, Date: date,
			Level: r.level, Storage: r.storage},
		split:   r.partnum != -1,
		maxpart: r.totalparts,
		tapes:   appendTape(nil, r.storage, r.label, r.filenum, r.partnum),
	}
	at := len(items)
	if len(items) > 0 && items[0].Date < date {
		at = 0
	} else {
		for i := 1; i < len(items); i++ {
			if items[i].Date < date {
				at = i
				break
			}
		}
	}
	return slices.Insert(items, at, it)
}

// appendTape is tapelist.c's append_to_tapelist: files of a volume kept in ascending order,
// volumes in order of first appearance.
func appendTape(tapes []tapeFiles, storage, label string, file int64, partnum int) []tapeFiles {
	for i := range tapes {
		if tapes[i].label == label {
			t := &tapes[i]
			at := len(t.files)
			for j, f := range t.files {
				if f > file {
					at = j
					break
				}
			}
			t.files = slices.Insert(t.files, at, file)
			t.partnums = slices.Insert(t.partnums, at, partnum)
			return tapes
		}
	}
	return append(tapes, tapeFiles{storage: storage, label: label, files: []int64{file}, partnums: []int{partnum}})
}

// cleanDump is disk_history.c's clean_dump: an item whose highest part is missing is dropped.
// Like the C loop, it does not look at the item that follows a dropped one.
func cleanDump(items []*historyItem) []*historyItem {
	out := items[:0]
	skipNext := false
	for _, it := range items {
		if skipNext {
			skipNext = false
			out = append(out, it)
			continue
		}
		if it.maxpart > 1 && !hasPart(it.tapes, it.maxpart) {
			skipNext = true
			continue
		}
		out = append(out, it)
	}
	return out
}

func hasPart(tapes []tapeFiles, partnum int) bool {
	for _, t := range tapes {
		if slices.Contains(t.partnums, partnum) {
			return true
		}
	}
	return false
}

// marshalTapes is tapelist.c's marshal_tapelist with escaping and storage:
// "storage:label:f1,f2;storage:label:f3".
func marshalTapes(tapes []tapeFiles) string {
	var b strings.Builder
	for i, t := range tapes {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(escapeLabel(t.storage))
		b.WriteByte(':')
		b.WriteString(escapeLabel(t.label))
		b.WriteByte(':')
		for j, f := range t.files {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(f, 10))
		}
	}
	return b.String()
}

// escapeLabel puts a backslash before ',', '\', ';' and ':' (tapelist.c's escape_label).
func escapeLabel(s string) string {
	if !strings.ContainsAny(s, `,\;:`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '\\', ';', ':':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// niceDate is amindexd_nicedate: "YYYY-MM-DD-HH-MM-SS", or "YYYY-MM-DD" for 8-digit stamps.
func niceDate(ds string) string {
	date := atol(ds[:min(8, len(ds))])
	if len(ds) <= 8 {
		return fmt.Sprintf("%4d-%02d-%02d", date/10000, date/100%100, date%100)
	}
	t := atol(ds[8:min(14, len(ds))])
	return fmt.Sprintf("%4d-%02d-%02d-%02d-%02d-%02d", date/10000, date/100%100, date%100, t/10000, t/100%100, t%100)
}
