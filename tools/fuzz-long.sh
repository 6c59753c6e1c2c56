#!/usr/bin/env bash
# fuzz-long.sh: the long fuzzing run, outside CI's budget. Runs every libFuzzer target of
# tests/fuzz for RUNS executions each (default 10,000,000), starting from its seed corpus in
# tests/fuzz/corpus/<target>/ (read only) and keeping what it finds in WORK/<target>/, then prints
# one line per target: executions, coverage (edges) and features at the end, seconds, status.
# Usage: tools/fuzz-long.sh [BUILD_DIR] (default build-asan, configured with CC=clang and
# -DCONVENE_SANITIZE=ON so that the code under test is instrumented). Environment: RUNS,
# MAX_TIME (seconds per target at most, 0: no limit; the line then says how many ran), TARGETS
# (space-separated subset), WORK (default /tmp/convene-fuzz), JOBS (targets at once).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
runs=${RUNS:-10000000}
max_time=${MAX_TIME:-0}
work=${WORK:-/tmp/convene-fuzz}
jobs=${JOBS:-1}
targets=${TARGETS:-"date text template cron docs json nfc csv lua_args"}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

max_len() {
  case $1 in csv) echo 512 ;; nfc) echo 600 ;; *) echo 256 ;; esac
}

one() {
  local t=$1 bin=$build/tests/fuzz_$1 log=$work/$1.log start status
  [ -x "$bin" ] || { echo "$t: $bin is not built (CC=clang, -DCONVENE_SANITIZE=ON)" >&2; return 1; }
  mkdir -p "$work/$t"
  start=$(date +%s)
  status=ok
  "$bin" -runs="$runs" -max_total_time="$max_time" -max_len="$(max_len "$t")" -print_final_stats=1 \
    -artifact_prefix="$work/$t-" "$work/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || status=FAILED
  local last execs
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  printf '%-9s execs %-10s cov %-6s ft %-6s %5ss %s\n' "$t" "${execs:-?}" \
    "$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")" \
    "$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")" "$(($(date +%s) - start))" \
    "$status$([ $status = ok ] || echo " (see $log)")"
}

mkdir -p "$work"
export -f one max_len
export build runs max_time work
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'one {}'
