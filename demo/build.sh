#!/usr/bin/env bash
# build.sh: makes the demo store from the files in demo/ (figures of DOMAIN.md: Thái Nguyên
# province, Bắc Kạn city, Lạng Sơn city). Usage: demo/build.sh CONVENE_BIN STORE
# Each demo/steps/NN-*.sh is sourced in order with `cv` (the convene binary on STORE) and
# DEMO (this folder) defined; a step only uses the public CLI, so the demo is also a test of it.
set -euo pipefail
BIN=$(realpath "$1")
STORE=$2
DEMO=$(cd "$(dirname "$0")" && pwd)
rm -f "$STORE" "$STORE-wal" "$STORE-shm"
cv() { "$BIN" --db "$STORE" "$@" >/dev/null; }
cv init
for step in "$DEMO"/steps/[0-9][0-9]-*.sh; do
  started=$SECONDS
  # shellcheck source=/dev/null
  . "$step"
  echo "demo: $(basename "$step" .sh) ($((SECONDS - started)) s)"
done
