package commands

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/amrshell/amrshell/recover"
	"github.com/amrshell/amrshell/recover/gtar"
)

// extract, with amrecover's dialogue: the volumes needed, then for each group in date order
// "Load tape X now" and a question; for a level-0 dump the restore directory, the overwrite
// warnings and another question; then the Restorer. Before the dialogue, amrshell completes
// the list for the renamed directories amrecover would restore only in part (renames.go).

// answers of okayToContinue.
type answer int

const (
	answerNo answer = iota
	answerYes
	answerSkip
)

func (s *Session) extractFiles(ctx context.Context) {
	if len(s.extract) == 0 {
		s.printf("Extract list empty - No files to extract!\n")
		return
	}
	if s.dryRun {
		s.estimate(ctx)
		s.printf("Dry run (--dry-run): nothing restored; the extract list stays.\n")
		return
	}
	if !s.tapeServerSet {
		s.tapeServer, s.tapeServerSet = s.serverName, true
	}
	if !s.deviceSet {
		dev, err := s.idx.AmrecoverChanger(ctx)
		if err != nil { // amrecover prints the TAPE reply and exits
			s.printf("%s\n", replyLine(err))
			s.failed, s.quit = true, true
			return
		}
		s.device, s.deviceSet, s.deviceChosen = dev, true, false
	}
	if s.device == "/dev/null" {
		s.printf("amrecover: warning: using %s as the tape device will not work\n", s.device)
	}
	s.followRenames(ctx)
	for _, g := range s.extract {
		g.files = pruneItems(g.files)
	}
	var groups []recover.Request
	for _, g := range s.extract {
		groups = append(groups, s.groupOf(g))
	}
	extract := recover.NewExtract(groups)
	s.lastExtract, s.lastTarget = nil, s.restoreTarget() // what this extract restores
	s.printNeeded(false)
	s.printNeeded(true)
	s.printf("\n")
	for len(s.extract) > 0 && ctx.Err() == nil {
		g := s.extract[0]
		if onHolding(g) {
			file := g.dump.Tapes
			if !strings.HasPrefix(file, "/") {
				file = file[len("HOLDING:"):]
			}
			// amrecover reads the file name as a tape list, so it names the "label" after
			// the path's colon: "Extracting from file  0".
			s.printf("Extracting from file ")
			for _, l := range tapeLabels(file) {
				s.printf(" %s", l)
			}
			s.printf("\n")
		} else {
			s.printf("Extracting files using tape drive %s on host %s.\n", s.deviceName(), s.tapeServer)
			s.printf("Load tape %s now\n", tapeLabels(g.dump.Tapes)[0])
			switch s.okayToContinue(ctx, true, true) {
			case answerNo:
				return
			case answerSkip:
				s.dropGroup(g)
				continue
			}
		}
		aborted := s.restoreGroup(ctx, g, extract)
		if ctx.Err() != nil || aborted {
			// Ctrl-C, or the end of input at a volume prompt: what was restored stays, the
			// file being written was removed, and the dumps not restored stay in the list for
			// another extract.
			how := "interrupted"
			if aborted {
				how = "aborted"
			}
			fmt.Fprintf(s.errOut, "amrshell: extract %s; %d dump(s) not restored stay in the extract list\n", how, len(s.extract))
			s.failed = true
			return
		}
		s.dropGroup(g)
	}
}

func onHolding(g *group) bool {
	return strings.HasPrefix(g.dump.Tapes, "/") || strings.HasPrefix(g.dump.Tapes, "HOLDING:/")
}

// deviceName is the device as amrecover prints it; "d" then "default" at a prompt unsets it,
// which glibc's printf shows as "(null)".
func (s *Session) deviceName() string {
	if !s.deviceSet {
		return "(null)"
	}
	return s.device
}

