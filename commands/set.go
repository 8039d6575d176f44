package commands

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// The set commands: host, disk, date, device, mode, translation, storage, properties.

func (s *Session) setHost(ctx context.Context, raw string) {
	host := unquote(raw)
	if len(s.extract) > 0 {
		s.printf("Must clear extract list before changing host\n")
		return
	}
	// amrecover sends "HOST <host>" unquoted: amindexd takes its first word.
	arg, ok := serverArg(host)
	if !ok {
		s.printf("500 Command not recognised/incorrect: HOST %s\n", host)
		return
	}
	name, err := s.idx.DisklistHost(ctx, arg)
	if err != nil {
		// amrecover then retries the names the resolver gives for host ("Trying host X
		// ..."); amrshell has only the disklist's names, which amindexd just refused.
		s.printf("%s\n", replyLine(err))
		return
	}
	s.printf("200 Dump host set to %s.\n", name)
	s.srvHost, s.srvDisk = name, ""
	s.host, s.disk, s.mountPoint, s.diskPath, s.diskTPath = host, "", "", "", ""
	s.dirList = nil
}

func (s *Session) listHost(ctx context.Context) {
	hosts, err := s.idx.Hosts(ctx)
	if err != nil {
		s.printf("%s\n", replyLine(err))
		return
	}
	conf := s.idx.ConfigName()
	if len(hosts) == 0 {
		s.printf("200 No hosts for config %s\n", conf)
		return
	}
	s.printf("200- List hosts for config %s\n", conf)
	for _, h := range hosts {
		s.printf("201- %s\n", h)
	}
	s.printf("200  List hosts for config %s\n", conf)
}

func (s *Session) listDisk(ctx context.Context, raw string, byDevice bool) {
	if s.srvHost == "" {
		s.printf("501 Must set host before listdisk\n")
		return
	}
	var disks []string
	var err error
	dev := unquote(raw)
	switch dd, ok := s.idx.(deviceDisks); {
	case byDevice && ok:
		disks, err = dd.DisksOfDevice(ctx, s.srvHost, dev)
	default:
		disks, err = s.idx.Disks(ctx, s.srvHost)
		if byDevice {
			disks = keep(disks, func(d string) bool { return d == dev })
		}
	}
	if err != nil {
		s.printf("%s\n", replyLine(err))
		return
	}
	what := "host " + s.srvHost
	if byDevice {
		what = fmt.Sprintf("device %s on host %s", dev, s.srvHost)
	}
	if len(disks) == 0 {
		s.printf("200 No disk for %s\n", what)
		return
	}
	s.printf("200- List of disk for %s\n", what)
	for _, d := range disks {
		s.printf("201- %s\n", quote(d))
	}
	s.printf("200 List of disk for %s\n", what)
}

func keep(list []string, f func(string) bool) []string {
	var out []string
	for _, x := range list {
		if f(x) {
			out = append(out, x)
		}
	}
	return out
}

func (s *Session) setDisk(ctx context.Context, rawDisk, rawMount string, hasMount bool) {
	if len(s.extract) > 0 {
		s.printf("Must clear extract list before changing disk\n")
		return
	}
	var mount string
	if hasMount {
		mount = unquote(rawMount)
		if !strings.HasPrefix(rawMount, "/") { // amrecover looks at the argument as typed
			s.printf("Mount point \"%s\" invalid - must start with /\n", mount)
			return
		}
	}
	s.dirList = nil
	disk := unquote(rawDisk)
	if s.srvHost == "" {
		s.printf("501 Must set host before setting disk.\n")
		return
	}
	if err := s.idx.CheckDisk(ctx, s.srvHost, disk); err != nil {
		s.printf("%s\n", replyLine(err))
		return
	}
	s.srvDisk = disk
	s.printf("200 Disk set to %s.\n", quote(disk))
	s.disk = disk
	switch {
	case hasMount:
		s.mountPoint = mount
	case strings.HasPrefix(disk, "/"):
		s.mountPoint = disk
	default:
		s.mountPoint = "/"
	}
	s.diskPath, s.diskTPath = "/", "/"
	if reply := s.validDir(ctx, "/"); reply != "" {
		s.printf("%s\n", reply)
		s.printf("No index records for disk for specified date\n")
		s.printf("If date correct, notify system administrator\n")
		s.dirList = nil
		return
	}
	s.loadDirList(ctx)
}

