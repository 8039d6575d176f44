package recover

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// closeCounter counts the Close calls of a reader.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestReadAhead(t *testing.T) {
	data := make([]byte, 3*readAheadSize+12345)
	for i := range data {
		data[i] = byte(i * 7)
	}
	damaged := errors.New("read error")
	tests := []struct {
		name    string
		src     io.Reader
		want    []byte
		wantErr error
	}{
		{"whole blocks and a short one", bytes.NewReader(data), data, io.EOF},
		{"in small reads", iotest.OneByteReader(bytes.NewReader(data[:5000])), data[:5000], io.EOF},
		{"empty", bytes.NewReader(nil), nil, io.EOF},
		{"an error after data", io.MultiReader(bytes.NewReader(data[:readAheadSize+10]), iotest.ErrReader(damaged)), data[:readAheadSize+10], damaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &closeCounter{Reader: tt.src}
			ra := newReadAhead(src)
			got, err := io.ReadAll(iotest.HalfReader(ra))
			if tt.wantErr == io.EOF && err != nil || tt.wantErr != io.EOF && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("read %d bytes, want the %d of the source, in order", len(got), len(tt.want))
			}
			if _, err := ra.Read(make([]byte, 10)); err == nil {
				t.Error("a read after the end succeeded")
			}
			if err := ra.Close(); err != nil || src.closed != 1 {
				t.Errorf("Close: %v, source closed %d times", err, src.closed)
			}
		})
	}
	t.Run("closed before the end", func(t *testing.T) {
		src := &closeCounter{Reader: bytes.NewReader(data)}
		ra := newReadAhead(src)
		if _, err := io.ReadFull(ra, make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		if err := ra.Close(); err != nil || src.closed != 1 {
			t.Errorf("Close: %v, source closed %d times", err, src.closed)
		}
	})
}