// printNeeded lists the volumes (or holding files) of the groups, one group a line, aligned
// under the first.
func (s *Session) printNeeded(holding bool) {
	first := true
	for _, g := range s.extract {
		if onHolding(g) != holding {
			continue
		}
		switch {
		case first && holding:
			s.printf("\nExtracting files from holding disk on host %s.\n", s.tapeServer)
			s.printf("The following files are needed:")
		case first:
			s.printf("\nExtracting files using tape drive %s on host %s.\n", s.deviceName(), s.tapeServer)
			s.printf("The following tapes are needed:")
		default:
			s.printf("%31s", "")
		}
		first = false
		for _, l := range tapeLabels(g.dump.Tapes) {
			s.printf(" %s", l)
		}
		s.printf("\n")
	}
}

func (s *Session) dropGroup(g *group) {
	s.extract = slices.DeleteFunc(s.extract, func(o *group) bool { return o == g })
}

// pruneItems is amrecover's clean_tape_list: a path at or under another path of the group goes.
func pruneItems(files []extractItem) []extractItem {
	under := func(p, dir string) bool {
		return strings.HasPrefix(p, dir) && (len(p) > len(dir) && p[len(dir)] == '/' || strings.HasSuffix(dir, "/"))
	}
	out := slices.Clone(files)
	for i := 0; i < len(out); {
		removeI := false
		for j := i + 1; j < len(out) && !removeI; {
			a, b := out[i].path, out[j].path
			switch {
			case a == b || under(b, a):
				out = slices.Delete(out, j, j+1)
			case under(a, b):
				removeI = true
			default:
				j++
			}
		}
		if removeI {
			out = slices.Delete(out, i, i+1)
		} else {
			i++
		}
	}
	return out
}

// restoreGroup asks about overwriting (level 0) and restores one group into the "directory"
// property, else the local directory. It reports whether the operator aborted the extract.
func (s *Session) restoreGroup(ctx context.Context, g *group, extract *recover.Extract) (aborted bool) {
	shown := s.restoreDir()
	target := s.localPath(shown)
	if g.dump.Level == 0 && !s.askFileOverwrite(ctx, g, shown, target) {
		return false
	}
	req := s.groupOf(g)
	req.Extract = extract
	err := s.restore.Restore(ctx, req, target, s.out, s.errOut)
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(s.errOut, "amrshell: %v\n", err)
		s.failed = true
	}
	if err == nil {
		s.lastExtract = append(s.lastExtract, req)
	}
	return errors.Is(err, recover.ErrAborted)
}

// restoreDir is where extract restores, as amrecover names it: the "directory" property, else
// the local directory.
func (s *Session) restoreDir() string {
	if dir, ok := s.property("directory"); ok {
		return dir
	}
	return s.localDir
}

// restoreTarget is restoreDir resolved against the local directory.
func (s *Session) restoreTarget() string { return s.localPath(s.restoreDir()) }

// verify checks the restore directory against the dumps of the extract list or, when it is
// empty, of the last extract, and says what differs.
func (s *Session) verify(ctx context.Context) {
	groups, target := s.lastExtract, s.lastTarget
	if len(s.extract) > 0 {
		groups, target = nil, s.restoreTarget()
		for _, g := range s.extract {
			groups = append(groups, s.groupOf(g))
		}
	}
	if len(groups) == 0 {
		s.printf("Extract list empty - nothing to verify\n")
		return
	}
	if s.verifier == nil {
		fmt.Fprintf(s.errOut, "amrshell: verify: this session has no verifier\n")
		s.failed = true
		return
	}
	st, err := s.verifier.Verify(ctx, groups, target, s.out)
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: %v\n", err)
		s.failed = true
	}
	s.printf("Verify of %s: %d member(s) compared, %d differ.\n", target, st.Members, st.Differ)
	if st.Differ > 0 {
		s.failed = true
	}
}

// groupOf is the request the restorer gets for one group.
func (s *Session) groupOf(g *group) recover.Request {
	out := recover.Request{
		CopyID:    g.dump.CopyID,
		ExactDirs: slices.Clone(g.exactDirs),
		Progress:  s.prog,
		Verify:    s.verifyWrites,
		Overwrite: s.overwrite,
	}
	out.Storages, _ = s.storages()
	for _, f := range g.files {
		p := f.path
		if f.dir && p != "/" {
			p += "/"
		}
		out.Items = append(out.Items, recover.Item{Path: p, Dir: f.dir, Named: f.named})
	}
	if s.deviceChosen && s.deviceSet {
		out.Device = s.device
	}
	return out
}

