#!/usr/bin/env bash
# Installs Debian's docker-registry (the Distribution registry) for
# tests/registry/real_registry.rs, and Debian's skopeo, the real image client of
# tests/registry/skopeo.rs (which asks docker-credential-dockerhub for credentials).
#
# Fails (exits 1, saying why on stderr) when a package cannot be installed: no apt-get, no
# root and no sudo without a password, no network to the Debian archive, no such package.
# CI must not go on without them: under CI=true the tests fail when one is missing.
# The registry package's service is not started: each test runs its own registry on
# 127.0.0.1 with a config of its own.
set -uo pipefail

fail() { echo "cannot install docker-registry and skopeo for the real-registry tests: $*" >&2; exit 1; }

if command -v docker-registry >/dev/null && command -v skopeo >/dev/null; then
    echo "docker-registry is installed: $(docker-registry --version 2>&1 | head -1)"
    echo "skopeo is installed: $(skopeo --version 2>&1 | head -1)"
    exit 0
fi
command -v apt-get >/dev/null || fail "apt-get is not available on this machine"
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    fail "installing packages needs root, and sudo is not available without a password"
fi
export DEBIAN_FRONTEND=noninteractive
packages=(docker-registry skopeo)
log=$(mktemp)
if ! "${as_root[@]}" apt-get update -qq >"$log" 2>&1; then
    fail "apt-get update failed: $(tail -1 "$log")"
fi
if ! "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
    fail "apt-get install ${packages[*]} failed: $(tail -1 "$log")"
fi
# The package starts a registry service on :5000 where systemd runs; the tests never use it.
if command -v systemctl >/dev/null; then
    "${as_root[@]}" systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
for tool in "${packages[@]}"; do
    command -v "$tool" >/dev/null || fail "the package $tool installed no $tool in PATH"
done
echo "installed docker-registry: $(docker-registry --version 2>&1 | head -1)"
echo "installed skopeo: $(skopeo --version 2>&1 | head -1)"
