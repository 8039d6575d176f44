package recover

import (
	"fmt"
	"io"
)

// CRCReader passes a stream through and computes Amanda's CRC32C of it, as the restore does
// for the native stream; amfetchdump and amrestore check what they write with it.
type CRCReader crcReader

// NewCRCReader returns a CRCReader reading r.
func NewCRCReader(r io.Reader) *CRCReader { return (*CRCReader)(newCRCReader(r)) }

func (c *CRCReader) Read(p []byte) (int, error) { return (*crcReader)(c).Read(p) }

// Size is the number of bytes read so far.
func (c *CRCReader) Size() int64 { return c.n }

// String is the CRC of what was read so far as Amanda writes it: "8hex:size".
func (c *CRCReader) String() string { return fmt.Sprintf("%08x:%d", c.h.Sum32(), c.n) }
