# The targets a user needs; see README.md.
GO ?= go
BINS := raftnode paxosnode solonode

.PHONY: build test check bench lint clean

build:
	@mkdir -p bin
	$(GO) build -o bin/ ./...

test: lint
	$(GO) test ./...

check: build
	@echo "check: nothing to run yet"

bench:
	@echo "bench: nothing to run yet"

lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin store
