#!/usr/bin/env bash
# Ours, Typst, ReportLab + matplotlib and the floor, interleaved, on the same 5 and 50 generated
# customers, one core; prints per-report medians (steady state: (t50 - t5) / 45) and the ratios of
# issue #18. See compare.py for the method, docs/performance.md ("Peers and the floor") for a run.
#
# Usage: bench/peers/compare.sh [R=5] [WORKDIR=/tmp/valuereport-peers] [compare.py options...]
#   e.g. bench/peers/compare.sh 3 /tmp/vr-peers --locales     (also English-only and Japanese-only)
#        bench/peers/compare.sh 5 /tmp/vr-peers --no-reportlab --seed 7
# Needs python3 (3.9+) with venv, network access to PyPI the first time, and taskset (util-linux).
# The peers are installed into WORKDIR/venv (pinned, requirements.txt); nothing outside WORKDIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats=${1:-5}
work=${2:-/tmp/valuereport-peers}
shift $(( $# < 2 ? $# : 2 ))
mkdir -p "$work"
work=$(cd "$work" && pwd)

cargo build --release --quiet
bin=$(pwd)/${CARGO_TARGET_DIR:-target}/release/valuereport
floor=$(cargo bench --bench floor --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "floor" and m.get("executable"):
        print(m["executable"])')
[ -x "$floor" ] || { echo "compare.sh: the floor bench did not build (cargo bench --bench floor --no-run)" >&2; exit 1; }

if [ ! -x "$work/venv/bin/python" ] || ! cmp -s bench/peers/requirements.txt "$work/venv/requirements.txt"; then
  rm -rf "$work/venv"
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --disable-pip-version-check -r bench/peers/requirements.txt
  cp bench/peers/requirements.txt "$work/venv/requirements.txt"
fi

exec "$work/venv/bin/python" bench/peers/compare.py --bin "$bin" --floor "$floor" --work "$work" --repeats "$repeats" "$@"
