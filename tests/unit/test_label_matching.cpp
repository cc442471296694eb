// Exact optimal transport and the class-to-label matching of labels.json.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>

#include "report/label_matching.hpp"
#include "wow/errors.hpp"

namespace {

std::vector<double> normals(std::size_t count, std::uint32_t seed, double shift = 0.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  std::vector<double> v(count);
  for (auto& x : v) x = normal(gen);
  return v;
}

// W_2^2 between two uniform 1-D samples: the integral over u of (F^-1(u) - G^-1(u))^2, piecewise constant.
double w2_1d(std::vector<double> x, std::vector<double> y) {
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  const double n = static_cast<double>(x.size()), m = static_cast<double>(y.size());
  std::size_t i = 0, j = 0;
  double u = 0, total = 0;
  while (i < x.size() && j < y.size()) {
    const double next = std::min((static_cast<double>(i) + 1) / n, (static_cast<double>(j) + 1) / m);
    total += (next - u) * (x[i] - y[j]) * (x[i] - y[j]);
    u = next;
    if (std::fabs(u - (static_cast<double>(i) + 1) / n) < 1e-15) ++i;
    if (std::fabs(u - (static_cast<double>(j) + 1) / m) < 1e-15) ++j;
  }
  return total;
}

}  // namespace

TEST_CASE("ot: exact W_2^2 in 1-D equals the quantile-function formula", "[ot]") {
  for (const auto& [n, m] : std::vector<std::pair<std::size_t, std::size_t>>{{7, 7}, {4, 6}, {1, 5}, {9, 2}, {5, 1}}) {
    const auto x = normals(n, static_cast<std::uint32_t>(n * 10 + m));
    const auto y = normals(m, static_cast<std::uint32_t>(n * 100 + m), 0.7);
    INFO("n " << n << ", m " << m);
    CHECK(wow::exact_w2_squared(x.data(), n, y.data(), m, 1) == Approx(w2_1d(x, y)).epsilon(1e-9));
  }
  const std::vector<double> a{0.0}, b{1.0, 3.0};
  CHECK(wow::exact_w2_squared(a.data(), 1, b.data(), 2, 1) == Approx(5.0));
}

TEST_CASE("ot: W_2^2(mu, mu + t) = |t|^2 and W_2^2(mu, mu) = 0", "[ot]") {
  const std::size_t n = 12, d = 3;
  const auto x = normals(n * d, 5);
  const std::vector<double> t{0.5, -0.25, 1.0};
  std::vector<double> y = x;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) y[i * d + k] += t[k];
  CHECK(wow::exact_w2_squared(x.data(), n, y.data(), n, d) == Approx(0.25 + 0.0625 + 1.0).epsilon(1e-12));
  CHECK(wow::exact_w2_squared(x.data(), n, x.data(), n, d) == Approx(0.0).margin(1e-15));
}

TEST_CASE("ot: exact_transport is optimal with the right marginals", "[ot]") {
  const std::size_t n = 6;
  const auto c = normals(n * n, 9);
  std::vector<double> cost(c.size());
  for (std::size_t k = 0; k < c.size(); ++k) cost[k] = c[k] * c[k];
  const std::vector<double> uniform(n, 1.0 / n);
  const auto plan = wow::exact_transport(cost, uniform, uniform);
  // Uniform n x n: an optimal plan is a permutation (Birkhoff); compare with every permutation.
  std::vector<std::size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  double best = 1e300;
  do {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) total += cost[i * n + perm[i]] / n;
    best = std::min(best, total);
  } while (std::next_permutation(perm.begin(), perm.end()));
  CHECK(plan.cost == Approx(best).epsilon(1e-12));
  // Marginals, non-negativity, unequal weights.
  const std::vector<double> a{0.5, 0.3, 0.2}, b{0.1, 0.6, 0.1, 0.2};
  const std::vector<double> cost34(normals(12, 10));
  const auto p = wow::exact_transport(cost34, a, b);
  for (std::size_t i = 0; i < 3; ++i) {
    double row = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      CHECK(p.plan[i * 4 + j] >= 0);
      row += p.plan[i * 4 + j];
    }
    CHECK(row == Approx(a[i]).margin(1e-9));
  }
  for (std::size_t j = 0; j < 4; ++j) {
    double col = 0;
    for (std::size_t i = 0; i < 3; ++i) col += p.plan[i * 4 + j];
    CHECK(col == Approx(b[j]).margin(1e-9));
  }
  // Not worse than the independent coupling.
  double independent = 0;
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 4; ++j) independent += a[i] * b[j] * cost34[i * 4 + j];
  CHECK(p.cost <= independent + 1e-12);
  CHECK_THROWS_AS(wow::exact_transport(cost34, a, a), wow::InputError);
}

