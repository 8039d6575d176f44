# amrshell — build, test, bench, fuzz, demo. See README.md.
GO      ?= go
BIN     := bin/amrshell
DEMO    := build/demo
CORPUS  := testdata/amanda-public.tar.gz
FUZZTIME ?= 60s

.PHONY: build test vet bench fuzz fuzz-short demo clean

build:
	$(GO) build -o $(BIN) .

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...

test: vet
	$(GO) test -count=1 -timeout 20m ./...

# Every benchmark. The scale ones (catalog BenchmarkScale, commands BenchmarkSessionScale)
# run at 1M index entries; AMRSHELL_BENCH_10M=1 adds 10M (a few minutes and 2 GB of $$TMPDIR more).
# recover BenchmarkRestore restores 1 GiB (gzip, zstd) beside the tar pipeline, from data made
# once into $$TMPDIR/amrshell-bench-1g (1.4 GB; see README, Throughput). One package at a time
# (-p 1): timings of packages run side by side would measure each other.
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -timeout 60m ./...

# Every parser (and gtar.Extract) has a fuzz target; each runs for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg || exit 1; \
	  done; \
	done

# Every fuzz target briefly, for CI (a few minutes in all, builds included). A count of inputs,
# not a duration: Go 1.26's fuzzer can fail a duration run with "context deadline exceeded"
# at its end though nothing was found (go.dev/issue/75804, fixed in Go 1.27).
# Each new input found is minimised for at most a second: by default the fuzzer spends up to a
# minute on each, which made a slow target (gtar's FuzzExtract) run for many minutes.
fuzz-short:
	$(MAKE) fuzz FUZZTIME=10000x FUZZFLAGS=-fuzzminimizetime=1s

# The shell on a fresh copy of the real Amanda 3.5.1 corpus in testdata/ (see testdata/README.md).
demo: build
	rm -rf $(DEMO) && mkdir -p $(DEMO)/restore
	tar -xzf $(CORPUS) -C $(DEMO)
	sed -i 's|/tmp/amc-public|$(abspath $(DEMO))/amanda-public|g' \
	  $(DEMO)/amanda-public/config/DailySet1/amanda.conf $(DEMO)/amanda-public/config/DailySet1/disklist
	@echo "Restores go to $(DEMO)/restore. Try: sethost localhost, setdisk /home/alice, ls, add ., extract"
	cd $(DEMO)/restore && $(abspath $(BIN)) --amanda-conf $(abspath $(DEMO))/amanda-public/config/DailySet1/amanda.conf \
	  --catalog $(abspath $(DEMO))/catalog.sqlite -h localhost

clean:
	rm -rf bin build
