package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ManifestEntry is one line of MANIFEST/runN/HOST/DISK.jsonl: an entry of a DLE's tree just
// before run N, as the corpus builder recorded it.
type ManifestEntry struct {
	Path          string `json:"path"` // relative to the DLE root
	Type          string `json:"type"` // file, dir or symlink
	Mode          string `json:"mode"` // octal, with setuid/setgid/sticky: "0644", "1777"
	UID           int    `json:"uid"`
	GID           int    `json:"gid"`
	Mtime         int64  `json:"mtime"`
	Size          int64  `json:"size"`
	SHA256        string `json:"sha256"`
	Target        string `json:"target"`
	HardlinkGroup string `json:"hardlink_group"`
}

// Manifest reads the tree of host's disk just before run (1..4) from the corpus at root,
// by path.
func Manifest(root string, run int, host, disk string) (map[string]ManifestEntry, error) {
	p := filepath.Join(root, "MANIFEST", "run"+strconv.Itoa(run), host, Sanitise(disk)+".jsonl")
	return ReadManifest(p)
}

// ReadManifest reads one manifest file, by path.
func ReadManifest(file string) (map[string]ManifestEntry, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]ManifestEntry{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e ManifestEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		m[e.Path] = e
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return m, nil
}

// Sanitise is Amanda's sanitise_filename, which names a DLE in manifest and index paths.
func Sanitise(s string) string { return strings.NewReplacer("/", "_", ":", "_", `\`, "_").Replace(s) }

// ModeBits is a file mode as the manifest writes it: permission bits with setuid, setgid and
// sticky in their Unix places.
func ModeBits(m fs.FileMode) uint32 {
	u := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		u |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		u |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		u |= 0o1000
	}
	return u
}
