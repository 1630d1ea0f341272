#!/usr/bin/env bash
# docker-credential-dockerhub against its own start-up and against Debian's
# docker-credential-pass, with hyperfine, all in one run:
#
#   1. `get` for Docker Hub with DOCKERHUB_USERNAME + DOCKERHUB_TOKEN in the environment, next
#      to the helper's own `version`. Target: <= 1.5x (no HTTP client, no TLS, no root
#      certificates, no request: the token is the answer).
#   2. `get` of the same PAT from docker-credential-pass (stored with its own `store` in a
#      password store and GnuPG home made here, with a key without a passphrase), next to
#      the helper's `get`. Target: the helper is faster.
#   3. (OIDC=1) `get` served from the token cache with an https:// identity URL, next to
#      `version`. Target: <= 1.5x. A local identity service (benches/mock_identity.py) serves
#      HTTPS with a throwaway certificate authority made with openssl, trusted (through
#      SSL_CERT_FILE, read by rustls-platform-verifier on Linux) only for the one `get` that
#      exchanges a given ID token (DOCKERHUB_OIDC_ID_TOKEN) and fills the cache; the timed
#      runs use the system's store and must send nothing. It needs the helper's OIDC
#      credentials (keyless CI's library part); without them it says so and stops.
#
#   benches/credential_helper.sh [RUNS]          (default 300)
#   OIDC=1 benches/credential_helper.sh [RUNS]   (section 3 too)
#   DOCKER_CREDENTIAL_DOCKERHUB=/path/to/docker-credential-dockerhub benches/credential_helper.sh
#       (measures that binary instead of building this checkout's)
#   HYPERFINE=/path/to/hyperfine benches/credential_helper.sh
#
# Every command runs without a shell (`hyperfine -N`), its stdin the server's file
# (`--input`, hyperfine 1.17 or newer; Debian 12 ships 1.15: `cargo install hyperfine
# --version 1.20.0 --locked --root DIR`, then HYPERFINE=DIR/bin/hyperfine). Through a shell,
# the shell's start-up (which hyperfine subtracts) varies more than these commands last.
# Builds the helper in release mode. Section 2 needs
# docker-credential-pass, pass and gpg (.ci/install-credential-helpers.sh) and is skipped,
# saying so, without them; section 3 needs python3 and openssl. Every store, key and cache
# lives in a temporary directory; the user's own are never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
hyperfine="${HYPERFINE:-hyperfine}"
"$hyperfine" --help 2>/dev/null | grep -q -- '--input' || {
    echo "needs hyperfine 1.17 or newer (for --input); set HYPERFINE to it" >&2
    exit 2
}

if [ -n "${DOCKER_CREDENTIAL_DOCKERHUB:-}" ]; then
    helper="$DOCKER_CREDENTIAL_DOCKERHUB"
else
    cargo build --release --locked --features cli --quiet --bin docker-credential-dockerhub
    helper="${CARGO_TARGET_DIR:-target}/release/docker-credential-dockerhub"
fi
work=$(mktemp -d)
cleanup() {
    [ -d "$work/gnupg" ] && GNUPGHOME="$work/gnupg" gpgconf --kill gpg-agent 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
unset DOCKERHUB_REGISTRY_URL DOCKERHUB_AUTH_NO_CACHE DOCKERHUB_OIDC_CONNECTIONID \
    DOCKERHUB_OIDC_ID_TOKEN DOCKERHUB_IDENTITY_URL ACTIONS_ID_TOKEN_REQUEST_URL \
    ACTIONS_ID_TOKEN_REQUEST_TOKEN
export DOCKERHUB_AUTH_CACHE_DIR="$work/cache"
secret="dckr_pat_bench_0123456789abcdefghij"
printf 'https://index.docker.io/v1/\n' >"$work/server"

# Prints the means, medians and their ratio (second / first) of a hyperfine export.
ratio() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
first, second = json.load(open(sys.argv[1]))["results"]
for label, result in ((sys.argv[2], first), (sys.argv[3], second)):
    print(f"{label:44} mean {result['mean'] * 1e3:.3f} ms ± {result['stddev'] * 1e3:.3f} ms, "
          f"median {result['median'] * 1e3:.3f} ms")
print(f"ratio ({sys.argv[3]} / {sys.argv[2]}): {second['mean'] / first['mean']:.2f}x (means), "
      f"{second['median'] / first['median']:.2f}x (medians)")
PY
}

# Both must answer, or the comparison means nothing.
answer=$(DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN="$secret" "$helper" get <"$work/server")
[ "$answer" = "{\"ServerURL\":\"https://index.docker.io/v1/\",\"Username\":\"alice\",\"Secret\":\"$secret\"}" ] ||
    { echo "the helper did not answer: $answer" >&2; exit 1; }

