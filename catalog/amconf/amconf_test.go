package amconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

func TestLoadCorpus(t *testing.T) {
	root := corpus.Unpack(t)
	c, err := Load(filepath.Join(root, "config", "DailySet1", "amanda.conf"))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(root, "state")
	checks := []struct{ name, got, want string }{
		{"Name", c.Name, "DailySet1"},
		{"Org", c.Org, "DailySet1"},
		{"IndexDir", c.IndexDir, filepath.Join(state, "index")},
		{"LogDir", c.LogDir, filepath.Join(state, "log")},
		{"Tapelist", c.Tapelist, filepath.Join(state, "tapelist")},
		{"InfoFile", c.InfoFile, filepath.Join(state, "curinfo")},
		{"DiskFile", c.DiskFile, filepath.Join(root, "config", "DailySet1", "disklist")},
		{"AmrecoverChanger", c.AmrecoverChanger, "changer"},
		{"TPChanger", c.TPChanger, ""},
		{"HoldingDisks", fmt.Sprint(c.HoldingDisks), fmt.Sprintf("[{hd1 %s}]", filepath.Join(root, "holding"))},
		{"StorageList", fmt.Sprint(c.StorageList), "[DailySet1]"},
		{"VaultStorages", fmt.Sprint(c.VaultStorages), "[vault]"},
		{"StorageOrder", fmt.Sprint(c.StorageOrder), "[DailySet1 vault]"},
		{"Storages", fmt.Sprint(c.Storages), fmt.Sprintf("[{DailySet1 chg-disk:%s DailySet1 ^DailySet1-[0-9][0-9]*$} {vault chg-disk:%s vault ^Vault1-[0-9][0-9]*$}]",
			filepath.Join(root, "vtapes", "main"), filepath.Join(root, "vtapes", "vault"))},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	want := []DLE{
		{"localhost", "/home/alice", filepath.Join(root, "src", "localhost", "_home_alice"), "gtar-client-fast", "APPLICATION", "amgtar"},
		{"localhost", "/srv/media", filepath.Join(root, "src", "localhost", "_srv_media"), "gtar-none", "APPLICATION", "amgtar"},
		{"client2", "/etc", filepath.Join(root, "src", "client2", "_etc"), "gtar-server-best", "APPLICATION", "amgtar"},
		{"localhost", "/srv/ext2vol", "/dev/loop0", "dump-server-fast", "DUMP", ""},
	}
	if fmt.Sprint(c.Disklist) != fmt.Sprint(want) {
		t.Errorf("Disklist\n got %v\nwant %v", c.Disklist, want)
	}
}

// writeConfig writes files into a fresh config directory named Cfg and returns its amanda.conf.
func writeConfig(t testing.TB, files map[string]string) string {
	dir := filepath.Join(t.TempDir(), "Cfg")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "amanda.conf")
}

