#!/usr/bin/env bash
# Batch benchmark: generate N synthetic customers, then time `valuereport run` end to end with
# /usr/bin/time -v (wall time, peak RSS): cold with 1 and 2 jobs, and an unchanged rerun.
# Usage: bench/batch.sh [N=1000] [WORKDIR=/tmp/valuereport-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=${2:-/tmp/valuereport-bench}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/valuereport
rm -rf "$work" && mkdir -p "$work"
"$bin" sample --customers "$n" --seed 1 --out "$work/input" --as-of 2026-11-22 >/dev/null
measure() {
  local label=$1; shift
  /usr/bin/time -v "$@" --quiet 2> "$work/time.txt" > "$work/summary.txt" || true
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
  printf '%-34s wall %8s  peak RSS %6d MB  %s\n' "$label" "$wall" $((rss / 1024)) "$(cut -c1-90 "$work/summary.txt")"
}
echo "$n customers, $((2 * n)) reports (both editions), $(nproc) cores"
measure "cold, --jobs 1" "$bin" run "$work/input" --out "$work/out1" --as-of 2026-11-22 --jobs 1
measure "cold, --jobs 2" "$bin" run "$work/input" --out "$work/out2" --as-of 2026-11-22 --jobs 2
measure "unchanged rerun, --jobs 2" "$bin" run "$work/input" --out "$work/out2" --as-of 2026-11-22 --jobs 2
