#!/usr/bin/env bash
# Installs the peer tools the bench/ scripts compare against (not needed by make test):
# parallel-ssh / parallel-scp (Debian pssh) and Ansible (ansible, ansible-inventory).
set -euo pipefail

packages=(pssh ansible openssh-client openssl)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "bench-deps: installing ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
