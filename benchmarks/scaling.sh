#!/usr/bin/env bash
# Regenerates the scaling table and plot of docs/perf.md: bash benchmarks/scaling.sh [build]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build}"
"$build/wow_scaling" docs/perf_scaling.md docs/perf_scaling.png