func TestLoad(t *testing.T) {
	const types = `define application-tool base-app {
    plugin "amgtar"
}
define application app2 {
    base-app
    comment "inherits the plugin"
}
define dumptype base {
    program "APPLICATION"
    application "app2"
}
define dumptype child {
    base  # inherits program and application
    compress none
}
define dumptype dump { program "DUMP" }
`
	tests := []struct {
		name  string
		files map[string]string
		check func(*Config) string // what to compare
		want  string
		err   string // part of the expected error
	}{
		{
			name: "defaults, implicit storage, global changer",
			files: map[string]string{
				"amanda.conf": "TPCHANGER \"chg-disk:/v\"\nlabelstr \"^X-[0-9]+$\"\n" + types,
				"disklist":    "h /d dump\n",
			},
			check: func(c *Config) string {
				return fmt.Sprint(c.IndexDir, " ", c.LogDir, " ", c.Tapelist, " ", c.Storages, " ", c.StorageList)
			},
			want: "/usr/adm/amanda/index /usr/adm/amanda DIR/tapelist [{Cfg chg-disk:/v Cfg ^X-[0-9]+$}] [Cfg]",
		},
		{
			name: "storage changer through define changer, keywords with _ and case",
			files: map[string]string{
				"amanda.conf": "Amrecover_Changer \"chg\"\ntapedev \"tape:/dev/nst0\"\n" +
					"define changer robot {\n tpchanger \"chg-robot:/dev/sg1\"\n property \"tape-device\" \"0=tape:/dev/nst0\"\n}\n" +
					"define storage s1 {\n tpchanger \"robot\"\n tapepool \"p1\"\n}\n" +
					"define storage s2 {\n}\n" +
					"storage \"s1\"\nvault-storage \"s2\" \"s1\"\n" + types,
				"disklist": "h /d dump\n",
			},
			check: func(c *Config) string {
				return fmt.Sprint(c.AmrecoverChanger, " ", c.Storages, " ", c.StorageOrder)
			},
			want: "chg [{s1 chg-robot:/dev/sg1 p1 } {s2 tape:/dev/nst0 Cfg }] [s1 s2]",
		},
		{
			name: "includefile, holding disks, string continuation",
			files: map[string]string{
				"amanda.conf": "includefile \"more.conf\"\nholdingdisk hd1 {\n directory \"/h1\"\n use -100 mb\n}\n" +
					"define holdingdisk hd2 {\n directory \"/h2\"\n}\ndefine holdingdisk hd3 {\n directory \"/h3\"\n}\nholdingdisk \"hd3\"\n" +
					"org \"two \\\nlines\"\n" + types,
				"more.conf": "indexdir \"idx\" # relative to the config directory\n",
				"disklist":  "h /d dump\n",
			},
			check: func(c *Config) string { return fmt.Sprint(c.IndexDir, " ", c.HoldingDisks, " ", c.Org) },
			want:  "DIR/idx [{hd1 /h1} {hd3 /h3}] two \nlines",
		},
		{
			name: "disklist: device, quoting, inline dumptype, includefile, comments",
			files: map[string]string{
				"amanda.conf": types,
				"disklist": "# comment\nh1 /a child\nh1 \"/my disk\" \"/dev/sda1\" base 1 eth0\n" +
					"h1 /inline /dev/x {\n  child\n  program \"GNUTAR\"\n} 2 local\n\nincludefile \"more.disklist\"\n" +
					"h1 \"C:/\" {\n dump\n}\n",
				"more.disklist": "h2 /b dump # trailing comment\n",
			},
			check: func(c *Config) string { return fmt.Sprint(c.Disklist) },
			want: "[{h1 /a  child APPLICATION amgtar} {h1 /my disk /dev/sda1 base APPLICATION amgtar} " +
				"{h1 /inline /dev/x  GNUTAR amgtar} {h2 /b  dump DUMP } {h1 C:/   DUMP }]",
		},
		{
			name:  "host in two cases",
			files: map[string]string{"amanda.conf": types, "disklist": "host1 /a dump\nHOST1 /b dump\n"},
			err:   "Same host with different case",
		},
		{
			name:  "duplicate disk",
			files: map[string]string{"amanda.conf": types, "disklist": "h /a dump\nh /a base\n"},
			err:   "duplicate disk record",
		},
		{
			name:  "undefined dumptype",
			files: map[string]string{"amanda.conf": types, "disklist": "h /a /dev/a nosuch\n"},
			err:   "undefined dumptype",
		},
		{
			name:  "unterminated string",
			files: map[string]string{"amanda.conf": "org \"abc\n", "disklist": ""},
			err:   "string not terminated",
		},
		{
			name:  "unclosed block",
			files: map[string]string{"amanda.conf": "define dumptype x {\n program \"DUMP\"\n", "disklist": ""},
			err:   "\"}\" expected",
		},
		{
			name:  "missing disklist",
			files: map[string]string{"amanda.conf": "diskfile \"nope\"\n"},
			err:   "read disklist",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.files)
			c, err := Load(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ReplaceAll(tt.check(c), filepath.Dir(path), "DIR"); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func FuzzLoad(f *testing.F) {
	f.Add("org \"x\"\ndefine dumptype d {\n program \"DUMP\"\n}\n", "h /a d\nh \"/b c\" /dev/b {\n d\n}\n")
	f.Add("holdingdisk h {\n directory \"/x\"\n}\nstorage \"a\" \"b\"\n", "includefile \"disklist\"\n")
	f.Fuzz(func(t *testing.T, conf, disklist string) {
		path := writeConfig(t, map[string]string{"amanda.conf": conf, "disklist": disklist})
		c, err := Load(path)
		if err != nil {
			return
		}
		for _, d := range c.Disklist {
			if d.Host == "" || d.Disk == "" || d.Program == "" {
				t.Errorf("incomplete DLE %+v", d)
			}
		}
		if len(c.StorageList) == 0 {
			t.Error("no storage list")
		}
	})
}
