package recover

import "github.com/amrshell/amrshell/catalog"

// Progress follows the restore of each dump. Read and Part may be called from a goroutine of
// the decompressor's, concurrently with Restored: implementations must be safe for that.
type Progress interface {
	// Begin starts a dump: what names it ("host:disk level N of TS"), total is the bytes its
	// parts hold on the media as the catalog records them, 0 when unknown.
	Begin(what string, total int64)
	// Part says that part num of parts (from 1) is being loaded and read.
	Part(part catalog.Part, num, parts int)
	// Read counts n more bytes read from the media, as stored there (compressed).
	Read(n int64)
	// Restored counts a member other than a directory now complete under its final name,
	// with size bytes of content.
	Restored(size int64)
	// End ends the dump begun last, whatever happened.
	End()
}

// noProgress shows nothing.
type noProgress struct{}

func (noProgress) Begin(string, int64)         {}
func (noProgress) Part(catalog.Part, int, int) {}
func (noProgress) Read(int64)                  {}
func (noProgress) Restored(int64)              {}
func (noProgress) End()                        {}
