package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// walkOwners is what TreeOwners stands for: the owners WalkTree gives, in chain order.
func walkOwners(t *testing.T, c *Catalog, chain []int64, dir string) []int64 {
	t.Helper()
	owns := map[int64]bool{}
	err := c.WalkTree(context.Background(), chain, dir, func(_ string, owner int64) error {
		owns[owner] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, id := range chain {
		if owns[id] && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// checkOwners compares TreeOwners with a walk for every directory of the disk and every chain.
func checkOwners(t *testing.T, c *Catalog, diskID int64, chains [][]int64) {
	t.Helper()
	ctx := context.Background()
	dirs, err := column[string](ctx, c.db, "SELECT path FROM dirs WHERE disk_id = ? ORDER BY path", diskID)
	if err != nil {
		t.Fatal(err)
	}
	for _, chain := range chains {
		for _, dir := range append(dirs, "/no-such-dir/") {
			got, err := c.TreeOwners(ctx, chain, dir)
			if want := walkOwners(t, c, chain, dir); err != nil || !slices.Equal(got, want) {
				t.Errorf("disk %d chain %v: TreeOwners(%s) = %v, %v; the walk finds %v", diskID, chain, dir, got, err, want)
			}
		}
	}
}

// TestTreeOwnersCorpus checks TreeOwners against WalkTree on every disk of the corpus, for
// every run of consecutive dumps of the disk, newest first, oldest first and repeated.
func TestTreeOwnersCorpus(t *testing.T) {
	c, _, _ := importCorpus(t)
	ctx := context.Background()
	disks, err := column[int64](ctx, c.db, "SELECT id FROM disks ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, disk := range disks {
		dumps, err := column[int64](ctx, c.db, "SELECT id FROM dumps WHERE disk_id = ? AND index_source IS NOT NULL ORDER BY datestamp DESC, level DESC", disk)
		if err != nil {
			t.Fatal(err)
		}
		var chains [][]int64
		for i := range dumps {
			for j := i + 1; j <= len(dumps); j++ {
				run := dumps[i:j]
				old := slices.Clone(run)
				slices.Reverse(old)
				chains = append(chains, run, old, append(slices.Clone(run), run[0]))
			}
		}
		checkOwners(t, c, disk, chains)
		checked += len(chains)
	}
	if checked == 0 {
		t.Fatal("no indexed dump in the corpus catalog")
	}
}

// TestTreeOwnersShadowed checks the cases the corpus may lack: a dump whose every entry a newer
// one lists, a dump that lists only a directory, directories only implied by the lines below.
func TestTreeOwnersShadowed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c, err := Open(ctx, filepath.Join(dir, "catalog.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var diskID int64
	err = c.inTx(ctx, func(tx *sql.Tx) error {
		hostID, err := upsertHost(ctx, tx, "h")
		if err != nil {
			return err
		}
		diskID, err = upsertDisk(ctx, tx, hostID, "/d")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	indexes := []string{
		"/\n/a/\n/a/b/\n/a/x\n/a/b/y\n/c/z\n", // a level 0
		"/\n/a/\n/a/b/\n/a/b/y\n",             // all listed by the level 0 too
		"/a/b/\n",                             // a directory alone, its parents implied
		"/c/z\n/q/r/s\n",                      // files alone
	}
	var ids []int64
	for i, text := range indexes {
		p := filepath.Join(dir, fmt.Sprintf("%d", i))
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		ds := fmt.Sprintf("2024010%d000000", i+1)
		if _, err := c.importIndexFile(ctx, diskID, ds, i, p, fi); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := c.db.QueryRowContext(ctx, "SELECT id FROM dumps WHERE disk_id = ? AND datestamp = ?", diskID, ds).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var chains [][]int64
	// Every order of every non-empty subset of the four dumps.
	var perms func(pre, rest []int64)
	perms = func(pre, rest []int64) {
		if len(pre) > 0 {
			chains = append(chains, slices.Clone(pre))
		}
		for i := range rest {
			perms(append(slices.Clone(pre), rest[i]), append(slices.Clone(rest[:i]), rest[i+1:]...))
		}
	}
	perms(nil, ids)
	checkOwners(t, c, diskID, chains)
	// The walk and TreeOwners agree on this one; say what it is, so that both being wrong
	// the same way shows: the level 1 repeats the level 0, so under /a/b/ the newest (chain
	// first) owns all.
	if got, err := c.TreeOwners(ctx, []int64{ids[1], ids[0]}, "/a/b/"); err != nil || !slices.Equal(got, []int64{ids[1]}) {
		t.Errorf("TreeOwners(/a/b/) of [level 1, level 0] = %v, %v; want only the level 1 (%d)", got, err, ids[1])
	}
	if got, err := c.TreeOwners(ctx, []int64{ids[2], ids[0]}, "/"); err != nil || !slices.Equal(got, []int64{ids[2], ids[0]}) {
		t.Errorf("TreeOwners(/) of [dir alone, level 0] = %v, %v; want both", got, err)
	}
}
