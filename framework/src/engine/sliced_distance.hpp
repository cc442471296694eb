#pragma once
// The sliced Wasserstein distance between two weighted point clouds of R^d, as POT's sliced_wasserstein_distance:
//   SW_p(mu, nu) = ( (1/L) sum_l W_p^p(theta_l # mu, theta_l # nu) )^(1/p),
// each 1-D W_p exact (the two quantile functions merged), for any sizes and weights. With equal sizes and uniform
// weights each term equals the engine's sorted estimator.
#include <cstddef>
#include <vector>

#include "wow/interfaces.hpp"

namespace wow {

struct WeightedCloud {
  const double* points = nullptr;  // n x d, row-major
  std::size_t n = 0;
  const double* weights = nullptr;  // n non-negative weights (normalised here), or null for uniform
};

// W_p^p per direction (L values) along the unit rows of `directions` (L x d); the directions are processed in
// parallel blocks of `backend` and each term is computed alone, so the result is the same at any thread count.
std::vector<double> sliced_wasserstein_terms(const WeightedCloud& x, const WeightedCloud& y, std::size_t dim,
                                             const std::vector<double>& directions, double p,
                                             const ProjectionBackend& backend);

// As above, and the derivative of each term with respect to every projection: gx[l * x.n + i] = dterm_l /
// d<theta_l, x_i> (L x n) and gy[l * y.n + j] = dterm_l / d<theta_l, y_j> (L x m), from the monotone coupling (the
// closed form: each piece of mass w moved from u to v adds w * c'(u - v) to u and subtracts it from v, with
// c(g) = |g|^p). Either may be null. The derivative of |g|^p at g = 0 is taken as 0 (for p = 1, a subgradient).
std::vector<double> sliced_wasserstein_terms(const WeightedCloud& x, const WeightedCloud& y, std::size_t dim,
                                             const std::vector<double>& directions, double p,
                                             const ProjectionBackend& backend, double* gx, double* gy);

// Exact W_p^p between two weighted empirical measures on the line; values sorted ascending, weights summing to 1.
double wasserstein_1d_sorted(const double* u, const double* u_weights, std::size_t n, const double* v,
                             const double* v_weights, std::size_t m, double p);

// As wasserstein_1d_sorted, and its derivatives with respect to each sorted value into du (n) and dv (m),
// overwritten.
double wasserstein_1d_sorted_gradient(const double* u, const double* u_weights, std::size_t n, const double* v,
                                      const double* v_weights, std::size_t m, double p, double* du, double* dv);

}  // namespace wow
