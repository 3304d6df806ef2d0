#!/usr/bin/env bash
# Creates .venv-tests (gitignored) with the Python modules the tests use (prometheus_client: a real
# Prometheus text-format parser for the agent's /metrics). Idempotent: pip runs only when a module is missing.
# Prints the venv's python on stdout.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv-tests"
modules=(prometheus_client)
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2 || { echo "python-venv: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
fi
for m in "${modules[@]}"; do
    if ! "$venv/bin/python" -c "import $m" 2>/dev/null; then
        "$venv/bin/pip" install --quiet "$m" >&2
    fi
done
echo "$venv/bin/python"
