#!/usr/bin/env bash
# bench/lua/run.sh: events per second through a trivial Lua hook in convene (journal read, event
# table built, sandboxed call with its budget, batch committed with the package's cursor: exactly
# once) beside the same handler called by stock lua5.4 over the same event tables, in one run.
# Usage: bench/lua/run.sh [EVENTS] (default 200000). Needs the build in build/ (cmake --build build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-200000}
build=${BUILD:-$root/build}
work=$(mktemp -d /tmp/cv-bench-lua-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pkg"
cp "$here/handler.lua" "$work/pkg/handler.lua"
printf 'convene.on("bench.tick", require("handler"))\n' > "$work/pkg/init.lua"
"$build/bench/bench_lua" "$n" "$work" > "$work/out"
cv=$(awk '/convene_events_per_s/ {print $2}' "$work/out")
wk=$(awk '/worker_events_per_s/ {print $2}' "$work/out")
lua=$("$build/bench/bench_lua" peer "$n" "$here/peer.lua" "$here/handler.lua" |
  awk '/lua_events_per_s/ {print $2}')
echo "events:                      $n"
echo "convene (hook + cursor, exactly once): $cv events/s"
echo "convene through the package's worker:  $wk events/s"
echo "stock Lua 5.4 (same handler, same clock): $lua events/s"
awk -v a="$cv" -v b="$lua" 'BEGIN { printf "ratio convene / lua5.4:                %.3f\n", a / b;
  printf "goal 200000 events/s:                  %s\n", (a >= 200000 ? "met" : "NOT met") }'
awk -v w="$wk" 'BEGIN { printf "goal 200000 events/s through the worker: %s\n", (w >= 200000 ? "met" : "NOT met") }'
echo "an honest package beside a hostile one (100 events committed every 5 ms, both on workers):"
grep -E '^(honest_beside|hostile_)' "$work/out" | sed 's/^/  /'
