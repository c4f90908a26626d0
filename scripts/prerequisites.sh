#!/usr/bin/env bash
# Installs what AiServer needs at run and test time: redis-server (the embedded Redis; the tests also run it with TLS
# and as a cluster), redis-cli, openssl (the TLS tests' certificates), promtool (metrics checks), and the .NET SDK
# check; test.sh also asks for chromium (the dashboard's browser test) and Node.js + npm (the SDK conformance suite).
# Sourced by run.sh and test.sh; safe to run again. Arguments: extra "command:package" pairs to install when the
# command is missing.
set -euo pipefail

aiserver_prerequisites() {
    local missing=()
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    local pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing ${missing[*]} with apt-get..."
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
            # Debian starts the packaged services; AiServer runs its own instances on free ports.
            if command -v service >/dev/null 2>&1; then
                service redis-server stop >/dev/null 2>&1 || true
                service prometheus stop >/dev/null 2>&1 || true
            fi
        else
            echo "error: missing packages: ${missing[*]}." >&2
            echo "Install them (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and run again." >&2
            return 1
        fi
    fi
    local node_major
    node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    if [[ " $* " == *" node:"* ]] && [ "$node_major" -lt 18 ]; then
        echo "error: the SDK conformance suite needs Node.js 18 or newer (found $(node --version 2>/dev/null || echo none))." >&2
        return 1
    fi
    if ! command -v dotnet >/dev/null 2>&1; then
        echo "error: the .NET SDK 10 (dotnet) is not on PATH; install it from your distribution or Microsoft's packages." >&2
        return 1
    fi
}
