#!/usr/bin/env bash
# The CLI's token cache against .ci/mock_hub.py on 127.0.0.1, all in one run:
#
#   1. wall time of `dockerhub-auth token` served from a warm disk cache, next to
#      `dockerhub-auth token --no-cache` (one request to the mock per run), RUNS runs of
#      each, interleaved (the order alternates), medians and their ratio.
#      Target: cache / network <= 0.5.
#   2. 50 processes started together on a cold cache: all 50 are started and waiting for
#      their secret on stdin, then released at once; requests on the wire. Target: 1.
#   3. 20 processes in a row with a rejected secret: requests on the wire and exit codes.
#      Target: 1 request, every run exits 3.
#   4. `dockerhub-auth token` served from the disk cache on an https:// base URL, next to
#      `dockerhub-auth --version`, with hyperfine (RUNS runs of each after 20 warm-ups):
#      means and their ratio. Target: <= 1.3x (no HTTP client and no root certificates on
#      a cache hit). The entry comes from a local mock serving HTTPS with a throwaway
#      certificate authority (made with openssl), trusted for the one run that fills the
#      cache through SSL_CERT_FILE (read by rustls-platform-verifier, through
#      rustls-native-certs, on Linux); the timed runs use the system's store, as a user's do.
#
#   benches/cli_cache.sh [RUNS]      (default 200)
#   HUB_DELAY_MS=50 benches/cli_cache.sh 40   (the mock answers each token request 50 ms
#                                              late, a stand-in for the real Hub's distance)
#   HTTPS_ONLY=1 benches/cli_cache.sh 300     (section 4 alone)
#   DOCKERHUB_AUTH_CLI=/path/to/dockerhub-auth benches/cli_cache.sh
#       (measures that binary instead of building this checkout's, for example another
#        commit's release build, to compare two builds in one session)
#
# Builds the CLI in release mode. Needs python3 (for the mock and the 50-process start);
# section 4 also needs hyperfine and openssl, and is skipped, saying so, without them.
# Every cache lives in a temporary directory; the user's own cache is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

if [ -n "${DOCKERHUB_AUTH_CLI:-}" ]; then
    cli="$DOCKERHUB_AUTH_CLI"
else
    cargo build --release --locked --features cli --quiet
    cli="${CARGO_TARGET_DIR:-target}/release/dockerhub-auth"
fi
work=$(mktemp -d)

trap 'rm -rf "$work"' EXIT
export DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_bench
unset DOCKERHUB_AUTH_NO_CACHE

# 4. An https:// base URL served from the disk cache vs `--version`.
https_cache_hit() {
    if ! command -v hyperfine >/dev/null || ! command -v openssl >/dev/null; then
        echo "https:// cache hit vs --version: skipped (needs hyperfine and openssl)"
        return
    fi
    local tls="$work/tls"
    mkdir -p "$tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
        -subj "/CN=cli_cache.sh authority" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
        -keyout "$tls/hub.key" -out "$tls/hub.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
        >"$tls/hub.ext"
    openssl x509 -req -in "$tls/hub.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
        -CAcreateserial -days 1 -extfile "$tls/hub.ext" -out "$tls/hub.pem" 2>/dev/null
    coproc TLS_MOCK {
        MOCK_HUB_CERT="$tls/hub.pem" MOCK_HUB_KEY="$tls/hub.key" \
            exec python3 .ci/mock_hub.py alice dckr_pat_bench
    }
    local https_url mock_pid="$TLS_MOCK_PID"
    read -r https_url <&"${TLS_MOCK[0]}"
    https_requests() {
        python3 -c 'import json, ssl, sys, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
print(json.load(urllib.request.urlopen(sys.argv[1] + "/requests", context=context))["requests"])' \
            "$https_url" "$tls/ca.pem"
    }
    local cache="$work/https"
    # The one run that trusts the mock's authority: it fetches the token and fills the cache.
    [ "$(SSL_CERT_FILE="$tls/ca.pem" DOCKERHUB_AUTH_CACHE_DIR="$cache" \
        "$cli" token --base-url "$https_url" | grep -o '\.' | wc -l)" -eq 2 ] ||
        { echo "no token over https" >&2; exit 1; }
    # A cache hit must not need the authority (nor the network): checked once without it.
    DOCKERHUB_AUTH_CACHE_DIR="$cache" "$cli" token --base-url "$https_url" >/dev/null
    local before
    before=$(https_requests)
    DOCKERHUB_AUTH_CACHE_DIR="$cache" hyperfine -N --warmup 20 --runs "$runs" \
        --export-json "$work/https.json" \
        "$cli --version" "$cli token --base-url $https_url"
    echo "requests on the wire during the timed runs: $(($(https_requests) - before))"
    python3 - "$work/https.json" <<'PY'
import json, sys
version, token = json.load(open(sys.argv[1]))["results"]
print(f"--version:                {version['mean'] * 1e3:.2f} ms ± {version['stddev'] * 1e3:.2f} ms")
print(f"token (https, cached):    {token['mean'] * 1e3:.2f} ms ± {token['stddev'] * 1e3:.2f} ms")
print(f"ratio (token / --version): {token['mean'] / version['mean']:.2f}x (means); "
      f"{token['median'] / version['median']:.2f}x (medians)")
PY
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
}
if [ -n "${HTTPS_ONLY:-}" ]; then
    https_cache_hit
    exit 0
