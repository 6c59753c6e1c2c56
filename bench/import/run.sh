#!/usr/bin/env bash
# run.sh: `convene import` of a generated orgs CSV (default 100,000 rows: 1 province, 100
# districts, the rest grassroots, Vietnamese names, UTF-8 with BOM) beside the sqlite3 shell's own
# `.import --csv` of the same file into a table of the same columns in the same kind of store.
# convene checks every row (codes, NFC names, levels, parents, counts) and upserts by code in one
# transaction; sqlite3 only splits and inserts. Prints rows/s for both and the ratio.
# Usage: bench/import/run.sh [BUILD_DIR] [ROWS]   (default build/, 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(realpath "${1:-build}")
BIN=$BUILD/core/convene
ROWS=${2:-100000}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
CSV=$DIR/orgs.csv
/usr/bin/python3 - "$CSV" "$ROWS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write("\ufeffcode,name,level,parent,kind,members\r\n")
    f.write("P01,Tỉnh Thái Nguyên,province,,,0\r\n")
    for d in range(1, 101):
        f.write(f"D{d:03d},\"Huyện Đồng Hỷ số {d}\",district,P01,,0\r\n")
    for i in range(n - 101):
        f.write(f"G{i:07d},\"Đảng bộ xã Quang Trung, số {i}\",grassroots,D{i % 100 + 1:03d},"
                f"commune,{20 + i % 300}\r\n")
PY
export CONVENE_NOW=2020-05-22T09:00 CONVENE_PLUGIN_PATH=$BUILD/plugins
for db in convene peer; do
  "$BIN" --db "$DIR/$db.db" init >/dev/null
  "$BIN" --db "$DIR/$db.db" plugin enable import-csv >/dev/null
done
sqlite3 "$DIR/peer.db" "CREATE TABLE staging (code TEXT PRIMARY KEY, name TEXT NOT NULL,
  level TEXT NOT NULL, parent TEXT, kind TEXT, members INTEGER) STRICT"
tail -n +2 "$CSV" > "$DIR/rows.csv" # the shell's .import would take the BOM header as a row

# Wall time and CPU time (user + sys) of each: on a shared machine the CPU time is the steadier.
timed() { /usr/bin/time -f "%e %U %S" -o "$1" "${@:2}"; }
timed "$DIR/convene.time" "$BIN" --db "$DIR/convene.db" import "$CSV" --as orgs >/dev/null
timed "$DIR/peer.time" sqlite3 "$DIR/peer.db" ".import --csv $DIR/rows.csv staging"
got=$(sqlite3 "$DIR/convene.db" "SELECT count(*) FROM orgs")
peer=$(sqlite3 "$DIR/peer.db" "SELECT count(*) FROM staging")
/usr/bin/python3 - "$ROWS" "$DIR/convene.time" "$DIR/peer.time" "$got" "$peer" <<'PY'
import sys
n = int(sys.argv[1])
(aw, au, as_), (bw, bu, bs) = ([float(x) for x in open(p).read().split()[-3:]] for p in sys.argv[2:4])
ac, bc = au + as_, bu + bs
print(f"rows: {n} (convene stored {sys.argv[4]}, sqlite3 stored {sys.argv[5]})")
print(f"convene import (validating, upsert): {aw:.2f} s wall, {ac:.2f} s CPU, {n / aw:,.0f} rows/s")
print(f"sqlite3 .import --csv:               {bw:.2f} s wall, {bc:.2f} s CPU, {n / bw:,.0f} rows/s")
print(f"ratio convene/sqlite3: {aw / bw:.2f} wall, {ac / bc:.2f} CPU")
PY
