#!/usr/bin/env bash
# Formatting and static checks: clang-format (dry run, fails on a diff) and clang-tidy over the project's sources.
# Needs a configured build directory for compile_commands.json: bash scripts/lint.sh [build]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build}"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run -Werror "${sources[@]}"
mapfile -t units < <(git ls-files 'framework/*.cpp' 'plugins/*.cpp' 'python/*.cpp')
clang-tidy -p "$build" --quiet "${units[@]}" 2>/dev/null
