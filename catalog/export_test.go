package catalog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// exportCorpus exports the corpus' catalog and returns the catalog, the export's path and what
// Export said.
func exportCorpus(t *testing.T) (*Catalog, string, ExportInfo) {
	t.Helper()
	c, _, _ := importCorpus(t)
	path := filepath.Join(t.TempDir(), "DailySet1.amrcat")
	info, err := c.Export(context.Background(), path, "9.9.9")
	if err != nil {
		t.Fatal(err)
	}
	return c, path, info
}

// install opens the export at path and installs it at dest.
func install(path, dest string, force bool) error {
	r, err := OpenExport(path)
	if err != nil {
		return err
	}
	defer r.Close()
	return r.Install(context.Background(), dest, force)
}

// dirNames lists a directory's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestExportRoundTrip(t *testing.T) {
	c, path, info := exportCorpus(t)
	ctx := context.Background()
	if names := dirNames(t, filepath.Dir(path)); !slices.Equal(names, []string{filepath.Base(path)}) {
		t.Errorf("the export's directory holds %q; want the export alone", names)
	}
	var names []string
	for _, f := range info.Files {
		names = append(names, f.Name)
	}
	if info.Config != "DailySet1" || info.Schema != len(migrations) || info.Version != "9.9.9" ||
		!slices.Equal(names, []string{"catalog.sqlite", "amanda.conf", "disklist", "tapelist"}) {
		t.Errorf("Export said %+v", info)
	}

	r, err := OpenExport(path)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Info()
	r.Close()
	if got.Version != info.Version || got.Config != info.Config || got.Schema != info.Schema ||
		!got.Created.Equal(info.Created) || !slices.Equal(got.Files, info.Files) {
		t.Errorf("the manifest says %+v; Export said %+v", got, info)
	}

	dest := filepath.Join(t.TempDir(), "state", "DailySet1.sqlite")
	if err := install(path, dest, false); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, filepath.Dir(dest)); !slices.Equal(names, []string{"DailySet1.sqlite"}) {
		t.Errorf("the catalog's directory holds %q; want the catalog alone", names)
	}
	d, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.ConfigName() != "DailySet1" {
		t.Errorf("installed catalog is configuration %q's", d.ConfigName())
	}
	if want, got := tableCounts(t, c), tableCounts(t, d); !slices.Equal(got, want) {
		t.Errorf("row counts of the installed catalog %v; the exported one has %v", got, want)
	}
	// The texts are the files as they were imported.
	rows, err := d.db.Query("SELECT name, path, text FROM config_files ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var texts []string
	for rows.Next() {
		var name, path string
		var text []byte
		if err := rows.Scan(&name, &path, &text); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, name)
		if disk, err := os.ReadFile(path); err != nil || !bytes.Equal(disk, text) {
			t.Errorf("config_files %s differs from %s (%v)", name, path, err)
		}
	}
	if !slices.Equal(texts, []string{"amanda.conf", "disklist", "tapelist"}) {
		t.Errorf("config_files holds %q", texts)
	}

	if err := install(path, dest, false); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("a second install without force: %v; want a refusal", err)
	}
	if err := install(path, dest, true); err != nil {
		t.Errorf("install with force: %v", err)
	}
}

// member is where one member of an export lies.
type member struct {
	header, data, size int64
}

// layout finds the members of an export from its manifest's sizes.
func layout(info ExportInfo, manifestSize int64) (members []member, end int64) {
	sizes := []int64{manifestSize}
	for _, f := range info.Files {
		sizes = append(sizes, f.Size)
	}
	off := int64(0)
	for _, size := range sizes {
		members = append(members, member{off, off + tarBlock, size})
		off += tarBlock + size + pad(size)
	}
	return members, off
}

