#include "report/label_matching.hpp"

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/blas.hpp"
#include "engine/rng.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

// Integral supplies: weights are rounded onto a grid of `scale` units (exact for uniform weights 1/n when the
// scale is a multiple of n).
std::vector<long long> integral_supply(const std::vector<double>& w, long long scale) {
  std::vector<long long> s(w.size());
  long long total = 0;
  for (std::size_t i = 0; i < w.size(); ++i) total += s[i] = std::llround(w[i] * static_cast<double>(scale));
  // Put any rounding remainder on the largest entry so both sides carry exactly `scale`.
  const auto largest = static_cast<std::size_t>(std::max_element(w.begin(), w.end()) - w.begin());
  s[largest] += scale - total;
  return s;
}

long long common_scale(std::size_t n, std::size_t m) {
  const long long l = std::lcm(static_cast<long long>(n), static_cast<long long>(m));
  // Large enough for non-uniform weights to round well, a multiple of n and m for uniform ones.
  return l * std::max<long long>(1, 1000000 / l);
}

}  // namespace

TransportPlan exact_transport(const std::vector<double>& cost, const std::vector<double>& a,
                              const std::vector<double>& b) {
  const std::size_t n = a.size(), m = b.size();
  if (n == 0 || m == 0 || cost.size() != n * m) throw InputError("exact_transport: shapes do not match");
  const long long scale = common_scale(n, m);
  const auto sa = integral_supply(a, scale);
  const auto sb = integral_supply(b, scale);
  lemon::ListDigraph graph;
  std::vector<lemon::ListDigraph::Node> left(n), right(m);
  for (auto& v : left) v = graph.addNode();
  for (auto& v : right) v = graph.addNode();
  lemon::ListDigraph::ArcMap<double> arc_cost(graph);
  lemon::ListDigraph::NodeMap<long long> supply(graph);
  std::vector<lemon::ListDigraph::Arc> arcs(n * m);
  for (std::size_t i = 0; i < n; ++i) {
    supply[left[i]] = sa[i];
    for (std::size_t j = 0; j < m; ++j) {
      arcs[i * m + j] = graph.addArc(left[i], right[j]);
      arc_cost[arcs[i * m + j]] = cost[i * m + j];
    }
  }
  for (std::size_t j = 0; j < m; ++j) supply[right[j]] = -sb[j];
  lemon::NetworkSimplex<lemon::ListDigraph, long long, double> simplex(graph);
  simplex.costMap(arc_cost).supplyMap(supply);
  if (simplex.run() != decltype(simplex)::OPTIMAL) throw InputError("exact_transport: no optimal plan found");
  TransportPlan out;
  out.plan.resize(n * m);
  for (std::size_t k = 0; k < n * m; ++k) {
    out.plan[k] = static_cast<double>(simplex.flow(arcs[k])) / static_cast<double>(scale);
    out.cost += out.plan[k] * cost[k];
  }
  return out;
}

double exact_w2_squared(const double* x, std::size_t n, const double* y, std::size_t m, std::size_t d) {
  std::vector<double> cost(n * m);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < m; ++j) {
      double s = 0.0;
      for (std::size_t k = 0; k < d; ++k) {
        const double diff = x[i * d + k] - y[j * d + k];
        s += diff * diff;
      }
      cost[i * m + j] = s;
    }
  return exact_transport(cost, std::vector<double>(n, 1.0 / static_cast<double>(n)),
                         std::vector<double>(m, 1.0 / static_cast<double>(m)))
      .cost;
}

namespace {

// Exact W_2^2 between two sorted 1-D samples with uniform weights: integrate (F^-1 - G^-1)^2 over the merged
// breakpoints of both quantile functions.
double exact_w2_squared_1d(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::size_t i = 0, j = 0;
  double level = 0.0, total = 0.0;
  while (i < n && j < m) {
    const double next_a = static_cast<double>(i + 1) / static_cast<double>(n);
    const double next_b = static_cast<double>(j + 1) / static_cast<double>(m);
    const double next = std::min(next_a, next_b);
    total += (next - level) * (a[i] - b[j]) * (a[i] - b[j]);
    level = next;
    if (next_a <= next) ++i;
    if (next_b <= next) ++j;
  }
  return total;
}

}  // namespace

double sliced_w2(const double* x, std::size_t n, const double* y, std::size_t m, std::size_t d,
                 const std::vector<double>& directions) {
  const std::size_t count = directions.size() / d;
  // All projections at once, (count x n) = Theta X^T: a GEMM, where a dot product per point and direction made
  // this report cost seconds at the end of an MNIST run.
  std::vector<double> proj_x(count * n), proj_y(count * m), px, py;
  blas::gemm_nt(count, n, d, directions.data(), d, x, d, proj_x.data(), n);
  blas::gemm_nt(count, m, d, directions.data(), d, y, d, proj_y.data(), m);
  double total = 0.0;
  for (std::size_t l = 0; l < count; ++l) {
    px.assign(proj_x.begin() + static_cast<std::ptrdiff_t>(l * n),
              proj_x.begin() + static_cast<std::ptrdiff_t>((l + 1) * n));
    py.assign(proj_y.begin() + static_cast<std::ptrdiff_t>(l * m),
              proj_y.begin() + static_cast<std::ptrdiff_t>((l + 1) * m));
    std::sort(px.begin(), px.end());
    std::sort(py.begin(), py.end());
    total += exact_w2_squared_1d(px, py);
  }
  return std::sqrt(total / static_cast<double>(count));
}

