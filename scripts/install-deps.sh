#!/usr/bin/env bash
# Installs the Debian packages the project needs, once: apt-get runs only when one is missing.
set -euo pipefail

# python3-venv: scripts/python-venv.sh (prometheus_client for the /metrics test). systemd: the tests check node-agent's unit with systemd-analyze verify (no systemd needs to run as PID 1).
packages=(libssh2-1-dev openssh-server openssh-client python3 pkg-config curl procps zip unzip binutils systemd python3-venv)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null; then
    echo "install-deps: swift is not on PATH (Swift 6.2 or later is needed; see README.md)" >&2
    exit 1
fi
# sshd refuses to start without its privilege-separation directory.
if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd; fi
