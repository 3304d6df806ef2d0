#!/usr/bin/env bash
# `make test`: a clean build with warnings as errors, then every test, with timings.
# The formatting is checked first (scripts/format-check.sh; FLEET_FORMAT_CHECK=0 skips it while iterating);
# FLEET_TEST_SKIP_RELEASE=1 skips the release build at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# Marks every process this run starts (they inherit it), so the leftover check below ignores the processes of
# other test runs on the same machine.
export FLEET_TEST_RUN="$$-$(date +%s%N)"
if [ "${FLEET_FORMAT_CHECK:-1}" = 1 ]; then
    bash scripts/format-check.sh
else
    echo "test.sh: format check skipped (FLEET_FORMAT_CHECK=0)"
fi
# The tests' Python modules (a real Prometheus text parser), before the clock of any test starts.
bash scripts/python-venv.sh >/dev/null
swift build --build-tests -Xswiftc -warnings-as-errors
built=$(date +%s)
echo "test.sh: build took $((built - start)) s"
untagged=$(python3 scripts/test-tiers.py list | awk '$1 == "UNTAGGED" { print $2 }' | paste -sd ' ' -)
if [ -n "$untagged" ]; then
    echo "test.sh: suites without a tier tag on their @Suite line: $untagged" >&2
    exit 1
fi
# The tiers run one after another: Swift concurrency has one cooperative thread per core, so on a small
# machine the pure suites' clocks would otherwise run while sandboxes and chains start beside them.
: >.build/test-output.txt
status=0
# The chain tier's suites run one at a time too: each drives a whole sandbox chain with agents, and several at
# once on two cores would stretch every block interval past what their waits allow.
run_filter() {
    set +e
    swift test --skip-build --filter "$1" 2>&1 |
        tee -a .build/test-output.txt | grep --line-buffered -vE '^(◇|↳)|^Test Suite|Executed 0 tests'
    local run_status=${PIPESTATUS[0]}
    set -e
    return "$run_status"
}
for tiers in "pure files" "processes" "sshd" "chain"; do
    tier_start=$(date +%s)
    tier_status=0
    if [ "$tiers" = chain ]; then
        for filter in $(python3 scripts/test-tiers.py each chain); do
            run_filter "$filter" || tier_status=$?
        done
    else
        # shellcheck disable=SC2086
        run_filter "$(python3 scripts/test-tiers.py filter $tiers)" || tier_status=$?
    fi
    echo "test.sh: tier '$tiers' took $(($(date +%s) - tier_start)) s (status $tier_status)"
    if [ "$tier_status" -ne 0 ]; then status=$tier_status; fi
done
echo "test.sh: tests took $(($(date +%s) - built)) s (status $status)"
# Nothing may be left running by the tests.
left=$(for pid in $(pgrep -f 'fleet-sandbox|fleet-test\.' || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "FLEET_TEST_RUN=$FLEET_TEST_RUN"; then
        ps -o pid=,args= -p "$pid" || true
    fi
done)
if [ -n "$left" ]; then
    echo "test.sh: processes left behind by the tests:" >&2
    echo "$left" >&2
    exit 1
fi
[ "$status" -eq 0 ] || exit "$status"
# The release binaries (static Swift runtime, libssh2 linked in) must build and start too.
if [ "${FLEET_TEST_SKIP_RELEASE:-0}" != 1 ]; then
    release_start=$(date +%s)
    bash scripts/build-release.sh
    echo "test.sh: release build took $(($(date +%s) - release_start)) s (FLEET_TEST_SKIP_RELEASE=1 skips it)"
fi