// askFileOverwrite is amrecover's dialogue before a level-0 restore. shown is the restore
// directory as amrecover names it, target the same resolved against the local directory.
func (s *Session) askFileOverwrite(ctx context.Context, g *group, shown, target string) bool {
	if s.smb { // amrecover would hand the files to smbclient; amrshell still restores into target
		host, ok := s.property("directory")
		if !ok {
			host = s.disk
		}
		s.printf("Restoring files into target host %s\n", host)
	} else {
		s.printf("Restoring files into directory %s\n", shown)
	}
	cp, err := s.idx.Copy(ctx, g.dump.CopyID)
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: %v\n", err)
		s.failed = true
		return false
	}
	// Everything below goes through the restore directory's root: a symbolic link in it must
	// not lead the check, or the deletions, outside.
	root, err := os.OpenRoot(target)
	if err != nil {
		fmt.Fprintf(s.errOut, "amrshell: open restore directory: %v\n", err)
		s.failed = true
		return false
	}
	defer root.Close()
	rel := func(p string) string {
		if r := strings.Trim(strings.TrimPrefix(p, shown), "/"); r != "" {
			return r
		}
		return "."
	}
	var unlink []string
	switch {
	case s.overwrite == gtar.OverwriteNever:
		s.printf("Existing files in %s are kept (overwrite policy never)\n", shown)
	case s.overwrite == gtar.OverwriteIfNewer:
		s.printf("Existing files in %s are replaced only by newer ones (overwrite policy if-newer)\n", shown)
	case cp.Program == "GNUTAR" || cp.Program == "APPLICATION" && cp.Application == "amgtar":
		unlink = s.checkFileOverwrite(shown, root, rel)
	default:
		s.printf("All existing files in %s can be deleted\n", shown)
	}
	if s.okayToContinue(ctx, false, false) == answerNo {
		return false
	}
	s.printf("\n")
	ok := true
	for _, p := range unlink {
		if err := root.Remove(rel(p)); err != nil {
			fmt.Fprintf(s.errOut, "Can't unlink %s: %s\n", p, errnoText(err))
			ok = false
		}
	}
	if !ok {
		fmt.Fprintf(s.errOut, "Can't recover because I can't cleanup the restore directory (%s)\n", shown)
		s.failed = true
	}
	return ok
}

// checkFileOverwrite is amrecover's check_file_overwrite for GNU tar dumps: it warns about what
// the restore will replace and returns the entries to delete first, in the order amrecover
// deletes them. It looks the raw index names up, as amrecover does (so an escaped name like
// `back\\slash` is looked for under that spelling).
func (s *Session) checkFileOverwrite(shown string, root *os.Root, rel func(string) string) []string {
	var unlink []string
	add := func(p string) bool {
		if slices.Contains(unlink, p) {
			return false
		}
		unlink = slices.Insert(unlink, 0, p)
		return true
	}
	lstat := func(p string) (fs.FileInfo, error) { return root.Lstat(rel(p)) }
	for _, g := range s.extract {
		for _, f := range g.files {
			path := strings.TrimSuffix(shown+f.path, "/")
			for i := len(shown) + 1; i < len(path); i++ {
				if path[i] != '/' {
					continue
				}
				fi, err := lstat(path[:i])
				switch {
				case err == nil && !fi.IsDir():
					if add(path[:i]) {
						s.printf("WARNING: %s is not a directory, it will be deleted.\n", path[:i])
					}
				case err != nil && !errors.Is(err, fs.ErrNotExist):
					s.printf("Can't stat %s: %s\n", path[:i], errnoText(err))
				}
			}
			fi, err := lstat(path)
			switch {
			case err != nil:
				if !errors.Is(err, fs.ErrNotExist) {
					s.printf("Can't stat %s: %s\n", path, errnoText(err))
				}
			case fi.IsDir():
				if !emptyDir(root, rel(path)) {
					s.printf("WARNING: All existing files in %s will be deleted.\n", path)
				}
			case fi.Mode().IsRegular():
				s.printf("WARNING: Existing file %s will be overwritten\n", path)
			default:
				if add(path) {
					s.printf("WARNING: Existing entry %s will be deleted\n", path)
				}
			}
		}
	}
	return unlink
}