// TestExportDamageRefused flips one bit at many places of an export (every byte of the tar
// headers, the manifest, the padding and the end blocks, every 97th byte of the rest) and
// checks that each damaged copy is refused and installs nothing.
func TestExportDamageRefused(t *testing.T) {
	_, path, info := exportCorpus(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	members, end := layout(info, int64(len(info.manifest())))
	if end+2*tarBlock != int64(len(good)) {
		t.Fatalf("export has %d bytes; its layout says %d", len(good), end+2*tarBlock)
	}
	every := map[int64]bool{}
	for i, m := range members {
		for o := m.header; o < m.data; o++ {
			every[o] = true
		}
		if i == 0 {
			for o := m.data; o < m.data+m.size; o++ {
				every[o] = true
			}
		}
		for o := m.data + m.size; o < m.data+m.size+pad(m.size); o++ {
			every[o] = true
		}
	}
	for o := end; o < int64(len(good)); o++ {
		every[o] = true
	}
	for o := int64(0); o < int64(len(good)); o += 97 {
		every[o] = true
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.amrcat")
	dest := filepath.Join(dir, "state", "c.sqlite")
	for o := range every {
		b := slices.Clone(good)
		b[o] ^= 0x01
		if err := os.WriteFile(bad, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := install(bad, dest, false); err == nil {
			t.Fatalf("byte %d flipped: the export was installed", o)
		}
	}
	if names := dirNames(t, filepath.Dir(dest)); len(names) > 0 {
		t.Errorf("refused installs left %q", names)
	}
}

// TestExportDamageNamed checks that the refusal says what is wrong and where.
func TestExportDamageNamed(t *testing.T) {
	_, path, info := exportCorpus(t)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	members, end := layout(info, int64(len(info.manifest())))
	flip := func(o int64) func([]byte) []byte {
		return func(b []byte) []byte { b[o] ^= 0x01; return b }
	}
	cat, conf := members[1], members[2]
	tests := []struct {
		name   string
		damage func([]byte) []byte
		want   string
	}{
		{"catalog data", flip(cat.data + cat.size/2), "member catalog.sqlite is damaged: its SHA-256 is"},
		{"amanda.conf data", flip(conf.data + 10), "member amanda.conf is damaged"},
		{"manifest", flip(members[0].data + 30), "MANIFEST is damaged"},
		{"manifest's sum", flip(members[0].data + members[0].size - 3), "MANIFEST is damaged"},
		{"first header", flip(100), "the first tar header (byte 0) is damaged"},
		{"header byte tar ignores", func(b []byte) []byte { b[155] = 0; return b }, "the tar header of member MANIFEST (byte 0) is damaged"},
		{"catalog's header size", flip(cat.header + 130), "tar header after member MANIFEST"},
		{"catalog's header uid", flip(cat.header + 110), "tar header after member MANIFEST"},
		{"padding", flip(members[0].data + members[0].size), "in the padding after member MANIFEST, is not zero"},
		{"end blocks", flip(end + 700), "the end of the archive after member tapelist"},
		{"truncated in the catalog", func(b []byte) []byte { return b[:cat.data+100] }, "it ends in member catalog.sqlite: the file is truncated"},
		{"truncated end", func(b []byte) []byte { return b[:len(b)-1] }, "the file is truncated"},
		{"no end blocks", func(b []byte) []byte { return b[:end] }, "the file is truncated"},
		{"a byte more", func(b []byte) []byte { return append(b, 0) }, "1 bytes follow the end of the archive"},
		{"empty", func(b []byte) []byte { return nil }, "before member MANIFEST: the file is truncated"},
		{"not a tar", func(b []byte) []byte { return []byte(strings.Repeat("SQLite format 3\x00", 64)) }, "the first tar header (byte 0) is damaged"},
		{"manifest re-summed, line moved", func(b []byte) []byte {
			return resumManifest(t, b, members[0], "version \"9.9.9\"\nconfig \"DailySet1\"\n", "config \"DailySet1\"\nversion \"9.9.9\"\n")
		}, "not written as amrshell writes manifests"},
		{"newer schema", func(b []byte) []byte {
			return resumManifest(t, b, members[0], fmt.Sprintf("schema %d\n", len(migrations)), fmt.Sprintf("schema %d\n", len(migrations)+1))
		}, "use a newer amrshell"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(dir, "bad.amrcat")
			if err := os.WriteFile(bad, tt.damage(slices.Clone(good)), 0o600); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(dir, "c.sqlite")
			err := install(bad, dest, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), bad) {
				t.Errorf("install: %v; want an error naming %s and saying %q", err, bad, tt.want)
			}
			if _, err := os.Stat(dest); err == nil {
				t.Errorf("%s was installed", dest)
			}
		})
	}
}

// resumManifest replaces old by new (of the same length) in the manifest of an export and
// makes its sum line right again, as someone crafting an export would.
func resumManifest(t *testing.T, b []byte, m member, old, new string) []byte {
	t.Helper()
	text := b[m.data : m.data+m.size]
	i := bytes.Index(text, []byte(old))
	if i < 0 || len(old) != len(new) {
		t.Fatalf("manifest lacks %q", old)
	}
	copy(text[i:], new)
	body, _, _ := cutLastLine(text)
	copy(text[len(body):], fmt.Sprintf("sha256 %x\n", sha256.Sum256(body)))
	return b
}

// TestExportWhileWriting exports while another connection commits transactions that keep
// two counters equal: every export must hold equal counters.
func TestExportWhileWriting(t *testing.T) {
	c, _, _ := importCorpus(t)
	ctx := context.Background()
	if _, err := c.db.Exec("CREATE TABLE probe (a INTEGER, b INTEGER); INSERT INTO probe VALUES (0, 0)"); err != nil {
		t.Fatal(err)
	}
	var commits atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			err := c.inTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.Exec("UPDATE probe SET a = a + 1"); err != nil {
					return err
				}
				time.Sleep(time.Millisecond)
				_, err := tx.Exec("UPDATE probe SET b = b + 1")
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
			commits.Add(1)
		}
	}()
	dir := t.TempDir()
	var during int
	for i := range 5 {
		before := commits.Load()
		path := filepath.Join(dir, fmt.Sprintf("e%d.amrcat", i))
		if _, err := c.Export(ctx, path, "test"); err != nil {
			t.Fatal(err)
		}
		if commits.Load() > before {
			during++
		}
		dest := filepath.Join(dir, fmt.Sprintf("c%d.sqlite", i))
		if err := install(path, dest, false); err != nil {
			t.Fatal(err)
		}
		d, err := Open(ctx, dest)
		if err != nil {
			t.Fatal(err)
		}
		var a, b int
		err = d.db.QueryRow("SELECT a, b FROM probe").Scan(&a, &b)
		d.Close()
		if err != nil || a != b {
			t.Errorf("export %d: probe a=%d b=%d (%v): not one transaction's state", i, a, b, err)
		}
	}
	close(stop)
	wg.Wait()
	if during == 0 {
		t.Error("no transaction committed during any export: the test proved nothing")
	}
}

