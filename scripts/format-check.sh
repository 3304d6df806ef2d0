#!/usr/bin/env bash
# Checks that the Swift sources are formatted as .swift-format says (4 spaces, 120 columns): whitespace,
# line breaks and line length only (every style rule is off in .swift-format). Prints file:line: what, and
# exits 1 when anything is off. Fix it with:
#   swift format format --in-place --parallel --recursive Sources Tests Package.swift
set -euo pipefail
cd "$(dirname "$0")/.."
if ! swift format --version >/dev/null 2>&1; then
    echo "format-check: \`swift format\` is missing (it ships with Swift 6 toolchains)" >&2
    exit 2
fi
status=0
output=$(swift format lint --configuration .swift-format --parallel --recursive Sources Tests Package.swift 2>&1) ||
    status=$?
findings=$(sed -nE 's#^(.*):([0-9]+):[0-9]+: (warning|error): (.*)$#\1:\2: \4#p' <<<"$output" | sort -t: -k1,1 -k2,2n)
if [ -z "$findings" ] && [ "$status" -ne 0 ]; then
    echo "$output" >&2
    echo "format-check: swift format lint failed (exit $status)" >&2
    exit 2
fi
if [ -n "$findings" ]; then
    echo "$findings"
    echo "format-check: $(wc -l <<<"$findings") formatting findings; fix with:" \
        "swift format format --in-place --parallel --recursive Sources Tests Package.swift" >&2
    exit 1
fi
echo "format-check: formatted as .swift-format says"
