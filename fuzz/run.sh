#!/usr/bin/env bash
# Runs each fuzz target for a bounded time (default 60 s each) and prints what libFuzzer
# reports: executions, coverage, and any crash it found (saved under fuzz/artifacts/).
#
#   fuzz/run.sh [SECONDS_PER_TARGET]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). cargo-fuzz asks for nightly
# features; RUSTC_BOOTSTRAP=1 lets the machine's stable toolchain provide them. Seeds are
# read from fuzz/seeds/<target>; what libFuzzer finds goes to fuzz/work/<target>, which is
# not committed. Not run in CI: the property tests in src/ cover the same functions there.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || { echo "install cargo-fuzz first: cargo install cargo-fuzz --locked" >&2; exit 2; }
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
status=0
for target in jwt_claims retry_after error_body challenge scrub; do
    mkdir -p "work/$target"
    echo "=== $target, ${seconds}s"
    if ! cargo fuzz run -O "$target" "work/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 2>"work/$target.log"; then
        status=1
        echo "$target: FOUND A CRASH, see fuzz/artifacts/$target/ and fuzz/work/$target.log"
    fi
    grep -E "stat::number_of_executed_units|stat::new_units_added|Done [0-9]+ runs" "work/$target.log" || true
    grep -E "^#[0-9]+.*DONE" "work/$target.log" | tail -1 || true
done
exit "$status"
