// Scaling sweep of one flow step: varies n, C (= M), d and L around the paper's image shapes, fits the exponent of
// ms_per_step against each, and writes a markdown table plus a log-log PNG.
// Usage: wow_scaling OUT.md OUT.png [--steps K]   (called by benchmarks/scaling.sh)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "core/plugin_loader.hpp"
#include "engine/blas.hpp"
#include "engine/rng.hpp"
#include "engine/sliced_engine.hpp"
#include "report/plot.hpp"

namespace {

struct Shape {
  std::size_t classes = 10, points = 200, dim = 784, directions = 500;
};

double time_step(const Shape& s, wow::Registry& registry, std::size_t steps) {
  auto functional = registry.create<wow::Functional>(registry.resolve_node("functional", {{"type", "mmd"}}, "f"), "f");
  functional->prepare(s.classes, s.classes);
  auto backend = registry.create<wow::ProjectionBackend>(
      registry.resolve_node("projections", {{"type", "tbb"}, {"params", {{"count", s.directions}}}}, "p"), "p");
  backend->set_threads(std::max(1U, std::thread::hardware_concurrency()));
  const auto layout = wow::ClassLayout::uniform(s.classes, s.points);
  std::vector<float> x(layout.rows() * s.dim), y(x.size()), v(x.size());
  auto stream = wow::rng::stream(1, wow::rng::Purpose::Evaluator, 0, 0);
  for (auto& e : x) e = static_cast<float>(stream.normal());
  for (auto& e : y) e = static_cast<float>(stream.normal());
  wow::SlicedEngine<float> engine(layout, layout, s.dim, backend->settings(), functional->sw_power());
  engine.evaluate(x.data(), y.data(), 0, 0, *functional, *backend, v.data());
  std::vector<double> times;
  for (std::size_t k = 0; k < steps; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    engine.evaluate(x.data(), y.data(), 0, k + 1, *functional, *backend, v.data());
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];  // median
}

// Least-squares slope of log(ms) against log(x).
double fitted_exponent(const std::vector<double>& x, const std::vector<double>& ms) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    mx += std::log(x[i]) / static_cast<double>(x.size());
    my += std::log(ms[i]) / static_cast<double>(x.size());
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(ms[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxy / sxx;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: wow_scaling OUT.md OUT.png [--steps K]\n");
    return 2;
  }
  const std::size_t steps = argc >= 5 ? std::stoul(argv[4]) : 7;
  wow::PluginSet plugins;
  wow::Registry registry;
  plugins.load_directory(WOW_BENCH_PLUGIN_DIR, registry);
  wow::blas::set_threads(1);
  struct Sweep {
    std::string name;
    std::vector<std::size_t> values;
    std::size_t Shape::*field;
    std::string expected;
  };
  const std::vector<Sweep> sweeps = {
      {"n (points per class)", {50, 100, 200, 400, 800}, &Shape::points, "n log n (~1.1)"},
      {"C = M (classes)", {2, 5, 10, 20, 40}, &Shape::classes, "between 1 (GEMM, sort) and 2 (pairwise)"},
      {"d (dimension)", {98, 196, 392, 784, 1568}, &Shape::dim, "1 (GEMM) with a d-free part"},
      {"L (directions)", {50, 100, 250, 500, 1000}, &Shape::directions, "1"},
  };
  (void)time_step(Shape{}, registry, 3);  // warm-up: thread pool, BLAS buffers, page faults
  std::string table = "| swept | values | ms per step | fitted exponent | expected |\n|---|---|---|---|---|\n";
  std::vector<wow::plot::Series> series;
  for (const auto& sweep : sweeps) {
    std::vector<double> x, ms;
    std::string values, times;
    for (auto v : sweep.values) {
      Shape s;
      s.*sweep.field = v;
      const double t = time_step(s, registry, steps);
      x.push_back(static_cast<double>(v));
      ms.push_back(t);
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s%.1f", times.empty() ? "" : ", ", t);
      times += buf;
      values += (values.empty() ? "" : ", ") + std::to_string(v);
      std::fprintf(stderr, "%s = %zu: %.2f ms\n", sweep.name.c_str(), v, t);
    }
    char fit[32];
    std::snprintf(fit, sizeof fit, "%.2f", fitted_exponent(x, ms));
    table += "| " + sweep.name + " | " + values + " | " + times + " | " + fit + " | " + sweep.expected + " |\n";
    wow::plot::Series line;
    line.name = sweep.name;
    const double base = x[2];  // the default shape sits in the middle of every sweep
    for (std::size_t i = 0; i < x.size(); ++i) {
      line.x.push_back(std::log2(x[i] / base));
      line.y.push_back(ms[i]);
    }
    series.push_back(line);
  }
  std::ofstream(argv[1]) << table;
  wow::plot::write_line_plot(argv[2], "ms per step around C=10, n=200, d=784, L=500 (float32)", "log2(value / default)",
                             "ms per step (log scale)", series, true);
  std::printf("%s", table.c_str());
  return 0;
}