std::vector<double> evaluator_directions(std::size_t count, std::size_t dim) {
  std::vector<double> theta(count * dim);
  for (std::size_t l = 0; l < count; ++l) {
    auto stream = rng::stream(0, rng::Purpose::Evaluator, 0, l);
    double norm = 0.0;
    for (std::size_t j = 0; j < dim; ++j) norm += (theta[l * dim + j] = stream.normal()) * theta[l * dim + j];
    for (std::size_t j = 0; j < dim; ++j) theta[l * dim + j] /= std::sqrt(norm);
  }
  return theta;
}

namespace {
// Sorted projections of every class: result[c] is count x n_c, each row sorted.
std::vector<std::vector<double>> sorted_class_projections(const LabeledCloud<double>& cloud,
                                                          const std::vector<double>& directions) {
  const std::size_t d = cloud.dim, count = directions.size() / d;
  std::vector<std::vector<double>> out(cloud.classes());
  for (std::size_t c = 0; c < cloud.classes(); ++c) {
    const std::size_t n = cloud.layout.size(c);
    std::vector<double>& p = out[c];
    p.resize(count * n);
    // (count x n) = Theta (count x d) * X_c^T, X_c being n x d.
    blas::gemm_nt(count, n, d, directions.data(), d, cloud.row(cloud.layout.offsets[c]), d, p.data(), n);
    for (std::size_t l = 0; l < count; ++l)
      std::sort(p.begin() + static_cast<std::ptrdiff_t>(l * n), p.begin() + static_cast<std::ptrdiff_t>((l + 1) * n));
  }
  return out;
}
}  // namespace

std::vector<double> class_sliced_w2_squared(const LabeledCloud<double>& a, const LabeledCloud<double>& b,
                                            const std::vector<double>& directions) {
  const std::size_t count = directions.size() / a.dim;
  const auto pa = sorted_class_projections(a, directions);
  const auto pb = sorted_class_projections(b, directions);
  std::vector<double> out(a.classes() * b.classes());
  std::vector<double> row_a, row_b;
  for (std::size_t i = 0; i < a.classes(); ++i) {
    const std::size_t n = a.layout.size(i);
    for (std::size_t k = 0; k < b.classes(); ++k) {
      const std::size_t m = b.layout.size(k);
      double total = 0.0;
      for (std::size_t l = 0; l < count; ++l) {
        row_a.assign(pa[i].begin() + static_cast<std::ptrdiff_t>(l * n),
                     pa[i].begin() + static_cast<std::ptrdiff_t>((l + 1) * n));
        row_b.assign(pb[k].begin() + static_cast<std::ptrdiff_t>(l * m),
                     pb[k].begin() + static_cast<std::ptrdiff_t>((l + 1) * m));
        total += exact_w2_squared_1d(row_a, row_b);
      }
      out[i * b.classes() + k] = total / static_cast<double>(count);
    }
  }
  return out;
}

template <class T>
LabelMatching match_labels(const LabeledCloud<T>& flowed, const LabeledCloud<T>& target) {
  if (flowed.dim != target.dim) throw InputError("match_labels: dimensions differ");
  const std::size_t c = flowed.classes(), m = target.classes();
  LabelMatching out;
  out.cost.resize(c * m);
  for (std::size_t i = 0; i < c; ++i) {
    const std::vector<double> xi(flowed.row(flowed.layout.offsets[i]), flowed.row(flowed.layout.offsets[i + 1]));
    for (std::size_t j = 0; j < m; ++j) {
      const std::vector<double> yj(target.row(target.layout.offsets[j]), target.row(target.layout.offsets[j + 1]));
      out.cost[i * m + j] =
          exact_w2_squared(xi.data(), flowed.layout.size(i), yj.data(), target.layout.size(j), flowed.dim);
    }
  }
  const TransportPlan plan = exact_transport(out.cost, std::vector<double>(c, 1.0 / static_cast<double>(c)),
                                             std::vector<double>(m, 1.0 / static_cast<double>(m)));
  out.assignment.resize(c);
  for (std::size_t i = 0; i < c; ++i) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < m; ++j)
      if (plan.plan[i * m + j] > plan.plan[i * m + best]) best = j;
    out.assignment[i] = best;
  }
  return out;
}

template LabelMatching match_labels(const LabeledCloud<float>&, const LabeledCloud<float>&);
template LabelMatching match_labels(const LabeledCloud<double>&, const LabeledCloud<double>&);

}  // namespace wow
