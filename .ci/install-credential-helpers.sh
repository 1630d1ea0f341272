#!/usr/bin/env bash
# Installs a real Docker credential helper for tests/docker_config/docker_credential_pass.rs:
# Debian's docker-credential-pass (package golang-docker-credential-helpers), with pass and
# gnupg.
#
# Fails (exits 1, saying why on stderr) when they cannot be installed. CI must not go on
# without them: under CI=true the tests fail when the helper is missing.
set -uo pipefail

fail() {
    echo "cannot install docker-credential-pass for the real-helper tests: $*" >&2
    exit 1
}

if command -v docker-credential-pass >/dev/null && command -v pass >/dev/null &&
    command -v gpg >/dev/null; then
    echo "docker-credential-pass, pass and gpg are already installed"
    exit 0
fi

command -v apt-get >/dev/null || fail "apt-get is not available on this machine"

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "not root and sudo is not available"
    sudo -n true 2>/dev/null || fail "not root and sudo asks for a password"
    sudo=(sudo -n)
fi

packages=(golang-docker-credential-helpers pass gnupg)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null || fail "apt-get update failed"
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null ||
    fail "apt-get install ${packages[*]} failed"
for tool in docker-credential-pass pass gpg; do
    command -v "$tool" >/dev/null || fail "${packages[*]} installed no $tool in PATH"
done
echo "installed:" $(dpkg-query -W -f='${Package} ${Version};' "${packages[@]}" | tr ';' ' ')
