package shell

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
)

// keyReader is the only reader of a terminal's bytes. The line editor, the answers to
// questions and the plain line reader all take from it, so nothing typed ahead is lost when one
// hands over to another, and a read given up on Ctrl-C leaves what it later gets for the next
// reader. Reads are made on demand, one at a time, on a goroutine of their own: a read from a
// terminal cannot be interrupted.
type keyReader struct {
	r       io.Reader
	arrived chan struct{} // a read ended (capacity 1)

	mu      sync.Mutex
	pending []byte
	end     error // the read after pending ended the input: io.EOF (Ctrl-D) or an error
	reading bool
}

func newKeyReader(r io.Reader) *keyReader {
	return &keyReader{r: r, arrived: make(chan struct{}, 1)}
}

// startRead starts a read unless one is under way or the input has ended. k.mu is held.
func (k *keyReader) startRead() {
	if k.reading || k.end != nil {
		return
	}
	k.reading = true
	go func() {
		buf := make([]byte, 1024)
		n, err := k.r.Read(buf)
		k.mu.Lock()
		k.pending = append(k.pending, buf[:n]...)
		if n == 0 && err == nil {
			err = io.EOF // a terminal's Ctrl-D; os.File says io.EOF itself
		}
		if err != nil {
			k.end = err
		}
		k.reading = false
		k.mu.Unlock()
		select {
		case k.arrived <- struct{}{}:
		default:
		}
	}()
}

// ReadLine returns the next line without its end ("\n", or "\r" typed in raw mode), io.EOF
// when the input ends before any byte of a line, or ctx's error.
func (k *keyReader) ReadLine(ctx context.Context) (string, error) {
	for {
		k.mu.Lock()
		if i := bytes.IndexAny(k.pending, "\r\n"); i >= 0 {
			line := string(k.pending[:i])
			skip := i + 1
			if k.pending[i] == '\r' && skip < len(k.pending) && k.pending[skip] == '\n' {
				skip++
			}
			k.pending = k.pending[skip:]
			k.mu.Unlock()
			return line, nil
		}
		if len(k.pending) > maxLine {
			k.pending = nil
			k.mu.Unlock()
			return "", fmt.Errorf("input line longer than %d bytes", maxLine)
		}
		if k.end != nil {
			line, err := string(k.pending), k.end
			// A terminal's end of input is one Ctrl-D: the next read may go on.
			k.pending, k.end = nil, nil
			k.mu.Unlock()
			if line != "" {
				return line, nil
			}
			return "", err
		}
		k.startRead()
		k.mu.Unlock()
		select {
		case <-k.arrived:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// nextKey takes one key's bytes (keyLen says how many) without waiting; ok is false when none
// has been typed yet, and a read is then under way. The end of input comes as Ctrl-D.
func (k *keyReader) nextKey(keyLen func([]byte) int) (key []byte, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.pending) > 0 {
		n := keyLen(k.pending)
		key = bytes.Clone(k.pending[:n])
		k.pending = k.pending[n:]
		return key, true
	}
	if k.end != nil {
		k.end = nil
		return []byte{ctrlD}, true
	}
	k.startRead()
	return nil, false
}

const (
	ctrlC = 0x03
	ctrlD = 0x04
)
