package amconf

import (
	"fmt"
	"os"
	"path/filepath"
)

// Config is what recovery needs from one Amanda configuration.
type Config struct {
	Name string // config name: the name of the directory that holds amanda.conf
	Path string // amanda.conf path
	Dir  string // its directory
	Org  string // `org`

	// Absolute paths; relative values are resolved against Dir as config_dir_relative does.
	IndexDir, LogDir, Tapelist, InfoFile, DiskFile string

	// As written in amanda.conf (amindexd's TAPE reply uses them unresolved).
	AmrecoverChanger, TPChanger, TapeDev string
	Labelstr                             string

	HoldingDisks []HoldingDisk // the holding disks in use, in definition order
	Storages     []Storage     // every storage, the listed ones first

	// StorageList is the `storage` directive: find.c numbers these 1..n for its sort and gives
	// every other storage (vaults, HOLDING) 0.
	StorageList   []string
	VaultStorages []string // the `vault-storage` directive
	StorageOrder  []string // StorageList, then the vault storages not already listed

	Disklist []DLE // in file order
}

// HoldingDisk is one holding disk in use.
type HoldingDisk struct {
	Name, Directory string
}

// Storage is a `define storage` block (or the implicit one Amanda makes when none is listed).
type Storage struct {
	Name      string
	TPChanger string // changer spec, after following a `define changer` name; tapedev if no changer
	TapePool  string
	Labelstr  string
}

// DLE is one disklist entry.
type DLE struct {
	Host, Disk  string
	Device      string // "" when the disklist gives none
	Dumptype    string // "" for an inline dumptype
	Program     string // "GNUTAR", "DUMP", "APPLICATION", ...
	Application string // plugin of the dumptype's application, e.g. "amgtar"; "" without one
}

// Load parses amanda.conf at path and the disklist it names.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	dir := filepath.Dir(abs)
	p := &parser{
		cfg:    &Config{Name: filepath.Base(dir), Path: abs, Dir: dir},
		defs:   map[string]map[string]*stmt{},
		values: map[string]*stmt{},
	}
	if err := p.readConf(abs, 0); err != nil {
		return nil, err
	}
	p.finish()
	if err := p.readDisklist(p.cfg.DiskFile, 0); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

type parser struct {
	cfg        *Config
	defs       map[string]map[string]*stmt // define type -> name -> statement with its block
	defOrder   map[string][]string
	values     map[string]*stmt // global keyword -> last statement
	holdingUse []string
}

// defineTypes maps the words after `define` to one name per kind.
var defineTypes = map[string]string{
	"dumptype": "dumptype", "tapetype": "tapetype", "interface": "interface",
	"application_tool": "application", "application": "application",
	"script_tool": "script", "script": "script", "device": "device", "changer": "changer",
	"holdingdisk": "holdingdisk", "interactivity": "interactivity", "taperscan": "taperscan",
	"policy": "policy", "storage": "storage",
}

