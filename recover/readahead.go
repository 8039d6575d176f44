package recover

import (
	"errors"
	"io"
)

// Reading ahead: the clerk reads each part's data on a goroutine of its own, a few large blocks
// ahead of the decompressor, so that waiting for the media (a disk, a tape) overlaps the
// decompression and extraction instead of stopping them.
const (
	readAheadBlocks = 4       // blocks read and not yet consumed, at most
	readAheadSize   = 1 << 20 // bytes in a block
)

// readAhead reads src ahead of its reader. Data and the error that ended them come out in
// order, as src gave them; Close stops the goroutine, waits for it and closes src.
type readAhead struct {
	src  io.ReadCloser
	full chan block // blocks read, in order
	free chan []byte
	stop chan struct{}
	done chan struct{}

	cur  block  // the block being consumed
	rest []byte // what is left of it
}

type block struct {
	buf []byte // nil for none
	n   int
	err error // what ended src after these n bytes; nil if not the end
}

func newReadAhead(src io.ReadCloser) *readAhead {
	ra := &readAhead{
		src:  src,
		full: make(chan block, readAheadBlocks),
		free: make(chan []byte, readAheadBlocks),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range readAheadBlocks {
		ra.free <- make([]byte, readAheadSize)
	}
	go ra.loop()
	return ra
}

func (ra *readAhead) loop() {
	defer close(ra.done)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.stop:
			return
		}
		n, err := io.ReadFull(ra.src, buf)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF // a short last block
		}
		select {
		case ra.full <- block{buf: buf, n: n, err: err}:
		case <-ra.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.rest) == 0 {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.cur.buf != nil {
			ra.free <- ra.cur.buf
		}
		ra.cur = <-ra.full
		ra.rest = ra.cur.buf[:ra.cur.n]
	}
	n := copy(p, ra.rest)
	ra.rest = ra.rest[n:]
	return n, nil
}

func (ra *readAhead) Close() error {
	close(ra.stop)
	<-ra.done
	return ra.src.Close()
}
