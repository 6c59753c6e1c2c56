#!/usr/bin/env bash
# run.sh: convene on a country-sized store (312,757 organisations, about 5.5 million members),
# built by bench/tree/make-store.sh through convene's own import (organisations and member
# counts, congresses in a mix of states, work items), so that roll-ups, paths and the journal
# are the store's own. Then, in one run, each beside its peer:
#   the orgs import beside `sqlite3 .import --csv` of the same rows into a plain table;
#   `convene status` of a province and of the whole country beside the recursive SQL of
#   bench/tree/peer-status.sql (the tally status used to walk), with ratios, and the
#   dashboard's home page data of the same two (cv_web_scope, in process);
#   a congress marked held (the UPDATE and its roll-up triggers, in the sqlite3 shell) beside
#   the same UPDATE with the triggers set aside;
#   a district with its subtree moved to another province (the same, both ways);
#   `convene check rollups` of a province;
#   the daemon's start time and resident memory (bench/daemon-start.py: blocking reads of its
#   log, no polling loop beside it), to serving and to its store's check passed.
# Usage: bench/tree/run.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(realpath "${1:-build}")
BIN=$BUILD/core/convene
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
DB=$DIR/country.db
export CONVENE_NOW=2020-05-22T09:00 CONVENE_PLUGIN_PATH=$BUILD/plugins

echo "== the country through convene import (orgs with member counts), beside sqlite3 .import"
bench/tree/make-store.sh "$BUILD" "$DIR"
tail -n +2 "$DIR/orgs.csv" > "$DIR/rows.csv"
sqlite3 "$DIR/peer.db" "CREATE TABLE staging (code TEXT PRIMARY KEY, name TEXT NOT NULL,
  level TEXT NOT NULL, parent TEXT, kind TEXT, members INTEGER) STRICT"
sync
/usr/bin/time -o "$DIR/t.peer" -f "%e %U %S" sqlite3 "$DIR/peer.db" ".import --csv $DIR/rows.csv staging"
read -r cw cu cs < "$DIR/t.convene"
read -r pw pu ps < "$DIR/t.peer"
awk -v cw="$cw" -v cu="$cu" -v cs="$cs" -v pw="$pw" -v pu="$pu" -v ps="$ps" 'BEGIN {
  printf "   convene %.2f s wall, %.2f s CPU; sqlite3 .import %.2f s wall, %.2f s CPU; " \
         "ratio %.2f wall, %.2f CPU (goal <= 1.0)\n", cw, cu + cs, pw, pu + ps, cw / pw,
         (cu + cs) / (pu + ps) }'

echo "== congresses and work items (make-store.sh: convene import --as congresses, --as work-items)"
read -r gw gu gs < "$DIR/t.congresses"
awk -v w="$gw" -v u="$gu" -v s="$gs" 'BEGIN {
  printf "   congresses imported in %.2f s wall, %.2f s CPU\n", w, u + s }'
sqlite3 "$DB" "SELECT '   organisations: ' || count(*) || ', members: ' || sum(members) FROM orgs;
  SELECT '   congresses: ' || group_concat(status || ' ' || n, ', ') FROM
    (SELECT status, count(*) AS n FROM congresses GROUP BY status);
  SELECT '   roll-up rows: ' || count(*) FROM rollups;
  SELECT '   journal: ' || group_concat(type || ' ' || n, ', ') FROM
    (SELECT type, count(*) AS n FROM events GROUP BY type)"

cp "$DB" "$DIR/inproc.db"
"$BUILD/bench/bench_tree" "$DIR/inproc.db" bench/tree/peer-status.sql > "$DIR/inproc.txt"
fig() { awk -v k="$1" '$1 == k {print $2}' "$DIR/inproc.txt"; }
for root in P01 VN; do
  goal=5; [ $root = VN ] && goal=20
  awk -v r=$root -v a="$(fig status_${root}_ms)" -v b="$(fig peer_${root}_ms)" -v g=$goal \
    -v c="$(fig status_${root}_cpu_ms)" -v d="$(fig peer_${root}_cpu_ms)" 'BEGIN {
    printf "== status %s (in process): convene %.2f ms wall, %.2f ms CPU (goal <= %d); recursive " \
           "SQL %.1f ms wall, %.1f ms CPU; recursive/convene %.0fx wall, %.0fx CPU (goal >= 20x)\n",
           r, a, c, g, b, d, b / a, d / c }'
  awk -v r=$root -v a="$(fig home_${root}_ms)" -v c="$(fig home_${root}_cpu_ms)" 'BEGIN {
    printf "   the home page data of %s (in process, cv_web_scope: status, children, lists, " \
           "burn-up): %.2f ms wall, %.2f ms CPU (goal <= 50 ms)\n", r, a, c }'
  sed "s/ROOT/$root/" bench/tree/peer-status.sql > "$DIR/peer-$root.sql"
  hyperfine -N -w 2 -r 10 --export-json "$DIR/$root.json" "$BIN --db $DB status $root --json" \
    "sqlite3 -batch $DB '.read $DIR/peer-$root.sql'" "$BIN --db $DB term show" >/dev/null 2>&1
  /usr/bin/python3 - "$DIR/$root.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b, c = (x["mean"] * 1000 for x in r)
