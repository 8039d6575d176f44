package recover

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/amrshell/amrshell/catalog"
	"github.com/amrshell/amrshell/internal/corpus"
	"github.com/amrshell/amrshell/recover/gtar"
)

// The corpus renamed projects/alpha of /home/alice to projects/alpha-renamed between run 1's
// level 0 and run 2's level 1; the other dumps of the chain record no rename. Every storage's
// copy, the holding-disk one included, must say the same.
func TestRenamesOfCorpusDumps(t *testing.T) {
	ctx := context.Background()
	cat := openCorpus(t, corpus.Unpack(t))
	r := NewRestorer(cat, "")
	renamed := []gtar.Rename{{From: "projects/alpha", To: "projects/alpha-renamed"}}
	for _, tc := range []struct {
		date, storage string
		want          []gtar.Rename
	}{
		{"2026-11-22-23-28-46", "vault", nil},         // level 0
		{"2026-11-22-23-29-02", "vault", renamed},     // level 1
		{"2026-11-22-23-29-02", "DailySet1", renamed}, // level 1, another storage
		{"2026-11-22-23-29-19", "vault", nil},         // level 2
		{"2026-11-22-23-29-30", "HOLDING", nil},       // level 2 of run 4, on the holding disk
	} {
		t.Run(tc.date+"/"+tc.storage, func(t *testing.T) {
			got, err := r.Renames(ctx, copyOf(t, cat, "localhost", "/home/alice", tc.date, tc.storage), "")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Renames = %q, want %q", got, tc.want)
			}
		})
	}
}

// Renames reads the directories at the head of a dump, not the files after them: of the
// level 0 of /home/alice (1.6 MB native) it reads no more than the reader's first chunk.
func TestRenamesReadsOnlyTheHead(t *testing.T) {
	ctx := context.Background()
	cat := openCorpus(t, corpus.Unpack(t))
	cp, err := cat.Copy(ctx, copyOf(t, cat, "localhost", "/home/alice", "2026-11-22-23-28-46", "vault"))
	if err != nil {
		t.Fatal(err)
	}
	h, parts, err := NewRestorer(cat, "").clerk("", nil, nil, nil).Open(ctx, []*catalog.Copy{cp})
	if err != nil {
		t.Fatal(err)
	}
	defer parts.Close()
	native, err := Decompress(h, parts)
	if err != nil {
		t.Fatal(err)
	}
	defer native.Close()
	var log progressLog
	if _, err := dumpRenames(ctx, &countingReader{ctx: ctx, r: native, progress: &log}); err != nil {
		t.Fatal(err)
	}
	rest, err := io.Copy(io.Discard, native)
	if err != nil {
		t.Fatal(err)
	}
	if rest == 0 || log.read+rest != h.NativeCRC.Size {
		t.Errorf("read %d bytes of %d and left %d: the reading did not stop at the first file", log.read, h.NativeCRC.Size, rest)
	}
}
