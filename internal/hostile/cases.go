package hostile

import (
	"bytes"
	"strings"
)

// Case is one hostile dump of /home/alice and what amrshell must make of it, when extracted
// whole (`add .`) by a user who is not root into an empty restore directory.
type Case struct {
	Name    string // short, for test names and file names
	What    string // what the dump tries, in a few words
	Members []Member
	// Refused are the members refused, in stream order: amrshell's message names each
	// ("./evil/pwn.txt") and says why (Why is a part of it).
	Refused []Refusal
	// Broken, when not "", says why the stream cannot be followed to its end (part of the
	// error, which names the member); what came before is restored.
	Broken string
	// Restored are the regular files (Member form, "ok.txt") that must be restored, with their
	// content; nothing else may be in the restore directory but the entries of Others.
	Restored map[string]string
	Others   []string // other entries that may be restored: directories, links, fifos
}

// Refusal is one refused member: its name as amrshell prints it and a part of the reason.
type Refusal struct{ Member, Why string }

// Stream is the case's GNU tar stream.
func (c Case) Stream() []byte { return Stream(c.Members) }

func file(name, content string) Member { return Member{Name: name, Type: '0', Data: []byte(content)} }

// harmless frames each case: the top dumpdir listing what it names, a file before the hostile
// members and one after, which must both be restored.
func harmless(top []string, hostile ...Member) []Member {
	recs := append([]string{"Yafter.txt", "Ybefore.txt"}, top...)
	ms := []Member{{Name: "./", Type: 'D', Data: Dumpdir(recs...)}, file("./before.txt", "before\n")}
	ms = append(ms, hostile...)
	return append(ms, file("./after.txt", "after\n"))
}

var both = map[string]string{"before.txt": "before\n", "after.txt": "after\n"}

