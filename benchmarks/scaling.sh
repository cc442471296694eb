#!/usr/bin/env bash
# Regenerates the scaling plot of docs/perf.md and prints its table: bash benchmarks/scaling.sh [build]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build}"
"$build/wow_scaling" "$(mktemp)" docs/perf_scaling.png  # prints the markdown table on stdout
