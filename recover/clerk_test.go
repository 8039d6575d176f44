package recover

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/internal/corpus"
)

// The level 0 of /home/alice has two copies: vault (Vault1-01 files 1-2, amrecover's choice)
// and DailySet1 (DailySet1-01 files 3-4), in parts of the same sizes.
const (
	aliceDate    = "2026-11-22-23-28-46"
	vaultPart1   = "vtapes/vault/slot1/00001.localhost._home_alice.0"
	vaultPart2   = "vtapes/vault/slot1/00002.localhost._home_alice.0"
	mainPart1    = "vtapes/main/slot1/00003.localhost._home_alice.0"
	vaultSlot    = "vtapes/vault/slot1"
	mainSlot     = "vtapes/main/slot1"
	headerBlocks = 32768
)

// aliceCopies returns the copies of /home/alice's level 0 as a restore reads them (vault
// first) and the SHA-256 of the dump's bytes as on the media.
func aliceCopies(t *testing.T, cat *catalog.Catalog, r *Restorer) ([]*catalog.Copy, [32]byte) {
	t.Helper()
	ctx := context.Background()
	cp, err := cat.Copy(ctx, copyOf(t, cat, "localhost", "/home/alice", aliceDate, "vault"))
	if err != nil {
		t.Fatal(err)
	}
	copies, err := r.copiesOf(ctx, cp, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 2 || copies[0].Storage != "vault" || copies[1].Storage != "DailySet1" {
		t.Fatalf("copies of the level 0 of /home/alice: %v, want vault then DailySet1", copies)
	}
	_, s, err := r.clerk("", nil, nil, nil).Open(ctx, copies[:1])
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := sha256.New()
	if _, err := io.Copy(h, s); err != nil {
		t.Fatal(err)
	}
	return copies, [32]byte(h.Sum(nil))
}

func TestClerkFallsBackToAnotherCopy(t *testing.T) {
	tests := []struct {
		name      string
		damage    func(root string) error
		wantNotes []string // in order
	}{
		{
			name:   "vault volume missing",
			damage: func(root string) error { return os.RemoveAll(filepath.Join(root, vaultSlot)) },
			wantNotes: []string{
				"the copy in storage vault (Vault1-01) failed: load volume 'Vault1-01': ",
				"reading localhost:/home/alice level 0 of 20261122232846 from the copy in storage DailySet1 (DailySet1-01) instead\n",
			},
		},
		{
			name: "garbage header on part 1",
			damage: func(root string) error {
				return overwriteHead(filepath.Join(root, vaultPart1), bytes.Repeat([]byte("junk\n"), 50))
			},
			wantNotes: []string{
				"the copy in storage vault (Vault1-01) failed: read header of Vault1-01 file 1",
				"from the copy in storage DailySet1 (DailySet1-01) instead\n",
			},
		},
		{
			name:   "part 2 truncated",
			damage: func(root string) error { return truncateHalf(filepath.Join(root, vaultPart2)) },
			wantNotes: []string{
				"volume 'Vault1-01' file 2 is truncated",
				"from the copy in storage DailySet1 (DailySet1-01) instead, from byte 1048576 (part 2)\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := corpus.Copy(t)
			ctx := context.Background()
			cat := openCorpus(t, root)
			r := NewRestorer(cat, "")
			copies, want := aliceCopies(t, cat, r)
			if err := tt.damage(root); err != nil {
				t.Fatal(err)
			}
			var notes strings.Builder
			_, s, err := r.clerk("", &notes, nil, nil).Open(ctx, copies)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			h := sha256.New()
			_, err = io.Copy(h, s)
			s.Close()
			if err != nil {
				t.Fatalf("read: %v\nnotes:\n%s", err, notes.String())
			}
			if [32]byte(h.Sum(nil)) != want {
				t.Errorf("the dump read with a fall-back differs from the dump")
			}
			rest := notes.String()
			for _, w := range tt.wantNotes {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("notes lack %q (in order):\n%s", w, notes.String())
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// operatorFunc answers the clerk's questions for volumes.
type operatorFunc func(label string, why error) (string, error)

func (f operatorFunc) InsertVolume(_ context.Context, label, _ string, why error) (string, error) {
	return f(label, why)
}

func TestClerkAsksTheOperator(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(root, hidden string, asked int) (string, error)
		wantErr error // nil: the dump reads through
		asked   int
	}{
		{
			name: "inserted after a second prompt",
			answer: func(root, hidden string, asked int) (string, error) {
				if asked == 2 { // the operator puts the volume back into its slot
					return "", os.Rename(hidden, filepath.Join(root, vaultSlot))
				}
				return "", nil
			},
			asked: 2,
		},
		{
			name: "another device",
			answer: func(root, hidden string, asked int) (string, error) {
				return "chg-disk:" + filepath.Dir(hidden), nil
			},
			asked: 1,
		},
		{
			name:    "skip",
			answer:  func(string, string, int) (string, error) { return "", ErrSkipDump },
			wantErr: ErrSkipDump,
			asked:   1,
		},
		{
			name:    "end of input",
			answer:  func(string, string, int) (string, error) { return "", io.EOF },
			wantErr: ErrAborted,
			asked:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := corpus.Copy(t)
			ctx := context.Background()
			cat := openCorpus(t, root)
			r := NewRestorer(cat, "")
			copies, want := aliceCopies(t, cat, r)
			// Neither copy can be reached: the vault volume is out of its changer (in a
			// directory laid out as a chg-disk of its own), the main one damaged.
			hidden := filepath.Join(t.TempDir(), "shelf", "slot1")
			if err := os.MkdirAll(filepath.Dir(hidden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(root, vaultSlot), hidden); err != nil {
				t.Fatal(err)
			}
			if err := overwriteHead(filepath.Join(root, mainPart1), bytes.Repeat([]byte("junk\n"), 50)); err != nil {
				t.Fatal(err)
			}
			asked := 0
			r.Operator = operatorFunc(func(label string, why error) (string, error) {
				asked++
				if label != "Vault1-01" || !errors.Is(why, fs.ErrNotExist) && !strings.Contains(why.Error(), "Vault1-01") {
					t.Errorf("asked for %q because %v; want Vault1-01, missing", label, why)
				}
				return tt.answer(root, hidden, asked)
			})
			var s io.ReadCloser
			_, s, err := r.clerk("", io.Discard, nil, r.Operator).Open(ctx, copies)
			h := sha256.New()
			if err == nil {
				_, err = io.Copy(h, s)
				s.Close()
			}
			if asked != tt.asked {
				t.Errorf("the operator was asked %d times, want %d", asked, tt.asked)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if [32]byte(h.Sum(nil)) != want {
				t.Errorf("the dump read differs from the dump")
			}
		})
	}
}

// Damaged data that the clerk cannot see (the bytes are there, but wrong) shows when they are
// decompressed, or when tar reads what they decompressed to: the restore starts again from the
// other copy and comes out right.
func TestRestoreAgainFromAnotherCopy(t *testing.T) {
	root := corpus.Copy(t)
	ctx := context.Background()
	cat := openCorpus(t, root)
	r := NewRestorer(cat, "")
	id := copyOf(t, cat, "localhost", "/home/alice", aliceDate, "vault")
	whole := Request{CopyID: id, Items: []Item{{Path: "/", Dir: true}}}

	good := t.TempDir()
	if err := r.Restore(ctx, whole, good, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(root, vaultPart2)
	pristine, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	for off := int64(20000); off < int64(len(pristine))-headerBlocks-512; off += 40000 {
		t.Run(fmt.Sprint(off), func(t *testing.T) {
			damaged := bytes.Clone(pristine)
			copy(damaged[headerBlocks+off:], bytes.Repeat([]byte{0x55}, 512))
			if err := os.WriteFile(part, damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			got := t.TempDir()
			var notes strings.Builder
			if err := r.Restore(ctx, whole, got, io.Discard, &notes); err != nil {
				t.Fatalf("restore: %v\nnotes:\n%s", err, notes.String())
			}
			for _, w := range []string{
				"(data read from the copy in storage vault (Vault1-01)",
				"restoring localhost:/home/alice level 0 of 20261122232846 again, from the copy in storage DailySet1 (DailySet1-01)",
			} {
				if !strings.Contains(notes.String(), w) {
					t.Errorf("notes lack %q:\n%s", w, notes.String())
				}
			}
			if a, b := treeDigest(t, good), treeDigest(t, got); a != b {
				t.Errorf("the tree restored after the damage differs:\n%s\nwant\n%s", b, a)
			}
		})
	}
}

// treeDigest lists a directory's entries with their type, mode, size and content hash.
func treeDigest(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %v %d", rel, fi.Mode(), fi.Size())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, " %x", sha256.Sum256(data))
		}
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func truncateHalf(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	return os.Truncate(p, fi.Size()/2)
}