// setDateArg is amrecover's parsing of "setdate D": sscanf with "---%d", "--%d-%d" and
// "%d-%d-%d-%d-%d-%d" (3 fields at least), defaults from today, and its range checks; the
// messages about a bad field have no newline, as amrecover's.
func (s *Session) setDateArg(ctx context.Context, arg string) {
	date, msg := s.scanDateArg(arg)
	if msg != "" {
		s.printf("%s", msg)
		return
	}
	s.setDate(ctx, date)
}

// scanDateArg reads a date as setdate does and returns it in the index's form
// ("2024-03-05" or "2024-03-05-10-20-30"), or amrecover's message about it.
func (s *Session) scanDateArg(arg string) (date, msg string) {
	now := s.now()
	v := [6]int{now.Year(), int(now.Month()), now.Day(), 0, 0, 0} // y m d h mi s
	ok := scanDate(arg, "---", v[2:3]) == 1 ||
		scanDate(arg, "--", v[1:3]) == 2 ||
		scanDate(arg, "", v[:]) >= 3
	if !ok {
		return "", fmt.Sprintf("Invalid date: %s\n", arg)
	}
	y, m, d, h, mi, sec := v[0], v[1], v[2], v[3], v[4], v[5]
	switch {
	case y < 70:
		y += 2000
	case y < 100:
		y += 1900
	}
	switch {
	case y < 1000 || y > 9999:
		return "", "invalid year"
	case m < 1 || m > 12:
		return "", "invalid month"
	case d < 1 || d > 31:
		return "", "invalid day"
	case h < 0 || h > 24:
		return "", "invalid hour"
	case mi < 0 || mi > 59:
		return "", "invalid minute"
	case sec < 0 || sec > 59:
		return "", "invalid second"
	case h == 0 && mi == 0 && sec == 0:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d), ""
	}
	return fmt.Sprintf("%04d-%02d-%02d-%02d-%02d-%02d", y, m, d, h, mi, sec), ""
}

// scanDate is sscanf(str, prefix "%d-%d-...", ...) for len(v) numbers: it stores each number
// it converts (also when a later one fails, as sscanf does) and returns how many it did.
func scanDate(str, prefix string, v []int) int {
	if !strings.HasPrefix(str, prefix) {
		return 0
	}
	i := len(prefix)
	for n := range v {
		if n > 0 {
			if i >= len(str) || str[i] != '-' {
				return n
			}
			i++
		}
		num, next, ok := scanInt(str, i)
		if !ok {
			return n
		}
		v[n], i = num, next
	}
	return len(v)
}

// scanInt is scanf's %d at i: leading white space, a sign, digits; saturating like strtol, then
// truncated to an int as scanf stores it.
func scanInt(str string, i int) (int, int, bool) {
	for i < len(str) && isSpace(str[i]) {
		i++
	}
	neg := false
	if i < len(str) && (str[i] == '+' || str[i] == '-') {
		neg = str[i] == '-'
		i++
	}
	start := i
	var n uint64
	const limit = 1 << 63
	for i < len(str) && str[i] >= '0' && str[i] <= '9' {
		if n > limit/10 {
			n = limit
		} else {
			n = min(limit, n*10+uint64(str[i]-'0'))
		}
		i++
	}
	if i == start {
		return 0, i, false
	}
	var v int64
	switch {
	case neg && n == limit:
		v = math.MinInt64
	case neg:
		v = -int64(n)
	case n >= limit:
		v = math.MaxInt64
	default:
		v = int64(n)
	}
	return int(int32(v)), i, true
}

// setDate is amrecover's set_date: DATE, then the cwd checked again at the new date.
func (s *Session) setDate(ctx context.Context, date string) {
	s.dirList = nil
	s.date = date
	s.printf("200 Working date set to %s.\n", date)
	if s.diskPath == "" {
		return
	}
	if reply := s.validDir(ctx, s.diskPath); reply != "" {
		s.printf("%s\n", reply)
		s.printf("No index records for cwd on new date\n")
		s.printf("Setting cwd to mount point\n")
		s.diskPath, s.diskTPath = "/", "/"
		s.dirList = nil
		return
	}
	s.loadDirList(ctx)
}

