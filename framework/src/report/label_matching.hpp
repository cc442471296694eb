#pragma once
// Exact optimal transport between point clouds (LEMON's network simplex) and the class-to-class matching that
// names each flowed class by a target label (design.md labels.json).
#include <cstddef>
#include <vector>

#include "wow/cloud.hpp"

namespace wow {

struct TransportPlan {
  double cost = 0.0;         // sum_ij plan_ij * cost_ij
  std::vector<double> plan;  // n x m, row-major; marginals a and b
};

// Exact OT between discrete measures with weights a (n) and b (m), each summing to 1, for a cost matrix n x m.
// Weights are made integral on a common grid so the network simplex is exact (uniform weights: exactly).
TransportPlan exact_transport(const std::vector<double>& cost, const std::vector<double>& a,
                              const std::vector<double>& b);

// Exact W_2^2 between two uniform clouds (rows of d values): squared Euclidean cost.
double exact_w2_squared(const double* x, std::size_t n, const double* y, std::size_t m, std::size_t d);

// Sliced W_2 between two uniform clouds over the given unit directions (count x d), with the exact 1-D W_2^2 on
// each direction for any sizes n and m (merged quantile functions): sqrt(mean_l W_2^2(theta_l#x, theta_l#y)).
double sliced_w2(const double* x, std::size_t n, const double* y, std::size_t m, std::size_t d,
                 const std::vector<double>& directions);

// The fixed unit directions of the evaluators (labels.json, sw_to_target): count x dim, row-major, drawn from a
// stream that does not depend on the run's seed, so numbers compare across runs.
std::vector<double> evaluator_directions(std::size_t count, std::size_t dim);

// SW_2^2 between every class of `a` and every class of `b` over `directions` (count x d, unit rows), exact 1-D W_2^2
// per direction for any class sizes: C x M, row-major. Each class is projected once (one GEMM).
std::vector<double> class_sliced_w2_squared(const LabeledCloud<double>& a, const LabeledCloud<double>& b,
                                            const std::vector<double>& directions);

struct LabelMatching {
  std::vector<std::size_t> assignment;  // target class for each source class
  std::vector<double> cost;             // C x M: W_2^2 between source class i and target class j
};

// Costs W_2^2 between every flowed class and every target class, then the optimal class-to-class plan with
// uniform class weights; each source class gets the target class receiving most of its mass (with C = M this is
// the optimal assignment).
template <class T>
LabelMatching match_labels(const LabeledCloud<T>& flowed, const LabeledCloud<T>& target);

}  // namespace wow
