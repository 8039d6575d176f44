package catalog

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An export ("amrshell catalog export") is a POSIX ustar archive whose members come in this
// order, each a regular file:
//
//	MANIFEST        what the export holds, with the size and SHA-256 of every other member
//	catalog.sqlite  a consistent snapshot of the catalog (VACUUM INTO), in rollback-journal mode
//	amanda.conf     the configuration texts as last imported, those the catalog has
//	disklist
//	tapelist
//
// MANIFEST is text, one fact a line; strings are Go-quoted; the last line is the SHA-256 of
// the lines above it:
//
//	amrshell-catalog-export 1
//	version "0.1.0"
//	config "DailySet1"
//	schema 2
//	created 2026-11-23T10:00:00Z
//	file catalog.sqlite 1081344 9f86d0...
//	file amanda.conf 3126 60303a...
//	sha256 2c26b4...
//
// Every byte of the file is checked on reading: each tar header against the one the writer
// makes, member sums, the manifest's own sum and canonical form, zero padding, the end blocks,
// and nothing after them.
const (
	exportFormat      = "amrshell-catalog-export 1"
	exportManifest    = "MANIFEST"
	exportCatalog     = "catalog.sqlite"
	maxManifestSize   = 64 << 10
	maxConfigFileSize = 64 << 20
	tarBlock          = 512
)

// The configuration files a catalog keeps the text of (table config_files), in export order.
const (
	configFileAmandaConf = "amanda.conf"
	configFileDisklist   = "disklist"
	configFileTapelist   = "tapelist"
)

var configFiles = []string{configFileAmandaConf, configFileDisklist, configFileTapelist}

