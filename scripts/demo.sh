#!/usr/bin/env bash
# `make demo`: the whole upgrade night on a 4-node sandbox (2 sentries, 2 validators, node-agent supervising
# each node, all following one simulated chain where our two validators hold half the voting power):
#   status → stage v2 (live progress) → preflight → schedule v2 a few blocks ahead → every node halts at the
#   height and comes back on v2 (no height skipped) → stage the patch release v2.1 → rollout v2.1 node by
#   node with health gates → status. The sandbox stays up for exploring; `make demo-down` stops it.
# The sandbox folder (default .sandbox/demo in the checkout) holds the operator's files; the nodes run from
# a /tmp/fleet-demo.* folder that `make demo-down` removes, so the checkout may be private (/root/…).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$PWD/.sandbox/demo}
bin=$(swift build --show-bin-path)
fleet="$bin/fleet"
agent="$bin/node-agent"

if [ -f "$dir/sandbox.json" ]; then
    echo "demo: a sandbox is already running at $dir; stopping it first"
    python3 scripts/sandbox.py down --dir "$dir"
fi
rm -rf "$dir"
mkdir -p "$dir"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() {
    echo "\$ fleet $*"
    "$fleet" "$@"
}
chain() { python3 scripts/sandbox.py chain --dir "$dir" | python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
# Waits (polling, at most $2 seconds) until the Python expression $1 over the chain report `c` holds.
wait_chain() {
    python3 - "$dir" "$1" "$2" <<'PY'
import json, subprocess, sys, time
folder, condition, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
deadline = time.time() + limit
while True:
    c = json.loads(subprocess.run([sys.executable, "scripts/sandbox.py", "chain", "--dir", folder],
                                  capture_output=True, text=True, check=True).stdout)
    if eval(condition):
        break
    if time.time() > deadline:
        sys.exit(f"demo: gave up after {limit:.0f} s waiting for: {condition} (chain height {c['height']})")
    time.sleep(0.3)
PY
}

step "A sandbox fleet: 4 nodes behind real sshd, node-agent supervising each, one simulated chain"
python3 scripts/sandbox.py up --dir "$dir" --nodes 4 --validators 2 --agent "$agent" --block-interval 300ms \
    --run-prefix fleet-demo
manifest="$dir/sandbox.json"
fleet_args=(-i "$dir/inventory.ini" --known-hosts "$dir/known_hosts")
release() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["releases"][sys.argv[2]]["path"])' "$manifest" "$1"; }
wait_chain 'c["height"] >= 3 and len(c["running"]) == 4' 60
show status "${fleet_args[@]}" || true

step "Pre-stage v2 everywhere: SFTP with live progress, sha256 checked on each node before the rename"
show stage v2 "$(release v2)" "${fleet_args[@]}"

height=$(chain '["height"]')
target=$((height + 60))
step "Is every node ready for v2 at height $target? (about 18 s from now at 300 ms blocks)"
show preflight v2 --height "$target" --version v2 "${fleet_args[@]}"

step "Schedule v2 at height $target on every node (all or nothing): each agent halts its node there"
show schedule v2 --height "$target" "${fleet_args[@]}"
show status "${fleet_args[@]}" || true

step "Waiting for the chain to cross height $target: each node halts there on v1, its agent switches it to v2"
wait_chain "c['height'] >= $target + 5 and all(r['version'] == 'v2' for r in c['running']) and len(c['running']) == 4" 240
show status "${fleet_args[@]}" || true
# Every node's own record of the blocks it committed or followed: no height skipped, v1 below the height,
# v2 from it.
python3 - "$manifest" "$target" <<'PY'
import json, os, sys
manifest, target = json.load(open(sys.argv[1])), int(sys.argv[2])
for node in manifest["nodes"]:
    rows = [line.split() for line in open(os.path.join(node["home"], "data", "blocks.log")) if line.strip()]
    heights = [int(r[0]) for r in rows]
    gaps = [h for a, h in zip(heights, heights[1:]) if h != a + 1]
    wrong = [int(r[0]) for r in rows if (int(r[0]) >= target) != (r[1] == "v2")]
    print(f"  {node['name']:<12} blocks {heights[0]}..{heights[-1]}: "
          f"{'no height skipped' if not gaps else f'GAP before {gaps[0]}'}, "
          f"{'v1 below ' + str(target) + ', v2 from it' if not wrong else f'WRONG VERSION at {wrong[0]}'}")
    if gaps or wrong:
        sys.exit(1)
PY

step "A patch release, v2.1: stage it, then roll it out node by node (sentries first, validators one at a time, each gated on health)"
show stage v2.1 "$(release v2.1)" "${fleet_args[@]}"
show rollout v2.1 --dry-run "${fleet_args[@]}"
show rollout v2.1 "${fleet_args[@]}"
show status "${fleet_args[@]}" || true

echo
echo "The sandbox is still up. Explore it:"
echo "  $fleet status --watch -i $dir/inventory.ini --known-hosts $dir/known_hosts"
echo "  python3 scripts/sandbox.py chain --dir $dir"
echo "Inventory:   $dir/inventory.ini"
echo "Known hosts: $dir/known_hosts    Client key: $dir/client_key"
echo "Stop it with: make demo-down"
