package recover

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/catalog/amconf"
	"github.com/amrshell/amrshell/internal/corpus"
)

// openCorpus imports the server state of a corpus copy into a fresh catalog.
func openCorpus(t *testing.T, root string) *catalog.Catalog {
	t.Helper()
	ctx := context.Background()
	conf, err := amconf.Load(filepath.Join(root, "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Open(ctx, filepath.Join(t.TempDir(), "catalog.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if _, err := cat.ImportServer(ctx, conf); err != nil {
		t.Fatal(err)
	}
	return cat
}

// copyOf finds the copy of a dump in a storage through the history, as the shell does.
func copyOf(t *testing.T, cat *catalog.Catalog, host, disk, date, storage string) int64 {
	t.Helper()
	items, err := cat.History(context.Background(), host, disk)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Date == date && it.Storage == storage {
			return it.CopyID
		}
	}
	t.Fatalf("no copy of %s:%s at %s in storage %s in %v", host, disk, date, storage, items)
	return 0
}

// Every copy of every dump in the corpus reads back, through the clerk and decompression, to
// the native stream whose CRC32C Amanda recorded.
func TestEveryCopyMatchesItsNativeCRC(t *testing.T) {
	ctx := context.Background()
	cat := openCorpus(t, corpus.Unpack(t))
	r := NewRestorer(cat, "")
	hosts, err := cat.Hosts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	copies := 0
	for _, host := range hosts {
		disks, err := cat.Disks(ctx, host)
		if err != nil {
			t.Fatal(err)
		}
		for _, disk := range disks {
			items, err := cat.History(ctx, host, disk)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				cp, err := cat.Copy(ctx, it.CopyID)
				if err != nil {
					t.Fatal(err)
				}
				if cp.NativeCRC == "" {
					t.Errorf("%s:%s %s %s: no native CRC in the catalog", host, disk, it.Date, it.Storage)
					continue
				}
				h, parts, err := r.clerk("", nil, nil, nil).Open(ctx, []*catalog.Copy{cp})
				if err != nil {
					t.Fatalf("%s:%s %s %s: %v", host, disk, it.Date, it.Storage, err)
				}
				native, err := Decompress(h, parts)
				if err != nil {
					t.Fatal(err)
				}
				crc := newCRCReader(native)
				if _, err := io.Copy(io.Discard, crc); err != nil {
					t.Fatalf("%s:%s %s %s: %v", host, disk, it.Date, it.Storage, err)
				}
				if err := crc.check(cp.NativeCRC); err != nil {
					t.Errorf("%s:%s %s %s: %v", host, disk, it.Date, it.Storage, err)
				}
				parts.Close()
				copies++
			}
		}
	}
	// 7 copies of /home/alice (holding, two storages), 2 of /srv/media, 2 of /srv/ext2vol, 3 of /etc.
	if copies != 14 {
		t.Errorf("read %d copies, the corpus has 14", copies)
	}
}

