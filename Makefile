# make run    — run ctop-like on this node
# make check  — every test: installs what the tests need, then lint, unit,
#               integration (real Docker, real cgroups) and end-to-end tests
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: build run check test-env lint test bench

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o ctop-like ./cmd/ctop-like

run: build
	./ctop-like $(ARGS)

check: test-env lint test

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
