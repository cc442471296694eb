#!/usr/bin/env bash
# Formatting and static checks: clang-format (dry run, fails on a diff) and clang-tidy over the project's sources.
# Configures build-lint/ (or the folder given) for compile_commands.json, one entry per source: without unity batches
# or precompiled headers (-DWOW_UNITY=OFF -DWOW_PCH=OFF), which the normal build uses. bash scripts/lint.sh [build-lint]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build-lint}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWOW_UNITY=OFF -DWOW_PCH=OFF >/dev/null
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run -Werror "${sources[@]}"
mapfile -t units < <(git ls-files 'framework/*.cpp' 'plugins/*.cpp' 'python/*.cpp')
clang-tidy -p "$build" --quiet "${units[@]}" 2>/dev/null