func TestClerkRefusesDamagedMedia(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(root string) error
		storage string
		wantErr string
	}{
		{
			name: "header of another dump",
			damage: func(root string) error {
				other, err := readHead(filepath.Join(root, "vtapes/main/slot1/00001.client2._etc.0"))
				if err != nil {
					return err
				}
				return overwriteHead(filepath.Join(root, "vtapes/main/slot1/00004.localhost._home_alice.0"), other)
			},
			storage: "DailySet1",
			wantErr: "header on volume 'DailySet1-01' file 4 does not match expectations: got hostname 'client2'; expected 'localhost'; got disk '/etc'; expected '/home/alice'",
		},
		{
			name: "garbage header",
			damage: func(root string) error {
				return overwriteHead(filepath.Join(root, "vtapes/main/slot1/00003.localhost._home_alice.0"), bytes.Repeat([]byte("garbage\n"), 100))
			},
			storage: "DailySet1",
			wantErr: "read header of DailySet1-01 file 3 (",
		},
		{
			name: "truncated part",
			damage: func(root string) error {
				p := filepath.Join(root, "vtapes/vault/slot1/00002.localhost._home_alice.0")
				fi, err := os.Stat(p)
				if err != nil {
					return err
				}
				return os.Truncate(p, fi.Size()/2)
			},
			storage: "vault",
			wantErr: "volume 'Vault1-01' file 2 is truncated",
		},
		{
			name:    "missing volume",
			damage:  func(root string) error { return os.RemoveAll(filepath.Join(root, "vtapes/vault/slot1")) },
			storage: "vault",
			wantErr: "load volume 'Vault1-01'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := corpus.Copy(t)
			ctx := context.Background()
			cat := openCorpus(t, root)
			id := copyOf(t, cat, "localhost", "/home/alice", "2026-11-22-23-28-46", tt.storage)
			if err := tt.damage(root); err != nil {
				t.Fatal(err)
			}
			r := NewRestorer(cat, "")
			cp, err := cat.Copy(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			_, parts, err := r.clerk("", nil, nil, nil).Open(ctx, []*catalog.Copy{cp})
			if err == nil {
				_, err = io.Copy(io.Discard, parts)
				parts.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("reading the copy: %v\nwant an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func readHead(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, 32768)
	_, err = io.ReadFull(f, b)
	return b, err
}

func overwriteHead(path string, head []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(head, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Restoring the whole of /home/alice as of run 2 (level 0 then level 1, `add .`) gives the
// run's tree: every regular file with the manifest's content, and the file deleted at level 1
// gone.
func TestRestoreChainAsOfRun2(t *testing.T) {
	root := corpus.Unpack(t)
	ctx := context.Background()
	cat := openCorpus(t, root)
	r := NewRestorer(cat, "")
	target := t.TempDir()
	var verbose, notes bytes.Buffer
	for _, date := range []string{"2026-11-22-23-28-46", "2026-11-22-23-29-02"} {
		req := Request{CopyID: copyOf(t, cat, "localhost", "/home/alice", date, "vault"), Items: []Item{{Path: "/", Dir: true}}}
		if err := r.Restore(ctx, req, target, &verbose, &notes); err != nil {
			t.Fatalf("restore %s: %v\nnotes:\n%s", date, err, notes.String())
		}
	}
	if !strings.Contains(verbose.String(), "amrshell: Deleting './docs/obsolete.txt'\n") {
		t.Errorf("verbose output lacks the deletion of docs/obsolete.txt:\n%s", verbose.String())
	}
	want := manifestFiles(t, root, 2, "localhost", "/home/alice")
	got := map[string]string{}
	err := filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		rel, _ := filepath.Rel(target, p)
		got[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, sum := range want {
		if got[p] != sum {
			t.Errorf("%s: sha256 %q, want %q", p, got[p], sum)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: restored but not in run 2's tree", p)
		}
	}
}

// manifestFiles reads the regular files of a corpus manifest: path -> sha256.
func manifestFiles(t *testing.T, root string, run int, host, disk string) map[string]string {
	t.Helper()
	m, err := corpus.Manifest(root, run, host, disk)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for p, e := range m {
		if e.Type == "file" {
			files[p] = e.SHA256
		}
	}
	return files
}

// `add *` restores a directory's entries exactly as `add .` would, deleting what a later dump
// no longer has, but never what the user had in the restore directory before: amrecover's
// `add *` did not touch it either.
func TestExactRestoreKeepsWhatWasThere(t *testing.T) {
	root := corpus.Unpack(t)
	ctx := context.Background()
	cat := openCorpus(t, root)
	r := NewRestorer(cat, "")
	target := t.TempDir()
	if err := os.WriteFile(filepath.Join(target, "mine.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	// What s07 (client2 /etc as of run 2, `add *` at the top) puts in each group.
	groups := []struct {
		date  string
		items []string
	}{
		{"2026-11-22-23-28-46", []string{"/default/", "/fstab", "/mtab", "/passwd", "/shadow", "/apt/", "/cron.d/", "/network/", "/ssh/", "/systemd/"}},
		{"2026-11-22-23-29-02", []string{"/apt/", "/cron.d/", "/empty.d/", "/hosts", "/network/", "/ssh/", "/systemd/"}},
	}
	var reqs []Request
	for _, g := range groups {
		req := Request{CopyID: copyOf(t, cat, "client2", "/etc", g.date, "DailySet1"), ExactDirs: []string{"/"}}
		for _, p := range g.items {
			req.Items = append(req.Items, Item{Path: p, Dir: strings.HasSuffix(p, "/")})
		}
		reqs = append(reqs, req)
	}
	extract := NewExtract(reqs)
	var verbose, notes bytes.Buffer
	for i, req := range reqs {
		req.Extract = extract
		if err := r.Restore(ctx, req, target, &verbose, &notes); err != nil {
			t.Fatalf("restore %s: %v\nnotes:\n%s", groups[i].date, err, notes.String())
		}
	}
	if b, err := os.ReadFile(filepath.Join(target, "mine.txt")); err != nil || string(b) != "mine" {
		t.Errorf("mine.txt: %q, %v; want it kept\nnotes:\n%s", b, err, notes.String())
	}
	if _, err := os.Lstat(filepath.Join(target, "default")); !os.IsNotExist(err) {
		t.Errorf("default/ was deleted before run 2 but is still there (%v)\nnotes:\n%s", err, notes.String())
	}
	for _, want := range []string{"amrshell: Keeping './mine.txt': it was there before the restore\n", "amrshell: Deleting './default'\n"} {
		if !strings.Contains(notes.String(), want) {
			t.Errorf("notes lack %q:\n%s", want, notes.String())
		}
	}
}

// progressLog is a Progress that records what it is told.
type progressLog struct {
	mu          sync.Mutex // Read and Part may come from the decompressor's goroutine
	calls       []string   // "begin WHAT TOTAL", "part LABEL FILE N/PARTS", "end"
	read, bytes int64
	files       int
}

func (l *progressLog) record(call string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, call)
}

func (l *progressLog) Begin(what string, total int64) {
	l.record(fmt.Sprintf("begin %s %d", what, total))
}

func (l *progressLog) Part(p catalog.Part, num, parts int) {
	l.record(fmt.Sprintf("part %s %d %d/%d", p.Label, p.Filenum, num, parts))
}

func (l *progressLog) Read(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.read += n
}

func (l *progressLog) Restored(size int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.files++
	l.bytes += size
}

func (l *progressLog) End() { l.record("end") }

// Restore tells its Progress of the dump, of each part before its volume is loaded, of every
// byte read from the media and of every file restored, and ends it whatever happened. The level
// 0 of /srv/media spans two volumes in five parts.
func TestRestoreProgress(t *testing.T) {
	const date = "2026-11-22-23-28-46"
	parts := []string{
		"part DailySet1-01 5 1/5",
		"part DailySet1-01 6 2/5",
		"part DailySet1-02 1 3/5",
		"part DailySet1-02 2 4/5",
		"part DailySet1-02 3 5/5",
	}
	tests := []struct {
		name      string
		damage    func(root string) error
		wantCalls []string // after "begin"
		wantErr   string
	}{
		{
			name:      "restored",
			wantCalls: append(slices.Clone(parts), "end"),
		},
		{
			name:      "second volume missing",
			damage:    func(root string) error { return os.RemoveAll(filepath.Join(root, "vtapes/main/slot2")) },
			wantCalls: append(slices.Clone(parts[:3]), "end"),
			wantErr:   "load volume 'DailySet1-02'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var root string
			if tt.damage == nil {
				root = corpus.Unpack(t)
			} else {
				root = corpus.Copy(t)
			}
			ctx := context.Background()
			cat := openCorpus(t, root)
			id := copyOf(t, cat, "localhost", "/srv/media", date, "DailySet1")
			cp, err := cat.Copy(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			for _, p := range cp.Parts {
				total += p.Bytes
			}
			if tt.damage != nil {
				if err := tt.damage(root); err != nil {
					t.Fatal(err)
				}
			}
			var log progressLog
			req := Request{CopyID: id, Items: []Item{{Path: "/", Dir: true}}, Progress: &log}
			err = NewRestorer(cat, "").Restore(ctx, req, t.TempDir(), io.Discard, io.Discard)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("restore: %v, want an error containing %q", err, tt.wantErr)
			}
			want := append([]string{fmt.Sprintf("begin localhost:/srv/media level 0 of 20261122232846 %d", total)}, tt.wantCalls...)
			if !slices.Equal(log.calls, want) {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(log.calls, "\n"), strings.Join(want, "\n"))
			}
			if tt.wantErr != "" {
				if log.read >= total {
					t.Errorf("read %d bytes of %d from media that lack a volume", log.read, total)
				}
				return
			}
			if total == 0 || log.read != total {
				t.Errorf("read %d bytes, the catalog's parts hold %d", log.read, total)
			}
			m, err := corpus.Manifest(root, 1, "localhost", "/srv/media")
			if err != nil {
				t.Fatal(err)
			}
			var files int
			var bytes int64
			for _, e := range m {
				if e.Type != "dir" {
					files++
					bytes += e.Size
				}
			}
			if log.files != files || log.bytes != bytes {
				t.Errorf("restored %d files, %d bytes; the dump has %d files, %d bytes", log.files, log.bytes, files, bytes)
			}
		})
	}
}
