#!/usr/bin/env bash
# test.sh: installs what is needed, builds convene twice (plain, and with AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs every test on both builds. Exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
jobs=$(nproc)

echo "== build (warnings are errors)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== build with clang, AddressSanitizer + UndefinedBehaviorSanitizer, and the fuzz targets"
# clang, so that the libFuzzer targets of tests/fuzz build and run here too.
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCONVENE_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
echo "== tests and bounded fuzzing under sanitizers"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")
