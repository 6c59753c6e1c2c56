#!/usr/bin/env bash
# demo.sh: installs what is needed, builds convene, makes the demo store (Thái Nguyên province,
# Bắc Kạn city, Lạng Sơn city as of 22 May 2020) and starts the daemon on it. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
echo "== building convene"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
BIN=$PWD/build/core/convene
STORE=${CONVENE_DEMO_DB:-$PWD/demo.db}
echo "== making the demo store $STORE from demo/ (about 10 seconds)"
bash demo/build.sh "$BIN" "$STORE"
echo
"$BIN" --db "$STORE" status LS-TP
echo
cat <<TXT
The demo store is seen on 22 May 2020. In another terminal, try:
  $BIN --db $STORE status                 # every tree: progress, late congresses, overdue items
  $BIN --db $STORE status BK-TP           # Bắc Kạn city: 47 grassroots organisations, 180 cells
  $BIN --db $STORE org tree LS-TP --depth 1
  $BIN --db $STORE congress show LS-TP-DK # Đông Kinh ward: pilot of directly electing the secretary
  $BIN --db $STORE work list --org TN --overdue
  $BIN --db $STORE congress held LS-TP-HVT --on 2020-05-22  # watch the daemon log the event
  $BIN --db $STORE status LS-TP --json
  $BIN --db $STORE report readiness BK-TP  # the readiness sheet (also --format xlsx --output F)
  $BIN --db $STORE election show 1        # Đông Kinh ward's counted committee election
  $BIN --db $STORE script status          # the three units' Lua packages and their campaigns
  $BIN --db $STORE jobs list              # the reminders, the built-in ones and the packages' own
  $BIN script test scripts/provinces/BK-TP scripts/provinces/BK-TP/scenarios/term.lua
TXT
PORT=${CONVENE_DEMO_PORT:-8080}
echo "== the dashboard: http://127.0.0.1:$PORT/ (Lạng Sơn city: http://127.0.0.1:$PORT/org/LS-TP)"
if CONVENE_ACCOUNT=admin "$BIN" --db "$STORE" grant list >/dev/null 2>&1; then
  echo "   demo accounts, password demo-2020 (grants: convene grant list):"
  CONVENE_ACCOUNT=admin "$BIN" --db "$STORE" grant list | sed 's/^/     /'
fi
echo "== starting the daemon (convene run --listen 127.0.0.1:$PORT); Ctrl-C stops it"
exec "$BIN" --db "$STORE" run --listen "127.0.0.1:$PORT"
