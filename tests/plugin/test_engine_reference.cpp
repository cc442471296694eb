// The engine against plain reference computations: the quantile estimator (numpy "linear" percentiles read at the
// step's random levels) and the pairwise SW² matrix, at float tolerance, for the shapes the fast paths serve
// (k-shot targets, many small classes, nearly equal classes).
#include <algorithm>
#include <cmath>

#include "engine/rng.hpp"
#include "helpers.hpp"

using wowtest::Json;

namespace {

// numpy.percentile(v, 100 u, method="linear") of sorted v.
double percentile(const std::vector<double>& sorted, double u) {
  const std::size_t n = sorted.size();
  if (n == 1) return sorted[0];
  const double pos = u * static_cast<double>(n - 1);
  const auto lo = std::min(static_cast<std::size_t>(pos), n - 2);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

// The sliced embedding of one class along one direction, in double, as the estimators define it.
std::vector<double> reference_embedding(const wow::LabeledCloud<double>& cloud, std::size_t c, const double* theta,
                                        std::size_t dim, bool quantile, std::size_t q, std::uint64_t seed,
                                        std::uint64_t step, std::size_t l) {
  std::vector<double> proj;
  for (std::size_t i = cloud.layout.offsets[c]; i < cloud.layout.offsets[c + 1]; ++i) {
    double s = 0.0;
    for (std::size_t k = 0; k < dim; ++k) s += theta[k] * cloud.row(i)[k];
    proj.push_back(s);
  }
  std::sort(proj.begin(), proj.end());
  if (!quantile) return proj;
  // A grid of q percentiles at t / (q - 1), read linearly at the direction's random levels.
  std::vector<double> grid(q), out(q);
  for (std::size_t t = 0; t < q; ++t) grid[t] = percentile(proj, static_cast<double>(t) / static_cast<double>(q - 1));
  auto stream = wow::rng::stream(seed, wow::rng::Purpose::QuantileLevels, step, l);
  for (std::size_t j = 0; j < q; ++j) out[j] = percentile(grid, stream.uniform());
  return out;
}

// SW_2^2 matrix over source classes then target classes, in double.
std::vector<double> reference_pairwise(const wow::LabeledCloud<double>& src, const wow::LabeledCloud<double>& tgt,
                                       const std::vector<double>& theta, std::size_t L, bool quantile, std::size_t q,
                                       std::uint64_t seed, std::uint64_t step) {
  const std::size_t dim = src.dim, k = src.classes() + tgt.classes();
  std::vector<std::vector<double>> emb(k);
  for (std::size_t l = 0; l < L; ++l) {
    for (std::size_t a = 0; a < k; ++a) {
      const bool is_src = a < src.classes();
      auto e = reference_embedding(is_src ? src : tgt, is_src ? a : a - src.classes(), theta.data() + l * dim, dim,
                                   quantile, q, seed, step, l);
      emb[a].insert(emb[a].end(), e.begin(), e.end());
    }
  }
  std::vector<double> sw(k * k, 0.0);
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) {
      double s = 0.0;
      for (std::size_t j = 0; j < emb[a].size(); ++j) s += (emb[a][j] - emb[b][j]) * (emb[a][j] - emb[b][j]);
      sw[a * k + b] = s / static_cast<double>(emb[a].size());
    }
  return sw;
}

template <class T>
void check_against_reference(const std::vector<std::size_t>& src_sizes, const std::vector<std::size_t>& tgt_sizes,
                             std::size_t dim, std::size_t L, const std::string& estimator, double tolerance,
                             double perturb = 0.0) {
  auto src = wowtest::random_cloud(src_sizes, dim, 71);
  auto tgt = wowtest::random_cloud(tgt_sizes, dim, 72);
  if (perturb > 0.0) {  // nearly equal classes: every target class a tiny perturbation of source class 0
    for (std::size_t i = 0; i < tgt.layout.rows(); ++i)
      for (std::size_t k = 0; k < dim; ++k) tgt.row(i)[k] = src.row(i % src_sizes[0])[k] + perturb * tgt.row(i)[k];
  }
  // In d = 1 the directions are +1: projections are the data themselves, exact in any precision, so the
  // comparison sees the pairwise sums alone.
  const std::vector<double> theta =
      dim == 1 ? std::vector<double>(L, 1.0) : wowtest::random_directions<double>(L, dim, 5);
  std::vector<T> theta_t(theta.begin(), theta.end());
  std::vector<T> x(src.points.begin(), src.points.end()), y(tgt.points.begin(), tgt.points.end());
  // Compare with the data as the engine sees it (rounded to T).
  for (std::size_t i = 0; i < x.size(); ++i) src.points[i] = static_cast<double>(x[i]);
  for (std::size_t i = 0; i < y.size(); ++i) tgt.points[i] = static_cast<double>(y[i]);
  std::vector<double> theta_rounded(theta_t.begin(), theta_t.end());
  auto functional =
      wowtest::make_mmd(Json::parse(R"({"type": "riesz_sw", "params": {"r": 1}})"), src.classes(), tgt.classes());
  auto backend = wowtest::make_backend("tbb", L, estimator);
  wow::SlicedEngine<T> engine(src.layout, tgt.layout, dim, backend->settings(), 2);
  engine.set_fixed_directions(theta_t);
  const std::uint64_t seed = 9, step = 4;
  engine.evaluate(x.data(), y.data(), seed, step, *functional, *backend, nullptr);
  const bool quantile = engine.estimator() == wow::Estimator::Quantile;
  const auto ref = reference_pairwise(src, tgt, theta_rounded, L, quantile, backend->settings().quantiles, seed, step);
  const std::size_t k = engine.pairwise().size();
  double worst = 0.0;
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) {
      if (a == b) continue;
      const double r = ref[a * k + b], e = engine.pairwise().at(a, b);
      worst = std::max(worst, std::abs(e - r) / std::max(std::abs(r), 1e-300));
    }
  INFO("estimator " << estimator << ", k " << k << ", worst relative error " << worst);
  CHECK(worst < tolerance);
}

}  // namespace

