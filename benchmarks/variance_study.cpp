// Variance reduction of the direction options: for each of gaussian / orthogonal / qmc directions and L in
// {50, 100, 500}, run the same flow with 5 seeds (data fixed, only the flow's randomness changes) and measure the
// final F with one fixed evaluator of 5 000 Gaussian directions (not the flow's own). Prints a markdown table.
// Usage: wow_variance_study [rings|blobs|all]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/plugin_loader.hpp"
#include "engine/blas.hpp"
#include "engine/directions.hpp"
#include "engine/rng.hpp"
#include "engine/sliced_engine.hpp"

namespace {

struct Problem {
  std::string name;
  wow::Json source, target, kernel;
  double step_size, momentum;
  std::int64_t steps;
};

constexpr std::size_t kEvaluatorDirections = 5000;

// The data (fixed: seed 0), the functional and a backend with the given direction option.
struct Parts {
  wow::LabeledCloud<double> source, target;
  std::unique_ptr<wow::Functional> functional;
  std::unique_ptr<wow::ProjectionBackend> backend;
};

Parts make_parts(const Problem& p, const std::string& directions, std::size_t count, wow::Registry& registry) {
  Parts parts;
  parts.source = registry.create<wow::Dataset>(registry.resolve_node("dataset", p.source, "source"), "source")
                     ->load(wow::rng::key(0, wow::rng::Purpose::Dataset, 1, 0));
  parts.target = registry.create<wow::Dataset>(registry.resolve_node("dataset", p.target, "target"), "target")
                     ->load(wow::rng::key(0, wow::rng::Purpose::Dataset, 2, 0));
  parts.functional = registry.create<wow::Functional>(
      registry.resolve_node("functional", {{"type", "mmd"}, {"params", {{"kernel", p.kernel}}}}, "f"), "f");
  parts.functional->prepare(parts.source.classes(), parts.target.classes());
  parts.backend = registry.create<wow::ProjectionBackend>(
      registry.resolve_node("projections",
                            {{"type", "tbb"}, {"params", {{"count", count}, {"directions", directions}}}}, "p"),
      "p");
  parts.backend->set_threads(std::max(1U, std::thread::hardware_concurrency()));
  return parts;
}

double final_loss(const Problem& p, const std::string& directions, std::size_t count, std::uint64_t seed,
                  wow::Registry& registry) {
  Parts parts = make_parts(p, directions, count, registry);
  const auto& source = parts.source;
  const auto& target = parts.target;
  auto& functional = parts.functional;
  auto& backend = parts.backend;
  auto solver = registry.create<wow::Solver>(
      registry.resolve_node("solver",
                            {{"type", "momentum"},
                             {"params", {{"step_size", p.step_size}, {"momentum", p.momentum}, {"steps", p.steps}}}},
                            "s"),
      "s");
  auto x = source.cast<float>();
  const auto y = target.cast<float>();
  std::vector<float> velocity(x.points.size());
  solver->reset(x.points.size());
  wow::SlicedEngine<float> engine(x.layout, y.layout, x.dim, backend->settings(), functional->sw_power());
  for (std::int64_t k = 0; k < p.steps; ++k) {
    engine.evaluate(x.points.data(), y.points.data(), seed, static_cast<std::uint64_t>(k), *functional, *backend,
                    velocity.data());
    solver->update(std::span<float>(x.points), std::span<const float>(velocity));
  }
  // The fixed evaluator: double precision, one set of directions shared by every flow.
  auto evaluator_backend = registry.create<wow::ProjectionBackend>(
      registry.resolve_node("projections", {{"type", "tbb"}, {"params", {{"count", kEvaluatorDirections}}}}, "p"), "p");
  wow::SlicedEngine<double> evaluator(x.layout, y.layout, x.dim, evaluator_backend->settings(), functional->sw_power());
  std::vector<double> theta(kEvaluatorDirections * x.dim);
  wow::draw_directions(wow::DirectionKind::Gaussian, 20260101, 0, kEvaluatorDirections, x.dim, theta.data(),
                       *evaluator_backend);
  evaluator.set_fixed_directions(theta);
  const auto xd = x.cast<double>();
  return evaluator.evaluate(xd.points.data(), target.points.data(), 0, 0, *functional, *evaluator_backend, nullptr)
      .value;
}

// Spread of the flow's own F estimate at x_0 (one step's loss, L directions) over `seeds` draws, against the
// 5 000-direction evaluator: the variance the direction options reduce, without a flow in between.
std::pair<double, double> estimate_spread(const Problem& p, const std::string& directions, std::size_t count,
                                          std::size_t seeds, wow::Registry& registry) {
  Parts parts = make_parts(p, directions, count, registry);
  const auto& source = parts.source;
  const auto& target = parts.target;
  auto& functional = parts.functional;
  auto& backend = parts.backend;
  wow::SlicedEngine<double> engine(source.layout, target.layout, source.dim, backend->settings(),
                                   functional->sw_power());
  double mean = 0, sq = 0;
  for (std::size_t k = 0; k < seeds; ++k) {
    const double f =
        engine.evaluate(source.points.data(), target.points.data(), k + 1, 0, *functional, *backend, nullptr).value;
    mean += f / static_cast<double>(seeds);
    sq += f * f / static_cast<double>(seeds);
  }
  return {mean, std::sqrt(std::max(0.0, (sq - mean * mean) * static_cast<double>(seeds) / (seeds - 1.0)))};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
  wow::PluginSet plugins;
  wow::Registry registry;
  plugins.load_directory(WOW_BENCH_PLUGIN_DIR, registry);
  wow::blas::set_threads(1);
  const wow::Json riesz = {{"type", "riesz_sw"}, {"params", {{"r", 1.0}}}};
  std::vector<Problem> problems;
  if (which == "rings" || which == "all")
    problems.push_back({"rings (d=2, C=3, n=80, 501 steps, tau=0.1)",
                        {{"type", "rings_source"}},
                        {{"type", "rings"}},
                        riesz,
                        0.1,
                        0.0,
                        501});
  if (which == "blobs" || which == "all")
    problems.push_back(
        {"gaussian_blobs (d=784, C=M=5, n=100, 200 steps, tau=1, m=0.9)",
         {{"type", "gaussian_blobs"}, {"params", {{"classes", 5}, {"points_per_class", 100}, {"dim", 784}}}},
         {{"type", "gaussian_blobs"}, {"params", {{"classes", 5}, {"points_per_class", 100}, {"dim", 784}}}},
         riesz,
         1.0,
         0.9,
         200});
  std::printf("Spread of one step's F estimate at x_0 over 20 seeds:\n\n");
  std::printf("| problem | directions | L | mean F estimate | std over seeds |\n|---|---|---|---|---|\n");
  for (const auto& p : problems)
    for (const std::string directions : {"gaussian", "orthogonal", "qmc"})
      for (std::size_t count : {50, 100, 500}) {
        const auto [mean, sd] = estimate_spread(p, directions, count, 20, registry);
        std::printf("| %s | %s | %zu | %.5g | %.2g |\n", p.name.c_str(), directions.c_str(), count, mean, sd);
        std::fflush(stdout);
      }
  std::printf("\nFinal F after the flow (fixed 5 000-direction evaluator), 5 seeds:\n\n");
  std::printf("| problem | directions | L | final F, mean over 5 seeds | std over seeds |\n|---|---|---|---|---|\n");
  for (const auto& p : problems) {
    for (const std::string directions : {"gaussian", "orthogonal", "qmc"}) {
      for (std::size_t count : {50, 100, 500}) {
        std::vector<double> f;
        for (std::uint64_t seed = 0; seed < 5; ++seed)
          f.push_back(final_loss(p, directions, count, seed + 1, registry));
        double mean = 0, var = 0;
        for (double v : f) mean += v / static_cast<double>(f.size());
        for (double v : f) var += (v - mean) * (v - mean) / static_cast<double>(f.size() - 1);
        std::printf("| %s | %s | %zu | %.4g | %.2g |\n", p.name.c_str(), directions.c_str(), count, mean,
                    std::sqrt(var));
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