fi

# Sections 1 to 3 share one plain-HTTP mock (bash runs one coprocess at a time: it is
# stopped before section 4 starts its own).
coproc MOCK { exec python3 .ci/mock_hub.py alice dckr_pat_bench "${HUB_DELAY_MS:-0}"; }
read -r url <&"${MOCK[0]}"
trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -rf "$work"' EXIT
export DOCKERHUB_URL="$url"
requests() {
    python3 -c 'import json, sys, urllib.request
print(json.load(urllib.request.urlopen(sys.argv[1] + "/requests"))["requests"])' "$url"
}

# 1. Served from the cache vs over the network.
export DOCKERHUB_AUTH_CACHE_DIR="$work/warm"
# Both must print a JWT, or the comparison means nothing; the first run warms the cache.
for args in "" "--no-cache"; do
    # shellcheck disable=SC2086 # $args is one word or none
    [ "$("$cli" token $args | grep -o '\.' | wc -l)" -eq 2 ] || { echo "no token" >&2; exit 1; }
done
micros() { local t="${1/./}"; echo "$((10#$t))"; } # EPOCHREALTIME (s.µs) in µs
cache_times=() network_times=()
before=$(requests)
for ((i = 0; i < runs; i++)); do
    if ((i % 2 == 0)); then
        t0=$EPOCHREALTIME; "$cli" token >/dev/null; t1=$EPOCHREALTIME
        "$cli" token --no-cache >/dev/null; t2=$EPOCHREALTIME
        cache_times+=($(($(micros "$t1") - $(micros "$t0"))))
        network_times+=($(($(micros "$t2") - $(micros "$t1"))))
    else
        t0=$EPOCHREALTIME; "$cli" token --no-cache >/dev/null; t1=$EPOCHREALTIME
        "$cli" token >/dev/null; t2=$EPOCHREALTIME
        network_times+=($(($(micros "$t1") - $(micros "$t0"))))
        cache_times+=($(($(micros "$t2") - $(micros "$t1"))))
    fi
done
network_requests=$(($(requests) - before))
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cache_median=$(median "${cache_times[@]}")
network_median=$(median "${network_times[@]}")
echo "runs:                          $runs of each, interleaved; mock answers after ${HUB_DELAY_MS:-0} ms"
echo "token from the disk cache:     median ${cache_median} µs"
echo "token --no-cache (network):    median ${network_median} µs ($network_requests requests for $runs runs)"
awk -v a="$cache_median" -v b="$network_median" \
    'BEGIN { printf "ratio (cache / network):       %.2f×\n", a / b }'

# 2. Fifty processes started together on a cold cache.
before=$(requests)
python3 - "$cli" "$work/cold" <<'PY'
import os, subprocess, sys, time
cli, cache = sys.argv[1], sys.argv[2]
env = dict(os.environ, DOCKERHUB_AUTH_CACHE_DIR=cache)
env.pop("DOCKERHUB_TOKEN")
runs = [subprocess.Popen([cli, "token", "--secret-stdin"], env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(50)]
time.sleep(0.5)  # every process is up and blocked reading its secret
for run in runs:
    run.stdin.write(b"dckr_pat_bench\n")
    run.stdin.close()
    run.stdin = None  # written: communicate() only reads
outputs = [run.communicate() for run in runs]
codes = sorted({run.returncode for run in runs})
tokens = {out for out, _ in outputs}
print(f"50 processes released together: exit codes {codes}, {len(tokens)} distinct token(s)")
PY
echo "requests on the wire for the 50: $(($(requests) - before))"

# 3. Twenty processes in a row with a rejected secret.
before=$(requests)
codes=()
for ((i = 0; i < 20; i++)); do
    set +e
    DOCKERHUB_AUTH_CACHE_DIR="$work/rejected" DOCKERHUB_TOKEN=dckr_pat_wrong "$cli" token 2>/dev/null
    codes+=($?)
    set -e
done
echo "20 runs in a row with a rejected secret: exit codes $(printf '%s\n' "${codes[@]}" | sort -u | tr '\n' ' ')"
echo "requests on the wire for the 20: $(($(requests) - before))"

# 4. (defined above) An https:// base URL served from the disk cache vs `--version`.
kill "$MOCK_PID" 2>/dev/null || true
wait "$MOCK_PID" 2>/dev/null || true
trap 'rm -rf "$work"' EXIT
https_cache_hit
