#!/usr/bin/env python3
"""A dynamic inventory as a cloud script would print it: --list with _meta.hostvars."""
import json
import sys

INVENTORY = {
    "_meta": {
        "hostvars": {
            "sentry-1": {"ansible_host": "192.0.2.11", "zone": "eu-1a"},
            "sentry-2": {"ansible_host": "192.0.2.12", "zone": "eu-1b", "ansible_port": 2222},
            "val-1": {"ansible_host": "10.10.0.5", "tags": ["signer", "hsm"]},
        }
    },
    "all": {"children": ["juno"]},
    "juno": {
        "children": ["sentries", "validators"],
        "vars": {"daemon_name": "junod", "daemon_home": "/home/juno/.juno"},
    },
    "sentries": ["sentry-1", "sentry-2"],
    "validators": {"hosts": ["val-1"], "vars": {"fleet_role": "validator"}},
    "rpc-1": {"ansible_host": "192.0.2.30", "daemon_name": "junod"},
}

if len(sys.argv) == 2 and sys.argv[1] == "--list":
    json.dump(INVENTORY, sys.stdout)
elif len(sys.argv) == 3 and sys.argv[1] == "--host":
    json.dump(INVENTORY["_meta"]["hostvars"].get(sys.argv[2], {}), sys.stdout)
else:
    sys.exit("usage: inventory.py --list | --host HOST")
