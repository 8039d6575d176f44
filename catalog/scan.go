package catalog

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/amrshell/amrshell/device"
)

// ScanOptions says what Scan reads.
type ScanOptions struct {
	Changers []string // changers or devices (-d): every volume each holds is read
	Holding  []string // holding-disk directories
	Config   string   // the configuration's name; "" derives it (see Scan)
	// Index, when set, rebuilds the file index of every dump that has none by reading one of
	// its copies; nil leaves the file index as it is.
	Index IndexFunc
}

// IndexFunc reads the dump of a copy and calls add with each line of the index Amanda would
// have made of it ("/", "/docs/", "/docs/readme.txt").
type IndexFunc func(ctx context.Context, cp *Copy, add func(line string) error) error

// ScanStats tells what one Scan did.
type ScanStats struct {
	Volumes    int   // volumes whose headers were read
	Parts      int   // dump files found on them
	Holding    int   // holding-disk dumps
	Copies     int   // copies written, complete or not
	Incomplete int   // copies with parts missing: recorded PARTIAL, never offered
	Indexed    int   // dumps whose file index was rebuilt
	IndexLines int64 // lines of those indexes
	Warnings   []string
}

// Scan builds the catalog from the volumes and holding disks alone, for when the Amanda
// server and its state are lost. It reads the 32 KiB header of every file of every volume
// (never the data: a vfs file is closed after its header, a tape spaced past the file mark)
// and of every holding-disk dump, and records what a server import would: hosts, disks,
// dumps, copies with their parts, storages and volumes. The changers are read concurrently,
// the volumes of one changer in turn.
//
// What the headers do not say is derived:
//
//   - storage of a volume: the storage its chg-disk changer's state file names (Amanda 3.5
//     keeps config and storage there), else its label less the trailing digits and
//     separators ("DailySet1-01" -> "DailySet1"); a copy is the dump's parts in one storage;
//   - write timestamp of a copy: the TAPESTART date of its first part's volume (the run
//     that wrote the volume); holding copies have find.c's 00000000000000;
//   - complete copies: parts 1..n all found, as many as a header says when one does, and
//     on vfs volumes their sizes adding up to the size of the SERVER-CRC; other copies are
//     PARTIAL. A part found twice in a storage (a part cut by the end of a volume and written
//     again on the next) counts once, the larger;
//   - size of a part: the vfs file's less its header; on a tape unknown (0), but for a dump
//     in one part, which the SERVER-CRC's size gives;
//   - storage order (find.c's storage list, which puts vault copies first in a history):
//     storages with a volume written by the run that took one of its dumps are the
//     `storage` list, in name order; the others (written by amvault) are vaults;
//   - configuration name: Config, else the one the chg-disk state files name, else the
//     first storage of the list;
//   - disklist order of hosts and disks (listhost, listdisk): name order;
//   - volumes: the tapelist as Amanda orders it (newest first), datestamp 0 for a labeled
//     volume never written ("X"), reuse, 32 KiB blocks.
//
// A scan adds to the catalog: each volume scanned replaces what was recorded from it before.
// With opts.Index, the dumps without an index are then read once each, through one copy, the
// dumps of different changers concurrently; each dump's index is committed whole or not at
// all (a failure is a warning).
func (c *Catalog) Scan(ctx context.Context, opts ScanOptions) (ScanStats, error) {
	var st ScanStats
	vols, err := scanChangers(ctx, opts.Changers, &st)
	if err != nil {
		return st, err
	}
	var holding []*device.HoldingFile
	for _, dir := range opts.Holding {
		files, err := device.ScanHoldingDisk(dir)
		if err != nil {
			// The list is still good for the files it has.
			st.Warnings = append(st.Warnings, fmt.Sprintf("holding disk %s: %v", dir, err))
		}
		holding = append(holding, files...)
	}
	if len(vols) == 0 && len(holding) == 0 {
		return st, errors.New("scan: no volume and no holding-disk dump found")
	}
	if err := c.writeScan(ctx, opts.Config, vols, holding, &st); err != nil {
		return st, fmt.Errorf("scan: %w", err)
	}
	if opts.Index != nil {
		if err := c.rebuildIndexes(ctx, opts.Index, &st); err != nil {
			return st, fmt.Errorf("scan: rebuild the file index: %w", err)
		}
	}
	return st, nil
}

