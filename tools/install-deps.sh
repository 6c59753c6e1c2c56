#!/usr/bin/env bash
# install-deps.sh: installs every Debian package convene needs to build, test and benchmark.
# Safe to run again: it asks apt only for what is missing. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  # libraries
  liblua5.4-dev libsqlite3-dev libuv1-dev libjansson-dev libutf8proc-dev
  libcurl4-openssl-dev libcsv-dev libxlsxwriter-dev libsodium-dev libmicrohttpd-dev libmagic-dev libicu-dev
  # the dashboard's message catalogues (msgfmt, xgettext)
  gettext
  # tests: cmocka, Debian's Python with an SMTP sink, Lua tools, LibreOffice, Chromium
  libcmocka-dev python3 python3-aiosmtpd python3-jsonschema lua5.4 lua-check sqlite3
  libreoffice-calc-nogui chromium chromium-driver python3-selenium
  # benchmarks and fuzzing
  hyperfine wrk nginx valgrind afl++
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm installs axe-core for the browser tests (package-lock.json pins it with its checksum); a
# Node.js that brings its own npm is enough.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
