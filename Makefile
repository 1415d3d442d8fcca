# make run    — run ctop-like on this node
# make check  — every test: installs what the tests need, then lint, unit,
#               integration (real Docker, real cgroups) and end-to-end tests
# make dist   — static binaries for linux/amd64 and arm64 in dist/, with SHA256SUMS
# make install — the binary, man page and completions under $(DESTDIR)$(PREFIX)
# make docs    — docs/ written again from the code (a test fails when it differs)
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
# Static: one file that runs on any Linux of its architecture, whatever its
# glibc (CentOS 7's 2.17 included). Nothing but the tests' race detector
# needs cgo; without it user names come from /etc/passwd, not NSS (LDAP or
# sssd users show as their uid). CGO_ENABLED=1 make build for a dynamic one.
CGO_ENABLED ?= 0
LDFLAGS = -X main.version=$(VERSION)
DIST_ARCHS = amd64 arm64
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: build run dist docs install check test-env lint test bench bench-run fuzz soak soak-long soak-check

build:
	CGO_ENABLED=$(CGO_ENABLED) $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o ctop-like ./cmd/ctop-like

# -s -w: no symbol table or DWARF (7.9 MB less); a panic's stack still
# names every function.
dist:
	rm -rf dist && mkdir -p dist
	set -e; for a in $(DIST_ARCHS); do \
		CGO_ENABLED=0 GOOS=linux GOARCH=$$a $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" \
			-o dist/ctop-like-$(VERSION)-linux-$$a ./cmd/ctop-like; \
	done
	cd dist && sha256sum ctop-like-* > SHA256SUMS && cat SHA256SUMS

docs: build
	mkdir -p docs/completions
	./ctop-like -l --markdown > docs/reference.md
	./ctop-like --man > docs/ctop-like.1
	./ctop-like --completion bash > docs/completions/ctop-like.bash
	./ctop-like --completion zsh > docs/completions/_ctop-like
	./ctop-like --completion fish > docs/completions/ctop-like.fish

install: build
	install -D -m 0755 ctop-like $(DESTDIR)$(PREFIX)/bin/ctop-like
	install -D -m 0644 docs/ctop-like.1 $(DESTDIR)$(PREFIX)/share/man/man1/ctop-like.1
	install -D -m 0644 docs/completions/ctop-like.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ctop-like
	install -D -m 0644 docs/completions/_ctop-like $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ctop-like
	install -D -m 0644 docs/completions/ctop-like.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ctop-like.fish

run: build
	./ctop-like $(ARGS)

# check ends with every fuzz target for FUZZTIME each and a 2-minute soak
# (see README: Reliability); about 8 minutes on a 2-core machine.
check: test-env lint test fuzz soak-check

test-env:
	./scripts/test-env

# staticcheck at a pinned version (release 2026.2.2), built by the go
# command through the module proxy: nothing needs to be installed first.
# From an empty module and build cache, building it costs about 2 minutes
# of CPU; after that go run starts the cached binary in about a second,
# and the analysis of the repo takes about 40 s.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt wants:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# -p 1: the integration tests measure CPU % of busy containers on a 2-core
# machine; test binaries of other packages running beside them would skew it.
test:
	$(GO) test -race -count=1 -p 1 -timeout 15m ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Fuzz targets, package:Name:count. `-fuzz` takes one target per invocation.
# Each runs a count of executions (`-fuzztime=Nx`), never a clock: go1.26's
# fuzz coordinator can report its own -fuzztime deadline as a failure
# ("context deadline exceeded", golang/go#75804), which made clock-bound runs
# fail at random. The counts are sized to about 5 s each on a 2-core machine
# (the cgroup-tree targets build a tree per input, so they get fewer).
# FUZZTIME=1000000x make fuzz runs every target that many times; one alone:
#   go test -run='^$$' -fuzz='^FuzzProcStat$$' -fuzztime=1000000x ./internal/collector/proc
# Minimizing a new input is capped at 100 runs so that the count is spent
# fuzzing; failing inputs land in <pkg>/testdata/fuzz/<Name>/.
# Under CI=true the fuzz cache (inputs found interesting by earlier runs,
# kept in GOCACHE) is emptied first: on a machine that keeps its cache it
# grows without bound, and replaying it all before the count starts made a
# short run ever slower. The committed testdata/fuzz seeds always run.
FUZZTIME ?=
FUZZ_TARGETS = \
	collector/proc:FuzzProcStat:20000x collector/proc:FuzzProcStatus:20000x \
	collector/proc:FuzzProcIO:20000x collector/proc:FuzzProcCmdline:20000x \
	collector/proc:FuzzProcCgroup:20000x collector/machine:FuzzNetDev:20000x \
	collector/machine:FuzzDiskstats:20000x collector/machine:FuzzMeminfo:20000x \
	collector/machine:FuzzProcStatFile:20000x collector/machine:FuzzMachineSmallFiles:20000x \
	collector/cgroups:FuzzCgroupV1:2000x collector/cgroups:FuzzCgroupV2:3000x \
	collector/cgroups:FuzzContainerFromCgroup:10000x collector/runtime/crio:FuzzCRIOMeta:5000x \
	orchestrator:FuzzMesosState:10000x orchestrator:FuzzMarathon:20000x \
	orchestrator:FuzzParseCluster:4000x agents:FuzzAgentStatistics:20000x \
	redact:FuzzText:20000x \
	cadvisor:FuzzDecode:10000x views:FuzzFilter:20000x \
	recording:FuzzOpen:20000x recording:FuzzRecordPayload:10000x \
	termtext:FuzzLine:20000x logs:FuzzJSONBytes:20000x \
	batch:FuzzJSONString:20000x batch:FuzzJSONFloat:20000x \
	httpapi:FuzzDecodeSkip:15000x

fuzz:
	@case "$(FUZZTIME)" in ""|*x) ;; *) echo "FUZZTIME must be a count such as 20000x (golang/go#75804)"; exit 2;; esac
	@if [ "$$CI" = true ]; then rm -rf "$$($(GO) env GOCACHE)/fuzz/github.com/ctop-like"; fi
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; n=$${rest#*:}; n=$${FUZZTIME:-$$n}; \
		echo "fuzz $$pkg $$name ($$n)"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$$n -fuzzminimizetime=100x ./internal/$$pkg; \
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
