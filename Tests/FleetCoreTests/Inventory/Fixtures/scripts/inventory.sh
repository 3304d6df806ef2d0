#!/bin/sh
# A dynamic inventory without _meta: Ansible asks --host for each host's variables.
case "$1" in
--list)
    cat <<'JSON'
{
  "akash": {"children": ["akash_sentries", "akash_validators"], "vars": {"daemon_name": "akash"}},
  "akash_sentries": {"hosts": ["ak-sentry-1", "ak-sentry-2"]},
  "akash_validators": {"hosts": ["ak-val-1"], "vars": {"daemon_home": "/srv/akash"}}
}
JSON
    ;;
--host)
    case "$2" in
    ak-sentry-1) echo '{"ansible_host": "198.51.100.1"}' ;;
    ak-sentry-2) echo '{"ansible_host": "198.51.100.2", "daemon_home": "/data/akash"}' ;;
    ak-val-1) echo '{"ansible_host": "10.20.0.1", "ansible_user": "akash"}' ;;
    *) echo '{}' ;;
    esac
    ;;
*)
    echo "usage: $0 --list | --host HOST" >&2
    exit 2
    ;;
esac