// scannedVolume is what the headers of one volume say.
type scannedVolume struct {
	changer          string // the spec it was read through
	storage, config  string // config "" when unknown
	label, datestamp string
	files            []scannedFile
}

// scannedFile is one dump file (part) of a volume.
type scannedFile struct {
	number int
	header *device.Header
	bytes  int64 // data after the header; 0 when unknown (tape)
}

// scanChangers reads the volumes of every changer, one goroutine per changer, and returns
// them in the order of the changers.
func scanChangers(ctx context.Context, specs []string, st *ScanStats) ([]scannedVolume, error) {
	type result struct {
		vols  []scannedVolume
		warns []string
		err   error
	}
	results := make([]result, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Go(func() {
			r := &results[i]
			r.vols, r.warns, r.err = scanChanger(ctx, spec)
		})
	}
	wg.Wait()
	var vols []scannedVolume
	for i, r := range results {
		if r.err != nil {
			return nil, fmt.Errorf("scan %s: %w", specs[i], r.err)
		}
		st.Warnings = append(st.Warnings, r.warns...)
		vols = append(vols, r.vols...)
	}
	seen := map[string]string{}
	for _, v := range vols {
		if prev, dup := seen[v.label]; dup {
			return nil, fmt.Errorf("scan: volume %s found twice, in %s and in %s", v.label, prev, v.changer)
		}
		seen[v.label] = v.changer
		st.Volumes++
		st.Parts += len(v.files)
	}
	return vols, nil
}

// scanChanger reads the headers of every volume of one changer: every labeled slot of a
// chg-disk, the volume in the drive of any other.
func scanChanger(ctx context.Context, spec string) ([]scannedVolume, []string, error) {
	spec = absSpec(spec)
	chg, err := device.OpenChanger(spec)
	if err != nil {
		return nil, nil, err
	}
	var vols []scannedVolume
	var warns []string
	switch chg := chg.(type) {
	case *device.ChgDisk:
		slots, err := chg.Inventory()
		if err != nil {
			return nil, nil, err
		}
		config, storage := chgDiskState(chg.Dir)
		for _, s := range slots {
			if s.Label == "" {
				continue
			}
			vol, err := chg.Load(ctx, s.Label)
			if err != nil {
				if ctx.Err() != nil {
					return nil, nil, ctx.Err()
				}
				warns = append(warns, fmt.Sprintf("%s slot %d: %v", spec, s.Number, err))
				continue
			}
			v, w, err := scanVolume(ctx, spec, vol)
			if err != nil {
				return nil, nil, err
			}
			v.config = config
			if storage != "" {
				v.storage = storage
			}
			vols, warns = append(vols, v), append(warns, w...)
		}
	case *device.Single:
		defer chg.Close()
		vol, err := chg.Current(ctx)
		if err != nil {
			return nil, nil, err
		}
		v, w, err := scanVolume(ctx, spec, vol)
		if err != nil {
			return nil, nil, err
		}
		vols, warns = append(vols, v), append(warns, w...)
	default:
		return nil, nil, fmt.Errorf("cannot list the volumes of a %T", chg)
	}
	return vols, warns, nil
}

// maxBadFiles is how many unreadable files in a row end the reading of a volume.
const maxBadFiles = 16

