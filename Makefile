# fleet / node-agent: the two commands from README.md, and their parts.
SWIFT ?= swift
SANDBOX_DIR ?= $(CURDIR)/.sandbox/demo
SWIFT_BUILD_FLAGS ?= -Xswiftc -warnings-as-errors

.PHONY: all deps build release test test-fast format format-check demo demo-down clean

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

# Self-contained, stripped binaries in dist/ (static Swift runtime and libssh2); see scripts/build-release.sh.
release: deps
	@bash scripts/build-release.sh

# Format check, then every suite; FLEET_FORMAT_CHECK=0 skips the check, FLEET_TEST_SKIP_RELEASE=1 the release build.
test: deps
	@bash scripts/test.sh

# The suites tagged .pure and .files: no child processes, no sshd (Tests/FleetTestSupport/TestTags.swift).
test-fast: deps
	@bash scripts/test-fast.sh

# Formatting as .swift-format says (4 spaces, 120 columns; layout only, no style rules).
format:
	$(SWIFT) format format --in-place --parallel --recursive Sources Tests Package.swift

format-check:
	@bash scripts/format-check.sh

demo: build
	@bash scripts/demo.sh "$(SANDBOX_DIR)"

demo-down:
	@python3 scripts/sandbox.py down --dir "$(SANDBOX_DIR)"

# A running demo is stopped first: its nodes run from a /tmp folder that only demo-down removes.
clean: demo-down
	rm -rf .build .build-release .sandbox dist
