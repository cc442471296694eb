#pragma once
// The hot path of one flow step (design.md "Data flow of one step"): draw directions, project both datasets with
// one blocked GEMM per side, sort every (direction, class) segment, build sliced embeddings, form the pairwise
// SW_p^p matrix, let the functional turn it into a value and slopes, and pull the residuals back to R^d.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "wow/cloud.hpp"
#include "wow/interfaces.hpp"

namespace wow {

// Fixed work blocking. Never derived from the thread count: every backend and thread count run the same blocks,
// so results are bit-identical (design.md "Determinism").
inline constexpr std::size_t kRowBlock = 256;       // rows of X per GEMM block
inline constexpr std::size_t kDirectionBlock = 16;  // directions per sort / embedding block
// The pairwise sums run as at most this many tasks (groups of direction slices), each with its own partial sums.
inline constexpr std::size_t kPairwiseGroups = 16;

// Resolves "auto": sorted when every class of both datasets has one common size, else quantile.
// Throws InputError for "sorted" with unequal sizes.
Estimator resolve_estimator(Estimator requested, const ClassLayout& source, const ClassLayout& target);

// The quantile estimator's positions, shared with backends that run the step themselves (cuda), so every backend
// reads the same places. A percentile grid of q points over a sorted class of n values (numpy's "linear"): for
// each grid point t, the neighbours lo[t] <= hi[t] and the weight frac[t] of hi.
template <class T>
void percentile_grid_positions(std::size_t n, std::size_t q, std::uint32_t* lo, std::uint32_t* hi, T* frac);
// Direction l's q random levels of (seed, step), each as its place on the q-point grid: lower point lo[j] (the upper
// is lo[j] + 1) and the weight frac[j] of the upper one.
template <class T>
void draw_level_positions(std::uint64_t seed, std::uint64_t step, std::size_t l, std::size_t q, std::uint32_t* lo,
                          T* frac);
// The embedding gradient of the functional's slopes as weights of the class embeddings (C x (C+M), row-major), for
// `per_class` = directions x embedding length: p = 2: grad_c = sum_b w_cb e_b (w_cc carries the class's own term);
// p = 1: grad_c = sum_b w_cb sign(e_c - e_b).
template <class T>
void embedding_gradient_weights(const FunctionalValue& value, std::size_t source_classes, std::size_t classes,
                                int power, std::size_t per_class, std::vector<T>& weights);

// Wall time spent in each phase of evaluate(), accumulated over calls (milliseconds).
struct PhaseTimes {
  double directions = 0, project = 0, sort_embed = 0, pairwise = 0, functional = 0, gradient = 0, pull_back = 0;
  std::size_t calls = 0;
};

template <class T>
class SlicedEngine {
 public:
  // `target` is the layout of the target as seen per step (after any batching).
  SlicedEngine(const ClassLayout& source, const ClassLayout& target, std::size_t dim, ProjectionSettings settings,
               int sw_power);

  // Bytes the constructor allocates for these shapes (in double: the product may not fit an integer). Kept next
  // to the constructor so the memory check before a run (runner.cpp) stays in step with the buffers.
  // Each of `threads` workers keeps its own scratch (the pull-back's slopes, a class's sort keys).
  static double bytes_needed(const ClassLayout& source, const ClassLayout& target, std::size_t dim,
                             const ProjectionSettings& settings, std::size_t threads);

  // F at source points x (source layout) against target points y (target layout) with the directions of
  // (seed, step). When `velocity` is not null it receives the WoW gradient (n_c / w_c) dF/dx, shape of x.
  FunctionalValue evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, const Functional& functional,
                           const ProjectionBackend& backend, T* velocity);

  // Replaces the random directions by fixed ones (count x dim, unit rows), e.g. for tests and fixed evaluators.
  void set_fixed_directions(std::vector<T> directions);
  [[nodiscard]] Estimator estimator() const { return estimator_; }
  [[nodiscard]] const PairwiseSW& pairwise() const { return pairwise_; }
  [[nodiscard]] const std::vector<T>& directions() const { return theta_; }
  [[nodiscard]] std::size_t embedding_size() const { return embed_; }
  [[nodiscard]] const PhaseTimes& phase_times() const { return times_; }
  void reset_phase_times() { times_ = PhaseTimes{}; }

 private:
  void draw_directions(std::uint64_t seed, std::uint64_t step, const ProjectionBackend& backend);
  void draw_levels(std::uint64_t seed, std::uint64_t step, const ProjectionBackend& backend);
  void project(const T* x, const T* y, const ProjectionBackend& backend);
  void embed_all(const ProjectionBackend& backend);
  void pairwise_sw(const ProjectionBackend& backend);
  // Directions per task of the direct pairwise sums and the embedding gradient: as many as keep one such slice of
  // every class's embedding in a core's L2 cache (each slice is read once per pair from there, not from memory).
  // Depends on the shape alone, so the sums are the same at any thread count.
  [[nodiscard]] std::size_t cached_directions() const { return cached_directions(pairwise_.size(), embed_, count_); }
  static std::size_t cached_directions(std::size_t classes, std::size_t embed, std::size_t count);
  static std::size_t pairwise_directions(std::size_t classes, std::size_t embed, std::size_t count);
  // For SW power 2 the embedding gradient is a matrix product (GEMM) over the class embeddings: measured 0.8 -> 0.2 ms
  // at C = M = 10, n = 200 against the direct sums, which stay for power 1 (signs).
  [[nodiscard]] bool gradient_by_gemm() const { return power_ == 2; }
  void embedding_gradient(const FunctionalValue& value, const ProjectionBackend& backend);
  void pull_back(const FunctionalValue& value, T* velocity, const ProjectionBackend& backend) const;

  ClassLayout source_, target_;
  std::size_t dim_, count_;
  ProjectionSettings settings_;
  int power_;
  Estimator estimator_;
  std::size_t embed_;  // embedding length per (class, direction): n for sorted, quantiles for quantile
  bool fixed_directions_ = false;

  std::vector<T> theta_;               // count x dim
  std::vector<T> proj_x_, proj_y_;     // count x rows, transposed projections
  std::vector<std::uint32_t> perm_x_;  // per source class, count x n: sorted position -> row within the class
  std::vector<T> embedding_;           // (C+M) x count x embed
  // Quantile estimator: where each random level falls on the q-point percentile grid (per direction, drawn per
  // step), and where each grid point falls in a sorted class of n values (per class size, fixed for the run).
  struct Positions {
    std::vector<std::uint32_t> lo, hi;  // neighbours to interpolate between (hi = lo + 1, or lo when n = 1)
    std::vector<T> frac;                // weight of hi
  };
  Positions level_positions_;               // count x quantiles
  std::vector<Positions> grid_positions_;   // one per distinct class size
  std::vector<std::size_t> grid_of_class_;  // (source classes, then target classes) -> index into grid_positions_
  std::vector<T> embed_grad_;               // C x count x embed
  std::vector<double> pair_partials_;       // per group of direction slices, each pair's sum over its directions
  std::vector<T> gradient_weights_;         // C x (C+M): the embedding gradient as weights of embeddings (GEMM path)
  std::vector<std::size_t> row_groups_;     // pull-back groups: classes [row_groups_[g], row_groups_[g + 1])
  std::size_t largest_source_class_ = 0;
  PairwiseSW pairwise_;
  PhaseTimes times_;
};

extern template class SlicedEngine<float>;
extern template class SlicedEngine<double>;

}  // namespace wow