// Cases returns the hostile dumps. outside is the absolute directory they try to reach: the
// parent of the restore directory, say.
func Cases(outside string) []Case {
	outside = strings.TrimSuffix(outside, "/")
	long := "./" + strings.Repeat("d/", 3000) + "f"
	return []Case{
		{
			Name: "dotdot", What: "members named ../x",
			Members: harmless(nil, file("../escape.txt", "pwned\n"), file("./a/../../escape2.txt", "pwned\n")),
			Refused: []Refusal{
				{"../escape.txt", "member name leads outside the restore directory"},
				{"./a/../../escape2.txt", "member name leads outside the restore directory"},
			},
			Restored: both,
		},
		{
			Name: "absolute", What: "members with absolute names",
			Members: harmless(nil, file(outside+"/abs.txt", "pwned\n"),
				Member{Name: outside + "/absdir/", Type: '5'}),
			Refused: []Refusal{
				{outside + "/abs.txt", "absolute member name"},
				{outside + "/absdir/", "absolute member name"},
			},
			Restored: both,
		},
		{
			Name: "symlink", What: "a symbolic link to the outside, then members written through it",
			Members: harmless([]string{"Yevil"},
				Member{Name: "./evil", Type: '2', Linkname: outside},
				file("./evil/pwn.txt", "pwned\n"),
				Member{Name: "./evil/d/", Type: 'D', Data: Dumpdir()}, // empty: would purge all there
				Member{Name: "./evil/h", Type: '1', Linkname: "./before.txt"},
				Member{Name: "./evil/s", Type: '2', Linkname: "/etc/passwd"}),
			Refused: []Refusal{
				{"./evil/pwn.txt", "'./evil' is a symbolic link: refusing to write through it"},
				{"./evil/d/", "'./evil' is a symbolic link"},
				{"./evil/h", "'./evil' is a symbolic link"},
				{"./evil/s", "'./evil' is a symbolic link"},
			},
			Restored: both, Others: []string{"evil"},
		},
		{
			Name: "hardlink", What: "hard links to files outside",
			Members: harmless([]string{"Ys", "Yh1", "Yh2", "Yh3"},
				Member{Name: "./h1", Type: '1', Linkname: "../secret"},
				Member{Name: "./h2", Type: '1', Linkname: outside + "/secret"},
				Member{Name: "./s", Type: '2', Linkname: outside},
				Member{Name: "./h3", Type: '1', Linkname: "./s/secret"}),
			Refused: []Refusal{
				{"./h1", "hard link to '../secret': member name leads outside"},
				{"./h2", "absolute member name"},
				{"./h3", "'./s' is a symbolic link"},
			},
			Restored: both, Others: []string{"s"},
		},
		{
			Name: "devices", What: "device nodes and a fifo",
			Members: harmless([]string{"Ymem", "Ydisk", "Yfifo"},
				Member{Name: "./mem", Type: '3', Mode: 0o666, Devmajor: 1, Devminor: 1},
				Member{Name: "./disk", Type: '4', Mode: 0o666, Devmajor: 8, Devminor: 0},
				Member{Name: "./fifo", Type: '6'}),
			Refused: []Refusal{
				{"./mem", "device node (1, 1) not created: that needs root"},
				{"./disk", "device node (8, 0) not created: that needs root"},
			},
			Restored: both, Others: []string{"fifo"}, // tar makes fifos for anyone, harmless
		},
		{
			Name: "setid", What: "set-user-ID and set-group-ID files of root",
			Members: harmless([]string{"Ysuid", "Ysgid"},
				Member{Name: "./suid", Type: '0', Mode: 0o4755, Data: []byte("#!/bin/sh\nid\n")},
				Member{Name: "./sgid", Type: '0', Mode: 0o2755, Data: []byte("#!/bin/sh\nid\n")}),
			Refused: []Refusal{
				{"./suid", "set-user-ID bit not restored"},
				{"./sgid", "set-group-ID bit not restored"},
			},
			Restored: merge(both, map[string]string{"suid": "#!/bin/sh\nid\n", "sgid": "#!/bin/sh\nid\n"}),
		},
		{
			Name: "huge", What: "a member claiming 1 TiB, the stream ending after 64 KiB of it",
			Members: []Member{{Name: "./", Type: 'D', Data: Dumpdir("Ybefore.txt", "Yhuge")},
				file("./before.txt", "before\n"),
				{Name: "./huge", Type: '0', Data: bytes.Repeat([]byte("A"), 64<<10), Size: 1 << 40}},
			Broken:   "archive ends inside member ./huge",
			Restored: map[string]string{"before.txt": "before\n"},
		},
		{
			Name: "truncated", What: "a member cut short",
			Members: []Member{{Name: "./", Type: 'D', Data: Dumpdir("Ybefore.txt", "Ycut")},
				file("./before.txt", "before\n"),
				{Name: "./cut", Type: '0', Data: bytes.Repeat([]byte("B"), 30000), Size: 100000}},
			Broken:   "archive ends inside member ./cut (70000 bytes missing)",
			Restored: map[string]string{"before.txt": "before\n"},
		},
		{
			Name: "nul", What: "names and link targets with NUL bytes (PAX records)",
			Members: harmless([]string{"Yok"},
				Member{Name: "./ok", Type: '0', Data: []byte("pwned\n"), PAX: []string{"path", "./ok\x00/../../escape.txt"}},
				Member{Name: "./l", Type: '2', Linkname: "x", PAX: []string{"linkpath", "/etc\x00/passwd"}}),
			Refused: []Refusal{
				{`./ok\000/../../escape.txt`, "member name contains a NUL byte"},
				{"./l", "the target contains a NUL byte"},
			},
			Restored: both,
		},
		{
			Name: "longnames", What: "a name of 6001 bytes (3000 directories) and one of 300",
			Members: harmless(nil, file(long, "deep\n"), file("./"+strings.Repeat("n", 300), "wide\n")),
			Refused: []Refusal{
				{long, "member name of 6001 bytes: longer than the 4095 a path may have"},
				{"./" + strings.Repeat("n", 300), "an element of 300 bytes"},
			},
			Restored: both,
		},
		{
			Name: "dumpdirs", What: "dumpdirs naming ../x, renames out of the restore directory",
			Members: harmless([]string{"Y../x", "D../y", "R../outside", "T./in", "R./before.txt", "T" + outside + "/moved"},
				Member{Name: "../x/", Type: 'D', Data: Dumpdir("Yz")},
				Member{Name: outside + "/", Type: 'D', Data: Dumpdir()}),
			Refused: []Refusal{
				{"./", "rename record '../outside': member name leads outside"},
				{"./", "rename record '" + outside + "/moved': absolute member name"},
				{"../x/", "member name leads outside the restore directory"},
				{outside + "/", "absolute member name"},
			},
			Restored: both,
		},
	}
}

func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