// saveConfigFile keeps the text of a configuration file as imported, for exports.
func saveConfigFile(ctx context.Context, tx *sql.Tx, name, path string, text []byte) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO config_files(name, path, text) VALUES (?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET path = excluded.path, text = excluded.text`, name, path, text)
	return err
}

// ExportInfo is what an export's manifest says.
type ExportInfo struct {
	Version string    // the amrshell that wrote it
	Config  string    // the Amanda configuration's name
	Schema  int       // the catalog's schema version (PRAGMA user_version)
	Created time.Time // when the snapshot was taken
	Files   []ExportFile
}

// ExportFile is one member of an export after MANIFEST.
type ExportFile struct {
	Name   string
	Size   int64
	SHA256 [sha256.Size]byte
}

// Export writes a self-contained export of the catalog to path, with version as the writer's.
// The catalog is copied in one read transaction, so writers (an import, another shell) may go
// on meanwhile. The export is written under a temporary name beside path, synced, and renamed:
// path holds either the previous file or the complete new one.
func (c *Catalog) Export(ctx context.Context, path, version string) (ExportInfo, error) {
	created := time.Now().UTC().Truncate(time.Second)
	dir, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return ExportInfo{}, fmt.Errorf("export catalog %s to %s: %w", c.path, path, err)
	}
	defer os.RemoveAll(dir)
	snap := filepath.Join(dir, exportCatalog)
	if _, err := c.db.ExecContext(ctx, "VACUUM INTO ?", snap); err != nil {
		return ExportInfo{}, fmt.Errorf("export catalog %s to %s: snapshot: %w", c.path, path, err)
	}
	info, err := writeExport(ctx, snap, path, version, created)
	if err != nil {
		return info, fmt.Errorf("export catalog %s to %s: %w", c.path, path, err)
	}
	return info, nil
}

// writeExport writes the export of the catalog file snap, which nobody else uses, to path.
func writeExport(ctx context.Context, snap, path, version string, created time.Time) (info ExportInfo, err error) {
	info = ExportInfo{Version: version, Created: created}
	texts, err := readSnapshot(ctx, snap, &info, "quick_check")
	if err != nil {
		return info, fmt.Errorf("read snapshot: %w", err)
	}
	catFile, err := fileSum(snap)
	if err != nil {
		return info, err
	}
	info.Files = []ExportFile{catFile}
	for _, name := range configFiles {
		if text, ok := texts[name]; ok {
			info.Files = append(info.Files, ExportFile{name, int64(len(text)), sha256.Sum256(text)})
		}
	}

	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return info, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<20)
	tw := tar.NewWriter(w)
	add := func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(exportHeader(name, size, created)); err != nil {
			return fmt.Errorf("write member %s: %w", name, err)
		}
		if _, err := io.Copy(tw, r); err != nil {
			return fmt.Errorf("write member %s: %w", name, err)
		}
		return nil
	}
	manifest := info.manifest()
	if err := add(exportManifest, int64(len(manifest)), bytes.NewReader(manifest)); err != nil {
		return info, err
	}
	f, err := os.Open(snap)
	if err != nil {
		return info, err
	}
	err = add(exportCatalog, catFile.Size, f)
	f.Close()
	if err != nil {
		return info, err
	}
	for _, m := range info.Files[1:] {
		if err := add(m.Name, m.Size, bytes.NewReader(texts[m.Name])); err != nil {
			return info, err
		}
	}
	if err := tw.Close(); err != nil {
		return info, err
	}
	if err := w.Flush(); err != nil {
		return info, err
	}
	if err := tmp.Sync(); err != nil {
		return info, err
	}
	if err := tmp.Close(); err != nil {
		return info, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return info, err
	}
	return info, syncDir(filepath.Dir(path))
}

// exportHeader is the tar header of every member of an export; the reader compares each
// header block with this one's, byte for byte.
func exportHeader(name string, size int64, mtime time.Time) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: mtime, Format: tar.FormatUSTAR}
}

// headerBlock renders a header as tar.Writer writes it.
func headerBlock(hdr *tar.Header) ([]byte, error) {
	var b bytes.Buffer
	if err := tar.NewWriter(&b).WriteHeader(hdr); err != nil {
		return nil, err
	}
	return b.Bytes()[:tarBlock], nil
}

// manifest renders the MANIFEST member.
func (info *ExportInfo) manifest() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nversion %q\nconfig %q\nschema %d\ncreated %s\n",
		exportFormat, info.Version, info.Config, info.Schema, info.Created.Format(time.RFC3339))
	for _, f := range info.Files {
		fmt.Fprintf(&b, "file %s %d %x\n", f.Name, f.Size, f.SHA256)
	}
	fmt.Fprintf(&b, "sha256 %x\n", sha256.Sum256(b.Bytes()))
	return b.Bytes()
}

// parseManifest reads a MANIFEST member, checking its own sum first.
func parseManifest(b []byte) (ExportInfo, error) {
	var info ExportInfo
	body, last, ok := cutLastLine(b)
	if !ok {
		return info, errors.New("it does not end in a sha256 line")
	}
	sum := sha256.Sum256(body)
	if want := "sha256 " + hex.EncodeToString(sum[:]); last != want {
		return info, fmt.Errorf("its last line is %q, but the lines above sum to %x: it is damaged", last, sum)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if lines[0] != exportFormat {
		return info, fmt.Errorf("its first line is %q, not %q", lines[0], exportFormat)
	}
	for n, line := range lines[1:] {
		key, value, _ := strings.Cut(line, " ")
		var err error
		switch key {
		case "version":
			info.Version, err = strconv.Unquote(value)
		case "config":
			info.Config, err = strconv.Unquote(value)
		case "schema":
			info.Schema, err = strconv.Atoi(value)
		case "created":
			info.Created, err = time.Parse(time.RFC3339, value)
		case "file":
			var f ExportFile
			f, err = parseManifestFile(value)
			info.Files = append(info.Files, f)
		default:
			err = errors.New("unknown line")
		}
		if err != nil {
			return info, fmt.Errorf("line %d %q: %w", n+2, line, err)
		}
	}
	// Exports are written one way only: anything else (a line missing, repeated or moved, a
	// number spelt otherwise) is damage, even if its sum was made to match.
	if !bytes.Equal(info.manifest(), b) {
		return info, errors.New("it is not written as amrshell writes manifests (a line missing, repeated or out of place)")
	}
	// The catalog first, then configuration files, each once, in export order.
	if len(info.Files) == 0 || info.Files[0].Name != exportCatalog {
		return info, fmt.Errorf("its first file is not %s", exportCatalog)
	}
	next := 0
	for _, f := range info.Files[1:] {
		i := slices.Index(configFiles, f.Name)
		if i < next {
			return info, fmt.Errorf("file %q is not a configuration file an export carries, or out of order", f.Name)
		}
		if f.Size > maxConfigFileSize {
			return info, fmt.Errorf("file %s: %d bytes, more than the %d a configuration file may have", f.Name, f.Size, maxConfigFileSize)
		}
		next = i + 1
	}
	return info, nil
}

// parseManifestFile parses "NAME SIZE SHA256" of a manifest's file line.
func parseManifestFile(value string) (ExportFile, error) {
	var f ExportFile
	fields := strings.Fields(value)
	if len(fields) != 3 {
		return f, errors.New("want NAME SIZE SHA256")
	}
	f.Name = fields[0]
	size, err := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || size < 0 {
		return f, fmt.Errorf("bad size %q", fields[1])
	}
	f.Size = size
	sum, err := hex.DecodeString(fields[2])
	if err != nil || len(sum) != sha256.Size {
		return f, fmt.Errorf("bad SHA-256 %q", fields[2])
	}
	copy(f.SHA256[:], sum)
	return f, nil
}

// cutLastLine splits b, which must end in a newline, before its last line.
func cutLastLine(b []byte) (body []byte, last string, ok bool) {
	if len(b) == 0 || b[len(b)-1] != '\n' {
		return nil, "", false
	}
	i := bytes.LastIndexByte(b[:len(b)-1], '\n') + 1
	return b[:i], string(b[i : len(b)-1]), i > 0
}

// readSnapshot checks a catalog file that nobody else uses with PRAGMA check (quick_check or
// integrity_check), fills in info's schema version and configuration name, and returns the
// configuration texts it keeps.
func readSnapshot(ctx context.Context, path string, info *ExportInfo, check string) (map[string][]byte, error) {
	// immutable: no locks, no journal or WAL files made beside it.
	db, err := sql.Open("sqlite3", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&immutable=1")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA "+check)
	if err != nil {
		return nil, fmt.Errorf("SQLite %s: %w", check, err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, fmt.Errorf("SQLite %s: %w", check, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("SQLite %s: %w", check, err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return nil, fmt.Errorf("SQLite %s fails: %s", check, strings.Join(problems, "; "))
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&info.Schema); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	if info.Schema < 1 || info.Schema > len(migrations) {
		return nil, fmt.Errorf("schema version %d is not one this program knows (1 to %d): a newer amrshell wrote it?", info.Schema, len(migrations))
	}
	if err := db.QueryRowContext(ctx, "SELECT value FROM config WHERE key = 'name'").Scan(&info.Config); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read configuration name: %w", err)
	}
	texts := map[string][]byte{}
	if info.Schema < 2 {
		return texts, nil // before config_files
	}
	rows, err = db.QueryContext(ctx, "SELECT name, text FROM config_files")
	if err != nil {
		return nil, fmt.Errorf("read configuration texts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var text []byte
		if err := rows.Scan(&name, &text); err != nil {
			return nil, fmt.Errorf("read configuration texts: %w", err)
		}
		texts[name] = text
	}
	return texts, rows.Err()
}

// fileSum returns the size and SHA-256 of a file, as the catalog member of an export.
func fileSum(path string) (ExportFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return ExportFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ExportFile{}, fmt.Errorf("read %s: %w", path, err)
	}
	m := ExportFile{Name: exportCatalog, Size: n}
	h.Sum(m.SHA256[:0])
	return m, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// ExportReader reads an export file, checking every byte of it.
type ExportReader struct {
	path string
	f    *os.File
	size int64
	cr   *countingReader
	tr   *tar.Reader
	info ExportInfo
	last string // the member read last, to name where damage is
	next int64  // where the next tar header starts
}

// countingReader counts the bytes tar.Reader takes. tar.Reader reads whole blocks, headers and
// padding included, and never ahead, so the count tells where each member's data starts.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// OpenExport opens the export at path and reads and checks its manifest.
func OpenExport(path string) (*ExportReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open catalog export: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open catalog export: %w", err)
	}
	cr := &countingReader{r: f} // not buffered: the count must be what tar.Reader took
	r := &ExportReader{path: path, f: f, size: fi.Size(), cr: cr, tr: tar.NewReader(cr)}
	var manifest bytes.Buffer
	if _, err := r.member(exportManifest, -1, &manifest); err != nil {
		f.Close()
		return nil, err
	}
	if r.info, err = parseManifest(manifest.Bytes()); err != nil {
		f.Close()
		return nil, r.errorf("%s is damaged or not an export's: %w", exportManifest, err)
	}
	return r, nil
}

// Info returns what the manifest says.
func (r *ExportReader) Info() ExportInfo { return r.info }

// Close closes the file.
func (r *ExportReader) Close() error { return r.f.Close() }

func (r *ExportReader) errorf(format string, args ...any) error {
	return fmt.Errorf("catalog export %s: "+format, append([]any{r.path}, args...)...)
}

// member reads the next member, which must be name, into w, checks its padding, and returns
// its SHA-256. size is what the manifest says, -1 before the manifest is read.
func (r *ExportReader) member(name string, size int64, w io.Writer) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	where := "the first tar header"
	if r.last != "" {
		where = "the tar header after member " + r.last
	}
	hdr, err := r.tr.Next()
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return sum, r.errorf("it ends at byte %d, before member %s: the file is truncated", r.cr.n, name)
	case err != nil:
		return sum, r.errorf("%s (byte %d) is damaged: %w", where, r.next, err)
	case hdr.Name != name:
		return sum, r.errorf("member %q where %s should be: the file is damaged or not an export", hdr.Name, name)
	case hdr.Typeflag != tar.TypeReg || r.cr.n != r.next+tarBlock:
		return sum, r.errorf("member %s is not a plain file with a one-block header: the file is damaged or not an export", name)
	case size < 0 && hdr.Size > maxManifestSize:
		return sum, r.errorf("member %s has %d bytes, more than a manifest may: the file is damaged or not an export", name, hdr.Size)
	case size >= 0 && hdr.Size != size:
		return sum, r.errorf("member %s has %d bytes, the manifest says %d: the file is damaged", name, hdr.Size, size)
	}
	want, err := headerBlock(exportHeader(name, hdr.Size, hdr.ModTime))
	if err != nil {
		return sum, r.errorf("tar header of member %s: %w", name, err)
	}
	got := make([]byte, tarBlock)
	if _, err := r.f.ReadAt(got, r.next); err != nil || !bytes.Equal(got, want) {
		return sum, r.errorf("the tar header of member %s (byte %d) is damaged", name, r.next)
	}
	r.last = name
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r.tr); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return sum, r.errorf("it ends in member %s: the file is truncated", name)
		}
		return sum, r.errorf("read member %s: %w", name, err)
	}
	h.Sum(sum[:0])
	r.next = r.cr.n + pad(hdr.Size)
	return sum, r.zeros(r.cr.n, pad(hdr.Size), "the padding after member "+name)
}

// pad is the number of zero bytes after n bytes of member data, up to the next block.
func pad(n int64) int64 { return (tarBlock - n%tarBlock) % tarBlock }

// zeros checks that the n bytes at off are zeros; off is past what tar.Reader has consumed, so
// they are read apart.
func (r *ExportReader) zeros(off, n int64, what string) error {
	b := make([]byte, n)
	if _, err := r.f.ReadAt(b, off); err != nil {
		if errors.Is(err, io.EOF) {
			return r.errorf("it ends in %s (byte %d): the file is truncated", what, off)
		}
		return r.errorf("read %s: %w", what, err)
	}
	if i := slices.IndexFunc(b, func(c byte) bool { return c != 0 }); i >= 0 {
		return r.errorf("byte %d, in %s, is not zero: the file is damaged", off+int64(i), what)
	}
	return nil
}

// Install reads and checks the rest of the export — each member's size and SHA-256, the end
// of the archive, SQLite's integrity_check of the catalog, its schema version and
// configuration name, its configuration texts against the members — and installs the catalog
// at dest, migrated to this program's schema. It refuses to replace a file at dest unless
// force. The catalog is written under a temporary name beside dest and renamed: dest holds
// either what it held before or the complete new catalog.
func (r *ExportReader) Install(ctx context.Context, dest string, force bool) (err error) {
	exists := func() error {
		if _, err := os.Lstat(dest); err == nil && !force {
			return fmt.Errorf("install catalog %s: it exists already (--force replaces it)", dest)
		}
		return nil
	}
	if err := exists(); err != nil {
		return err
	}
	if r.info.Schema > len(migrations) {
		return r.errorf("amrshell %s wrote it with catalog schema %d; this amrshell knows schemas up to %d: use a newer amrshell",
			r.info.Version, r.info.Schema, len(migrations))
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(tmp.Name() + suffix)
			}
		}
	}()
	if err := r.readMembers(ctx, tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	var got ExportInfo
	texts, err := readSnapshot(ctx, tmp.Name(), &got, "integrity_check")
	if err != nil {
		return r.errorf("member %s: %w", exportCatalog, err)
	}
	if got.Schema != r.info.Schema || got.Config != r.info.Config {
		return r.errorf("member %s is configuration %q at schema %d, the manifest says %q at %d: the file is damaged",
			exportCatalog, got.Config, got.Schema, r.info.Config, r.info.Schema)
	}
	for _, m := range r.info.Files[1:] {
		if sha256.Sum256(texts[m.Name]) != m.SHA256 {
			return r.errorf("member %s is not the text the catalog keeps: the export is inconsistent", m.Name)
		}
	}
	// Migrate now: the installed catalog is then ready for this program, even read-only.
	c, err := Open(ctx, tmp.Name())
	if err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	if err := c.Close(); err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	if err := exists(); err != nil {
		return err
	}
	// A WAL left beside dest belongs to another database: SQLite would apply it to this one.
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dest + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("install catalog %s: %w", dest, err)
		}
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("install catalog %s: %w", dest, err)
	}
	return syncDir(filepath.Dir(dest))
}

// readMembers reads the members after the manifest, the catalog into w, and checks them and
// the end of the archive.
func (r *ExportReader) readMembers(ctx context.Context, w io.Writer) error {
	for i, m := range r.info.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		dst := io.Discard
		if i == 0 {
			dst = w
		}
		sum, err := r.member(m.Name, m.Size, dst)
		if err != nil {
			return err
		}
		if sum != m.SHA256 {
			return r.errorf("member %s is damaged: its SHA-256 is %x, the manifest says %x", m.Name, sum, m.SHA256)
		}
	}
	// tar.Reader checks that the archive ends with two zero blocks (or ends right after the
	// last member, or after one zero block); the file must end with the archive.
	const endBlocks = 2 * tarBlock
	switch hdr, err := r.tr.Next(); {
	case err == nil:
		return r.errorf("member %q after %s is not in the manifest: the file is damaged or not an export", hdr.Name, r.last)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) && r.size < r.next+endBlocks:
		return r.errorf("it ends at byte %d, in the end-of-archive blocks at byte %d: the file is truncated", r.size, r.next)
	case !errors.Is(err, io.EOF):
		return r.errorf("the end of the archive after member %s (byte %d) is damaged: %w", r.last, r.next, err)
	case r.size > r.next+endBlocks:
		return r.errorf("%d bytes follow the end of the archive at byte %d: the file is damaged", r.size-r.next-endBlocks, r.next+endBlocks)
	}
	return nil
}
