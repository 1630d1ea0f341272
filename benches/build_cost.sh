#!/usr/bin/env bash
# The build cost a user pays: the wall time of a clean `cargo build` of a crate that
# depends on this crate's package (default features), next to one of a crate that depends
# only on reqwest with the features this crate enables in it (`rustls`, `json`, `query`,
# `stream`: the same TLS), in one run, ROUNDS rounds alternating the order; each build gets
# a fresh, empty target directory. Prints every time, the medians and their ratio.
#
#   benches/build_cost.sh [ROUNDS]     (default 3)
#   PROFILE=release benches/build_cost.sh
#
# Offline: both crates are resolved from the registry already fetched, with this
# repository's Cargo.lock as their seed, so that they build the same versions.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
profile="${PROFILE:-dev}"
jobs="${JOBS:-2}"

target=$(mktemp -d)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch" "$target"' EXIT

CARGO_TARGET_DIR="$target" cargo package --locked --offline --no-verify --quiet
crate_file=$(ls "$target"/package/dockerhub-auth-*.crate)
tar -xzf "$crate_file" -C "$scratch"
package_dir=$(basename "$crate_file" .crate)
reqwest_version=$(awk '/^name = "reqwest"$/{getline; print $3; exit}' Cargo.lock | tr -d '"')

# One workspace per crate, each its own root, each seeded with the repository's lock.
make_crate() { # NAME DEPENDENCY-LINE
    mkdir -p "$scratch/$1/src"
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[dependencies]\n%s\n\n[workspace]\n' \
        "$1" "$2" >"$scratch/$1/Cargo.toml"
    echo 'fn main() {}' >"$scratch/$1/src/main.rs"
    cp Cargo.lock "$scratch/$1/Cargo.lock"
}
make_crate with-dockerhub-auth "dockerhub-auth = { path = \"../$package_dir\" }"
make_crate with-reqwest "reqwest = { version = \"=$reqwest_version\", default-features = false, features = [\"rustls\", \"json\", \"query\", \"stream\"] }"
# The packaged crate sits beside them: give it a workspace of its own too.
printf '\n[workspace]\n' >>"$scratch/$package_dir/Cargo.toml"

build() { # NAME -> seconds
    local dir="$scratch/$1" out
    rm -rf "$target/$1"
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$target/$1" cargo build --offline --quiet -j "$jobs" --profile "$profile")
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

ours=() theirs=()
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        a=$(build with-dockerhub-auth); b=$(build with-reqwest)
    else
        b=$(build with-reqwest); a=$(build with-dockerhub-auth)
    fi
    echo "round $round: dockerhub-auth ${a}s, reqwest alone ${b}s (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    ours+=("$a") theirs+=("$b")
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
m_ours=$(median "${ours[@]}") m_theirs=$(median "${theirs[@]}")
echo "clean $profile build, -j $jobs, $rounds rounds: dependent on dockerhub-auth median ${m_ours}s, on reqwest alone median ${m_theirs}s, ratio $(echo "scale=2; $m_ours / $m_theirs" | bc)x"
