#!/usr/bin/env bash
# run.sh: the dashboard's server time on the country-sized store (bench/tree/make-store.sh:
# 312,757 organisations). `convene run --listen` serves the home page and a congress page of a province
# (P01, what a province office opens) and of the whole country (VN, what the national admin
# opens); wrk measures each over one connection for a fixed time (so p99 is the server's time
# plus loopback), beside the same server answering its JSON status of the same subtree
# (/api/v1/status/ROOT, the numbers the home page is drawn from; the API keeps an answer while
# the store is unchanged) as the peer. Goal: p99 <= 100 ms.
# Usage: bench/web/run.sh [BUILD_DIR] [SECONDS]   (defaults: build/, 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(realpath "${1:-build}")
BIN=$BUILD/core/convene
SECS=${2:-10}
DIR=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
DB=$DIR/country.db
echo "== building the country (bench/tree/make-store.sh: convene import)"
bench/tree/make-store.sh "$BUILD" "$DIR" >/dev/null
sqlite3 "$DB" "SELECT '   organisations: ' || count(*) FROM orgs"
"$BIN" --db "$DB" clock set 2020-05-22T09:00 >/dev/null
# The national admin and a province office (P01), each signed in through the login form.
printf 'bench-password\n' > "$DIR/pw"
"$BIN" --db "$DB" account add admin "Quản trị" --password-file "$DIR/pw" >/dev/null
"$BIN" --db "$DB" grant add admin admin >/dev/null
export CONVENE_ACCOUNT=admin
"$BIN" --db "$DB" account add vp.p01 "Văn phòng Tỉnh ủy 1" --password-file "$DIR/pw" >/dev/null
"$BIN" --db "$DB" grant add vp.p01 office --org P01 >/dev/null
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --db "$DB" run --listen "127.0.0.1:$PORT" 2> "$DIR/run.log" &
PID=$!
until grep -q 'taking changes' "$DIR/run.log"; do
  kill -0 $PID 2>/dev/null || { cat "$DIR/run.log"; exit 1; }
  sleep 0.1
done
# The session cookie of LOGIN.
cookie() {
  curl -s -o /dev/null -D - -H "Origin: http://127.0.0.1:$PORT" \
    --data-urlencode "name=$1" --data-urlencode "password=bench-password" \
    "http://127.0.0.1:$PORT/login" | sed -n 's/^Set-Cookie: \([^;]*\).*/\1/p'
}
# p50 and p99 in ms of GET path as COOKIE, one connection, SECS seconds.
measure() {
  wrk -t1 -c1 -d"${SECS}s" --timeout 60s --latency -H "Cookie: $2" "http://127.0.0.1:$PORT$1" > "$DIR/wrk.txt"
  /usr/bin/python3 - "$DIR/wrk.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s+%s\s+([\d.]+)(us|ms|s)\s*$" % label, t, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
reqs = re.search(r"(\d+) requests in", t).group(1)
print(f"{ms('50%'):.1f} {ms('99%'):.1f} {reqs} {non2xx.group(1) if non2xx else 0}")
PY
}
printf "%-34s %9s %9s %9s %s\n" "page" "p50 ms" "p99 ms" "requests" "vs its JSON status (p99)"
for who in vp.p01:P01 admin:VN; do
  login=${who%%:*} root=${who#*:}
  c=$(cookie "$login")
  [ -n "$c" ] || { echo "   $login could not sign in"; exit 1; }
  echo "-- $login"
  read -r jp50 jp99 jn jbad < <(measure "/api/v1/status/$root" "$c")
  for page in "/org/$root" "/congress/$root"; do
    read -r p50 p99 n bad < <(measure "$page" "$c")
    [ "$bad" = 0 ] || { echo "   $page: $bad responses were not 2xx"; exit 1; }
    ratio=$(/usr/bin/python3 -c "print(f'{$p99 / max($jp99, 0.001):.2f}')")
    printf "%-34s %9s %9s %9s %sx (status p99 %s ms%s)\n" "$page" "$p50" "$p99" "$n" "$ratio" "$jp99" \
      "$([ "$jbad" = 0 ] || echo ", $jbad non-2xx")"
  done
done
echo "goal: p99 <= 100 ms"
