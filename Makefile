# fleet / node-agent: the two commands from README.md, and their parts.
SWIFT ?= swift
SANDBOX_DIR ?= $(CURDIR)/.sandbox/demo
SWIFT_BUILD_FLAGS ?= -Xswiftc -warnings-as-errors

.PHONY: all deps build release test test-fast demo demo-down clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

# Self-contained, stripped binaries in dist/ (static Swift runtime and libssh2); see scripts/build-release.sh.
release: deps
	@bash scripts/build-release.sh

test: deps
	@bash scripts/test.sh

# The suites tagged .pure and .files: no child processes, no sshd (Tests/FleetTestSupport/TestTags.swift).
test-fast: deps
	@bash scripts/test-fast.sh

demo: build
	@bash scripts/demo.sh "$(SANDBOX_DIR)"

demo-down:
	@python3 scripts/sandbox.py down --dir "$(SANDBOX_DIR)"

clean:
	rm -rf .build .build-release .sandbox dist
