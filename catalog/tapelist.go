package catalog

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Volume is one tapelist line.
type Volume struct {
	Position    int // 1-based, after sorting newest datestamp first like tapefile.c
	Datestamp   string
	Label       string
	Reuse       bool
	Barcode     string
	Meta        string
	BlocksizeKB int64
	Pool        string
	Storage     string
	Config      string
	Comment     string
}

// ParseTapelist reads a tapelist. The optional fields are recognised only in Amanda's fixed
// order (reuse|no-reuse BARCODE: META: BLOCKSIZE: POOL: STORAGE: CONFIG: #comment); anything
// left over is a bogus line, which Amanda treats as fatal too. Volumes come back in tapelist
// position order: datestamp descending, equal datestamps in file order.
func ParseTapelist(r io.Reader) ([]Volume, error) {
	var vols []Volume
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		v, ok, err := parseTapeline(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("tapelist line %d: %w", n, err)
		}
		if ok {
			vols = append(vols, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tapelist: %w", err)
	}
	slices.SortStableFunc(vols, func(a, b Volume) int { return strings.Compare(b.Datestamp, a.Datestamp) })
	for i := range vols {
		vols[i].Position = i + 1
	}
	return vols, nil
}

func parseTapeline(line string) (Volume, bool, error) {
	f, at := fieldsAt(line)
	if len(f) == 0 {
		return Volume{}, false, nil
	}
	if len(f) < 2 {
		return Volume{}, false, fmt.Errorf("bogus line %q: no label", line)
	}
	v := Volume{Datestamp: f[0], Label: f[1], Reuse: true}
	rest := f[2:]
	take := func(prefix string) (string, bool) {
		if len(rest) > 0 && strings.HasPrefix(rest[0], prefix) {
			s := rest[0][len(prefix):]
			rest = rest[1:]
			return s, true
		}
		return "", false
	}
	if _, ok := take("reuse"); ok {
		v.Reuse = true
	}
	if _, ok := take("no-reuse"); ok {
		v.Reuse = false
	}
	v.Barcode, _ = take("BARCODE:")
	v.Meta, _ = take("META:")
	if bs, ok := take("BLOCKSIZE:"); ok {
		v.BlocksizeKB = atol(bs)
	}
	v.Pool, _ = take("POOL:")
	v.Storage, _ = take("STORAGE:")
	v.Config, _ = take("CONFIG:")
	if len(rest) > 0 {
		if !strings.HasPrefix(rest[0], "#") {
			return Volume{}, false, fmt.Errorf("bogus line %q", line)
		}
		// The comment is the rest of the line after '#', spacing kept.
		v.Comment = line[at[len(f)-len(rest)]+1:]
	}
	return v, true, nil
}

// fieldsAt splits s at runs of white space like strings.Fields and also returns where each
// field starts.
func fieldsAt(s string) (fields []string, at []int) {
	for i := 0; i < len(s); {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		if i > start {
			fields = append(fields, s[start:i])
			at = append(at, start)
		}
	}
	return fields, at
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// atol parses a leading decimal integer like C's atol: optional spaces and sign, then digits;
// anything else ends it.
func atol(s string) int64 {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		return 0
	}
	return n
}
