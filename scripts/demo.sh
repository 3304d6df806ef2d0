#!/usr/bin/env bash
# `make demo`: start a 4-node sandbox fleet (2 sentries, 2 validators), show it alive over SSH, then stage
# the v2 release on every node with `fleet stage` and show it staged in `fleet status`.
# The sandbox folder (default .sandbox/demo in the checkout) holds the operator's files; the nodes run from
# a /tmp/fleet-demo.* folder that `make demo-down` removes, so the checkout may be private (/root/…).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$PWD/.sandbox/demo}

if [ -f "$dir/sandbox.json" ]; then
    echo "demo: a sandbox is already running at $dir; stopping it first"
    python3 scripts/sandbox.py down --dir "$dir"
fi
rm -rf "$dir"
mkdir -p "$dir"
python3 scripts/sandbox.py up --dir "$dir" --nodes 4 --validators 2 --run-prefix fleet-demo

manifest="$dir/sandbox.json"
# Every node has committed a block before the table is drawn (polled, at most 10 s).
python3 - "$manifest" <<'PY'
import json, os, sys, time
homes = [n["home"] for n in json.load(open(sys.argv[1]))["nodes"]]
deadline = time.time() + 10
while time.time() < deadline and not all(os.path.exists(os.path.join(h, "data", "height")) for h in homes):
    time.sleep(0.05)
PY
user=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"])' "$manifest")
echo
printf '%-12s %-10s %-22s %-10s %-8s %-8s %s\n' NODE ROLE SSH CURRENT VERSION HEIGHT "CONSENSUS ADDRESS"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for n in m["nodes"]:
    print(n["name"], n["role"], n["host"], n["port"], n["home"], n["consensus_address"])
' "$manifest" | while read -r name role host port home address; do
    # Plain OpenSSH, strict host keys: the same trust the fleet tool uses.
    out=$(ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$dir/known_hosts" \
        -o LogLevel=ERROR -i "$dir/client_key" -p "$port" "$user@$host" \
        "readlink '$home/cosmovisor/current'; '$home/cosmovisor/current/bin/mockchaind' version; cat '$home/data/height'")
    current=$(sed -n 1p <<<"$out"); version=$(sed -n 2p <<<"$out"); height=$(sed -n 3p <<<"$out")
    printf '%-12s %-10s %-22s %-10s %-8s %-8s %s\n' "$name" "$role" "$host:$port" "$current" "$version" "$height" "$address"
done
fleet="$(swift build --show-bin-path)/fleet"
fleet_args=(-i "$dir/inventory.ini" --known-hosts "$dir/known_hosts")
echo
echo "The same fleet through fleet status (libssh2, strict host keys, one round trip per node):"
echo "\$ fleet status -i $dir/inventory.ini --known-hosts $dir/known_hosts"
"$fleet" status "${fleet_args[@]}" || true

# Pre-stage the v2 release everywhere: pushed over SFTP with live progress, checked with sha256sum on each
# node, renamed into upgrades/v2/bin/ (never a partial file there). A rerun would find it already staged.
v2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["releases"]["v2"]["path"])' "$manifest")
echo
echo "Stage v2 on every node:"
echo "\$ fleet stage v2 $v2 -i $dir/inventory.ini --known-hosts $dir/known_hosts"
"$fleet" stage v2 "$v2" "${fleet_args[@]}"
echo
echo "v2 is now staged on every node (STAGED column):"
echo "\$ fleet status -i $dir/inventory.ini --known-hosts $dir/known_hosts"
"$fleet" status "${fleet_args[@]}" || true
echo
echo "Inventory:   $dir/inventory.ini"
echo "Known hosts: $dir/known_hosts    Client key: $dir/client_key"
echo "Stop it with: make demo-down"