TEST_CASE("ot: match_labels finds permuted classes, and the majority target class when C != M", "[ot]") {
  // Target classes are the source classes in the order 2, 0, 1 (plus a little noise).
  wow::LabeledCloud<double> src, tgt;
  src.layout = wow::ClassLayout::uniform(3, 5);
  src.dim = 2;
  tgt = src;
  const double centres[3][2] = {{0, 0}, {5, 0}, {0, 5}};
  const std::size_t order[3] = {2, 0, 1};
  const auto noise = normals(30, 3);
  src.points.resize(30);
  tgt.points.resize(30);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t i = 0; i < 5; ++i)
      for (std::size_t k = 0; k < 2; ++k) {
        src.points[(c * 5 + i) * 2 + k] = centres[c][k] + 0.1 * noise[(c * 5 + i) * 2 + k];
        tgt.points[(c * 5 + i) * 2 + k] = centres[order[c]][k] + 0.1 * noise[((2 - c) * 5 + i) * 2 + k];
      }
  const auto match = wow::match_labels(src, tgt);
  CHECK(match.assignment == std::vector<std::size_t>{1, 2, 0});
  REQUIRE(match.cost.size() == 9);
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) {
      CHECK(match.cost[i * 3 + j] >= 0);
      if (j != match.assignment[i]) CHECK(match.cost[i * 3 + j] > 10 * match.cost[i * 3 + match.assignment[i]]);
    }
  // Four source classes onto two targets: two each, no split.
  wow::LabeledCloud<float> four, two;
  four.layout = wow::ClassLayout::from_sizes({3, 4, 3, 5});
  four.dim = 1;
  four.points = {0, 0.1F, 0.2F, 0, 0.1F, 0.2F, 0.3F, 9, 9.1F, 9.2F, 9, 9.1F, 9.2F, 9.3F, 9.4F};
  two.layout = wow::ClassLayout::from_sizes({2, 3});
  two.dim = 1;
  two.points = {9, 9.5F, 0, 0.5F, 0.25F};
  CHECK(wow::match_labels(four, two).assignment == std::vector<std::size_t>{1, 1, 0, 0});
  wow::LabeledCloud<float> wrong_dim = two;
  wrong_dim.dim = 2;
  wrong_dim.layout = wow::ClassLayout::from_sizes({1, 1});
  wrong_dim.points.resize(4);
  CHECK_THROWS_AS(wow::match_labels(four, wrong_dim), wow::InputError);
}

TEST_CASE("ot: sliced_w2 is exact per direction for unequal sizes and zero for identical clouds", "[ot]") {
  // In d = 1 with the direction +1, SW_2 is the exact W_2 between the samples (LEMON's network simplex).
  const std::vector<double> x = {0.3, -1.2, 2.5, 0.9, 0.0, 1.7, -0.4};
  const std::vector<double> y = {1.1, -0.7, 0.2, 3.0};
  const std::vector<double> plus{1.0};
  const double exact = wow::exact_w2_squared(x.data(), x.size(), y.data(), y.size(), 1);
  CHECK(wow::sliced_w2(x.data(), x.size(), y.data(), y.size(), 1, plus) == Approx(std::sqrt(exact)).epsilon(1e-12));
  // Identical 3-D clouds: exactly 0 over any directions; a translation t gives sqrt(mean (theta . t)^2).
  const std::vector<double> cloud = {0.1, 0.2, 0.3, -1.0, 0.5, 2.0, 0.7, -0.3, 1.1};
  const std::vector<double> directions = {1.0, 0.0, 0.0, 0.0, 0.6, 0.8};
  CHECK(wow::sliced_w2(cloud.data(), 3, cloud.data(), 3, 3, directions) == 0.0);
  std::vector<double> moved = cloud;
  for (std::size_t i = 0; i < 3; ++i) moved[i * 3 + 2] += 1.0;  // t = (0, 0, 1)
  CHECK(wow::sliced_w2(cloud.data(), 3, moved.data(), 3, 3, directions) ==
        Approx(std::sqrt((0.0 + 0.64) / 2.0)).epsilon(1e-12));
}