// scanVolume reads the header of every file of a volume, and only the header.
func scanVolume(ctx context.Context, spec string, vol *device.Volume) (scannedVolume, []string, error) {
	v := scannedVolume{changer: spec, label: vol.Label, datestamp: vol.Datestamp, storage: labelPrefix(vol.Label)}
	var warns []string
	for n, bad := 1, 0; ; {
		if err := ctx.Err(); err != nil {
			return v, nil, err
		}
		f, err := vol.OpenFile(n)
		if err != nil {
			warns = append(warns, err.Error())
			if bad++; bad == maxBadFiles {
				warns = append(warns, fmt.Sprintf("volume %s: %d unreadable files in a row: the rest of the volume is not read", vol.Label, bad))
				return v, warns, nil
			}
			n++
			continue
		}
		f.Close() // the data is never read: the next OpenFile seeks or spaces past it
		if f.Header.Type == device.TapeEnd {
			return v, warns, nil
		}
		v.files = append(v.files, scannedFile{number: f.Number, header: f.Header, bytes: max(f.Size, 0)})
		n, bad = f.Number+1, 0
	}
}

// absSpec makes the path of a chg-disk:, file: or bare-path spec absolute, so that the
// catalog finds the changer from any directory.
func absSpec(spec string) string {
	kind, arg := device.ParseChangerSpec(spec)
	prefix := kind + ":"
	if !strings.Contains(spec, ":") {
		prefix = ""
	}
	if kind == "chg-single" {
		kind, arg = device.ParseChangerSpec(arg)
		prefix += kind + ":"
	}
	if arg == "" || filepath.IsAbs(arg) || (kind != "chg-disk" && kind != "file" && prefix != "") {
		return spec
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return spec
	}
	return prefix + abs
}

// labelPrefix is a label less its trailing digits and the separators before them, Amanda's
// usual labelstr "^PREFIX-[0-9][0-9]*$" read backwards.
func labelPrefix(label string) string {
	p := strings.TrimRight(strings.TrimRight(label, "0123456789"), "-_.")
	if p == "" {
		return label
	}
	return p
}

// scanKey names one copy: a dump in one storage.
type scanKey struct {
	storage, host, disk, datestamp string
	level                          int
}

// scanPart is a part found on a volume.
type scanPart struct {
	vol  *scannedVolume
	file scannedFile
}

// scanCopies gathers the parts of each dump in each storage into copies, each with the label
// of the volume of its first part (its source).
func scanCopies(vols []scannedVolume, st *ScanStats) (copies []logCopy, sources []string) {
	parts := map[scanKey][]scanPart{}
	var keys []scanKey
	for i := range vols {
		v := &vols[i]
		for _, f := range v.files {
			h := f.header
			k := scanKey{v.storage, strings.ToLower(h.Host), h.Disk, h.Datestamp, h.Level}
			if _, ok := parts[k]; !ok {
				keys = append(keys, k)
			}
			parts[k] = append(parts[k], scanPart{v, f})
		}
	}
	for _, k := range keys {
		ps := parts[k]
		// By part, the larger last: of a part written twice, the complete one is kept.
		slices.SortStableFunc(ps, func(a, b scanPart) int {
			return cmp.Or(cmp.Compare(a.file.header.PartNum, b.file.header.PartNum), cmp.Compare(a.file.bytes, b.file.bytes))
		})
		var kept []scanPart
		for i, p := range ps {
			if i+1 == len(ps) || ps[i+1].file.header.PartNum != p.file.header.PartNum {
				kept = append(kept, p)
			}
		}
		ps = kept
		first := ps[0].file.header
		cp := logCopy{
			line: ps[0].file.number, host: first.Host, disk: first.Disk, datestamp: first.Datestamp, level: first.Level,
			storage: k.storage, pool: k.storage, status: "OK", writeTimestamp: volumeDatestamp(ps[0].vol.datestamp),
			origKB: first.OrigSizeKB, nativeCRC: first.NativeCRC.String(), clientCRC: first.ClientCRC.String(),
			serverCRC: first.ServerCRC.String(), program: first.Program, application: first.Application,
		}
		for _, p := range ps {
			cp.parts = append(cp.parts, logPart{partnum: p.file.header.PartNum, totalparts: len(ps),
				label: p.vol.label, filenum: int64(p.file.number), bytes: p.file.bytes})
		}
		if len(ps) == 1 && ps[0].file.bytes == 0 {
			// On a tape, the SERVER-CRC's size is the size of a dump in one part: it tells the
			// clerk where the data ends and the padding of the last block begins.
			cp.parts[0].bytes = first.ServerCRC.Size
		}
		if why := incomplete(ps); why != "" {
			cp.status, cp.message = "PARTIAL", why
			st.Incomplete++
		}
		copies = append(copies, cp)
		sources = append(sources, ps[0].vol.label)
	}
	return copies, sources
}

