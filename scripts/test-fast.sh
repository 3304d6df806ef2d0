#!/usr/bin/env bash
# `make test-fast`: the suites tagged .pure and .files (Tests/FleetTestSupport/TestTags.swift): no child
# processes, no sshd; seconds once built. `make test` runs every tier.
set -euo pipefail
cd "$(dirname "$0")/.."
filter=$(python3 scripts/test-tiers.py filter pure files)
untagged=$(python3 scripts/test-tiers.py list | awk '$1 == "UNTAGGED" { print $2 }' | paste -sd ' ' -)
if [ -n "$untagged" ]; then
    echo "test-fast: not run (no tier tag on their @Suite line): $untagged" >&2
fi
swift build --build-tests -Xswiftc -warnings-as-errors
start=$(date +%s)
# sandbox.py refuses to start under this variable: a suite that needs sshd cannot hide in these tiers.
FLEET_TEST_TIER=fast swift test --skip-build --filter "$filter" 2>&1 |
    grep --line-buffered -vE '^(◇|↳)|^Test Suite|Executed 0 tests'
status=${PIPESTATUS[0]}
echo "test-fast: tests took $(($(date +%s) - start)) s (status $status)"
exit "$status"
