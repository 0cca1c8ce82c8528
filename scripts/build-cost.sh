#!/usr/bin/env bash
# Benchmark (not a test): what depending on noxitel-api costs a fresh program's clean build,
# next to depending on plain reqwest (default features + json).
#
# Creates two scratch programs under target/build-cost/ — one with `noxitel-api` (by path,
# default features), one with `reqwest = { version = "=<the workspace's>", features = ["json"] }`
# — both with the workspace's Cargo.lock so every shared crate has the same version, and
# builds each from clean (`cargo build`, dev profile, its own CARGO_TARGET_DIR, no compiler
# cache), the two interleaved, RUNS times (default 1). Prints each time, the medians and the
# ratio noxitel/reqwest. Exits non-zero only when a build fails.
#
#   scripts/build-cost.sh             # one build of each
#   RUNS=3 scripts/build-cost.sh      # three of each, interleaved: less noise
#   TIMINGS=1 scripts/build-cost.sh   # also writes cargo's --timings reports
#
# The numbers depend on the machine and on what else runs on it: compare the ratio, within
# one run of this script.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/target/build-cost"
runs="${RUNS:-1}"
reqwest_version="$(awk '/^name = "reqwest"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")"
[ -n "$reqwest_version" ] || { echo "error: no reqwest in $root/Cargo.lock" >&2; exit 1; }

scratch() { # name, dependency line, main body
  local dir="$work/$1"
  mkdir -p "$dir/src"
  cat >"$dir/Cargo.toml" <<EOF
[package]
name = "build-cost-$1"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
$2

# Not a member of the noxitel workspace this folder sits in.
[workspace]
EOF
  printf 'fn main() {\n    %s\n}\n' "$3" >"$dir/src/main.rs"
  cp "$root/Cargo.lock" "$dir/Cargo.lock"
  # Download (and prune the lock file) outside the timed builds.
  (cd "$dir" && cargo fetch --quiet)
}

rm -rf "$work"
scratch noxitel "noxitel-api = { path = \"$root/noxitel-api\" }" \
  'let _ = noxitel_api::Client::new("token");'
scratch reqwest "reqwest = { version = \"=$reqwest_version\", features = [\"json\"] }" \
  'let _ = reqwest::Client::new();'

# Same settings for both: no compiler cache, the default profile and job count.
export RUSTC_WRAPPER="" CARGO_BUILD_RUSTC_WRAPPER=""
unset CARGO_BUILD_TARGET_DIR CARGO_PROFILE_DEV_DEBUG RUSTFLAGS CARGO_ENCODED_RUSTFLAGS

build() { # name, run → prints seconds
  local dir="$work/$1" target="$work/$1/target" start end
  rm -rf "$target"
  start="$(date +%s.%N)"
  if ! (cd "$dir" && CARGO_TARGET_DIR="$target" cargo build --frozen --quiet ${TIMINGS:+--timings} >"$work/$1-$2.log" 2>&1); then
    echo "error: the $1 build failed; see $work/$1-$2.log" >&2
    cat "$work/$1-$2.log" >&2
    exit 1
  fi
  end="$(date +%s.%N)"
  if [ -n "${TIMINGS:-}" ]; then
    cp "$target/cargo-timings/cargo-timing.html" "$work/$1-$2-timing.html"
  fi
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

median() { tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }

echo "clean dev builds on $(nproc) cores, reqwest $reqwest_version, $runs run(s) each, interleaved"
noxitel_times="" reqwest_times=""
for run in $(seq 1 "$runs"); do
  # Alternate which goes first, so neither always gets the warmer machine.
  if [ $((run % 2)) -eq 1 ]; then order="reqwest noxitel"; else order="noxitel reqwest"; fi
  for name in $order; do
    seconds="$(build "$name" "$run")"
    echo "  run $run: $name $seconds s"
    if [ "$name" = noxitel ]; then noxitel_times+="$seconds "; else reqwest_times+="$seconds "; fi
  done
done
noxitel_median="$(echo $noxitel_times | median)"
reqwest_median="$(echo $reqwest_times | median)"
echo "noxitel-api: $noxitel_median s   reqwest (default + json): $reqwest_median s"
awk -v n="$noxitel_median" -v r="$reqwest_median" 'BEGIN { printf "ratio noxitel/reqwest: %.2f\n", n / r }'
[ -z "${TIMINGS:-}" ] || echo "timings: $work/*-timing.html"