func emptyDir(root *os.Root, name string) bool {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return true
	}
	defer f.Close()
	names, _ := f.Readdirnames(1)
	return len(names) == 0
}

// errnoText is strerror's text for an error from the system.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		t := errno.Error()
		return strings.ToUpper(t[:1]) + t[1:]
	}
	return err.Error()
}

// okayToContinue is amrecover's question before a volume (allowTape: "d" changes the device;
// allowSkip: "s" skips the group) and before overwriting. The end of input means no.
// (amrecover also has a "r"etry answer for questions amrshell never asks.)
func (s *Session) okayToContinue(ctx context.Context, allowTape, allowSkip bool) answer {
	getDevice := false
	for {
		var prompt string
		switch {
		case getDevice:
			prompt = "New device name [?]: "
		case allowTape && allowSkip:
			prompt = "Continue [?/Y/n/s/d]? "
		case allowTape:
			prompt = "Continue [?/Y/n/d]? "
		default:
			prompt = "Continue [?/Y/n]? "
		}
		line, err := s.ask.Ask(ctx, prompt)
		if err != nil {
			s.printf("\n")
			if getDevice && ctx.Err() == nil {
				getDevice = false
				continue
			}
			return answerNo
		}
		line = strings.TrimLeft(line, " \t\n\v\f\r")
		var ch byte
		if line != "" {
			ch = line[0]
		}
		switch {
		case ch == '?' && getDevice:
			s.printf("Enter a new device name or \"default\"\n")
		case ch == '?':
			s.printf("Enter \"y\"es to continue, \"n\"o to stop")
			if allowSkip {
				s.printf(", \"s\"kip this tape")
			}
			if allowTape {
				s.printf(" or \"d\" to change to a new device")
			}
			s.printf("\n")
		case getDevice:
			switch {
			case strings.HasPrefix(line, "default"):
				s.setDevice(s.tapeServer, s.tapeServerSet, "", false)
			case line != "":
				s.setDevice(s.tapeServer, s.tapeServerSet, line, true)
			default:
				s.printf("No change.\n")
			}
			getDevice = false
		case ch == 0 || ch == 'Y' || ch == 'y':
			return answerYes
		case allowTape && strings.IndexByte("DdTt", ch) >= 0:
			getDevice = true
		case ch == 'N' || ch == 'n':
			return answerNo
		case allowSkip && (ch == 'S' || ch == 's'):
			return answerSkip
		}
	}
}

// InsertVolume is Amanda's scan asking for a volume its changer does not have
// (recover.Operator): an empty answer looks again, "s" skips the dump, "d" asks for another
// device, other text names one; the end of input aborts.
func (s *Session) InsertVolume(ctx context.Context, label, storage string, why error) (string, error) {
	for {
		s.printf("%v\n", why)
		s.printf("Insert volume labeled '%s' in changer and type <enter>\n", label)
		s.printf("or type \"^D\" to abort, \"s\" to skip this dump, \"d\" to read it from another device\n")
		line, err := s.ask.Ask(ctx, "")
		if err != nil {
			s.printf("\n")
			return "", err
		}
		switch line = strings.TrimSpace(line); line {
		case "":
			return "", nil
		case "s", "S":
			return "", recover.ErrSkipDump
		case "d", "D":
			dev, err := s.ask.Ask(ctx, "New device name: ")
			if err != nil {
				s.printf("\n")
				return "", err
			}
			if dev = strings.TrimSpace(dev); dev != "" {
				return dev, nil
			}
			why = fmt.Errorf("no device named for volume '%s' of storage %s", label, storage)
		default:
			return line, nil
		}
	}
}