TEST_CASE("engine vs reference: quantile estimator, k-shot targets", "[reference]") {
  check_against_reference<double>({200, 200, 200}, {5, 5, 5}, 20, 30, "quantile", 1e-12);
  check_against_reference<float>({200, 200, 200}, {5, 5, 5}, 20, 30, "quantile", 2e-5);
  check_against_reference<float>({200, 150}, {1, 1, 1}, 20, 30, "quantile", 2e-5);
  check_against_reference<float>({7, 3, 1}, {2, 9}, 5, 30, "quantile", 2e-5);
  // Classes of more than 65 535 points (beyond 16-bit positions).
  check_against_reference<float>({70000}, {3, 4}, 1, 3, "quantile", 2e-5);
  check_against_reference<double>({70000, 2}, {3}, 1, 3, "quantile", 1e-12);
}

TEST_CASE("engine vs reference: many classes (sorted and quantile)", "[reference]") {
  const std::vector<std::size_t> sixty(60, 20), forty(40, 20);
  check_against_reference<double>(sixty, forty, 10, 20, "sorted", 1e-12);
  check_against_reference<float>(sixty, forty, 10, 20, "sorted", 2e-5);
  check_against_reference<float>(sixty, std::vector<std::size_t>(40, 7), 10, 20, "quantile", 2e-5);
}

TEST_CASE("engine vs reference: nearly equal classes keep 6 digits of SW2^2", "[reference]") {
  // Every target class is source class 0 moved by 1e-3 of its spread: SW2^2 between them is ~1e-6 of the
  // classes' squared size, where ||a||^2 + ||b||^2 - 2 a.b would cancel away every digit in float.
  const std::vector<std::size_t> forty(40, 30);
  check_against_reference<float>(forty, forty, 1, 20, "sorted", 1e-6, 1e-3);
  check_against_reference<double>(forty, forty, 1, 20, "sorted", 1e-9, 1e-3);
}