// TestImportMigratesOldSchema installs an export of a catalog at schema 1 (before
// config_files): it is migrated to this program's schema.
func TestImportMigratesOldSchema(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old := filepath.Join(dir, "old.sqlite")
	db, err := sql.Open("sqlite3", old)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(migrations[0] + "PRAGMA user_version = 1; INSERT INTO config(key, value) VALUES ('name', 'Old');")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "old.amrcat")
	info, err := writeExport(ctx, old, path, "0.0.1", time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if info.Schema != 1 || info.Config != "Old" || len(info.Files) != 1 {
		t.Errorf("export of a schema 1 catalog: %+v", info)
	}
	dest := filepath.Join(dir, "new.sqlite")
	if err := install(path, dest, false); err != nil {
		t.Fatal(err)
	}
	c, err := Open(ctx, dest)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var version, texts int
	if err := c.db.QueryRow("SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM config_files)").Scan(&version, &texts); err != nil {
		t.Fatal(err)
	}
	if version != len(migrations) || texts != 0 || c.ConfigName() != "Old" {
		t.Errorf("installed: schema %d, %d texts, configuration %q", version, texts, c.ConfigName())
	}
}

func FuzzParseManifest(f *testing.F) {
	seed, err := os.ReadFile(filepath.Join("testdata", "export.MANIFEST"))
	if err != nil {
		f.Fatal(err)
	}
	if _, err := parseManifest(seed); err != nil {
		f.Fatalf("testdata/export.MANIFEST: %v", err)
	}
	f.Add(seed)
	f.Add([]byte(exportFormat + "\nsha256 00\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseManifest(b)
		if err != nil {
			return
		}
		if m := got.manifest(); !bytes.Equal(m, b) {
			t.Errorf("%q parses to %+v, which renders as %q", b, got, m)
		}
	})
}
