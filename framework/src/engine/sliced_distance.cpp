#include "engine/sliced_distance.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/blas.hpp"

namespace wow {

namespace {

double cost(double a, double b, double p) {
  const double gap = std::abs(a - b);
  if (p == 2.0) return gap * gap;
  if (p == 1.0) return gap;
  return std::pow(gap, p);
}

// One cloud projected on one direction: values sorted ascending with their normalised weights alongside.
struct SortedProjection {
  std::vector<double> values, weights;
  std::vector<std::size_t> order;
  // `raw`: the cloud's n projections on the direction.
  void build(const WeightedCloud& c, const double* raw) {
    order.resize(c.n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Stable: ties keep their input order, so the weights paired with equal values are the same on every call.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return raw[a] < raw[b]; });
    values.resize(c.n);
    weights.resize(c.n);
    double total = 0.0;
    if (c.weights != nullptr)
      for (std::size_t i = 0; i < c.n; ++i) total += c.weights[i];
    for (std::size_t i = 0; i < c.n; ++i) {
      values[i] = raw[order[i]];
      weights[i] = c.weights == nullptr ? 1.0 / static_cast<double>(c.n) : c.weights[order[i]] / total;
    }
  }
};

// d|g|^p / dg, 0 at g = 0.
double cost_slope(double gap, double p) {
  if (gap == 0.0) return 0.0;
  const double sign = gap > 0 ? 1.0 : -1.0;
  if (p == 2.0) return 2.0 * gap;
  if (p == 1.0) return sign;
  return sign * p * std::pow(std::abs(gap), p - 1.0);
}

}  // namespace

double wasserstein_1d_sorted(const double* u, const double* u_weights, std::size_t n, const double* v,
                             const double* v_weights, std::size_t m, double p) {
  // Walk both quantile functions together: each piece of mass moves from u[i] to v[j] where their cumulative
  // weights overlap (the monotone coupling, optimal in 1-D for any p >= 1).
  double total = 0.0;
  std::size_t i = 0, j = 0;
  double wu = n > 0 ? u_weights[0] : 0.0, wv = m > 0 ? v_weights[0] : 0.0;
  while (i < n && j < m) {
    const double c = cost(u[i], v[j], p);
    if (wu < wv) {
      total += wu * c;
      wv -= wu;
      if (++i < n) wu = u_weights[i];
    } else {
      total += wv * c;
      wu -= wv;
      if (++j < m) wv = v_weights[j];
    }
  }
  return total;
}

double wasserstein_1d_sorted_gradient(const double* u, const double* u_weights, std::size_t n, const double* v,
                                      const double* v_weights, std::size_t m, double p, double* du, double* dv) {
  // The walk of wasserstein_1d_sorted; each piece of mass w between u[i] and v[j] adds w * c'(u[i] - v[j]) to du[i]
  // and its negative to dv[j].
  std::fill(du, du + n, 0.0);
  std::fill(dv, dv + m, 0.0);
  double total = 0.0;
  std::size_t i = 0, j = 0;
  double wu = n > 0 ? u_weights[0] : 0.0, wv = m > 0 ? v_weights[0] : 0.0;
  while (i < n && j < m) {
    const double c = cost(u[i], v[j], p), slope = cost_slope(u[i] - v[j], p);
    const double w = wu < wv ? wu : wv;
    total += w * c;
    du[i] += w * slope;
    dv[j] -= w * slope;
    if (wu < wv) {
      wv -= wu;
      if (++i < n) wu = u_weights[i];
    } else {
      wu -= wv;
      if (++j < m) wv = v_weights[j];
    }
  }
  return total;
}

std::vector<double> sliced_wasserstein_terms(const WeightedCloud& x, const WeightedCloud& y, std::size_t dim,
                                             const std::vector<double>& directions, double p,
                                             const ProjectionBackend& backend) {
  return sliced_wasserstein_terms(x, y, dim, directions, p, backend, nullptr, nullptr);
}

std::vector<double> sliced_wasserstein_terms(const WeightedCloud& x, const WeightedCloud& y, std::size_t dim,
                                             const std::vector<double>& directions, double p,
                                             const ProjectionBackend& backend, double* gx, double* gy) {
  const std::size_t count = directions.size() / dim;
  std::vector<double> terms(count);
  constexpr std::size_t kBlock = 8;  // directions per task
  blas::set_threads(1);              // one BLAS thread per task, as in the engine
  const bool gradient = gx != nullptr || gy != nullptr;
  backend.for_each_block((count + kBlock - 1) / kBlock, [&](std::size_t block) {
    const std::size_t l0 = block * kBlock, here = std::min(count, l0 + kBlock) - l0;
    // Both clouds on the task's directions, one GEMM each (here x n, row-major).
    std::vector<double> proj_x(here * x.n), proj_y(here * y.n);
    const double* theta = directions.data() + l0 * dim;
    blas::gemm_nt(here, x.n, dim, theta, dim, x.points, dim, proj_x.data(), x.n);
    blas::gemm_nt(here, y.n, dim, theta, dim, y.points, dim, proj_y.data(), y.n);
    SortedProjection px, py;
    std::vector<double> du(gradient ? x.n : 0), dv(gradient ? y.n : 0);
    for (std::size_t j = 0; j < here; ++j) {
      px.build(x, proj_x.data() + j * x.n);
      py.build(y, proj_y.data() + j * y.n);
      if (!gradient) {
        terms[l0 + j] = wasserstein_1d_sorted(px.values.data(), px.weights.data(), x.n, py.values.data(),
                                              py.weights.data(), y.n, p);
        continue;
      }
      terms[l0 + j] = wasserstein_1d_sorted_gradient(px.values.data(), px.weights.data(), x.n, py.values.data(),
                                                     py.weights.data(), y.n, p, du.data(), dv.data());
      // Sorted positions back to the clouds' own row order.
      if (gx != nullptr)
        for (std::size_t i = 0; i < x.n; ++i) gx[(l0 + j) * x.n + px.order[i]] = du[i];
      if (gy != nullptr)
        for (std::size_t i = 0; i < y.n; ++i) gy[(l0 + j) * y.n + py.order[i]] = dv[i];
    }
  });
  return terms;
}

}  // namespace wow
