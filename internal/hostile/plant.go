package hostile

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/amrshell/amrshell/device"
)

// The dump planted is a level 0 of this disk; its header is made from the corpus' holding dump.
const (
	Host     = "localhost"
	Disk     = "/home/alice"
	template = "holding/20261122232930/localhost._home_alice.2"
)

// Dump is where Plant put a dump.
type Dump struct {
	Datestamp string
	Holding   string // the holding file (one chunk)
	Index     string // the gzipped index
	Log       string // the trace log of the run
}

// Plant writes the case's stream as a level-0 holding-disk dump of localhost:/home/alice made at
// datestamp (after the corpus' runs, so that `setdate` to it restores it alone) into the corpus
// copy at root, with its index, header file and trace log, as Amanda leaves them.
func Plant(root string, c Case, datestamp string) (Dump, error) {
	native := c.Stream()
	compressed, err := gzipped(native)
	if err != nil {
		return Dump{}, err
	}
	block, err := dumpHeader(root, datestamp, native, compressed)
	if err != nil {
		return Dump{}, fmt.Errorf("plant %s: %w", c.Name, err)
	}
	d := Dump{
		Datestamp: datestamp,
		Holding:   filepath.Join(root, "holding", datestamp, device.SanitiseFilename(Host)+"."+device.SanitiseFilename(Disk)+".0"),
		Index:     filepath.Join(root, "state", "index", Host, device.SanitiseFilename(Disk), datestamp+"_0.gz"),
		Log:       filepath.Join(root, "state", "log", "log."+datestamp+".0"),
	}
	index, err := gzipped([]byte(indexText(c.Members)))
	if err != nil {
		return Dump{}, err
	}
	text, _, _ := bytes.Cut(block, []byte{0})
	for _, f := range []struct {
		path string
		data []byte
	}{
		{d.Holding, append(block, compressed...)},
		{d.Index, index},
		{strings.TrimSuffix(d.Index, ".gz") + ".header", text},
		{d.Log, []byte(logText(datestamp, native, compressed))},
	} {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			return Dump{}, fmt.Errorf("plant %s: %w", c.Name, err)
		}
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return Dump{}, fmt.Errorf("plant %s: %w", c.Name, err)
		}
	}
	return d, nil
}

// dumpHeader builds the FILE header of the dump: the corpus holding dump's program,
// application, DLE and restore command, with this dump's level, sizes and CRCs, in one chunk.
func dumpHeader(root, datestamp string, native, compressed []byte) ([]byte, error) {
	f, err := os.Open(filepath.Join(root, template))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := device.ReadHeader(f)
	if err != nil {
		return nil, fmt.Errorf("read template header %s: %w", template, err)
	}
	if h.Type != device.DumpFile || h.Comp != ".gz" || h.Application != "amgtar" || !strings.Contains(h.DLE, "<level>2</level>") {
		return nil, fmt.Errorf("template header %s is not the level-2 amgtar dump this package knows: %s", template, h.Summary())
	}
	h.Datestamp, h.Level, h.ContFilename = datestamp, 0, ""
	h.DLE = strings.Replace(h.DLE, "<level>2</level>", "<level>0</level>", 1)
	h.OrigSizeKB = int64(len(native)+1023) / 1024
	h.NativeCRC = crc(native)
	h.ClientCRC = crc(compressed) // compress client fast: the client sent it compressed
	h.ServerCRC = crc(compressed)
	return h.Build()
}

func crc(b []byte) device.CRC {
	return device.CRC{Sum: crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)), Size: int64(len(b))}
}

func gzipped(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// indexText is the index amgtar would send: "/" and a line a member, directories ending with
// "/", sorted as amindexd sorts them. A compromised client writes what it likes there; names
// that GNU tar would have to quote (controls, backslashes, non-ASCII) are left out, so the
// index stays in the corpus' form and only the stream is hostile.
func indexText(members []Member) string {
	lines := map[string]bool{"/": true}
	for _, m := range members {
		name := m.Name
		for i := 0; i+1 < len(m.PAX); i += 2 {
			if m.PAX[i] == "path" {
				name = m.PAX[i+1]
			}
		}
		if !plain(name) || len(name) > 1024 {
			continue
		}
		line := "/" + strings.Trim(strings.TrimPrefix(name, "./"), "/")
		if m.Type == '5' || m.Type == 'D' {
			line = strings.TrimSuffix(line, "/") + "/"
		}
		lines[line] = true
	}
	var out []string
	for l := range lines {
		out = append(out, l)
	}
	slices.Sort(out)
	return strings.Join(out, "\n") + "\n"
}

func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// logText is the trace log of the run, as amdump writes it for a dump that stays on the
// holding disk (the corpus' log.20261122232930.0).
func logText(ds string, native, compressed []byte) string {
	kb, orig := (len(compressed)+1023)/1024, (len(native)+1023)/1024
	return fmt.Sprintf(`INFO amdump amdump pid 20000
INFO planner planner pid 20001
START planner date %[1]s
DISK planner %[2]s %[3]s
INFO driver driver pid 20002
START driver date %[1]s
STATS driver hostname vm
STATS driver startup time 0.022
INFO dumper dumper pid 20004
FINISH planner date %[1]s time 2.367
INFO planner pid-done 20001
INFO chunker chunker pid 20005
SUCCESS dumper %[2]s %[3]s %[1]s 0 %[4]s %[5]s [sec 0.100 kb %[6]d kps %[6]d.0 orig-kb %[7]d]
SUCCESS chunker %[2]s %[3]s %[1]s 0 %[5]s [sec 0.200000 kb %[6]d kps %[6]d.000000]
INFO chunker pid-done 20005
STATS driver estimate %[2]s %[3]s %[1]s 0 [sec 0 nkb %[7]d ckb %[6]d kps 1024]
INFO dumper pid-done 20004
FINISH driver date %[1]s time 3.911
INFO driver pid-done 20002
INFO amdump pid-done 20000
`, ds, Host, device.QuoteString(Disk), crc(native), crc(compressed), kb, orig)
}
