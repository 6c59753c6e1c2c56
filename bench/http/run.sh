#!/usr/bin/env bash
# run.sh: the HTTP server against nginx in one run. wrk (64 connections) GETs
# /api/v1/status/LS-TP from `convene run` on the demo store (JSON computed from the store each
# time, with the request's bounds and ETag, as a logged-in viewer) and then the same bytes as a static file from nginx;
# prints both rates, the ratio (goal >= 0.5) and the p99 latencies (goal <= 5 ms). Then 1,000
# Server-Sent Events streams: memory per stream, and RSS after 10 s against RSS after DURATION s
# (goal: within 5%). Usage: bench/http/run.sh [BUILD_DIR] [STREAMS] [DURATION]  (build/, 1000, 120)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=$(realpath "${1:-build}")
BIN=$BUILD/core/convene
STREAMS=${2:-1000}
DURATION=${3:-120}
DIR=$(mktemp -d)
NGINX_PID= CV_PID=
trap '[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null; [ -n "$CV_PID" ] && kill "$CV_PID" 2>/dev/null; rm -rf "$DIR"' EXIT
ulimit -n 8192
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(port)
NGINX_PORT=$(port)
DB=$DIR/demo.db
demo/build.sh "$BIN" "$DB" >/dev/null
export CONVENE_DB=$DB

# A viewer of Lạng Sơn city, logged in like a browser: every request carries its session cookie.
printf 'mật khẩu của người xem' > "$DIR/password"
"$BIN" account add bench-viewer "Người xem" --password-file "$DIR/password" >/dev/null
"$BIN" grant add bench-viewer viewer --org LS-TP >/dev/null

"$BIN" run --listen 127.0.0.1:"$PORT" --max-connections 4096 --max-per-ip 4096 2> "$DIR/run.log" &
CV_PID=$!
URL=http://127.0.0.1:$PORT/api/v1/status/LS-TP
until curl -s -o /dev/null "$URL"; do sleep 0.05; done
BENCH_COOKIE=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  --data '{"login":"bench-viewer","password":"mật khẩu của người xem"}' \
  "http://127.0.0.1:$PORT/api/v1/session" | sed -n 's/^Set-Cookie: \([^;]*\);.*/\1/p')
[ -n "$BENCH_COOKIE" ] || { echo "login failed"; exit 1; }
curl -s -H "Cookie: $BENCH_COOKIE" -o "$DIR/status.json" "$URL"
BYTES=$(stat -c %s "$DIR/status.json")

mkdir -p "$DIR/nginx/www"
cp "$DIR/status.json" "$DIR/nginx/www/status.json"
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
  server { listen 127.0.0.1:$NGINX_PORT; root $DIR/nginx/www;
           location / { default_type application/json; etag on; } }
}
CONF
/usr/sbin/nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
until curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/status.json"; do sleep 0.05; done

bench() { # URL [header]: prints "requests/s p99_ms"
  local args=(-t2 -c64 -d10s --latency)
  [ -n "${2:-}" ] && args+=(-H "$2")
  wrk "${args[@]}" "$1" | awk '/Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)}
              else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {print rps, p99}'
}
echo "== GET /api/v1/status/LS-TP ($BYTES bytes of JSON), wrk 2 threads, 64 connections, 10 s"
read -r cv_rps cv_p99 < <(bench "$URL" "Cookie: $BENCH_COOKIE")
echo "   convene: $cv_rps requests/s, p99 $cv_p99 ms"
read -r ng_rps ng_p99 < <(bench "http://127.0.0.1:$NGINX_PORT/status.json")
echo "   nginx, the same bytes from a file: $ng_rps requests/s, p99 $ng_p99 ms"
/usr/bin/python3 -c "
cv, ng, p99 = float('$cv_rps'), float('$ng_rps'), float('$cv_p99')
print(f'   ratio {cv / ng:.2f} (goal >= 0.5: {\"met\" if cv / ng >= 0.5 else \"NOT met\"}); '
      f'convene p99 {p99:.2f} ms (goal <= 5 ms: {\"met\" if p99 <= 5 else \"NOT met\"})')"

echo "== $STREAMS Server-Sent Events streams for $DURATION s, one event a second"
/usr/bin/python3 bench/http/sse_clients.py "$PORT" "$CV_PID" "$STREAMS" "$DURATION" "$BIN" "$DB" \
  "$BENCH_COOKIE"
kill -TERM "$CV_PID" && wait "$CV_PID"
CV_PID=
