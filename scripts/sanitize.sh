#!/usr/bin/env bash
# Builds everything with AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover=all) in build-asan/
# and runs the unit, plugin and integration tests there; any sanitizer report fails a test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWOW_SANITIZE=ON -DWOW_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j2 >/dev/null
# fontconfig (under the plotting library) keeps a font cache for the process lifetime: not our leak.
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
ctest --test-dir build-asan --output-on-failure -j2
