#!/usr/bin/env bash
# Batch benchmark: generate N synthetic customers, then time `valuereport run` end to end with
# /usr/bin/time -v (wall time, CPU time, peak RSS): cold with 1 and 2 jobs, and an unchanged rerun.
# Each measurement is repeated R times (a fresh output folder for every cold run); the median wall
# time is reported, with the fastest and slowest, and the largest peak RSS. The machine this runs on
# is a shared VM whose speed drifts by tens of percent from minute to minute: compare medians, and
# runs taken close together.
# Usage: bench/batch.sh [N=1000] [WORKDIR=/tmp/valuereport-bench] [R=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=${2:-/tmp/valuereport-bench}
repeats=${3:-3}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/valuereport
rm -rf "$work" && mkdir -p "$work"
"$bin" sample --customers "$n" --seed 1 --out "$work/input" --as-of 2026-11-22 >/dev/null

# measure LABEL FRESH OUT_DIR ARGS...: FRESH=yes removes OUT_DIR before every repeat.
measure() {
  local label=$1 fresh=$2 out=$3; shift 3
  local walls=() rss_max=0 cpu="" summary=""
  for _ in $(seq "$repeats"); do
    [ "$fresh" = yes ] && rm -rf "$out"
    /usr/bin/time -v "$@" --out "$out" --quiet 2> "$work/time.txt" > "$work/summary.txt" || true
    local wall rss user sys
    wall=$(grep "Elapsed (wall clock)" "$work/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(grep "Maximum resident set size" "$work/time.txt" | awk '{print $NF}')
    user=$(grep "User time" "$work/time.txt" | awk '{print $NF}')
    sys=$(grep "System time" "$work/time.txt" | awk '{print $NF}')
    walls+=("$wall")
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    cpu="$cpu ${user}+${sys}"
    summary=$(grep -v "^wrote " "$work/summary.txt" | cut -c1-100 | head -3)
  done
  local sorted median
  sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}')
  printf '%-28s median %6.2f s  (%s .. %s)  peak RSS %4d MB  CPU user+sys s:%s\n' \
    "$label" "$median" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" $((rss_max / 1024)) "$cpu"
  printf '%s\n' "$median" > "$work/median-$(printf '%s' "$label" | tr -c 'a-z0-9' '-')"
  echo "    $summary"
}

echo "$n customers, $((2 * n)) reports (both editions), $(nproc) cores, $repeats runs each"
measure "cold, --jobs 1" yes "$work/out1" "$bin" run "$work/input" --as-of 2026-11-22 --jobs 1
measure "cold, --jobs 2" yes "$work/out2" "$bin" run "$work/input" --as-of 2026-11-22 --jobs 2
measure "unchanged rerun, --jobs 2" no "$work/out2" "$bin" run "$work/input" --as-of 2026-11-22 --jobs 2
one=$(cat "$work/median-$(printf '%s' "cold, --jobs 1" | tr -c 'a-z0-9' '-')")
two=$(cat "$work/median-$(printf '%s' "cold, --jobs 2" | tr -c 'a-z0-9' '-')")
echo "scaling 1 -> 2 jobs (median walls): $(echo "$one $two" | awk '{printf "%.2fx", $1 / $2}')"
# The run's own files (results.csv, results.jsonl, the portfolio PDF) are written after the
# customers: their time is in the manifest.
python3 - "$work/out2/manifest.json" <<'PY' 2>/dev/null || grep -o '"run_files_ms": [0-9]*' "$work/out2/manifest.json"
import json, sys
m = json.load(open(sys.argv[1]))
files = ", ".join(f"{o['kind']} {o['bytes'] // 1024} KB" + (f" {o['pages']} pages" if o.get('pages') else "") for o in m["run_outputs"])
print(f"run files (results, portfolio) in the last run: {m['timings']['run_files_ms']} ms ({files})")
PY
