package commands

import (
	"slices"
	"testing"
)

func TestUnquote(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{`plain`, `plain`},
		{`"say \"hi\".txt"`, `say "hi".txt`},
		{`"\[brackets\].txt"`, `[brackets].txt`},
		{`back\\slash.txt`, `back\slash.txt`},
		{`star\*and\?q`, `star*and?q`},
		{`"a\tb\nc"`, "a\tb\nc"},
		{`a"b"c`, `abc`},
		{`trailing\`, `trailing`},
		// Amanda 3.5.1 copies the byte after an octal escape as is.
		{`"na\303\257ve"`, "na\xc3\\257ve"},
		{`\101B`, `AB`},
		{`\0x`, `x`},
		{`end\101`, `endA`},
	} {
		if got := unquote(c.in); got != c.out {
			t.Errorf("unquote(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestTranslate(t *testing.T) {
	for _, c := range []struct{ raw, out string }{
		{`/docs/na\303\257ve caf\303\251/`, "/docs/naïve café/"},
		{`/odd names/back\\slash.txt`, `/odd names/back\slash.txt`},
		{`\346\227\245\346\234\254\350\252\236`, "日本語"},
		{`a\\\303`, `a\\303`}, // a backslash after a backslash starts no escape
		{`\999`, "\x91"},      // decimal digits too, wrapping at 256
		{`\12x`, `12x`},
		{`end\`, `end`},
		{`no escape`, `no escape`},
	} {
		if got := translate(c.raw, true); got != c.out {
			t.Errorf("translate(%q) = %q, want %q", c.raw, got, c.out)
		}
		if got := translate(c.raw, false); got != c.raw {
			t.Errorf("translate(%q, off) = %q", c.raw, got)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, c := range []struct{ in, quoted, always string }{
		{"readme.txt", "readme.txt", `"readme.txt"`},
		{"odd names/", `"odd names/"`, `"odd names/"`},
		{`say "hi".txt`, `"say \"hi\".txt"`, `"say \"hi\".txt"`},
		{`back\slash`, `"back\\slash"`, `"back\\slash"`},
		{"it's", `"it's"`, `"it's"`},
		{"a:b", `"a:b"`, `"a:b"`},
		{"naïve", `"naïve"`, `"naïve"`},
		{"", `""`, `""`},
		{"[brackets].txt", "[brackets].txt", `"[brackets].txt"`},
	} {
		if got := quote(c.in); got != c.quoted {
			t.Errorf("quote(%q) = %s, want %s", c.in, got, c.quoted)
		}
		if got := quoteAlways(c.in); got != c.always {
			t.Errorf("quoteAlways(%q) = %s, want %s", c.in, got, c.always)
		}
	}
}

func TestCleanPathname(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"/docs/", "/docs"},
		{"/docs/.", "/docs"},
		{"/.", "/"},
		{"/", "/"},
		{"/docs/./", "/docs/."},
		{"a/.", "a"},
		{"/docs", "/docs"},
	} {
		if got := cleanPathname(c.in); got != c.out {
			t.Errorf("cleanPathname(%q) = %q, want %q", c.in, got, c.out)
		}
	}
}

func TestFileOfPath(t *testing.T) {
	for _, c := range []struct{ in, file, dir string }{
		{"readme.txt", "readme.txt", ""},
		{"docs/readme.txt", "readme.txt", "docs"},
		{"/docs", "docs", "/"},
		{"a/b/", "b", "a/b"},
		{"/", "/", "/"},
		{"//x", "x", "/"},
		{"", ".", ""},
		{"^src/pkg0[12]/module_00.*", "module_00.*", "^src/pkg0[12]"},
	} {
		if f, d := fileOfPath(c.in); f != c.file || d != c.dir {
			t.Errorf("fileOfPath(%q) = %q, %q, want %q, %q", c.in, f, d, c.file, c.dir)
		}
	}
}

func TestMergePath(t *testing.T) {
	for _, c := range []struct{ a, b, out string }{
		{"/home/alice", "/docs", "/home/alice/docs"},
		{"/", "/docs", "/docs"},
		{"/home/alice", "docs", "/home/alice/docs"},
		{"/x/", "y", "/x/y"},
	} {
		if got := mergePath(c.a, c.b); got != c.out {
			t.Errorf("mergePath(%q, %q) = %q, want %q", c.a, c.b, got, c.out)
		}
	}
}

func TestServerArg(t *testing.T) {
	for _, c := range []struct {
		in, arg string
		ok      bool
	}{
		{"localhost", "localhost", true},
		{"two words", "two", true},
		{`"two words" x`, "two words", true},
		{"  x", "x", true},
		{"", "", false},
		{"   ", "", false},
	} {
		if arg, ok := serverArg(c.in); arg != c.arg || ok != c.ok {
			t.Errorf("serverArg(%q) = %q, %v, want %q, %v", c.in, arg, ok, c.arg, c.ok)
		}
	}
}

func TestTapeLabels(t *testing.T) {
	for _, c := range []struct {
		tapes  string
		labels []string
	}{
		{"vault:Vault1-01:1,2", []string{"Vault1-01"}},
		{"DailySet1:DailySet1-01:5,6;DailySet1:DailySet1-02:1,2,3", []string{"DailySet1-01", "DailySet1-02"}},
		{"DailySet1:A:1;vault:A:2", []string{"A"}},
		{`S:a\:b\,c:1`, []string{"a:b,c"}},
		{"HOLDING:/h/x.2:0", []string{"/h/x.2"}},
		{"/h/x.2:0", []string{"0"}}, // a holding path read as a tape list, as amrecover does
	} {
		if got := tapeLabels(c.tapes); !slices.Equal(got, c.labels) {
			t.Errorf("tapeLabels(%q) = %q, want %q", c.tapes, got, c.labels)
		}
	}
}

// Names and tape strings come from index files and user input.
func FuzzNames(f *testing.F) {
	for _, s := range []string{`na\303\257ve`, `a\\\303`, `"x\"y`, `S:a\:b:1,2;T:c:3`, "/h/x:0", `end\`, `\777`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		unquote(s)
		translate(s, true)
		cleanPathname(s)
		fileOfPath(s)
		serverArg(s)
		if len(tapeLabels(s)) == 0 {
			t.Fatalf("tapeLabels(%q) is empty", s)
		}
		if q := quote(s); unquote(q) != s {
			t.Fatalf("unquote(quote(%q)) = %q", s, unquote(q))
		}
	})
}
