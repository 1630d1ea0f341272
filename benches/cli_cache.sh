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
#
#   benches/cli_cache.sh [RUNS]      (default 200)
#   HUB_DELAY_MS=50 benches/cli_cache.sh 40   (the mock answers each token request 50 ms
#                                              late, a stand-in for the real Hub's distance)
#
# Builds the CLI in release mode. Needs python3 (for the mock and the 50-process start).
# Every cache lives in a temporary directory; the user's own cache is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 2; }

cargo build --release --locked --features cli --quiet
cli="${CARGO_TARGET_DIR:-target}/release/dockerhub-auth"
work=$(mktemp -d)

coproc MOCK { exec python3 .ci/mock_hub.py alice dckr_pat_bench "${HUB_DELAY_MS:-0}"; }
read -r url <&"${MOCK[0]}"
trap 'kill "$MOCK_PID" 2>/dev/null || true; rm -rf "$work"' EXIT
export DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_bench DOCKERHUB_URL="$url"
unset DOCKERHUB_AUTH_NO_CACHE
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
