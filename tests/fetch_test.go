package tests

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amrshell/amrshell/internal/corpus"
)

// The amfetchdump-* and amrestore-* transcripts: Amanda's command (.cmd), what it printed on
// stderr (.stderr), its exit status (.rc) and the sha256 of the files it wrote (.sha256).

// toolOutput reads TRANSCRIPTS/<name>.<ext> of the corpus.
func toolOutput(t *testing.T, root, name, ext string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "TRANSCRIPTS", name+"."+ext))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// transcriptSums reads a .sha256 file: file name -> sha256.
func transcriptSums(t *testing.T, root, name string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(toolOutput(t, root, name, "sha256")), "\n") {
		sum, file, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("%s.sha256: bad line %q", name, line)
		}
		sums[strings.TrimPrefix(file, "./")] = sum
	}
	return sums
}

// dirSums returns the sha256 of every file in dir, and fails the test on anything else there
// (a subdirectory, or a temporary file left behind).
func dirSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, e := range ents {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("%s: unexpected entry %s", dir, e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sums[e.Name()] = sha256Hex(string(b))
	}
	return sums
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkSums compares the files written with those Amanda wrote.
func checkSums(t *testing.T, got, want map[string]string) {
	t.Helper()
	if !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		t.Errorf("files written: %q\nAmanda wrote: %q", sortedKeys(got), sortedKeys(want))
	}
	for name, sum := range want {
		if got[name] != "" && got[name] != sum {
			t.Errorf("%s: sha256 %s, Amanda's %s", name, got[name], sum)
		}
	}
}

// fetchWorld is a world whose catalog has been imported once, for fetchdump runs.
type fetchWorld struct {
	*world
}

// fetchdump runs amrshell fetchdump with args, the corpus configuration and catalog added at
// the end (amrshell takes them anywhere), in dir.
func (w fetchWorld) fetchdump(t *testing.T, dir, stdin string, args ...string) result {
	t.Helper()
	args = append(append([]string{"fetchdump"}, args...), "--amanda-conf", w.amandaConf(), "--catalog", w.Catalog)
	return runAmrshell(t, dir, stdin, args...)
}

