#!/usr/bin/env bash
# Wall time of `dockerhub-auth token` next to `curl -s … | jq -r .access_token`, against the
# same local server, in one run. Target: CLI / curl ≤ 1.0.
#
#   benches/cli_vs_curl.sh [RUNS]      (default 200 runs of each, interleaved)
#
# Builds the CLI in release mode, starts .ci/mock_hub.py on 127.0.0.1, then times each
# command RUNS times, alternating the two so that both see the same machine state. Prints
# the medians and the ratio of the medians. Needs curl and jq.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
for tool in curl jq python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

cargo build --release --locked --features cli --quiet
cli="${CARGO_TARGET_DIR:-target}/release/dockerhub-auth"

coproc MOCK { exec python3 .ci/mock_hub.py alice dckr_pat_bench; }
read -r url <&"${MOCK[0]}"
trap 'kill "$MOCK_PID" 2>/dev/null || true' EXIT
export DOCKERHUB_USERNAME=alice DOCKERHUB_TOKEN=dckr_pat_bench DOCKERHUB_URL="$url"

with_cli() { "$cli" token; }
curl_only() {
    curl -s -X POST -H 'content-type: application/json' \
        -d '{"identifier":"alice","secret":"dckr_pat_bench"}' \
        "$url/v2/auth/token"
}
with_curl() { curl_only | jq -r .access_token; }

# Both must print the same kind of token, or the comparison means nothing.
[ "$(with_cli | cut -d. -f1)" = "$(with_curl | cut -d. -f1)" ] || { echo "outputs differ" >&2; exit 1; }

micros() { local t="${1/./}"; echo "$((10#$t))"; }   # EPOCHREALTIME (s.µs) in µs
cli_times=() curl_times=() curl_only_times=()
for ((i = 0; i < runs; i++)); do
    t0=$EPOCHREALTIME; with_cli >/dev/null; t1=$EPOCHREALTIME
    with_curl >/dev/null; t2=$EPOCHREALTIME
    curl_only >/dev/null; t3=$EPOCHREALTIME
    cli_times+=($(($(micros "$t1") - $(micros "$t0"))))
    curl_times+=($(($(micros "$t2") - $(micros "$t1"))))
    curl_only_times+=($(($(micros "$t3") - $(micros "$t2"))))
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
cli_median=$(median "${cli_times[@]}")
curl_median=$(median "${curl_times[@]}")
curl_only_median=$(median "${curl_only_times[@]}")
echo "runs:                     $runs of each, interleaved"
echo "dockerhub-auth token:     median ${cli_median} µs"
echo "curl -s … | jq -r …:      median ${curl_median} µs"
echo "curl -s … alone:          median ${curl_only_median} µs (the request without jq's start-up)"
awk -v a="$cli_median" -v b="$curl_median" 'BEGIN { printf "ratio (CLI / curl|jq):    %.2f×\n", a / b }'
awk -v a="$cli_median" -v b="$curl_only_median" 'BEGIN { printf "ratio (CLI / curl alone): %.2f×\n", a / b }'
