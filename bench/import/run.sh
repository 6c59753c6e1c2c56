#!/usr/bin/env bash
# run.sh: `convene import` of a generated CSV beside the sqlite3 shell's own `.import --csv` of the
# same rows into a table of the same columns in the same kind of store, in one run.
#   people (default, 1,000,000 rows): party members (code, Vietnamese name, birth date, gender,
#          ethnicity, organisation, titles) spread over 1,000 grassroots organisations;
#   orgs:  1 province, 100 districts, the rest grassroots.
# UTF-8 with BOM and CRLF. convene checks every row (codes, NFC names, dates, organisations,
# levels, parents) and upserts by code in one transaction; sqlite3 only splits and inserts.
# Prints wall and CPU time for both (medians of RUNS runs, default 3), each side's peak RSS, and the
# ratio (goal: <= 1.0); then a floor: the same rows written by SQL alone into convene's own tables,
# what the store's schema costs before any of convene's own work. Both sides use the same SQLite
# settings (WAL, synchronous=NORMAL, a 32 MiB cache, temporary tables in memory), printed with the
# figures.
# Usage: [RUNS=N] bench/import/run.sh [BUILD_DIR] [ROWS] [people|orgs]  (default build/, 1000000, people)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(realpath "${1:-build}")
BIN=$BUILD/core/convene
ROWS=${2:-1000000}
KIND=${3:-people}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
CSV=$DIR/$KIND.csv
/usr/bin/python3 - "$DIR" "$ROWS" "$KIND" <<'PY'
import sys
d, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def orgs(path, n):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffcode,name,level,parent,kind,members\r\n")
        f.write("P01,Tỉnh Thái Nguyên,province,,,0\r\n")
        for i in range(1, 101):
            f.write(f"D{i:03d},\"Huyện Đồng Hỷ số {i}\",district,P01,,0\r\n")
        for i in range(n - 101):
            f.write(f"G{i:07d},\"Đảng bộ xã Quang Trung, số {i}\",grassroots,D{i % 100 + 1:03d},"
                    f"commune,{20 + i % 300}\r\n")
if kind == "orgs":
    orgs(f"{d}/orgs.csv", n)
else:
    orgs(f"{d}/tree.csv", 1101)
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]
    with open(f"{d}/people.csv", "w", encoding="utf-8", newline="") as f:
        f.write("\ufeffcode,name,born,gender,ethnicity,org,titles\r\n")
        for i in range(n):
            f.write(f"M{i:08d},\"{names[i % 5]} {i}\",19{50 + i % 50}-{1 + i % 12:02d}-"
                    f"{1 + i % 28:02d},{'female' if i % 2 else 'male'},"
                    f"{'Kinh' if i % 3 else 'Tày'},G{i % 1000:07d},\r\n")
PY
export CONVENE_NOW=2020-05-22T09:00 CONVENE_PLUGIN_PATH=$BUILD/plugins
# Each store is made once, kept as a template, and copied back before every timed run.
for db in convene peer; do
  "$BIN" --db "$DIR/$db.tpl" init >/dev/null
  "$BIN" --db "$DIR/$db.tpl" plugin enable import-csv >/dev/null
done
if [ "$KIND" = people ]; then
  "$BIN" --db "$DIR/convene.tpl" import "$DIR/tree.csv" --as orgs >/dev/null # not timed
  table=people
  sqlite3 "$DIR/peer.tpl" "CREATE TABLE staging (code TEXT PRIMARY KEY, name TEXT NOT NULL,
    born TEXT, gender TEXT, ethnicity TEXT, org TEXT, titles TEXT) STRICT"
else
  table=orgs
  sqlite3 "$DIR/peer.tpl" "CREATE TABLE staging (code TEXT PRIMARY KEY, name TEXT NOT NULL,
    level TEXT NOT NULL, parent TEXT, kind TEXT, members INTEGER) STRICT"
fi
tail -n +2 "$CSV" > "$DIR/rows.csv" # the shell's .import would take the BOM header as a row
for db in convene peer; do sqlite3 "$DIR/$db.tpl" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null; done

# Both sides write with the same SQLite settings, those core/store/store.c gives every store
# (printed below); the peer's shell is given them with -cmd.
PRAGMAS="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY"
# hyperfine runs each RUNS times (default 3), each on a fresh copy of its store after a sync, so
# that neither pays for the other's writes. Every run goes through /usr/bin/time, which records
# its CPU time (user + system) and peak RSS: CPU is the median over runs, RSS the largest.
fresh() { echo "sh -c 'rm -f $DIR/$1.db-wal $DIR/$1.db-shm && cp $DIR/$1.tpl $DIR/$1.db && sync'"; }
timed() { echo "/usr/bin/time -a -o $DIR/$1.rusage -f '%U %S %M'"; }
hyperfine -N -r "${RUNS:-3}" --export-json "$DIR/times.json" \
  -n convene -p "$(fresh convene)" "$(timed convene) $BIN --db $DIR/convene.db import $CSV --as $KIND" \
  -n sqlite3 -p "$(fresh peer)" \
  "$(timed peer) sqlite3 -cmd '$PRAGMAS' $DIR/peer.db '.import --csv $DIR/rows.csv staging'" \
  >/dev/null
