#!/usr/bin/env bash
# make-store.sh: builds the country of bench/tree into a new store through convene's own import
# (bench/tree/make-country.py's files: organisations with member counts, their congresses in a
# mix of states, 4 work items a district), so that roll-ups, paths and the journal are the
# store's own. Used by bench/tree/run.sh and bench/web/run.sh.
# Usage: bench/tree/make-store.sh BUILD_DIR DIR   (writes DIR/country.db and DIR/*.csv; prints
# the organisations' import's "wall user system" seconds to DIR/t.convene, the congresses' to
# DIR/t.congresses)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$1/core/convene
DIR=$2
DB=$DIR/country.db
export CONVENE_NOW=2020-05-22T09:00 CONVENE_PLUGIN_PATH=$1/plugins
"$BIN" --db "$DB" init >/dev/null
"$BIN" --db "$DB" plugin enable import-csv >/dev/null
/usr/bin/python3 bench/tree/make-country.py "$DIR"
sync
/usr/bin/time -o "$DIR/t.convene" -f "%e %U %S" "$BIN" --db "$DB" import "$DIR/orgs.csv" --as orgs
/usr/bin/time -o "$DIR/t.congresses" -f "%e %U %S" \
    "$BIN" --db "$DB" import "$DIR/congresses.csv" --as congresses
"$BIN" --db "$DB" import "$DIR/work-items.csv" --as work-items