// TestFetchTranscripts runs every amfetchdump transcript's command and compares what amrshell
// prints and writes with what amfetchdump did: Amanda's output is right in all of them.
func TestFetchTranscripts(t *testing.T) {
	w := fetchWorld{newWorld(t)}
	names, err := filepath.Glob(filepath.Join(w.Root, "TRANSCRIPTS", "amfetchdump-*.cmd"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no amfetchdump transcripts (%v)", err)
	}
	for _, cmdFile := range names {
		name := strings.TrimSuffix(filepath.Base(cmdFile), ".cmd")
		t.Run(name, func(t *testing.T) {
			words := strings.Fields(toolOutput(t, w.Root, name, "cmd"))
			if words[0] != "amfetchdump" {
				t.Fatalf("%s.cmd: not an amfetchdump command: %q", name, words)
			}
			out := filepath.Join(w.Restore, name)
			args := slices.Clone(words[1:])
			for i := range args {
				if i > 0 && args[i-1] == "-O" {
					args[i] = out // Amanda's -O named the build machine's work directory
				}
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			res := w.fetchdump(t, w.Restore, "", args...)
			checkNoPanic(t, res)
			if want := strings.TrimSpace(toolOutput(t, w.Root, name, "rc")); res.ExitCode != 0 || want != "0" {
				t.Errorf("exit status %d, Amanda's %s\nstderr:\n%s", res.ExitCode, want, res.Stderr)
			}
			if want := toolOutput(t, w.Root, name, "stderr"); res.Stderr != want {
				t.Errorf("stderr differs from amfetchdump's\ngot:\n%s\nwant:\n%s", res.Stderr, want)
			}
			checkSums(t, dirSums(t, out), transcriptSums(t, w.Root, name))
		})
	}
	checkSandbox(t, w.world)
}

// TestFetchOtherWays checks fetchdump's other outputs against the transcripts' files: a dump
// to stdout (-p), one file per part (-n), gzip of what is not compressed (-c), a holding-disk
// dump (whose image amrestore-holding wrote), and no dump matching.
func TestFetchOtherWays(t *testing.T) {
	w := fetchWorld{newWorld(t)}
	a0 := transcriptSums(t, w.Root, "amfetchdump-A0")["localhost._home_alice.20261122232846.0"]
	media := transcriptSums(t, w.Root, "amfetchdump-B0-spanning")["localhost._srv_media.20261122232846.0"]
	dir := func(name string) string {
		d := filepath.Join(w.Restore, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}

	t.Run("pipe", func(t *testing.T) {
		d := dir("pipe")
		res := w.fetchdump(t, d, "", "-a", "-p", "DailySet1", "localhost", "/home/alice", "20261122232846", "0")
		if res.ExitCode != 0 || sha256Hex(res.Stdout) != a0 {
			t.Errorf("exit status %d, stdout sha256 %s, want 0 and %s\nstderr:\n%s", res.ExitCode, sha256Hex(res.Stdout), a0, res.Stderr)
		}
		if got := dirSums(t, d); len(got) != 0 {
			t.Errorf("-p wrote files: %q", sortedKeys(got))
		}
	})

	t.Run("pipe of several", func(t *testing.T) {
		res := w.fetchdump(t, dir("pipe2"), "", "-a", "-p", "DailySet1", "localhost", "/home/alice", "20261122232846-2902")
		if !strings.HasPrefix(res.Stderr, "WARNING: Fetch first dump only because sending data stream to a pipe\n") {
			t.Errorf("no warning that only the first dump is sent:\n%s", res.Stderr)
		}
		if res.ExitCode != 0 || sha256Hex(res.Stdout) != a0 {
			t.Errorf("exit status %d, stdout is not the first dump", res.ExitCode)
		}
	})

	t.Run("one file per part", func(t *testing.T) {
		d := dir("parts")
		res := w.fetchdump(t, d, "", "-a", "-n", "-O", d, "DailySet1", "localhost", "/srv/media", "20261122232846", "0")
		if res.ExitCode != 0 {
			t.Fatalf("exit status %d\nstderr:\n%s", res.ExitCode, res.Stderr)
		}
		var all []byte
		for i := 1; i <= 5; i++ {
			b, err := os.ReadFile(filepath.Join(d, fmt.Sprintf("localhost._srv_media.20261122232846.0.%07d", i)))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		if sha256Hex(string(all)) != media {
			t.Errorf("the 5 parts joined are not the dump amfetchdump wrote")
		}
		if got := len(dirSums(t, d)); got != 5 {
			t.Errorf("%d files written, want 5", got)
		}
	})

	t.Run("compress", func(t *testing.T) {
		d := dir("compress")
		res := w.fetchdump(t, d, "", "-a", "-c", "DailySet1", "localhost", "/srv/media", "20261122232846", "0")
		if res.ExitCode != 0 {
			t.Fatalf("exit status %d\nstderr:\n%s", res.ExitCode, res.Stderr)
		}
		zr, err := os.Open(filepath.Join(d, "localhost._srv_media.20261122232846.0.gz"))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		gz, err := gzip.NewReader(zr)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(gz)
		if err != nil || sha256Hex(string(b)) != media {
			t.Errorf("the .gz does not decompress to the dump (%v)", err)
		}
	})

	t.Run("holding", func(t *testing.T) {
		d := dir("holding")
		res := w.fetchdump(t, d, "", "-a", "DailySet1", "localhost", "/home/alice", "20261122232930")
		holding := filepath.Join(w.Root, "holding", "20261122232930", "localhost._home_alice.2")
		want := "1 holding file(s) needed for restoration\n  " + holding + "\n\nPress enter when ready\n\nReading '" + holding + "'\n" +
			"FILE: date 20261122232930 host localhost disk /home/alice lev 2 comp N program APPLICATION\n"
		if res.ExitCode != 0 || !strings.HasPrefix(res.Stderr, want) {
			t.Errorf("exit status %d, stderr:\n%s\nwant it to start with:\n%s", res.ExitCode, res.Stderr, want)
		}
		// The image amrestore wrote from the same holding file (under amrestore's name).
		image := transcriptSums(t, w.Root, "amrestore-holding")["localhost._home_alice.20261122232930.2.0000001"]
		checkSums(t, dirSums(t, d), map[string]string{"localhost._home_alice.20261122232930.2": image})
	})

	t.Run("no match", func(t *testing.T) {
		d := dir("none")
		res := w.fetchdump(t, d, "", "-a", "DailySet1", "nosuchhost")
		if res.ExitCode != 1 || res.Stderr != "No matching dumps found\n" {
			t.Errorf("exit status %d, stderr %q; want 1 and \"No matching dumps found\\n\"", res.ExitCode, res.Stderr)
		}
	})

	t.Run("waits for enter", func(t *testing.T) {
		// Without -a the answer is read from stdin before anything is read from the volumes.
		d := dir("enter")
		res := w.fetchdump(t, d, "\n", "-O", d, "DailySet1", "localhost", "/home/alice", "20261122232902", "1")
		if res.ExitCode != 0 || len(dirSums(t, d)) != 1 {
			t.Errorf("exit status %d\nstderr:\n%s", res.ExitCode, res.Stderr)
		}
	})
	checkSandbox(t, w.world)
}

// TestFetchDamaged checks that a dump whose data does not match its recorded CRC leaves no
// file, and says why.
func TestFetchDamaged(t *testing.T) {
	w := fetchWorld{newWorld(t)}
	part := filepath.Join(w.Root, "vtapes", "main", "slot2", "00002.localhost._srv_media.0")
	b, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff // same size: only the CRCs can tell
	if err := os.WriteFile(part, b, 0o600); err != nil {
		t.Fatal(err)
	}
	res := w.fetchdump(t, w.Restore, "", "-a", "DailySet1", "localhost", "/srv/media", "20261122232846", "0")
	checkNoPanic(t, res)
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, "recovery failed: localhost:/srv/media level 0 of 20261122232846: server-crc (") {
		t.Errorf("exit status %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
	if got := dirSums(t, w.Restore); len(got) != 0 {
		t.Errorf("a damaged dump was written: %q", sortedKeys(got))
	}
}

// TestFetchCommandLine checks that bad command lines end at once with status 2 and the usage.
func TestFetchCommandLine(t *testing.T) {
	needBinary(t)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"fetchdump"},
		{"fetchdump", "DailySet1"},
		{"fetchdump", "-x", "DailySet1", "h"},
		{"fetchdump", "-c", "-C", "DailySet1", "h"},
		{"fetchdump", "DailySet1", "h", "/d", "notadate"},
		{"restore"},
		{"restore", "-r", "-c", "file:/x"},
		{"restore", "--catalog", "c", "file:/x"},
	} {
		res := runAmrshell(t, dir, "", args...)
		if res.ExitCode != 2 || !strings.Contains(res.Stderr, "usage: amrshell "+args[0]) {
			t.Errorf("amrshell %q: exit status %d, stderr:\n%s", args, res.ExitCode, res.Stderr)
		}
	}
}

// amrestoreArgs turns a transcript's "cd OUTDIR && amrestore ARGS" into amrshell restore's
// arguments, the build root replaced by the corpus copy.
func amrestoreArgs(t *testing.T, root, name string) []string {
	t.Helper()
	cmd := strings.TrimSpace(toolOutput(t, root, name, "cmd"))
	rest, ok := strings.CutPrefix(cmd, "cd OUTDIR && amrestore ")
	if !ok {
		t.Fatalf("%s.cmd: not an amrestore command: %q", name, cmd)
	}
	args := []string{"restore"}
	for _, w := range strings.Fields(rest) {
		args = append(args, strings.ReplaceAll(w, corpus.BuildRoot, root))
	}
	return args
}

// TestAmrestoreTranscripts runs every amrestore transcript's command. Where amrestore's output is
// right (-c, -r, --holding) amrshell must write the same files and print the same lines. In
// amrestore-h and amrestore-slot1-all amrestore decompressed part 1 of a dump that was
// compressed as one stream and split in two parts: gzip hit the end of the part, amrestore wrote
// a truncated file, failed, and stopped. There amrshell must write every other file as amrestore
// did, write nothing for the parts it cannot decompress alone, say so, go on to the end of the
// volume, and exit with status 1.
func TestAmrestoreTranscripts(t *testing.T) {
	w := newWorld(t)
	names, err := filepath.Glob(filepath.Join(w.Root, "TRANSCRIPTS", "amrestore-*.cmd"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no amrestore transcripts (%v)", err)
	}
	truncated := map[string][]string{ // Amanda's truncated outputs, which amrshell must not write
		"amrestore-h":         {"localhost._home_alice.20261122232846.0.0000001"},
		"amrestore-slot1-all": {"localhost._home_alice.20261122232846.0.0000001"},
	}
	for _, cmdFile := range names {
		name := strings.TrimSuffix(filepath.Base(cmdFile), ".cmd")
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(w.Restore, name)
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			args := amrestoreArgs(t, w.Root, name)
			res := runAmrshell(t, out, "", args...)
			checkNoPanic(t, res)
			wantSums := transcriptSums(t, w.Root, name)
			amandaErr := strings.ReplaceAll(toolOutput(t, w.Root, name, "stderr"), corpus.BuildRoot, w.Root)
			bad, wrong := truncated[name]
			if !wrong {
				if res.ExitCode != 0 || res.Stderr != amandaErr {
					t.Errorf("exit status %d\nstderr:\n%s\nwant:\n%s", res.ExitCode, res.Stderr, amandaErr)
				}
				checkSums(t, dirSums(t, out), wantSums)
				return
			}
			for _, f := range bad {
				delete(wantSums, f)
			}
			// amrshell goes on after the failure: the uncompressed parts of /srv/media on the
			// volume are written too, exactly as stored.
			for file, part := range map[string]string{"00005": "0000001", "00006": "0000002"} {
				b, err := os.ReadFile(filepath.Join(w.Root, "vtapes", "main", "slot1", file+".localhost._srv_media.0"))
				if err != nil {
					t.Fatal(err)
				}
				data := b[32768:]
				if slices.Contains(args, "-h") {
					data = b
				}
				wantSums["localhost._srv_media.20261122232846.0."+part] = sha256Hex(string(data))
			}
			checkSums(t, dirSums(t, out), wantSums)
			if res.ExitCode != 1 {
				t.Errorf("exit status %d, want 1", res.ExitCode)
			}
			// The lines amrestore printed before it failed, then the failures, then the rest.
			amandaLines := strings.SplitAfter(amandaErr, "\n")
			before := strings.Join(amandaLines[:slices.IndexFunc(amandaLines, func(l string) bool {
				return strings.HasPrefix(l, "filter stderr:")
			})], "")
			if !strings.HasPrefix(res.Stderr, before) {
				t.Errorf("stderr does not start with amrestore's lines\ngot:\n%s\nwant first:\n%s", res.Stderr, before)
			}
			for _, want := range []string{
				"ERROR: amrestore: 3: part 1 of localhost:/home/alice level 0 of 20261122232846 is a piece of a dump compressed as one stream",
				"ERROR: amrestore: 4: part 2 of localhost:/home/alice level 0 of 20261122232846 is a piece of a dump compressed as one stream",
				"amrestore: 6: restoring split dumpfile: date 20261122232846 host localhost disk /srv/media part 2/UNKNOWN lev 0 comp N program APPLICATION\n",
			} {
				if !strings.Contains(res.Stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.Stderr)
				}
			}
		})
	}
	checkSandbox(t, w)
}

// TestAmrestoreOtherWays checks amrestore's other outputs: to stdout (-p stops after the first
// file), a label check (-l), and a compressed part written as stored (-c) that joins its other
// part into the dump amfetchdump -l wrote.
func TestAmrestoreOtherWays(t *testing.T) {
	w := newWorld(t)
	slot1 := "file:" + filepath.Join(w.Root, "vtapes", "main", "slot1")

	res := runAmrshell(t, w.Restore, "", "restore", "-p", slot1, "client2")
	want := transcriptSums(t, w.Root, "amrestore-slot1-all")["client2._etc.20261122232846.0.0000001"]
	if res.ExitCode != 0 || sha256Hex(res.Stdout) != want {
		t.Errorf("-p: exit status %d, stdout sha256 %s, want %s\nstderr:\n%s", res.ExitCode, sha256Hex(res.Stdout), want, res.Stderr)
	}
	if strings.Contains(res.Stderr, "amrestore: 2:") {
		t.Errorf("-p went on after the first file restored:\n%s", res.Stderr)
	}

	res = runAmrshell(t, w.Restore, "", "restore", "-l", "DailySet1-02", slot1)
	if res.ExitCode != 1 || res.Stderr != "ERROR: Found unexpected label 'DailySet1-01'\n" {
		t.Errorf("-l: exit status %d, stderr %q", res.ExitCode, res.Stderr)
	}

	res = runAmrshell(t, w.Restore, "", "restore", "-c", "-l", "DailySet1-01", slot1, "localhost", "/home/alice")
	if res.ExitCode != 0 {
		t.Fatalf("-c: exit status %d\nstderr:\n%s", res.ExitCode, res.Stderr)
	}
	var joined bytes.Buffer
	for _, p := range []string{"1", "2"} {
		b, err := os.ReadFile(filepath.Join(w.Restore, "localhost._home_alice.20261122232846.0.000000"+p+".gz"))
		if err != nil {
			t.Fatal(err)
		}
		joined.Write(b)
	}
	if want := transcriptSums(t, w.Root, "amfetchdump-A0-compressed")["localhost._home_alice.20261122232846.0"]; sha256Hex(string(joined.Bytes())) != want {
		t.Errorf("the two parts written with -c do not join into the dump amfetchdump -l wrote")
	}
	checkSandbox(t, w)
}

// The vault copy asked for with -o storage=vault: with the vault's volume gone, fetchdump reads
// the other copy and writes the same dump; with no copy in any changer, it asks for the volume
// as amfetchdump does and reads it from the device named on standard input.
func TestFetchVaultMissing(t *testing.T) {
	w := fetchWorld{newWorld(t)}
	want := transcriptSums(t, w.Root, "amfetchdump-A0")
	shelf := filepath.Join(t.TempDir(), "shelf")
	if err := os.Rename(filepath.Join(w.Root, "vtapes", "vault", "slot1"), shelf); err != nil {
		t.Fatal(err)
	}
	spec := []string{"-a", "-o", "storage=vault", "DailySet1", "localhost", "/home/alice", "20261122232846", "0"}

	out := filepath.Join(w.Restore, "fallback")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	res := w.fetchdump(t, out, "", spec...)
	checkNoPanic(t, res)
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "amrshell: reading localhost:/home/alice level 0 of 20261122232846 from the copy in storage DailySet1 (DailySet1-01) instead") {
		t.Errorf("exit status %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
	checkSums(t, dirSums(t, out), want)

	if err := os.RemoveAll(filepath.Join(w.Root, "vtapes", "main", "slot1")); err != nil {
		t.Fatal(err)
	}
	out = filepath.Join(w.Restore, "asked")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	res = w.fetchdump(t, out, "file:"+shelf+"\n", spec...)
	checkNoPanic(t, res)
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "Insert volume labeled 'Vault1-01' of storage vault\nand press enter, or ^D to abort.\n") {
		t.Errorf("exit status %d, stderr:\n%s", res.ExitCode, res.Stderr)
	}
	checkSums(t, dirSums(t, out), want)
}
