#!/usr/bin/env bash
# run.sh: delivers 10,000 webhook notifications from the outbox through `convene run`
# (notify-webhook: signed JSON POSTs on libcurl's multi interface, each outcome recorded in the
# store) to a local nginx, printing how many were sent each second; then the peer, curl
# --parallel posting the same number of bodies to the same nginx with nothing recorded.
# Prints both rates and the ratio. Usage: bench/notify/run.sh [BUILD_DIR] [N]   (build/, 10000)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(realpath "${1:-build}")
BIN=$BUILD/core/convene
N=${2:-10000}
DIR=$(mktemp -d)
NGINX_PID=
trap '[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; rm -rf "$DIR"' EXIT
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT/hook

mkdir -p "$DIR/nginx/logs"
cat > "$DIR/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $DIR/nginx;
  proxy_temp_path $DIR/nginx; fastcgi_temp_path $DIR/nginx;
  uwsgi_temp_path $DIR/nginx; scgi_temp_path $DIR/nginx;
  server { listen 127.0.0.1:$PORT; location / { return 200 "ok"; } }
}
CONF
/usr/sbin/nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
until curl -s -o /dev/null "$URL"; do sleep 0.05; done

DB=$DIR/bench.db
"$BIN" --db "$DB" init >/dev/null
"$BIN" --db "$DB" plugin config notify-webhook secret "bench-secret-of-the-office" >/dev/null
"$BIN" --db "$DB" plugin enable notify-webhook >/dev/null
"$BIN" --db "$DB" notify config notify.concurrency 64 >/dev/null
# The generator: N queued notifications, as cv_outbox_put writes them.
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
  INSERT INTO outbox(key, channel, recipient, subject, body, created_at, next_at)
  SELECT 'bench:' || i, 'webhook', '$URL', '[convene] Nhắc việc: hồ sơ số ' || i,
         'Đề nghị đồng chí hoàn thành đúng hạn.', 0, 0 FROM n"

echo "== convene run: $N webhook notifications to nginx on 127.0.0.1 (64 in flight)"
start=$(date +%s%N)
"$BIN" --db "$DB" run 2> "$DIR/run.log" &
pid=$!
sent=0; last=0; second=0
while [ "$sent" -lt "$N" ]; do
  sleep 1
  second=$((second + 1))
  kill -0 $pid 2>/dev/null || { tail -5 "$DIR/run.log"; exit 1; }
  sent=$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state = 'sent'")
  echo "   second $second: $((sent - last)) sent ($sent in all)"
  last=$sent
  [ "$second" -lt 300 ] || { echo "gave up after 300 s"; exit 1; }
done
# The instant of the last delivery, from the store: a whole-second poll must not round it.
done_ms=$(sqlite3 "$DB" "SELECT max(sent_at) FROM outbox")
kill -TERM $pid && wait $pid
failed=$(sqlite3 "$DB" "SELECT count(*) FROM outbox WHERE state <> 'sent'")
ms=$(( done_ms - start / 1000000 ))
echo "   all $N sent in $ms ms ($failed not sent)"

echo "== peer: curl --parallel (64 in flight), the same bodies, nothing recorded"
body='{"body":"Đề nghị đồng chí hoàn thành đúng hạn.","key":"bench:1","subject":"[convene] Nhắc việc"}'
for ((i = 0; i < N; i++)); do
  printf 'url = "%s"\ndata = "%s"\noutput = "/dev/null"\n' "$URL" "${body//\"/\\\"}"
done > "$DIR/curl.cfg"
pstart=$(date +%s%N)
curl -s --parallel --parallel-max 64 -H 'Content-Type: application/json' -K "$DIR/curl.cfg"
pms=$(( ($(date +%s%N) - pstart) / 1000000 ))
echo "   all $N posted in $pms ms"
/usr/bin/python3 -c "
n, a, b = $N, $ms, $pms
print(f'== convene {n * 1000 / a:.0f}/s, curl --parallel {n * 1000 / b:.0f}/s, '
      f'ratio (convene time / curl time) {a / b:.2f}')"
