package catalog

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// indexSuffixes are the index file name endings in amindexd's order of preference.
var indexSuffixes = []string{"-sorted", "-sorted.gz", "-unsorted", "-unsorted.gz", ".gz"}

// parseIndexName splits an index file name "TS_L<suffix>" into the dump timestamp, the level
// and the rank of its suffix in indexSuffixes.
func parseIndexName(name string) (datestamp string, level, rank int, ok bool) {
	for r, suf := range indexSuffixes {
		base, found := strings.CutSuffix(name, suf)
		if !found {
			continue
		}
		ts, lv, found := strings.Cut(base, "_")
		if !found || ts == "" || len(ts) > 14 || strings.Trim(ts, "0123456789") != "" {
			continue
		}
		n, err := strconv.Atoi(lv)
		if err != nil || n < 0 || strconv.Itoa(n) != lv {
			continue
		}
		return ts, n, r, true
	}
	return "", 0, 0, false
}

// readIndex calls fn for every line of an index file that amindexd keeps: it gunzips when the
// data is gzip, strips the newline and drops lines without a '/'. Order and duplicates are
// left to the caller.
func readIndex(r io.Reader, fn func(line string) error) error {
	br := bufio.NewReaderSize(r, 64*1024)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("gunzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 64*1024)
	}
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
			long = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\n'})
		if bytes.IndexByte(line, '/') >= 0 {
			if ferr := fn(string(line)); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read index: %w", err)
		}
	}
}

// maxEnsured bounds the directories an index import remembers; past it the memory is dropped
// and directories are looked up again, so memory stays flat however large the index is.
const maxEnsured = 1 << 16

// indexWriter stores the lines of one dump's index.
type indexWriter struct {
	// ctx is checked every 65536 lines; stmt, which runs the statements, cannot be cancelled:
	// go-sqlite3 runs a statement with a cancellable context in a new goroutine, which made
	// an import twice as slow.
	ctx, stmt      context.Context
	diskID, dumpID int64
	selDir, insDir *sql.Stmt
	insEntry       *sql.Stmt
	ensured        map[string]int64 // directories whose entries up to "/" exist for the dump
	lines          int64
}

func newIndexWriter(ctx context.Context, tx *sql.Tx, diskID, dumpID int64) (*indexWriter, error) {
	w := &indexWriter{ctx: ctx, stmt: context.WithoutCancel(ctx), diskID: diskID, dumpID: dumpID, ensured: map[string]int64{}}
	var err error
	if w.selDir, err = tx.PrepareContext(ctx, "SELECT id FROM dirs WHERE disk_id = ? AND path = ?"); err != nil {
		return nil, err
	}
	if w.insDir, err = tx.PrepareContext(ctx, "INSERT INTO dirs(disk_id, path) VALUES (?, ?)"); err != nil {
		return nil, err
	}
	if w.insEntry, err = tx.PrepareContext(ctx, "INSERT OR IGNORE INTO entries(dir_id, name, dump_id) VALUES (?, ?, ?)"); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *indexWriter) close() {
	w.selDir.Close()
	w.insDir.Close()
	w.insEntry.Close()
}

// add stores one index line: "/a/b/" as the entry "" of directory "/a/b/", "/a/b" as the
// entry "b" of "/a/", and every directory above it as a "name/" entry of its parent, which is
// what OLSD's truncation of the line shows in each of them.
func (w *indexWriter) add(line string) error {
	if line == "" || line[0] != '/' {
		return nil // OLSD, ORLD and OISD match from "/", so such lines never show
	}
	w.lines++
	if w.lines%65536 == 0 {
		if err := w.ctx.Err(); err != nil {
			return err
		}
	}
	cut := strings.LastIndexByte(line, '/') + 1
	dirID, err := w.dir(line[:cut])
	if err != nil {
		return err
	}
	_, err = w.insEntry.ExecContext(w.stmt, dirID, line[cut:], w.dumpID)
	return err
}

// dir returns the id of directory path (ending in '/') and makes sure its parents list it.
func (w *indexWriter) dir(path string) (int64, error) {
	if id, ok := w.ensured[path]; ok {
		return id, nil
	}
	var id int64
	err := w.selDir.QueryRowContext(w.stmt, w.diskID, path).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		res, ierr := w.insDir.ExecContext(w.stmt, w.diskID, path)
		if ierr != nil {
			return 0, ierr
		}
		id, err = res.LastInsertId()
	}
	if err != nil {
		return 0, err
	}
	if path != "/" {
		cut := strings.LastIndexByte(path[:len(path)-1], '/') + 1
		parent, err := w.dir(path[:cut])
		if err != nil {
			return 0, err
		}
		if _, err := w.insEntry.ExecContext(w.stmt, parent, path[cut:], w.dumpID); err != nil {
			return 0, err
		}
	}
	if len(w.ensured) >= maxEnsured {
		clear(w.ensured)
	}
	w.ensured[path] = id
	return id, nil
}

// importIndexFile stores the index file at path as the index of a dump, in one transaction.
func (c *Catalog) importIndexFile(ctx context.Context, diskID int64, datestamp string, level int, path string, fi os.FileInfo) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var lines int64
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		dumpID, err := upsertDump(ctx, tx, diskID, datestamp, level)
		if err != nil {
			return err
		}
		w, err := newIndexWriter(ctx, tx, diskID, dumpID)
		if err != nil {
			return err
		}
		defer w.close()
		if err := readIndex(f, w.add); err != nil {
			return err
		}
		lines = w.lines
		srcID, err := upsertSource(ctx, tx, path, "index", fi)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE dumps SET index_source = ? WHERE id = ?", srcID, dumpID)
		return err
	})
	return lines, err
}
