#!/bin/sh
# Regenerates the ansible-inventory outputs the inventory-source tests compare fleet's loader against.
#
# Each form of Tests/FleetCoreTests/Inventory/Fixtures (an INI file with group_vars/host_vars, an inventory
# directory, dynamic-inventory scripts in python3 and sh, a comma list of sources, a host list) is run
# through the real `ansible-inventory --list`; the JSON goes to Fixtures/expected/<form>.json, and the
# directory form's listing is also kept as Fixtures/listing/fleet.json (the JSON-file source form).
# Needs ansible-core (scripts/bench-deps.sh installs it); the tests themselves never run Ansible.
set -eu
cd "$(dirname "$0")/../Tests/FleetCoreTests/Inventory/Fixtures"
command -v ansible-inventory >/dev/null || { echo "ansible-inventory not found: run scripts/bench-deps.sh" >&2; exit 1; }
empty_cfg=$(mktemp --suffix=.cfg)
trap 'rm -f "$empty_cfg"' EXIT
mkdir -p expected listing

list() { # list <output name> <ansible-inventory arguments…>
    out=$1
    shift
    ANSIBLE_CONFIG=$empty_cfg ANSIBLE_INVENTORY_UNPARSED_FAILED=1 ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=1 \
        ansible-inventory "$@" --list >"expected/$out.json.tmp"
    mv "expected/$out.json.tmp" "expected/$out.json"
    echo "expected/$out.json"
}

list file -i file/inventory.ini
list directory -i directory
list script-python -i scripts/inventory.py
list script-sh -i scripts/inventory.sh
ANSIBLE_INVENTORY=file/inventory.ini,scripts/inventory.sh list comma-list
list host-list -i 'node-a,node-b:2201,'
cp expected/directory.json listing/fleet.json
ansible-inventory --version | sed -n 1p >expected/VERSION