func (p *parser) readConf(path string, depth int) error {
	if depth > 16 {
		return fmt.Errorf("read %s: includefile nested too deep", path)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	stmts, err := parseStmts(newLexer(path, src, 1), false, 0)
	if err != nil {
		return fmt.Errorf("parse config: %w", err)
	}
	for _, s := range stmts {
		if err := p.confStmt(s, depth); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) confStmt(s *stmt, depth int) error {
	switch k := s.key(); k {
	case "includefile":
		if len(s.words) < 2 {
			return fmt.Errorf("%s:%d: includefile needs a file name", s.file, s.line)
		}
		return p.readConf(p.relative(s.arg(0)), depth+1)
	case "define":
		typ, ok := defineTypes[foldKeyword(s.arg(0))]
		if !ok || len(s.words) < 3 || s.block == nil {
			return fmt.Errorf("%s:%d: bad define", s.file, s.line)
		}
		p.define(typ, s.arg(1), s)
	case "holdingdisk":
		// `holdingdisk NAME { ... }` defines and uses; `holdingdisk NAME ...` uses defined ones.
		if s.block != nil {
			p.define("holdingdisk", s.arg(0), s)
			p.holdingUse = append(p.holdingUse, s.arg(0))
			break
		}
		for _, w := range s.words[1:] {
			p.holdingUse = append(p.holdingUse, w.text)
		}
	case "":
		return fmt.Errorf("%s:%d: not a keyword", s.file, s.line)
	default:
		p.values[k] = s
	}
	return nil
}

func (p *parser) define(typ, name string, s *stmt) {
	if p.defs[typ] == nil {
		p.defs[typ] = map[string]*stmt{}
	}
	if p.defOrder == nil {
		p.defOrder = map[string][]string{}
	}
	if _, dup := p.defs[typ][name]; !dup {
		p.defOrder[typ] = append(p.defOrder[typ], name)
	}
	p.defs[typ][name] = s
}

func (p *parser) relative(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(p.cfg.Dir, name)
}

func (p *parser) global(key, def string) string {
	if s, ok := p.values[key]; ok && len(s.words) > 1 {
		return s.arg(0)
	}
	return def
}

func (p *parser) list(key string) []string {
	s, ok := p.values[key]
	if !ok {
		return nil
	}
	var out []string
	for _, w := range s.words[1:] {
		out = append(out, w.text)
	}
	return out
}

// blockValues returns the last statement for each keyword of a define block, with parent
// blocks (a line holding only the name of another block of the same kind) copied in where
// they are named.
func (p *parser) blockValues(typ string, block []*stmt, seen map[*stmt]bool) map[string]*stmt {
	vals := map[string]*stmt{}
	for _, s := range block {
		if len(s.words) == 1 && s.block == nil {
			if parent, ok := p.defs[typ][s.words[0].text]; ok && !seen[parent] {
				seen[parent] = true
				for k, v := range p.blockValues(typ, parent.block, seen) {
					vals[k] = v
				}
				continue
			}
		}
		if k := s.key(); k != "" {
			vals[k] = s
		}
	}
	return vals
}

func (p *parser) defValues(typ, name string) map[string]*stmt {
	s, ok := p.defs[typ][name]
	if !ok {
		return nil
	}
	return p.blockValues(typ, s.block, map[*stmt]bool{s: true})
}

func value(vals map[string]*stmt, key string) string {
	if s, ok := vals[key]; ok {
		return s.arg(0)
	}
	return ""
}

// finish derives what Amanda's update_derived_values derives for recovery.
func (p *parser) finish() {
	c := p.cfg
	c.Org = p.global("org", "")
	c.IndexDir = p.relative(p.global("indexdir", "/usr/adm/amanda/index"))
	c.LogDir = p.relative(p.global("logdir", "/usr/adm/amanda"))
	c.Tapelist = p.relative(p.global("tapelist", "tapelist"))
	c.InfoFile = p.relative(p.global("infofile", "/usr/adm/amanda/curinfo"))
	c.DiskFile = p.relative(p.global("diskfile", "disklist"))
	c.AmrecoverChanger = p.global("amrecover_changer", "")
	c.TPChanger = p.global("tpchanger", "")
	c.TapeDev = p.global("tapedev", "")
	c.Labelstr = p.global("labelstr", "")

	seenHD := map[string]bool{}
	for _, name := range p.holdingUse {
		if seenHD[name] {
			continue
		}
		seenHD[name] = true
		if vals := p.defValues("holdingdisk", name); vals != nil {
			c.HoldingDisks = append(c.HoldingDisks, HoldingDisk{Name: name, Directory: value(vals, "directory")})
		}
	}

	c.StorageList = p.list("storage")
	if len(c.StorageList) == 0 {
		// Amanda 3.5 makes a storage named after the config when none is listed.
		c.StorageList = []string{c.Name}
		if _, ok := p.defs["storage"][c.Name]; !ok {
			p.define("storage", c.Name, &stmt{block: []*stmt{}})
		}
	}
	c.VaultStorages = p.list("vault_storage")
	inOrder := map[string]bool{}
	for _, n := range append(append([]string{}, c.StorageList...), c.VaultStorages...) {
		if !inOrder[n] {
			inOrder[n] = true
			c.StorageOrder = append(c.StorageOrder, n)
		}
	}
	names := append([]string{}, c.StorageOrder...)
	for _, n := range p.defOrder["storage"] {
		if !inOrder[n] {
			names = append(names, n)
		}
	}
	for _, n := range names {
		vals := p.defValues("storage", n)
		if vals == nil {
			continue
		}
		st := Storage{Name: n, TapePool: value(vals, "tapepool"), Labelstr: value(vals, "labelstr")}
		if st.TapePool == "" {
			st.TapePool = c.Name
		}
		if st.Labelstr == "" {
			st.Labelstr = c.Labelstr
		}
		tpchanger, tapedev := value(vals, "tpchanger"), value(vals, "tapedev")
		if _, ok := vals["tpchanger"]; !ok {
			tpchanger = c.TPChanger
		}
		if _, ok := vals["tapedev"]; !ok {
			tapedev = c.TapeDev
		}
		st.TPChanger = p.resolveChanger(tpchanger)
		if st.TPChanger == "" {
			st.TPChanger = p.resolveChanger(tapedev)
		}
		c.Storages = append(c.Storages, st)
	}
}

// resolveChanger follows a `define changer` name to its tpchanger (or tapedev).
func (p *parser) resolveChanger(spec string) string {
	for range 8 {
		vals := p.defValues("changer", spec)
		if vals == nil {
			return spec
		}
		next := value(vals, "tpchanger")
		if next == "" {
			next = value(vals, "tapedev")
		}
		if next == "" || next == spec {
			return next
		}
		spec = next
	}
	return spec
}

// dumptypeDLE fills the program and application of d from a dumptype's values.
func (p *parser) dumptypeDLE(d *DLE, vals map[string]*stmt) {
	d.Program = "DUMP"
	if s, ok := vals["program"]; ok && s.arg(0) != "" {
		d.Program = s.arg(0) // an empty one, which Amanda refuses, leaves the default
	}
	app, ok := vals["application"]
	if !ok {
		return
	}
	var avals map[string]*stmt
	if app.block != nil {
		avals = p.blockValues("application", app.block, map[*stmt]bool{})
	} else {
		avals = p.defValues("application", app.arg(0))
	}
	d.Application = value(avals, "plugin")
	if d.Application == "" && app.block == nil {
		d.Application = app.arg(0)
	}
}
