#!/usr/bin/env bash
# Installs a real Docker credential helper for tests/docker_credential_pass.rs: Debian's
# docker-credential-pass (package golang-docker-credential-helpers), with pass and gnupg.
#
# Never fails CI: when the helper cannot be installed, it prints one "SKIPPING real-helper
# tests: <why>" line and exits 0, and the test then reports itself skipped.
set -uo pipefail

skip() {
    echo "SKIPPING real-helper tests: $*"
    exit 0
}

if command -v docker-credential-pass >/dev/null && command -v pass >/dev/null &&
    command -v gpg >/dev/null; then
    echo "docker-credential-pass, pass and gpg are already installed"
    exit 0
fi

command -v apt-get >/dev/null || skip "apt-get is not available on this machine"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || skip "not root and sudo is not available"
    sudo -n true 2>/dev/null || skip "not root and sudo asks for a password"
    sudo=(sudo -n)
fi

packages=(golang-docker-credential-helpers pass gnupg)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null || skip "apt-get update failed"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null ||
    skip "apt-get install ${packages[*]} failed"
command -v docker-credential-pass >/dev/null ||
    skip "golang-docker-credential-helpers installed no docker-credential-pass"
echo "installed:" $(dpkg-query -W -f='${Package} ${Version};' "${packages[@]}" | tr ';' ' ')
