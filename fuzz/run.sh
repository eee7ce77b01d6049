#!/bin/sh
# Runs every fuzz target in turn for SECONDS each (default 600), one job and one worker at a time
# (the machine is shared), then prints each target's figures. Logs go to fuzz/logs/<target>.log,
# crashing inputs to fuzz/artifacts/<target>/. See docs/hardening.md.
#
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags]     e.g. TARGETS="metrics customer" fuzz/run.sh 60
#   FUZZ_TARGET_DIR=/some/target fuzz/run.sh           builds there (to share a build cache)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-600}
[ $# -gt 0 ] && shift
cd "$here"
[ -d corpus ] || ./seed.sh
mkdir -p logs
for target in ${TARGETS:-number account goals metrics stories opportunities exports customer}; do
    echo "== $target: $seconds s"
    # cargo fuzz needs nightly features; RUSTC_BOOTSTRAP=1 lets the stable toolchain build it.
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O ${FUZZ_TARGET_DIR:+--target-dir "$FUZZ_TARGET_DIR"} "$target" "corpus/$target" -- \
        -jobs=1 -workers=1 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$@" \
        > "logs/$target.cargo.log" 2>&1 || true
    # With -jobs, libFuzzer writes the job's output to fuzz-<job>.log in the current folder.
    [ -f fuzz-0.log ] && mv fuzz-0.log "logs/$target.log"
    grep -E "^Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|ERROR|panicked|deadly signal|Test unit written" \
        "logs/$target.log" || true
done
