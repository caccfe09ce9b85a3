# The targets a user needs; README.md explains them.
GO ?= go
CHECK_BINS ?= raftnode paxosnode

.PHONY: build test check bench gobench fuzz lint mutants clean

## build: every binary into bin/ (raftnode, paxosnode, solonode, harness, mutants)
build:
	@mkdir -p bin
	$(GO) build -o bin/ ./...

## test: lint, then every package's tests (unit, scenario, seeded simulations, harness)
test: lint
	$(GO) test ./...

## check: both nodes under the harness with partitions (scripts/check; QUICK=1 for one short run each)
check: build
	scripts/check $(CHECK_BINS)

## bench: the benchmark report, results/README.md and its plots (scripts/bench; QUICK=1 for a smoke run)
bench: build
	scripts/bench

## gobench: the Go benchmarks of the runtime, cores and harness
gobench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

## fuzz: the runtime, scanner and log-recovery fuzzers, one minute each
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzRuntime -fuzztime 60s ./nodes
	$(GO) test -run '^$$' -fuzz FuzzParseObject -fuzztime 60s ./nodes
	$(GO) test -run '^$$' -fuzz FuzzOpen -fuzztime 60s ./nodes/wal

## mutants: each patch in mutants/ applied to a scratch copy, judged by the tests (MUTANTS=a,b for some)
mutants:
	@mkdir -p bin
	$(GO) build -o bin/ ./scripts/mutants
	bin/mutants

## lint: go vet and gofmt
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin store
