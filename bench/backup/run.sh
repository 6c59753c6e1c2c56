#!/usr/bin/env bash
# run.sh: `convene backup` of the country-sized store of bench/tree beside `sqlite3 .backup` of
# the same file in the same run (medians of RUNS, alternating), with the ratio; then the longest
# time a concurrent writer's commit takes while convene backs up (goal <= 50 ms), and the same
# writer beside `sqlite3 .backup` (which restarts whenever another connection writes).
# convene's time includes what `.backup` does not: fsync, integrity_check, foreign_key_check,
# the journal check and the rename; its copy alone is reported too. Goal: ratio <= 1.1.
# Usage: [RUNS=5] [SCALE=country|small] bench/backup/run.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-build}")/core/convene
RUNS=${RUNS:-5}
DIR=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$DIR"' EXIT
DB=$DIR/country.db
export CONVENE_NOW=2020-05-22T09:00
"$BIN" --db "$DB" init >/dev/null
if [ "${SCALE:-country}" = small ]; then
  sed -e 's/51999/7999/; s/259999/39999/; s/1000 + i % 52000/1000 + i % 8000/' \
    bench/tree/make-country.sql > "$DIR/make.sql"
else
  cp bench/tree/make-country.sql "$DIR/make.sql"
fi
echo "== generating the store (bench/tree, SCALE=${SCALE:-country})"
sqlite3 "$DB" < "$DIR/make.sql"
sqlite3 "$DB" "SELECT '   organisations: ' || count(*) FROM orgs"
echo "   $(du -m "$DB" | cut -f1) MB"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
: > "$DIR/convene.txt"; : > "$DIR/copy.txt"; : > "$DIR/peer.txt"; : > "$DIR/peer-checked.txt"
for i in $(seq "$RUNS"); do
  rm -f "$DIR/b.db" "$DIR/p.db"
  t=$(date +%s%N)
  "$BIN" --db "$DB" --json backup "$DIR/b.db" > "$DIR/out.json"
  ms "$t" >> "$DIR/convene.txt"
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["copy_ms"])' \
    "$DIR/out.json" >> "$DIR/copy.txt"
  t=$(date +%s%N)
  sqlite3 "$DB" ".backup '$DIR/p.db'"
  ms "$t" >> "$DIR/peer.txt"
  sqlite3 "$DIR/p.db" "PRAGMA integrity_check; PRAGMA foreign_key_check" > /dev/null
  ms "$t" >> "$DIR/peer-checked.txt"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
c=$(median "$DIR/convene.txt"); cp_=$(median "$DIR/copy.txt")
p=$(median "$DIR/peer.txt"); pc=$(median "$DIR/peer-checked.txt")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "== backup, medians of $RUNS runs"
echo "   convene backup (copy, fsync, checks, rename): $c ms; its copy alone: $cp_ ms"
echo "   sqlite3 .backup: $p ms; sqlite3 .backup then integrity_check + foreign_key_check: $pc ms"
echo "   ratio copy / .backup: $(ratio "$cp_" "$p") (goal 1.1)"
echo "   ratio whole / .backup: $(ratio "$c" "$p"); whole / (.backup + the same checks): $(ratio "$c" "$pc")"

# A writer commits one event every 2 ms while a backup runs: its longest commit.
with_writer() {
  /usr/bin/python3 bench/backup/writer.py "$DB" > "$DIR/w.out" &
  local w=$!
  until grep -q ready "$DIR/w.out"; do sleep 0.05; done
  sleep 0.5
  local t; t=$(date +%s%N)
  if timeout 60 "$@" > /dev/null 2>&1; then echo "finished in $(ms "$t") ms" > "$DIR/w.how"
  else echo "did not finish within 60 s" > "$DIR/w.how"; fi
  kill -TERM $w; wait $w || true
  echo "$(cat "$DIR/w.how"); writer: $(tail -1 "$DIR/w.out")"
}
echo "== a concurrent writer (one event per transaction, every 2 ms)"
rm -f "$DIR/b.db" "$DIR/p.db"
echo "   convene backup: $(with_writer "$BIN" --db "$DB" backup "$DIR/b.db") (goal max <= 50 ms)"
"$BIN" backup verify "$DIR/b.db" | sed 's/^/   /'
echo "   sqlite3 .backup: $(with_writer sqlite3 "$DB" ".backup '$DIR/p.db'")"
echo "   no backup (1 s): $(with_writer sleep 1)"
