// Pieces of one flow step at the paper's image shapes (C = M = 10, n = 200, d = 784, L = 500, float32 by default):
// projection GEMM, sort with permutation, pull-back GEMM, and the full step with its per-phase times as counters.
// Run: build/wow_benchmarks [--benchmark_filter=...]. BLAS core type: see the "blas" context line.
#include <benchmark/benchmark.h>
#include <hwy/contrib/sort/vqsort.h>

#include <memory>

#include "core/plugin_loader.hpp"
#include "engine/blas.hpp"
#include "engine/rng.hpp"
#include "engine/sliced_engine.hpp"
#include "engine/sort_keys.hpp"
#include "engine/vector_sort.hpp"

namespace {

constexpr std::size_t kClasses = 10, kPoints = 200, kDim = 784, kDirections = 500;

std::vector<float> gaussian(std::size_t count, std::uint64_t salt) {
  std::vector<float> v(count);
  auto stream = wow::rng::stream(salt, wow::rng::Purpose::Evaluator, 0, 0);
  for (auto& x : v) x = static_cast<float>(stream.normal());
  return v;
}

void BM_ProjectionGemm(benchmark::State& state) {
  wow::blas::set_threads(1);
  const std::size_t rows = kClasses * kPoints;
  const auto theta = gaussian(kDirections * kDim, 1);
  const auto x = gaussian(rows * kDim, 2);
  std::vector<float> out(kDirections * rows);
  for (auto _ : state) {
    for (std::size_t r0 = 0; r0 < rows; r0 += wow::kRowBlock) {
      const std::size_t nb = std::min(wow::kRowBlock, rows - r0);
      wow::blas::gemm_nt(kDirections, nb, kDim, theta.data(), kDim, x.data() + r0 * kDim, kDim, out.data() + r0, rows);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFlop/s"] =
      benchmark::Counter(2.0 * kDirections * rows * kDim, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ProjectionGemm)->Unit(benchmark::kMillisecond);

void BM_PullBackGemm(benchmark::State& state) {
  wow::blas::set_threads(1);
  const std::size_t rows = kClasses * kPoints;
  const auto theta = gaussian(kDirections * kDim, 1);
  const auto g = gaussian(kDirections * rows, 3);
  std::vector<float> out(rows * kDim);
  for (auto _ : state) {
    for (std::size_t r0 = 0; r0 < rows; r0 += wow::kRowBlock) {
      const std::size_t nb = std::min(wow::kRowBlock, rows - r0);
      wow::blas::gemm_tn(nb, kDim, kDirections, g.data() + r0, rows, theta.data(), kDim, out.data() + r0 * kDim, kDim);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFlop/s"] =
      benchmark::Counter(2.0 * kDirections * rows * kDim, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_PullBackGemm)->Unit(benchmark::kMillisecond);

// Sorting every (class, direction) segment of one side: C * L segments of n values, with permutations.
void BM_SortSegments(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::size_t segments = kClasses * kDirections;
  const auto values = gaussian(segments * n, 4);
  std::vector<float> work(values.size());
  std::vector<std::uint32_t> perm(n);
  std::vector<unsigned char> scratch(n * wow::kSortScratchBytesPerValue);
  for (auto _ : state) {
    work = values;
    for (std::size_t s = 0; s < segments; ++s)
      wow::sort_with_permutation(std::span<float>(work.data() + s * n, n), perm, scratch.data());
    benchmark::DoNotOptimize(work.data());
  }
  state.counters["segments/s"] =
      benchmark::Counter(static_cast<double>(segments), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SortSegments)->Arg(5)->Arg(50)->Arg(200)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond);

// 64-bit keys of one segment at a time: Highway's library sorter (a getrandom system call per call, and its own
// build) against the same quicksort compiled in the core (engine/vector_sort.cpp). Argument: keys per segment.
template <bool kLibrary>
void BM_SortKeys(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::size_t segments = kClasses * kDirections;
  std::vector<std::uint64_t> keys(segments * n), work(keys.size());
  std::uint64_t x = 88172645463325252ULL;
  for (auto& k : keys) k = (x ^= x << 13U, x ^= x >> 7U, x ^= x << 17U);
  const hwy::Sorter library;
  for (auto _ : state) {
    work = keys;
    for (std::size_t s = 0; s < segments; ++s) {
      if constexpr (kLibrary) {
        library(work.data() + s * n, n, hwy::SortAscending());
      } else {
        wow::vector_sort::ascending(work.data() + s * n, n);
      }
    }
    benchmark::DoNotOptimize(work.data());
  }
  state.counters["keys/s"] =
      benchmark::Counter(static_cast<double>(keys.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SortKeys<true>)->Name("BM_SortKeysLibrary")->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SortKeys<false>)
    ->Name("BM_SortKeysVectorSort")
    ->Arg(50)
    ->Arg(200)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond);

// The full step through the plugins (riesz_sw, mmd, serial or tbb backend), with per-phase counters (ms).
void BM_FullStep(benchmark::State& state) {
  static wow::PluginSet plugins;  // outlives every component
  static wow::Registry registry;
  if (registry.list().empty()) plugins.load_directory(WOW_BENCH_PLUGIN_DIR, registry);
  const bool tbb = state.range(0) != 0;
  auto functional = registry.create<wow::Functional>(
      registry.resolve_node("functional", {{"type", "mmd"}}, "functional"), "functional");
  functional->prepare(kClasses, kClasses);
  auto backend = registry.create<wow::ProjectionBackend>(
      registry.resolve_node("projections", {{"type", tbb ? "tbb" : "serial"}, {"params", {{"count", kDirections}}}},
                            "projections"),
      "projections");
  const auto layout = wow::ClassLayout::uniform(kClasses, kPoints);
  const auto x = gaussian(layout.rows() * kDim, 5);
  const auto y = gaussian(layout.rows() * kDim, 6);
  std::vector<float> velocity(x.size());
  wow::blas::set_threads(1);
  wow::SlicedEngine<float> engine(layout, layout, kDim, backend->settings(), functional->sw_power());
  engine.evaluate(x.data(), y.data(), 0, 0, *functional, *backend, velocity.data());
  engine.reset_phase_times();
  std::uint64_t step = 1;
  for (auto _ : state) engine.evaluate(x.data(), y.data(), 0, step++, *functional, *backend, velocity.data());
  const auto& t = engine.phase_times();
  const double calls = static_cast<double>(t.calls);
  state.counters["directions_ms"] = t.directions / calls;
  state.counters["project_ms"] = t.project / calls;
  state.counters["sort_embed_ms"] = t.sort_embed / calls;
  state.counters["pairwise_ms"] = t.pairwise / calls;
  state.counters["gradient_ms"] = t.gradient / calls;
  state.counters["pull_back_ms"] = t.pull_back / calls;
  state.SetLabel(tbb ? "tbb" : "serial");
}
BENCHMARK(BM_FullStep)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("blas", wow::blas::describe());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
