#!/usr/bin/env bash
# Installs Debian's docker-registry (the Distribution registry) for tests/real_registry.rs.
#
# Never fails CI: when the package cannot be installed (no apt-get, no sudo, no network to
# the Debian archive, no such package), it says so in one line starting with
# "SKIPPING real-registry tests:" and exits 0; the tests then print "skipped: docker-registry
# is not installed" and pass. The package's service is not started: each test runs its own
# registry on 127.0.0.1 with a config of its own.
set -uo pipefail

skip() { echo "SKIPPING real-registry tests: $*"; exit 0; }

if [ -x /usr/bin/docker-registry ]; then
    echo "docker-registry is installed: $(/usr/bin/docker-registry --version 2>&1 | head -1)"
    exit 0
fi
command -v apt-get >/dev/null || skip "apt-get is not available on this machine"
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    skip "installing packages needs root, and sudo is not available without a password"
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! "${as_root[@]}" apt-get update -qq >"$log" 2>&1; then
    skip "apt-get update failed: $(tail -1 "$log")"
fi
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends docker-registry >"$log" 2>&1; then
    skip "apt-get install docker-registry failed: $(tail -1 "$log")"
fi
# The package starts a registry service on :5000 where systemd runs; the tests never use it.
if command -v systemctl >/dev/null; then
    "${as_root[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
[ -x /usr/bin/docker-registry ] || skip "the package installed no /usr/bin/docker-registry"
echo "installed docker-registry: $(/usr/bin/docker-registry --version 2>&1 | head -1)"
