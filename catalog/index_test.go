package catalog

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

// TestIndexWriterCancel checks how an index import sees its context: statements run as if it
// could not be cancelled (go-sqlite3 would run each in a goroutine of its own, at half the
// speed), and the import stops at the next check, every 65536 lines, once it is cancelled.
func TestIndexWriterCancel(t *testing.T) {
	bg := context.Background()
	c, err := Open(bg, filepath.Join(t.TempDir(), "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tx, err := c.db.BeginTx(bg, nil) // the transaction outlives the import's context here
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	hostID, err := upsertHost(bg, tx, "h")
	if err != nil {
		t.Fatal(err)
	}
	diskID, err := upsertDisk(bg, tx, hostID, "/d")
	if err != nil {
		t.Fatal(err)
	}
	dumpID, err := upsertDump(bg, tx, diskID, "20240101000000", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	w, err := newIndexWriter(ctx, tx, diskID, dumpID)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	const cancelAt = 1000
	for n := 1; n <= 1<<16; n++ {
		if n == cancelAt {
			cancel()
		}
		err := w.add(fmt.Sprintf("/dir%d/file%d", n%7, n))
		switch {
		case n < 1<<16 && err != nil:
			t.Fatalf("line %d: %v; want the line stored until the next check", n, err)
		case n == 1<<16 && !errors.Is(err, context.Canceled):
			t.Fatalf("line %d: %v; want %v", n, err, context.Canceled)
		}
	}
	var stored int
	if err := tx.QueryRowContext(bg, "SELECT count(*) FROM entries WHERE dump_id = ? AND name LIKE 'file%'", dumpID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 1<<16-1 {
		t.Errorf("%d file entries stored, want %d", stored, 1<<16-1)
	}
}
