package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Catalog is an SQLite catalog of one Amanda configuration.
type Catalog struct {
	db   *sql.DB
	path string

	mu         sync.RWMutex
	configName string
}

// migrations[i] brings the schema from user_version i to i+1.
var migrations = []string{`
CREATE TABLE config (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- sort_id is find.c's storage_id: the position in the ` + "`storage`" + ` list, 0 for the others.
CREATE TABLE storages (
	name     TEXT PRIMARY KEY,
	changer  TEXT NOT NULL,
	pool     TEXT NOT NULL,
	labelstr TEXT NOT NULL,
	sort_id  INTEGER NOT NULL
) WITHOUT ROWID;

-- Hosts compare without case, like amindexd's lookup_host; disklist_pos is NULL for hosts
-- known only from logs or holding disks.
CREATE TABLE hosts (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
	disklist_pos INTEGER
);

CREATE TABLE disks (
	id           INTEGER PRIMARY KEY,
	host_id      INTEGER NOT NULL REFERENCES hosts(id),
	name         TEXT NOT NULL,
	device       TEXT NOT NULL DEFAULT '',
	dumptype     TEXT NOT NULL DEFAULT '',
	program      TEXT NOT NULL DEFAULT '',
	application  TEXT NOT NULL DEFAULT '',
	disklist_pos INTEGER,
	UNIQUE (host_id, name)
);

-- Every file the importer read, to skip it when it has not changed.
CREATE TABLE sources (
	id       INTEGER PRIMARY KEY,
	path     TEXT NOT NULL UNIQUE,
	kind     TEXT NOT NULL,
	size     INTEGER NOT NULL,
	mtime_ns INTEGER NOT NULL
);

CREATE TABLE volumes (
	label        TEXT PRIMARY KEY,
	position     INTEGER NOT NULL,
	datestamp    TEXT NOT NULL,
	reuse        INTEGER NOT NULL,
	barcode      TEXT NOT NULL,
	meta         TEXT NOT NULL,
	blocksize_kb INTEGER NOT NULL,
	pool         TEXT NOT NULL,
	storage      TEXT NOT NULL,
	config       TEXT NOT NULL,
	comment      TEXT NOT NULL
) WITHOUT ROWID;

-- A dump is one image: host, disk, dump timestamp, level. Its copies are where it was written.
CREATE TABLE dumps (
	id           INTEGER PRIMARY KEY,
	disk_id      INTEGER NOT NULL REFERENCES disks(id),
	datestamp    TEXT NOT NULL,
	level        INTEGER NOT NULL,
	orig_kb      INTEGER NOT NULL DEFAULT 0,
	native_crc   TEXT NOT NULL DEFAULT '',
	client_crc   TEXT NOT NULL DEFAULT '',
	server_crc   TEXT NOT NULL DEFAULT '',
	program      TEXT NOT NULL DEFAULT '',
	application  TEXT NOT NULL DEFAULT '',
	index_source INTEGER REFERENCES sources(id) ON DELETE SET NULL,
	UNIQUE (disk_id, datestamp, level)
);

-- A copy is the dump as one log line (DONE, PARTIAL, FAIL, SUCCESS) or one holding file
-- recorded it; line is 0 for holding files.
CREATE TABLE copies (
	id              INTEGER PRIMARY KEY,
	dump_id         INTEGER NOT NULL REFERENCES dumps(id),
	source_id       INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
	line            INTEGER NOT NULL,
	storage         TEXT NOT NULL,
	pool            TEXT NOT NULL,
	write_timestamp TEXT NOT NULL,
	status          TEXT NOT NULL,
	message         TEXT NOT NULL DEFAULT '',
	orig_kb         INTEGER NOT NULL DEFAULT 0,
	native_crc      TEXT NOT NULL DEFAULT '',
	client_crc      TEXT NOT NULL DEFAULT '',
	server_crc      TEXT NOT NULL DEFAULT '',
	UNIQUE (source_id, line, storage)
);
CREATE INDEX copies_dump ON copies(dump_id);

-- Parts in log order; holding copies have one part numbered -1 at file 0, as in find.c.
CREATE TABLE parts (
	copy_id      INTEGER NOT NULL REFERENCES copies(id) ON DELETE CASCADE,
	seq          INTEGER NOT NULL,
	partnum      INTEGER NOT NULL,
	totalparts   INTEGER NOT NULL,
	label        TEXT NOT NULL,
	filenum      INTEGER NOT NULL,
	holding_path TEXT NOT NULL DEFAULT '',
	bytes        INTEGER NOT NULL,
	PRIMARY KEY (copy_id, seq)
) WITHOUT ROWID;

-- The file index. A directory is its raw index path ending in '/'. An entry (dir, name, dump)
-- says that OLSD of dir lists name for that dump: "" for the directory's own line, "sub/" for
-- a subdirectory (listed, or implied by a line below it), "file" for a file.
CREATE TABLE dirs (
	id      INTEGER PRIMARY KEY,
	disk_id INTEGER NOT NULL REFERENCES disks(id),
	path    TEXT NOT NULL,
	UNIQUE (disk_id, path)
);
CREATE TABLE entries (
	dir_id  INTEGER NOT NULL,
	name    TEXT NOT NULL,
	dump_id INTEGER NOT NULL,
	PRIMARY KEY (dir_id, name, dump_id)
) WITHOUT ROWID;
`, `
-- The texts of amanda.conf, the disklist and the tapelist as last imported: a catalog export
-- carries them, so that the configuration of a lost server can be read back.
CREATE TABLE config_files (
	name TEXT PRIMARY KEY, -- "amanda.conf", "disklist", "tapelist"
	path TEXT NOT NULL,    -- where it was read
	text BLOB NOT NULL
) WITHOUT ROWID;
`}

// Open opens the catalog at path, creating its directory and schema when needed.
func Open(ctx context.Context, path string) (*Catalog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("create catalog directory: %w", err)
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", "-32768")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	c := &Catalog{db: db, path: path}
	if err := c.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	name, err := c.configValue(ctx, "name")
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open catalog %s: %w", path, err)
	}
	c.configName = name
	return c, nil
}

// Close closes the database.
func (c *Catalog) Close() error {
	return c.db.Close()
}

func (c *Catalog) migrate(ctx context.Context) error {
	var version int
	if err := c.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this program's (%d)", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		err := c.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate schema to version %d: %w", v+1, err)
		}
	}
	return nil
}

// inTx runs fn in a transaction and commits it, or rolls it back when fn fails.
func (c *Catalog) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

func (c *Catalog) configValue(ctx context.Context, key string) (string, error) {
	var v string
	err := c.db.QueryRowContext(ctx, "SELECT value FROM config WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// ConfigName returns the name of the configuration last imported ("" before any import).
func (c *Catalog) ConfigName() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.configName
}
