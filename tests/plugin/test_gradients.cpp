// The engine's velocity against central finite differences of F, for every kernel and both estimators:
// velocity = (n_c / w_c) dF/dx, so dF/dx = velocity * w_c / n_c.
#include <algorithm>
#include <cmath>

#include "helpers.hpp"

using wowtest::Json;

namespace {

struct GradientCase {
  std::vector<std::size_t> source_sizes, target_sizes;
  std::string estimator;
  Json weights = Json::object();  // extra mmd params (source_weights / target_weights)
};

void check_gradient(const Json& kernel, const GradientCase& gc, std::uint32_t seed) {
  const std::size_t d = 3, L = 7;
  const auto src = wowtest::random_cloud(gc.source_sizes, d, seed);
  const auto tgt = wowtest::random_cloud(gc.target_sizes, d, seed + 1000);
  const std::size_t C = src.classes(), M = tgt.classes();
  auto functional = wowtest::make_mmd(kernel, C, M, gc.weights);
  auto backend = wowtest::make_backend("serial", L, gc.estimator);
  wow::SlicedEngine<double> engine(src.layout, tgt.layout, d, backend->settings(), functional->sw_power());
  REQUIRE(engine.estimator() == wowtest::estimator_of(gc.estimator));
  engine.set_fixed_directions(wowtest::random_directions<double>(L, d, seed + 7));

  std::vector<double> x = src.points;
  std::vector<double> velocity(x.size(), std::nan(""));
  const auto value = engine.evaluate(x.data(), tgt.points.data(), 11, 3, *functional, *backend, velocity.data());
  REQUIRE(std::isfinite(value.value));
  REQUIRE(value.source_weights.size() == C);
  // dF/dx from the velocity.
  std::vector<double> grad(x.size());
  for (std::size_t c = 0; c < C; ++c)
    for (std::size_t i = src.layout.offsets[c] * d; i < src.layout.offsets[c + 1] * d; ++i)
      grad[i] = velocity[i] * value.source_weights[c] / static_cast<double>(src.layout.size(c));
  double gmax = 0;
  for (double g : grad) {
    REQUIRE(std::isfinite(g));
    gmax = std::max(gmax, std::fabs(g));
  }
  REQUIRE(gmax > 1e-6);  // a non-trivial problem

  auto F = [&](const std::vector<double>& at) {
    return engine.evaluate(at.data(), tgt.points.data(), 11, 3, *functional, *backend, nullptr).value;
  };
  // The value without velocity is the same.
  CHECK(F(x) == value.value);

  std::mt19937 gen(seed);
  std::uniform_int_distribution<std::size_t> pick(0, x.size() - 1);
  std::vector<std::size_t> coords;
  for (int k = 0; k < 10; ++k) coords.push_back(pick(gen));
  coords.push_back(0);
  coords.push_back(x.size() - 1);
  const double eps = 1e-6;
  for (std::size_t i : coords) {
    std::vector<double> xp = x, xm = x;
    xp[i] += eps;
    xm[i] -= eps;
    const double fd = (F(xp) - F(xm)) / (2 * eps);
    INFO("kernel " << kernel.dump() << ", estimator " << gc.estimator << ", weights " << gc.weights.dump() << ", seed "
                   << seed << ", coordinate " << i << ": finite difference " << fd << ", engine " << grad[i]
                   << ", max |grad| " << gmax);
    CHECK(std::fabs(fd - grad[i]) <= 1e-5 * std::fabs(grad[i]) + 1e-8 * gmax);
  }
}

}  // namespace

TEST_CASE("gradient: sorted estimator, equal class sizes, every kernel", "[gradient]") {
  const GradientCase gc{{6, 6, 6}, {6, 6}, "sorted"};
  for (const auto& kernel : wowtest::all_kernels())
    for (std::uint32_t seed : {1U, 2U}) check_gradient(kernel, gc, seed);
}

TEST_CASE("gradient: quantile estimator, unequal class sizes, every kernel", "[gradient]") {
  const GradientCase gc{{5, 7, 6}, {8, 4}, "quantile"};
  for (const auto& kernel : wowtest::all_kernels())
    for (std::uint32_t seed : {3U, 4U}) check_gradient(kernel, gc, seed);
}

TEST_CASE("gradient: quantile estimator with equal class sizes", "[gradient]") {
  const GradientCase gc{{6, 6, 6}, {6, 6}, "quantile"};
  for (const auto& kernel : wowtest::all_kernels()) check_gradient(kernel, gc, 5);
}

TEST_CASE("gradient: non-uniform source and target weights", "[gradient]") {
  const Json weights{{"source_weights", {0.2, 0.5, 0.3}}, {"target_weights", {0.7, 0.3}}};
  for (const auto& kernel : wowtest::all_kernels()) {
    check_gradient(kernel, GradientCase{{6, 6, 6}, {6, 6}, "sorted", weights}, 6);
    check_gradient(kernel, GradientCase{{5, 7, 6}, {8, 4}, "quantile", weights}, 7);
  }
}

TEST_CASE("gradient: a single point per class and C != M", "[gradient]") {
  for (const auto& kernel : wowtest::all_kernels()) {
    check_gradient(kernel, GradientCase{{1, 1}, {1, 1, 1}, "sorted"}, 8);
    check_gradient(kernel, GradientCase{{1, 3}, {2, 1, 4}, "quantile"}, 9);
  }
}

TEST_CASE("precision: the float32 engine agrees with the float64 engine", "[gradient][precision]") {
  for (const std::string estimator : {"sorted", "quantile"}) {
    const auto src =
        estimator == "sorted" ? wowtest::random_cloud({40, 40, 40}, 5, 61) : wowtest::random_cloud({35, 50, 40}, 5, 61);
    const auto tgt =
        estimator == "sorted" ? wowtest::random_cloud({40, 40}, 5, 62) : wowtest::random_cloud({45, 30}, 5, 62);
    for (const auto& kernel : wowtest::all_kernels()) {
      auto functional = wowtest::make_mmd(kernel, src.classes(), tgt.classes());
      auto backend = wowtest::make_backend("tbb", 30, estimator);
      wow::SlicedEngine<double> ed(src.layout, tgt.layout, 5, backend->settings(), functional->sw_power());
      wow::SlicedEngine<float> ef(src.layout, tgt.layout, 5, backend->settings(), functional->sw_power());
      const auto srcf = src.cast<float>();
      const auto tgtf = tgt.cast<float>();
      std::vector<double> vd(src.points.size());
      std::vector<float> vf(src.points.size());
      const double fd = ed.evaluate(src.points.data(), tgt.points.data(), 1, 2, *functional, *backend, vd.data()).value;
      const double ff =
          ef.evaluate(srcf.points.data(), tgtf.points.data(), 1, 2, *functional, *backend, vf.data()).value;
      double diff2 = 0, norm2 = 0;
      for (std::size_t i = 0; i < vd.size(); ++i) {
        diff2 += (vf[i] - vd[i]) * (vf[i] - vd[i]);
        norm2 += vd[i] * vd[i];
      }
      INFO("kernel " << kernel.dump() << ", estimator " << estimator << ": F " << fd << " vs " << ff);
      CHECK(ff == Approx(fd).epsilon(1e-4));
      CHECK(std::sqrt(diff2) <= 1e-4 * std::sqrt(norm2));
    }
  }
}
