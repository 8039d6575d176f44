package synth

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
)

// PeakRSS measures how far the resident set of the process rises over a span: Go's heap and
// SQLite's C allocations alike, which runtime/metrics alone would miss.
type PeakRSS struct {
	base int64 // bytes resident when the span began
}

// StartPeakRSS begins a span: it returns Go's free memory to the system, so that it does not
// hide growth, and resets the kernel's high-water mark (VmHWM) to the current resident set.
func StartPeakRSS() (*PeakRSS, error) {
	runtime.GC()
	debug.FreeOSMemory()
	// "5" resets the peak resident set size to the current one (proc(5), clear_refs).
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return nil, fmt.Errorf("reset peak RSS: %w", err)
	}
	rss, _, err := residentSet()
	if err != nil {
		return nil, err
	}
	return &PeakRSS{base: rss}, nil
}

// Growth is the peak resident set since the span began, less the resident set then.
func (p *PeakRSS) Growth() (int64, error) {
	_, hwm, err := residentSet()
	if err != nil {
		return 0, err
	}
	return max(0, hwm-p.base), nil
}

// residentSet reads VmRSS and VmHWM from /proc/self/status, in bytes.
func residentSet() (rss, hwm int64, err error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0, fmt.Errorf("read resident set: %w", err)
	}
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		switch string(key) {
		case "VmRSS":
			dst = &rss
		case "VmHWM":
			dst = &hwm
		default:
			continue
		}
		kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(val), []byte("kB")))), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("read resident set: %s: %w", key, err)
		}
		*dst = kb * 1024
		found++
	}
	if found != 2 {
		return 0, 0, fmt.Errorf("read resident set: VmRSS or VmHWM missing from /proc/self/status")
	}
	return rss, hwm, nil
}

// Benchmark is the part of *testing.B that ReportPeakRSS uses (the amrshell binary links this
// package for `amrshell catalog synth`, and so not package testing).
type Benchmark interface {
	Helper()
	Fatal(args ...any)
	ReportMetric(n float64, unit string)
}

// ReportPeakRSS starts a span and returns what reports its growth on b, in MB, as the metric
// peak-RSS-MB; call it after the benchmark's loop.
func ReportPeakRSS(b Benchmark) (report func()) {
	b.Helper()
	p, err := StartPeakRSS()
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		b.Helper()
		grew, err := p.Growth()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(grew)/1e6, "peak-RSS-MB")
	}
}