echo "== 1. get (DOCKERHUB_TOKEN) vs version"
DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN="$secret" "$hyperfine" -N --input "$work/server" \
    --warmup 20 --runs "$runs" --export-json "$work/one.json" \
    "$helper version" "$helper get"
ratio "$work/one.json" "version" "get (DOCKERHUB_TOKEN)"

echo
echo "== 2. docker-credential-pass get vs docker-credential-dockerhub get (the same PAT)"
if ! command -v docker-credential-pass >/dev/null || ! command -v pass >/dev/null ||
    ! command -v gpg >/dev/null; then
    echo "skipped: needs docker-credential-pass, pass and gpg (.ci/install-credential-helpers.sh)"
else
    export GNUPGHOME="$work/gnupg" PASSWORD_STORE_DIR="$work/password-store"
    mkdir -m 0700 "$GNUPGHOME"
    gpg --batch --quiet --gen-key 2>/dev/null <<'KEY'
%no-protection
Key-Type: EdDSA
Key-Curve: ed25519
Subkey-Type: ECDH
Subkey-Curve: cv25519
Name-Real: credential_helper.sh
Name-Email: bench@example.invalid
Expire-Date: 0
%commit
KEY
    fingerprint=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ { print $10; exit }')
    pass init "$fingerprint" >/dev/null 2>&1
    printf '{"ServerURL":"https://index.docker.io/v1/","Username":"alice","Secret":"%s"}' "$secret" |
        docker-credential-pass store 2>/dev/null
    stored=$(docker-credential-pass get <"$work/server")
    python3 -c 'import json, sys; assert json.loads(sys.argv[1])["Secret"] == sys.argv[2]' \
        "$stored" "$secret" || { echo "docker-credential-pass did not answer" >&2; exit 1; }
    echo "docker-credential-pass: $(docker-credential-pass version)"
    DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN="$secret" "$hyperfine" -N --input "$work/server" \
        --warmup 20 --runs "$runs" --export-json "$work/two.json" \
        "$(command -v docker-credential-pass) get" "$helper get"
    ratio "$work/two.json" "docker-credential-pass get" "docker-credential-dockerhub get"
fi

[ -n "${OIDC:-}" ] || exit 0
echo
echo "== 3. get served from the token cache, https:// identity URL (OIDC), vs version"
command -v openssl >/dev/null || { echo "skipped: needs openssl"; exit 0; }
tls="$work/tls"
mkdir -p "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=credential_helper.sh authority" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$tls/identity.key" -out "$tls/identity.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    >"$tls/identity.ext"
openssl x509 -req -in "$tls/identity.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 1 -extfile "$tls/identity.ext" -out "$tls/identity.pem" 2>/dev/null
id_token="eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOmFjbWUvYXBwOnJlZjpyZWZzL2hlYWRzL21haW4ifQ.c2ln"
coproc IDENTITY {
    MOCK_IDENTITY_CERT="$tls/identity.pem" MOCK_IDENTITY_KEY="$tls/identity.key" \
        exec python3 benches/mock_identity.py "$id_token"
}
identity_pid="$IDENTITY_PID"
read -r identity_url <&"${IDENTITY[0]}"
requests() {
    python3 -c 'import json, ssl, sys, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
print(json.load(urllib.request.urlopen(sys.argv[1] + "/requests", context=context))["requests"])' \
        "$identity_url" "$tls/ca.pem"
}
export DOCKERHUB_USERNAME=acme DOCKERHUB_OIDC_CONNECTIONID=867f4c1e-5b8a-4d43-9c6e-2f1d0a9b7c35 \
    DOCKERHUB_OIDC_ID_TOKEN="$id_token" DOCKERHUB_IDENTITY_URL="$identity_url"
unset DOCKERHUB_TOKEN
export DOCKERHUB_AUTH_CACHE_DIR="$work/oidc-cache"
# The one run that trusts the authority: it exchanges the ID token and fills the cache.
if ! SSL_CERT_FILE="$tls/ca.pem" "$helper" get <"$work/server" >"$work/oidc-answer"; then
    echo "skipped: the helper has no OIDC credentials yet: $(cat "$work/oidc-answer")"
    kill "$identity_pid" 2>/dev/null || true
    exit 0
fi
filled=$(requests)
# A cache hit must not need the authority (nor the network): checked once without it.
"$helper" get <"$work/server" >/dev/null
before=$(requests)
"$hyperfine" -N --input "$work/server" --warmup 20 --runs "$runs" \
    --export-json "$work/three.json" "$helper version" "$helper get"
echo "exchanges: $filled to fill the cache, $(($(requests) - before)) during the timed runs"
ratio "$work/three.json" "version" "get (OIDC, cached, https://)"
kill "$identity_pid" 2>/dev/null || true
wait "$identity_pid" 2>/dev/null || true
