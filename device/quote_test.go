package device

import "testing"

func TestQuoteString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"/etc", "/etc"},
		{"/home/alice", "/home/alice"},
		{"C:/", `"C:/"`},
		{"ST:vault", `"ST:vault"`},
		{"My Docs", `"My Docs"`},
		{"a\tb\nc\rd\fe", `"a\tb\nc\rd\fe"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{"it's", `"it's"`},
		{"caf\xc3\xa9", "\"caf\xc3\xa9\""}, // bytes >= 0x80 are quoted but copied as they are
		{"del\x7f", "\"del\x7f\""},
		{"bell\x07", "\"bell\x07\""},
	}
	for _, tc := range tests {
		if got := QuoteString(tc.in); got != tc.want {
			t.Errorf("QuoteString(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := UnquoteString(QuoteString(tc.in)); got != tc.in {
			t.Errorf("UnquoteString(QuoteString(%q)) = %q", tc.in, got)
		}
	}
}

func TestUnquoteString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{`""`, ""},
		{"/etc", "/etc"},
		{`"My Docs"`, "My Docs"},
		{`a"b"c`, "abc"},
		{`"\t\n\r\f"`, "\t\n\r\f"},
		{`\101\102C`, "ABC"},
		{`\1010`, "A0"},
		{`\7`, "\a"},
		{`\0x`, "x"},   // a zero byte is dropped
		{`\400x`, "x"}, // wraps around to zero, as in a C char
		{`\q\"\\`, `q"\`},
		{`abc\`, "abc"},
	}
	for _, tc := range tests {
		if got := UnquoteString(tc.in); got != tc.want {
			t.Errorf("UnquoteString(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSanitiseFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "_"},
		{"/home/alice", "_home_alice"},
		{`C:\Users`, "C__Users"},
		{"localhost./srv/media.0", "localhost._srv_media.0"},
		{"caf\xc3\xa9/\xff", "caf\xc3\xa9_\xff"},
	}
	for _, tc := range tests {
		if got := SanitiseFilename(tc.in); got != tc.want {
			t.Errorf("SanitiseFilename(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseCRC(t *testing.T) {
	tests := []struct {
		in   string
		want CRC
		ok   bool
	}{
		{"96922945:1669120", CRC{0x96922945, 1669120}, true},
		{"0000beef:0", CRC{0xbeef, 0}, true},
		{"96922945", CRC{}, false},
		{"1234567890:1", CRC{}, false},
		{"xyz:1", CRC{}, false},
		{"1:x", CRC{}, false},
	}
	for _, tc := range tests {
		got, err := ParseCRC(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseCRC(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if s := (CRC{0xbeef, 5}).String(); s != "0000beef:5" {
		t.Errorf("String() = %q", s)
	}
	if s := (CRC{}).String(); s != "" {
		t.Errorf("zero CRC String() = %q, want \"\"", s)
	}
}

func FuzzQuoteString(f *testing.F) {
	for _, s := range []string{"", "/etc", "C:/My Docs", `a"b\c`, "\t\n\r\f\x00\x7f\xff", `\101`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := UnquoteString(QuoteString(s)); got != s {
			t.Fatalf("UnquoteString(QuoteString(%q)) = %q", s, got)
		}
		_ = UnquoteString(s) // must not panic on anything
	})
}

func FuzzParseCRC(f *testing.F) {
	for _, s := range []string{"96922945:1669120", "0:0", "ffffffff:-1", ":", "1:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCRC(s)
		if err != nil || c == (CRC{}) {
			return
		}
		back, err := ParseCRC(c.String())
		if err != nil || back != c {
			t.Fatalf("ParseCRC(%q) = %v, but its String %q parses to %v, %v", s, c, c.String(), back, err)
		}
	})
}
