#!/usr/bin/env bash
# run.sh: convene on a country-sized store (313,000 organisations, about 5 million members):
# `convene status` of one province and of the whole country beside the sqlite3 CLI running the
# same subtree tally on the same file (convene also lists late congresses and work items), and the
# daemon's start time and memory (bench/daemon-start.py: blocking reads of its log, no polling
# loop beside it). Prints ratios.
# Usage: bench/tree/run.sh [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-build}")/core/convene
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
DB=$DIR/country.db
"$BIN" --db "$DB" init >/dev/null
echo "== generating the country (sqlite3 CLI)"
/usr/bin/time -f "   generated in %e s" sqlite3 "$DB" < bench/tree/make-country.sql
sqlite3 "$DB" "SELECT '   organisations: ' || count(*) || ', members: ' || sum(members) FROM orgs"
export CONVENE_NOW=2020-05-22T09:00
for root in P01 VN; do
  sed "s/ROOT/$root/" bench/tree/peer-status.sql > "$DIR/peer-$root.sql"
  hyperfine -N -w 2 -r 10 --export-json "$DIR/$root.json" "$BIN --db $DB status $root --json" \
    "sqlite3 -batch $DB '.read $DIR/peer-$root.sql'" >/dev/null 2>&1
  /usr/bin/python3 - "$DIR/$root.json" "$root" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["mean"] * 1000, r[1]["mean"] * 1000
print(f"== status {sys.argv[2]}: convene {a:.1f} ms, sqlite3 CLI (tally only) {b:.1f} ms, "
      f"ratio {a / b:.2f}")
PY
done
echo "== daemon start on the country store: time to 'serving' and resident memory (10 runs)"
/usr/bin/python3 bench/daemon-start.py 10 '"serving' "$BIN" --db "$DB" run