# The floor: the same rows written by SQL alone into convene's own tables (a copy of convene's
# template store), from the staging table sqlite3 just filled: no CSV, no checks, no journal,
# only what the store itself costs (for orgs, the import's bulk protocol: secondary indexes
# dropped and made again, roll-ups and paths in bulk). What convene takes beyond it is its own.
cp "$DIR/convene.tpl" "$DIR/floor.db"
if [ "$KIND" = people ]; then
  FLOOR="INSERT INTO people(code, name, born, gender, ethnicity, org_id, titles)
    SELECT s.code, s.name, nullif(s.born, ''), coalesce(s.gender, ''), coalesce(s.ethnicity, ''),
      o.id, coalesce(s.titles, '') FROM peer.staging s LEFT JOIN orgs o ON o.code = s.org
    ORDER BY s.rowid;"
else
  FLOOR="INSERT INTO settings(key, value) VALUES ('rollups.bulk', 'bench');
    $(sqlite3 "$DIR/floor.db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_schema
      WHERE tbl_name = 'orgs' AND type = 'index' AND sql IS NOT NULL")"
  for level in $(sqlite3 "$DIR/peer.db" "SELECT DISTINCT level FROM staging ORDER BY
      instr('national province district grassroots cell', level)"); do
    FLOOR="$FLOOR INSERT INTO orgs(code, name, level, kind, parent_id, members, path)
      SELECT s.code, s.name, s.level, coalesce(s.kind, ''), p.id, coalesce(s.members, 0),
        coalesce(p.path, '/') || s.code || '/' FROM peer.staging s LEFT JOIN orgs p
        ON p.code = s.parent WHERE s.level = '$level' ORDER BY s.rowid;"
  done
  FLOOR="$FLOOR $(sqlite3 "$DIR/floor.db" "SELECT sql || ';' FROM sqlite_schema
    WHERE tbl_name = 'orgs' AND type = 'index' AND sql IS NOT NULL")
    DELETE FROM settings WHERE key = 'rollups.bulk';"
fi
sync
/usr/bin/time -o "$DIR/floor.rusage" -f '%e %U %S' sqlite3 -cmd "$PRAGMAS" "$DIR/floor.db" \
  "ATTACH '$DIR/peer.db' AS peer; BEGIN; $FLOOR COMMIT;" >/dev/null
floor=$(sqlite3 "$DIR/floor.db" "SELECT count(*) FROM $table")
got=$(sqlite3 "$DIR/convene.db" "SELECT count(*) FROM $table")
peer=$(sqlite3 "$DIR/peer.db" "SELECT count(*) FROM staging")
/usr/bin/python3 - "$ROWS" "$DIR" "$got" "$peer" "$PRAGMAS" "$floor" <<'PY'
import json, statistics, sys
n, d = int(sys.argv[1]), sys.argv[2]
runs = {r["command"]: r for r in json.load(open(f"{d}/times.json"))["results"]}
def med(name, rusage):
    rows = [line.split() for line in open(f"{d}/{rusage}.rusage") if line.strip()]
    cpu = statistics.median(float(u) + float(s) for u, s, _ in rows)
    rss = max(int(m) for _, _, m in rows) / 1024
    return statistics.median(runs[name]["times"]), cpu, rss
(aw, ac, ar), (bw, bc, br) = med("convene", "convene"), med("sqlite3", "peer")
print(f"rows: {n} (convene stored {sys.argv[3]}, sqlite3 stored {sys.argv[4]}); "
      f"medians of {len(runs['convene']['times'])} runs; both sides: {sys.argv[5]}")
print(f"convene import (validating, upsert): {aw:.2f} s wall, {ac:.2f} s CPU, {n / aw:,.0f} rows/s, "
      f"peak RSS {ar:.0f} MiB")
print(f"sqlite3 .import --csv:               {bw:.2f} s wall, {bc:.2f} s CPU, {n / bw:,.0f} rows/s, "
      f"peak RSS {br:.0f} MiB")
print(f"ratio convene/sqlite3: {aw / bw:.2f} wall, {ac / bc:.2f} CPU")
fw, fu, fs = (float(x) for x in open(f"{d}/floor.rusage").read().split()[-3:])
print(f"floor, the same rows by SQL alone into convene's tables ({sys.argv[6]} stored; no CSV, "
      f"no checks, no journal; one run): {fw:.2f} s wall, {fu + fs:.2f} s CPU = {(fu + fs) / bc:.2f} "
      f"of sqlite3 .import's CPU; convene's own work beyond it: {ac - fu - fs:.2f} s CPU")
PY