// incomplete says why the parts of a copy (by part number, each once) are not the whole
// dump, or "" when they are, as far as the headers tell.
func incomplete(ps []scanPart) string {
	var size int64
	for i, p := range ps {
		h := p.file.header
		if h.PartNum != i+1 {
			return fmt.Sprintf("part %d is missing", i+1)
		}
		if h.TotalParts > 0 && h.TotalParts != len(ps) {
			return fmt.Sprintf("%d of %d parts found", len(ps), h.TotalParts)
		}
		if p.file.bytes <= 0 {
			size = -1
		}
		if size >= 0 {
			size += p.file.bytes
		}
	}
	if want := ps[0].file.header.ServerCRC.Size; want > 0 && size >= 0 && size != want {
		return fmt.Sprintf("the parts found hold %d bytes, the dump %d", size, want)
	}
	return ""
}

// volumeDatestamp is a TAPESTART date as the tapelist writes it: 0 for a volume never written.
func volumeDatestamp(ds string) string {
	if ds == "X" || ds == "" {
		return "0"
	}
	return ds
}

// scanInfo stands for what was scanned in the sources table, which records files: a volume
// (its size the data found on it) or a rebuilt index (its size the lines).
type scanInfo struct {
	name string
	size int64
}

func (s scanInfo) Name() string       { return s.name }
func (s scanInfo) Size() int64        { return s.size }
func (s scanInfo) Mode() fs.FileMode  { return 0 }
func (s scanInfo) ModTime() time.Time { return time.Unix(0, 0) }
func (s scanInfo) IsDir() bool        { return false }
func (s scanInfo) Sys() any           { return nil }