print(f"   whole processes: convene status {a:.1f} ms (convene term show, the start-up alone: "
      f"{c:.1f} ms), sqlite3 shell with the recursive SQL {b:.1f} ms, ratio {b / a:.1f}x")
PY
done
echo "== a congress marked held (cv_congress_mark_held, its whole transaction): $(fig held_ms) ms" \
  "wall, $(fig held_cpu_ms) ms CPU (mean of 20)"
echo "== district P01-D00 moved to P02 and back (cv_org_move, whole transaction, mean of 6):" \
  "as the daemon commits (its checkpoint handed to a worker) $(fig move_ms) ms wall," \
  "$(fig move_cpu_ms) ms CPU; as the CLI commits (the checkpoint in the commit)" \
  "$(fig move_cli_ms) ms wall, $(fig move_cli_cpu_ms) ms CPU; the worker's checkpoint of the" \
  "daemon's six moves $(fig checkpoint_ms) ms"

# One statement timed inside the sqlite3 shell (.timer), the mean of several, in ms.
timed() {
  sqlite3 "$DB" < "$1" | awk '/^Run Time/ {n++; s += $4} END {printf "%.2f", 1000 * s / n}'
}
echo "   its UPDATE alone with the roll-up triggers, beside it without them (sqlite3 shell):"
sqlite3 "$DB" "SELECT c.id FROM congresses c JOIN orgs o ON o.id = c.org_id
  WHERE o.level = 'grassroots' AND c.status = 'planned' LIMIT 20" > "$DIR/held.ids"
for mode in live bulk; do
  {
    echo "BEGIN;"
    [ $mode = bulk ] && echo "INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'x');"
    echo ".timer on"
    while read -r id; do
      echo "UPDATE congresses SET status = 'held', actual_start = '2020-05-20', actual_end = '2020-05-20' WHERE id = $id;"
    done < "$DIR/held.ids"
    echo ".timer off"
    echo "ROLLBACK;"
  } > "$DIR/held-$mode.sql"
done
live=$(timed "$DIR/held-live.sql")
bare=$(timed "$DIR/held-bulk.sql")
echo "   with roll-ups ${live} ms, without ${bare} ms (mean of 20; goal <= 1 ms)"

n=$(sqlite3 "$DB" "WITH RECURSIVE s(id) AS (SELECT id FROM orgs WHERE code = 'P01-D00' UNION ALL
  SELECT o.id FROM orgs o JOIN s ON o.parent_id = s.id) SELECT count(*) FROM s")
for mode in live bulk; do
  {
    echo "BEGIN;"
    [ $mode = bulk ] && echo "INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'x');"
    echo ".timer on"
    for to in P02 P01 P02 P01 P02 P01; do
      echo "UPDATE orgs SET parent_id = (SELECT id FROM orgs WHERE code = '$to') WHERE code = 'P01-D00';"
    done
    echo ".timer off"
    echo "ROLLBACK;"
  } > "$DIR/move-$mode.sql"
done
live=$(timed "$DIR/move-live.sql")
bare=$(timed "$DIR/move-bulk.sql")
echo "   its UPDATE alone, P01-D00 ($n organisations): with roll-ups and paths ${live} ms," \
  "without ${bare} ms (sqlite3 shell, mean of 6; goal <= 50 ms)"

/usr/bin/time -f "== convene check rollups P01 (a province recomputed from scratch): %e s" \
  "$BIN" --db "$DB" check rollups P01 | head -1

echo "== daemon start on the country store: time to 'serving' and resident memory (10 runs;" \
  "goals <= 100 ms, <= 32 MB)"
/usr/bin/python3 bench/daemon-start.py 10 '"serving' "$BIN" --db "$DB" run
echo "   and to 'taking changes' (its quick_check on the thread pool passed and the services that" \
  "write started):"
/usr/bin/python3 bench/daemon-start.py 10 'taking changes' "$BIN" --db "$DB" run
