#!/usr/bin/env bash
# Wall time of `dockerhub-auth rate-limit` next to the usual shell snippet
#
#   t=$(curl -s "$realm?service=…&scope=repository:ratelimitpreview/test:pull" | jq -r .token)
#   curl -sI -H "Authorization: Bearer $t" "$registry/v2/ratelimitpreview/test/manifests/latest" \
#       | grep -i ratelimit
#
# against the same local fake registry and token service, in one run. Target: CLI / snippet
# ≤ 1.0.
#
#   benches/rate_limit_vs_curl.sh [RUNS]      (default 200 runs of each, interleaved)
#
# Builds the CLI in release mode, starts benches/fake_registry.py on 127.0.0.1, then times
# each command RUNS times, alternating them so that all see the same machine state, and
# prints the medians and their ratios. The snippet is also timed with `sed` in place of
# `jq` (jq's start-up is most of its time). The CLI does one request more than the snippet:
# it asks the registry for its challenge (`GET /v2/`) instead of knowing the realm. Needs
# curl and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
for tool in curl jq sed python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

cargo build --release --locked --features cli --quiet
cli="${CARGO_TARGET_DIR:-target}/release/dockerhub-auth"

coproc FAKE { exec python3 benches/fake_registry.py; }
read -r url <&"${FAKE[0]}"
trap 'kill "$FAKE_PID" 2>/dev/null || true' EXIT
realm="$url/token"
probe="$url/v2/ratelimitpreview/test/manifests/latest"
query="service=registry.docker.io&scope=repository:ratelimitpreview/test:pull"

with_cli() { "$cli" rate-limit --anonymous --registry "$url"; }
with_jq() {
    local t
    t=$(curl -s "$realm?$query" | jq -r .token)
    curl -sI -H "Authorization: Bearer $t" "$probe" | grep -i ratelimit
}
with_sed() {
    local t
    t=$(curl -s "$realm?$query" | sed -E 's/.*"token": *"([^"]*)".*/\1/')
    curl -sI -H "Authorization: Bearer $t" "$probe" | grep -i ratelimit
}

# All must see the same limit, or the comparison means nothing.
[ "$(with_cli)" = "76 of 100 pulls left in a 6 h window (source 203.0.113.7)" ] || { echo "CLI output differs" >&2; exit 1; }
[ "$(with_jq | grep -ci 'ratelimit-remaining: 76')" = 1 ] || { echo "snippet output differs" >&2; exit 1; }
[ "$(with_sed | grep -ci 'ratelimit-remaining: 76')" = 1 ] || { echo "sed snippet output differs" >&2; exit 1; }

micros() { local t="${1/./}"; echo "$((10#$t))"; }   # EPOCHREALTIME (s.µs) in µs
cli_times=() jq_times=() sed_times=()
for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME; with_cli >/dev/null; t1=$EPOCHREALTIME
    with_jq >/dev/null; t2=$EPOCHREALTIME
    with_sed >/dev/null; t3=$EPOCHREALTIME
    cli_times+=($(($(micros "$t1") - $(micros "$t0"))))
    jq_times+=($(($(micros "$t2") - $(micros "$t1"))))
    sed_times+=($(($(micros "$t3") - $(micros "$t2"))))
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cli_median=$(median "${cli_times[@]}")
jq_median=$(median "${jq_times[@]}")
sed_median=$(median "${sed_times[@]}")
echo "runs:                          $runs of each, interleaved"
echo "dockerhub-auth rate-limit:     median ${cli_median} µs (3 requests)"
echo "curl | jq, curl -I | grep:     median ${jq_median} µs (2 requests)"
echo "curl | sed, curl -I | grep:    median ${sed_median} µs (2 requests, no jq start-up)"
awk -v a="$cli_median" -v b="$jq_median" 'BEGIN { printf "ratio (CLI / curl+jq):        %.2f×\n", a / b }'
awk -v a="$cli_median" -v b="$sed_median" 'BEGIN { printf "ratio (CLI / curl+sed):       %.2f×\n", a / b }'
