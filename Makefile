# make run    — run ctop-like on this node
# make check  — every test: installs what the tests need, then lint, unit,
#               integration (real Docker, real cgroups) and end-to-end tests
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run check test-env lint test bench bench-run fuzz soak soak-long soak-check

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o ctop-like ./cmd/ctop-like

run: build
	./ctop-like $(ARGS)

# check ends with every fuzz target for FUZZTIME each and a 2-minute soak
# (see README: Reliability); about 8 minutes on a 2-core machine.
check: test-env lint test fuzz soak-check

test-env:
	./scripts/test-env

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt wants:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# -p 1: the integration tests measure CPU % of busy containers on a 2-core
# machine; test binaries of other packages running beside them would skew it.
test:
	$(GO) test -race -count=1 -p 1 -timeout 15m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Fuzz targets, package:Name. `-fuzz` takes one target per invocation.
# FUZZTIME is a count of executions (`Nx`), not a clock: go1.26's fuzz
# coordinator can report its own -fuzztime deadline as a failure
# ("context deadline exceeded", golang/go#75804), which made a clock-bound
# run fail at random. 20000x is a few seconds per target here.
# FUZZTIME=2000000x make fuzz runs each longer; one alone:
#   go test -run='^$$' -fuzz='^FuzzProcStat$$' -fuzztime=1000000x ./collector
# Minimizing a new input is capped at 100 runs so that the count is spent
# fuzzing; failing inputs land in <pkg>/testdata/fuzz/<Name>/.
# Under CI=true the fuzz cache (interesting inputs the fuzzer found in earlier
# runs, kept in GOCACHE) is emptied first: on a machine that keeps its cache
# it grows without bound, and re-running it all before the count starts made
# a short run ever slower. The committed testdata/fuzz seeds always run.
FUZZTIME ?= 20000x
FUZZ_TARGETS = \
	collector:FuzzProcStat collector:FuzzProcStatus collector:FuzzProcIO \
	collector:FuzzProcCmdline collector:FuzzProcCgroup collector:FuzzNetDev \
	collector:FuzzDiskstats collector:FuzzMeminfo collector:FuzzProcStatFile \
	collector:FuzzMachineSmallFiles collector:FuzzCgroupV1 collector:FuzzCgroupV2 \
	orchestrator:FuzzMesosState orchestrator:FuzzMarathon orchestrator:FuzzParseCluster \
	agents:FuzzAgentStatistics redact:FuzzText cadvisor:FuzzDecode views:FuzzFilter \
	recording:FuzzOpen recording:FuzzRecordPayload

fuzz:
	@case "$(FUZZTIME)" in *x) ;; *) echo "FUZZTIME must be a count such as 20000x (golang/go#75804)"; exit 2;; esac
	@if [ "$$CI" = true ]; then rm -rf "$$($(GO) env GOCACHE)/fuzz/github.com/ctop-like"; fi
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t#*:}; echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=100x ./$$pkg; \
	done

# Soak: test/soak/run DURATION (10 minutes by hand: make soak-long). The
# explicit targets restart dockerd once; inside `make check` that happens
# only under CI=true (soak-check), so a user's engine is left alone.
soak:
	SOAK_RESTART_DOCKERD=1 test/soak/run 2m

soak-long:
	SOAK_RESTART_DOCKERD=1 test/soak/run 10m

soak-check:
	test/soak/run 2m

# bench/run (as root): builds a node of Mesos cgroups, processes and Docker
# containers, measures the goals of issue 6 and prints bench/RESULTS.md's
# table; not part of check.
bench-run:
	./bench/run