// writeScan records what the headers said.
func (c *Catalog) writeScan(ctx context.Context, config string, vols []scannedVolume, holding []*device.HoldingFile, st *ScanStats) error {
	copies, sources := scanCopies(vols, st)
	storages := scanStorages(vols)
	if config == "" {
		config = scanConfigName(vols, storages)
	}
	err := c.inTx(ctx, func(tx *sql.Tx) error {
		if err := writeScanConfig(ctx, tx, config, storages); err != nil {
			return fmt.Errorf("record the configuration: %w", err)
		}
		for _, v := range vols {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO volumes(label, position, datestamp, reuse, barcode, meta,
				blocksize_kb, pool, storage, config, comment) VALUES (?, 0, ?, 1, '', '', 32, ?, ?, ?, '')`,
				v.label, volumeDatestamp(v.datestamp), v.storage, v.storage, config); err != nil {
				return fmt.Errorf("record volume %s: %w", v.label, err)
			}
			var size int64
			var from []logCopy
			for i, cp := range copies {
				if sources[i] == v.label {
					from = append(from, cp)
				}
			}
			for _, f := range v.files {
				size += f.bytes
			}
			srcID, err := upsertSource(ctx, tx, "volume:"+v.label, "volume", scanInfo{v.label, size})
			if err == nil {
				err = writeCopies(ctx, tx, srcID, from)
			}
			if err != nil {
				return fmt.Errorf("record the copies of volume %s: %w", v.label, err)
			}
			st.Copies += len(from)
		}
		for _, h := range holding {
			fi, err := os.Stat(h.Path)
			if err == nil {
				err = writeHoldingCopy(ctx, tx, h, fi)
			}
			if err != nil {
				return fmt.Errorf("record holding file %s: %w", h.Path, err)
			}
			st.Holding++
			st.Copies++
		}
		return orderScanned(ctx, tx)
	})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.configName, _ = c.configValue(ctx, "name")
	c.mu.Unlock()
	return nil
}

// scanStorage is a storage as the scan derives it.
type scanStorage struct {
	name, changer string
	sortID        int // 0 for a vault
}

// scanStorages lists the storages of the volumes: those where a volume holds a dump of the
// run that wrote it make the storage list (in name order), the others are vaults.
func scanStorages(vols []scannedVolume) []scanStorage {
	byName := map[string]*scanStorage{}
	var names []string
	dumps := map[string]bool{}
	for _, v := range vols {
		if byName[v.storage] == nil {
			byName[v.storage] = &scanStorage{name: v.storage, changer: v.changer}
			names = append(names, v.storage)
		}
		for _, f := range v.files {
			if f.header.Datestamp == v.datestamp {
				dumps[v.storage] = true
			}
		}
	}
	slices.Sort(names)
	var out []scanStorage
	n := 0
	for _, name := range names {
		s := byName[name]
		if dumps[name] {
			n++
			s.sortID = n
		}
		out = append(out, *s)
	}
	return out
}

// scanConfigName is the configuration the chg-disk states name, else the first storage of
// the storage list, else the first storage.
func scanConfigName(vols []scannedVolume, storages []scanStorage) string {
	for _, v := range vols {
		if v.config != "" {
			return v.config
		}
	}
	for _, s := range storages {
		if s.sortID == 1 {
			return s.name
		}
	}
	if len(storages) > 0 {
		return storages[0].name
	}
	return ""
}

// writeScanConfig records the configuration's name (when given or not known yet), the
// storages and the changer of the first storage of the list as its tpchanger.
func writeScanConfig(ctx context.Context, tx *sql.Tx, config string, storages []scanStorage) error {
	set := func(key, value string, replace bool) error {
		verb := "INSERT OR IGNORE"
		if replace {
			verb = "INSERT OR REPLACE"
		}
		_, err := tx.ExecContext(ctx, verb+" INTO config(key, value) VALUES (?, ?)", key, value)
		return err
	}
	if config != "" {
		if err := set("name", config, true); err != nil {
			return err
		}
	}
	for _, s := range storages {
		if _, err := tx.ExecContext(ctx, `INSERT INTO storages(name, changer, pool, labelstr, sort_id) VALUES (?, ?, ?, '', ?)
			ON CONFLICT(name) DO UPDATE SET changer = excluded.changer, sort_id = excluded.sort_id`,
			s.name, s.changer, s.name, s.sortID); err != nil {
			return err
		}
		if s.sortID == 1 {
			if err := set("tpchanger", s.changer, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// orderScanned puts the volumes in tapelist order (newest first) and gives every host and
// disk a place in the disklist, in name order: there is no disklist to say otherwise.
func orderScanned(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`UPDATE volumes SET position = (SELECT count(*) FROM volumes v
			WHERE v.datestamp > volumes.datestamp OR v.datestamp = volumes.datestamp AND v.label >= volumes.label)`,
		`UPDATE hosts SET disklist_pos = (SELECT count(*) FROM hosts h
			WHERE h.name < hosts.name COLLATE NOCASE)`,
		`UPDATE disks SET disklist_pos = (SELECT count(*) FROM disks k JOIN hosts h ON h.id = k.host_id
			JOIN hosts this ON this.id = disks.host_id
			WHERE h.disklist_pos < this.disklist_pos OR h.id = this.id AND k.name < disks.name)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("order volumes, hosts and disks: %w", err)
		}
	}
	return nil
}

// chgDiskState returns the configuration and storage a chg-disk changer's state file names
// ("" when it names none, or several): Amanda 3.5 records there which (config, storage,
// changer) loaded each slot, as a Perl Data::Dumper text.
func chgDiskState(dir string) (config, storage string) {
	b, err := os.ReadFile(filepath.Join(dir, "state"))
	if err != nil {
		return "", ""
	}
	pairs := parseChgDiskState(string(b))
	if len(pairs) != 1 {
		return "", ""
	}
	return pairs[0][0], pairs[0][1]
}

// parseChgDiskState returns the (config, storage) pairs under current_slot of a chg-disk
// state file: $STATE = {'current_slot' => {'config' => {C => {'storage' => {S => ...}}}}}.
func parseChgDiskState(text string) [][2]string {
	p := &perlParser{s: text}
	p.skipTo('=')
	v, ok := p.value(0)
	if !ok {
		return nil
	}
	var pairs [][2]string
	configs, _ := lookup(v, "current_slot", "config").(map[string]any)
	for _, c := range slices.Sorted(maps.Keys(configs)) {
		storages, _ := lookup(configs[c], "storage").(map[string]any)
		for _, s := range slices.Sorted(maps.Keys(storages)) {
			pairs = append(pairs, [2]string{c, s})
		}
	}
	return pairs
}

// lookup follows keys through nested hashes; nil when one is missing.
func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// perlParser reads the subset of Perl that Data::Dumper writes: hashes, arrays, quoted
// strings, numbers and undef.
type perlParser struct {
	s string
	i int
}

// maxPerlDepth bounds the nesting a state file may have.
const maxPerlDepth = 64

func (p *perlParser) skipTo(c byte) {
	if j := strings.IndexByte(p.s[p.i:], c); j >= 0 {
		p.i += j + 1
	} else {
		p.i = len(p.s)
	}
}

func (p *perlParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

// eat consumes tok if it comes next.
func (p *perlParser) eat(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

// value reads a hash (map[string]any), an array ([]any), a string, or a bare word (number,
// undef) as a string.
func (p *perlParser) value(depth int) (any, bool) {
	if depth > maxPerlDepth {
		return nil, false
	}
	p.space()
	switch {
	case p.eat("{"):
		m := map[string]any{}
		for !p.eat("}") {
			k, ok := p.scalar()
			if !ok || !p.eat("=>") {
				return nil, false
			}
			if m[k], ok = p.value(depth + 1); !ok {
				return nil, false
			}
			p.eat(",")
		}
		return m, true
	case p.eat("["):
		var a []any
		for !p.eat("]") {
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			a = append(a, v)
			p.eat(",")
		}
		return a, true
	}
	return p.scalar()
}

// scalar reads a single-quoted string (\\ and \' escaped) or a bare word.
func (p *perlParser) scalar() (string, bool) {
	p.space()
	if p.i >= len(p.s) {
		return "", false
	}
	if p.s[p.i] != '\'' {
		start := p.i
		for p.i < len(p.s) && (isWordByte(p.s[p.i])) {
			p.i++
		}
		return p.s[start:p.i], p.i > start
	}
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		switch c := p.s[p.i]; {
		case c == '\'':
			p.i++
			return b.String(), true
		case c == '\\' && p.i+1 < len(p.s) && (p.s[p.i+1] == '\\' || p.s[p.i+1] == '\''):
			p.i++
			b.WriteByte(p.s[p.i])
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}

func isWordByte(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c == '+' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// indexBatch is lines of one dump's index on their way to the writer; the last batch of a
// dump is done, with the error that ended its reading.
type indexBatch struct {
	cp    *Copy
	lines []string
	done  bool
	err   error
}

// indexBatchLines is how many lines a reader hands the writer at a time.
const indexBatchLines = 4096

// rebuildIndexes reads the dumps without a file index, one copy each (the first written:
// a holding-disk copy if there is one), one reader per changer, and stores their indexes
// through one writer.
func (c *Catalog) rebuildIndexes(ctx context.Context, index IndexFunc, st *ScanStats) error {
	ids, err := column[int64](ctx, c.db, `SELECT d.id FROM dumps d WHERE d.index_source IS NULL
		AND EXISTS (SELECT 1 FROM copies c WHERE c.dump_id = d.id AND c.status = 'OK') ORDER BY d.id`)
	if err != nil {
		return err
	}
	groups := map[string][]*Copy{}
	var order []string
	for _, id := range ids {
		copies, err := c.DumpCopies(ctx, id)
		if err != nil {
			return err
		}
		cp := copies[0]
		group := "HOLDING"
		if cp.Storage != "HOLDING" {
			if group, err = c.StorageChanger(ctx, cp.Storage); err != nil {
				return err
			}
		}
		if _, ok := groups[group]; !ok {
			order = append(order, group)
		}
		groups[group] = append(groups[group], cp)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan indexBatch, 8)
	var wg sync.WaitGroup
	for _, g := range order {
		wg.Go(func() {
			for _, cp := range groups[g] {
				if !readDumpIndex(ctx, index, cp, batches) {
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(batches)
	}()
	err = c.writeIndexes(ctx, batches, st)
	if err != nil {
		cancel()
		for range batches { // let the readers end
		}
	}
	return err
}

// readDumpIndex reads one dump's index into batches; false when ctx ended.
func readDumpIndex(ctx context.Context, index IndexFunc, cp *Copy, batches chan<- indexBatch) bool {
	send := func(b indexBatch) bool {
		select {
		case batches <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var lines []string
	err := index(ctx, cp, func(line string) error {
		lines = append(lines, line)
		if len(lines) == indexBatchLines {
			if !send(indexBatch{cp: cp, lines: lines}) {
				return ctx.Err()
			}
			lines = nil
		}
		return nil
	})
	return send(indexBatch{cp: cp, lines: lines, done: true, err: err})
}

// writeIndexes stores the batches in transactions that each hold whole indexes: one is
// committed whenever no dump is half written.
func (c *Catalog) writeIndexes(ctx context.Context, batches <-chan indexBatch, st *ScanStats) (err error) {
	var tx *sql.Tx
	writers := map[int64]*indexWriter{}
	defer func() {
		for _, w := range writers {
			w.close()
		}
		if tx != nil {
			err = errors.Join(err, tx.Rollback())
		}
	}()
	for b := range batches {
		id := b.cp.DumpID
		if tx == nil {
			if tx, err = c.db.BeginTx(ctx, nil); err != nil {
				return err
			}
		}
		w := writers[id]
		if w == nil {
			var diskID int64
			if err := tx.QueryRowContext(ctx, "SELECT disk_id FROM dumps WHERE id = ?", id).Scan(&diskID); err != nil {
				return fmt.Errorf("index of dump %d: %w", id, err)
			}
			if w, err = newIndexWriter(ctx, tx, diskID, id); err != nil {
				return err
			}
			writers[id] = w
		}
		for _, line := range b.lines {
			if err := w.add(line); err != nil {
				return fmt.Errorf("index of %s:%s level %d of %s: %w", b.cp.Host, b.cp.Disk, b.cp.Level, b.cp.Datestamp, err)
			}
		}
		if !b.done {
			continue
		}
		w.close()
		delete(writers, id)
		if err := finishIndex(ctx, tx, b, w, st); err != nil {
			return err
		}
		if len(writers) == 0 {
			err, tx = tx.Commit(), nil
			if err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

// finishIndex records a dump's index as complete, or drops what was stored of it when its
// reading failed.
func finishIndex(ctx context.Context, tx *sql.Tx, b indexBatch, w *indexWriter, st *ScanStats) error {
	what := fmt.Sprintf("%s:%s level %d of %s", b.cp.Host, b.cp.Disk, b.cp.Level, b.cp.Datestamp)
	if b.err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		st.Warnings = append(st.Warnings, fmt.Sprintf("no file index for %s: %v", what, b.err))
		_, err := tx.ExecContext(ctx, `DELETE FROM entries WHERE dump_id = ?
			AND dir_id IN (SELECT id FROM dirs WHERE disk_id = ?)`, w.dumpID, w.diskID)
		return err
	}
	srcID, err := upsertSource(ctx, tx, "index of "+what, "scan-index", scanInfo{what, w.lines})
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE dumps SET index_source = ? WHERE id = ?", srcID, w.dumpID); err != nil {
		return err
	}
	st.Indexed++
	st.IndexLines += w.lines
	return nil
}