// setTape is the deprecated "settape [HOST:]DEVICE|default".
func (s *Session) setTape(raw string) {
	tape := unquote(raw)
	s.printf("NOTE: 'settape' is deprecated; use setdevice instead.\n")
	host, hasHost, dev := "", false, tape
	if i := strings.IndexByte(tape, ':'); i > 0 {
		devicePrefix := false
		for _, p := range []string{"null:", "rait:", "file:", "s3:", "tape:"} {
			devicePrefix = devicePrefix || strings.HasPrefix(tape, p)
		}
		if !strings.Contains(tape[i+1:], ":") && devicePrefix {
			dev = tape
		} else {
			host, hasHost, dev = tape[:i], true, tape[i+1:]
		}
	} else if i == 0 {
		dev = tape[1:]
	}
	s.setDevice(host, hasHost, dev, dev != "default")
}

// setDevice is amrecover's set_device: the arguments as typed (not unquoted).
func (s *Session) setDevice(host string, hasHost bool, dev string, hasDev bool) {
	s.tapeServer, s.tapeServerSet = host, hasHost
	s.device, s.deviceSet, s.deviceChosen = dev, hasDev, hasDev
	if hasDev {
		s.printf("Using tape \"%s\"", dev)
	} else {
		s.printf("Using default tape")
	}
	if hasHost {
		s.printf(" from server %s.\n", host)
	} else {
		s.printf(".\nTape server unspecified, assumed to be %s.\n", s.serverName)
	}
}

func (s *Session) setMode(smb bool) {
	s.smb = smb
	if smb {
		s.printf("SAMBA dumps will be extracted using smbclient\n")
	} else {
		s.printf("SAMBA dumps will be extracted as TAR dumps\n")
	}
}

func (s *Session) showMode() {
	if s.smb {
		s.printf("SAMBA dumps are extracted using smbclient\n")
	} else {
		s.printf("SAMBA dumps are extracted  as TAR dumps\n")
	}
}

// setTranslate compares the argument as typed: a quoted "on" is off.
func (s *Session) setTranslate(ctx context.Context, raw string, has bool) {
	switch strings.ToLower(raw) {
	case "yes", "true", "on":
		s.translate = true
	default:
		s.translate = !has
	}
	s.loadDirList(ctx)
}

// setStorage is amrecover 3.5.1's storage command: it joins its words with spaces and sends them
// as one quoted name, so only a single storage name can ever be set, and none unsets nothing:
// the empty name is refused. A refused name leaves amindexd with an empty storage list, which
// no dump passes.
func (s *Session) setStorage(ctx context.Context, raw []string) {
	name := strings.Join(raw, " ")
	valid := name == "HOLDING"
	if !valid {
		_, err := s.idx.StorageChanger(ctx, name)
		valid = err == nil
	}
	if !valid {
		s.printf("599 invalid storage: %s\n", quote(name))
	}
	s.storageSet, s.storage, s.storageValid = true, name, valid
	s.loadDirList(ctx)
}

func (s *Session) setProperty(rawName string, appendTo bool, rawValues []string) {
	name := strings.ReplaceAll(strings.ToLower(unquote(rawName)), "_", "-")
	var values []string
	for _, v := range rawValues {
		values = append(values, unquote(v))
	}
	for i, p := range s.props {
		if p.name != name {
			continue
		}
		if appendTo {
			s.props[i].values = append(p.values, values...)
			return
		}
		s.props = append(s.props[:i], s.props[i+1:]...)
		break
	}
	s.props = append(s.props, property{name: name, values: values})
}

// listProperty lists the properties in the order they were set (amrecover's is a hash
// table's).
func (s *Session) listProperty() {
	for _, p := range s.props {
		s.printf("property %s", quoteAlways(p.name))
		for _, v := range p.values {
			s.printf(" %s", quoteAlways(v))
		}
		s.printf("\n")
	}
}

// property returns the first value of a property.
func (s *Session) property(name string) (string, bool) {
	for _, p := range s.props {
		if p.name == name && len(p.values) > 0 {
			return p.values[0], true
		}
	}
	return "", false
}
