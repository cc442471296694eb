#include "engine/sliced_engine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>

#include "engine/blas.hpp"
#include "engine/directions.hpp"
#include "engine/rng.hpp"
#include "engine/sort_keys.hpp"
#include "engine/vector_sums.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

std::size_t blocks_of(std::size_t total, std::size_t block) { return (total + block - 1) / block; }

// Per-thread scratch that grows once and is then reused: no allocation per step in steady state.
template <class T>
T* scratch(std::size_t count) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < count) buffer.resize(count);
  return buffer.data();
}

// Linear interpolation position of level u in [0, 1] over `points` grid points (numpy's "linear" method).
struct Interp {
  std::size_t lo;
  double frac;
};
Interp interp_at(double u, std::size_t points) {
  if (points < 2) return {0, 0.0};
  const double pos = u * static_cast<double>(points - 1);
  const auto lo = std::min(static_cast<std::size_t>(pos), points - 2);
  return {lo, pos - static_cast<double>(lo)};
}

// The pair-th (a, b) of k items in row-major order of the upper triangle: a < b when gap is 1, a <= b when 0.
std::pair<std::size_t, std::size_t> unrank_pair(std::size_t pair, std::size_t k, std::size_t gap) {
  std::size_t a = 0;
  while (pair >= k - gap - a) {
    pair -= k - gap - a;
    ++a;
  }
  return {a, a + gap + pair};
}

// out[j] = in[lo] + frac (in[hi] - in[lo]) for the positions p[first + j], j < count.
template <class T, class P>
void interpolate(const T* in, const P& p, std::size_t first, std::size_t count, T* out) {
  const std::uint32_t* lo = p.lo.data() + first;
  const std::uint32_t* hi = p.hi.data() + first;
  const T* frac = p.frac.data() + first;
  for (std::size_t j = 0; j < count; ++j) out[j] = in[lo[j]] + frac[j] * (in[hi[j]] - in[lo[j]]);
}

// The transpose of interpolate: out[lo] += (1 - frac) in[j], out[hi] += frac in[j].
template <class T, class P>
void interpolate_transposed(const T* in, const P& p, std::size_t first, std::size_t count, T* out) {
  const std::uint32_t* lo = p.lo.data() + first;
  const std::uint32_t* hi = p.hi.data() + first;
  const T* frac = p.frac.data() + first;
  for (std::size_t j = 0; j < count; ++j) {
    out[lo[j]] += (T(1) - frac[j]) * in[j];
    out[hi[j]] += frac[j] * in[j];
  }
}

}  // namespace

Estimator resolve_estimator(Estimator requested, const ClassLayout& source, const ClassLayout& target) {
  bool equal = source.classes() > 0 && source.equal_sizes() && target.equal_sizes();
  if (equal && target.classes() > 0) equal = source.size(0) == target.size(0);
  if (requested == Estimator::Auto) return equal ? Estimator::Sorted : Estimator::Quantile;
  if (requested == Estimator::Sorted && !equal)
    throw InputError(
        "projections.params.estimator: \"sorted\" needs every class of source and target to have the same size; "
        "use \"quantile\" or \"auto\"");
  return requested;
}

template <class T>
void percentile_grid_positions(std::size_t n, std::size_t q, std::uint32_t* lo, std::uint32_t* hi, T* frac) {
  for (std::size_t t = 0; t < q; ++t) {
    const auto [at, f] = interp_at(static_cast<double>(t) / static_cast<double>(q - 1), n);
    lo[t] = static_cast<std::uint32_t>(at);
    hi[t] = static_cast<std::uint32_t>(n > 1 ? at + 1 : at);
    frac[t] = static_cast<T>(f);
  }
}

template <class T>
void draw_level_positions(std::uint64_t seed, std::uint64_t step, std::size_t l, std::size_t q, std::uint32_t* lo,
                          T* frac) {
  auto stream = rng::stream(seed, rng::Purpose::QuantileLevels, step, l);
  for (std::size_t j = 0; j < q; ++j) {
    const auto [t, f] = interp_at(stream.uniform(), q);
    lo[j] = static_cast<std::uint32_t>(t);
    frac[j] = static_cast<T>(f);
  }
}

template <class T>
void embedding_gradient_weights(const FunctionalValue& value, std::size_t source_classes, std::size_t classes,
                                int power, std::size_t per_class, std::vector<T>& weights) {
  const std::size_t k = classes;
  const double scale = (power == 2 ? 2.0 : 1.0) / static_cast<double>(per_class);
  weights.assign(source_classes * k, T(0));
  for (std::size_t c = 0; c < source_classes; ++c) {
    double total = 0.0;
    for (std::size_t b = 0; b < k; ++b) {
      if (b == c) continue;
      const double coef = value.slope[c * k + b] + value.slope[b * k + c];
      total += coef;
      weights[c * k + b] = static_cast<T>(power == 2 ? -coef * scale : coef * scale);
    }
    if (power == 2) weights[c * k + c] = static_cast<T>(total * scale);
  }
}

template void percentile_grid_positions(std::size_t, std::size_t, std::uint32_t*, std::uint32_t*, float*);
template void percentile_grid_positions(std::size_t, std::size_t, std::uint32_t*, std::uint32_t*, double*);
template void draw_level_positions(std::uint64_t, std::uint64_t, std::size_t, std::size_t, std::uint32_t*, float*);
template void draw_level_positions(std::uint64_t, std::uint64_t, std::size_t, std::size_t, std::uint32_t*, double*);
template void embedding_gradient_weights(const FunctionalValue&, std::size_t, std::size_t, int, std::size_t,
                                         std::vector<float>&);
template void embedding_gradient_weights(const FunctionalValue&, std::size_t, std::size_t, int, std::size_t,
                                         std::vector<double>&);

template <class T>
SlicedEngine<T>::SlicedEngine(const ClassLayout& source, const ClassLayout& target, std::size_t dim,
                              ProjectionSettings settings, int sw_power)
    : source_(source),
      target_(target),
      dim_(dim),
      count_(settings.count),
      settings_(settings),
      power_(sw_power),
      estimator_(resolve_estimator(settings.estimator, source, target)) {
  if (power_ != 1 && power_ != 2) throw InputError("functional: sliced power must be 1 or 2");
  if (estimator_ == Estimator::Quantile && settings_.quantiles < 2)
    throw InputError("projections.params.quantiles: must be at least 2");
  embed_ = estimator_ == Estimator::Sorted ? source_.size(0) : settings_.quantiles;
  const std::size_t nx = source_.rows();
  const std::size_t ny = target_.rows();
  const std::size_t classes = source_.classes() + target_.classes();
  theta_.resize(count_ * dim_);
  proj_x_.resize(count_ * nx);
  proj_y_.resize(count_ * ny);
  perm_x_.resize(count_ * nx);
  if (estimator_ == Estimator::Quantile) {
    const std::size_t q = settings_.quantiles;
    level_positions_.lo.resize(count_ * q);
    level_positions_.hi.resize(count_ * q);
    level_positions_.frac.resize(count_ * q);
    // The percentile grid's positions in a sorted class depend only on its size: once per distinct size.
    std::vector<std::size_t> sizes;
    for (const ClassLayout* layout : {&source_, &target_}) {
      for (std::size_t c = 0; c < layout->classes(); ++c) {
        const std::size_t n = layout->size(c);
        auto it = std::find(sizes.begin(), sizes.end(), n);
        if (it == sizes.end()) {
          sizes.push_back(n);
          Positions g;
          g.lo.resize(q);
          g.hi.resize(q);
          g.frac.resize(q);
          percentile_grid_positions(n, q, g.lo.data(), g.hi.data(), g.frac.data());
          grid_positions_.push_back(std::move(g));
          it = sizes.end() - 1;
        }
        grid_of_class_.push_back(static_cast<std::size_t>(it - sizes.begin()));
      }
    }
  }
  embedding_.resize(classes * count_ * embed_);
  embed_grad_.resize(source_.classes() * count_ * embed_);
  // Groups of whole source classes for the pull-back: consecutive classes while they fit kRowBlock rows (a larger
  // class is a group of its own). Fixed by the layout alone, like every blocking here.
  row_groups_.push_back(0);
  for (std::size_t c = 0; c < source_.classes(); ++c) {
    largest_source_class_ = std::max(largest_source_class_, source_.size(c));
    const std::size_t start = source_.offsets[row_groups_.back()];
    if (c > row_groups_.back() && source_.offsets[c + 1] - start > kRowBlock) row_groups_.push_back(c);
  }
  row_groups_.push_back(source_.classes());
  if (gradient_by_gemm()) gradient_weights_.resize(source_.classes() * classes);
  pairwise_.source_classes = source_.classes();
  pairwise_.target_classes = target_.classes();
  pairwise_.sw.assign(classes * classes, 0.0);
}

template <class T>
double SlicedEngine<T>::bytes_needed(const ClassLayout& source, const ClassLayout& target, std::size_t dim,
                                     const ProjectionSettings& settings, std::size_t threads) {
  const auto count = static_cast<double>(settings.count);
  const Estimator estimator = resolve_estimator(settings.estimator, source, target);
  const double embed =
      estimator == Estimator::Sorted ? static_cast<double>(source.size(0)) : static_cast<double>(settings.quantiles);
  const auto nx = static_cast<double>(source.rows()), ny = static_cast<double>(target.rows());
  const auto classes = static_cast<double>(source.classes() + target.classes());
  const double t = sizeof(T);
  double largest = 0;
  for (std::size_t c = 0; c < source.classes(); ++c) largest = std::max(largest, static_cast<double>(source.size(c)));
  // Per worker thread (thread_local scratch): the pull-back's slopes of one group of classes (at most kRowBlock rows
  // or one class) with a class's sorted values and quantile grid, and the sort keys of the largest class.
  const double q = static_cast<double>(settings.quantiles);
  const double per_thread = t * count * std::max(static_cast<double>(kRowBlock), largest) + t * 2.0 * (largest + q) +
                            static_cast<double>(kSortScratchBytesPerValue) * largest;
  double bytes = t * count * (dim + nx + ny)  // theta, proj_x, proj_y
                 + 4.0 * count * nx           // perm_x
                 + static_cast<double>(std::max<std::size_t>(threads, 1)) * per_thread +
                 t * (classes + static_cast<double>(source.classes())) * count * embed  // embedding, embed_grad
                 + 8.0 * classes * classes * 3.0  // pairwise SW and the functional's matrices
                 // the pairwise sums per group of direction slices
                 + 8.0 * classes * (classes - 1) / 2 *
                       std::min(static_cast<double>(kPairwiseGroups),
                                std::ceil(count / static_cast<double>(pairwise_directions(
                                                      source.classes() + target.classes(),
                                                      static_cast<std::size_t>(embed), settings.count))));
  // The embedding gradient's weights (the sliced power is 2 for every kernel but Laplace; counted whatever it is, to
  // stay on the safe side).
  bytes += t * static_cast<double>(source.classes()) * classes;
  // Quantile: each level's grid position (two indices and a weight).
  if (estimator == Estimator::Quantile) bytes += (8.0 + t) * count * static_cast<double>(settings.quantiles);
  return bytes;
}

template <class T>
void SlicedEngine<T>::set_fixed_directions(std::vector<T> directions) {
  if (directions.size() != count_ * dim_) throw InputError("fixed directions: expected count x dim values");
  theta_ = std::move(directions);
  fixed_directions_ = true;
}

template <class T>
void SlicedEngine<T>::draw_directions(std::uint64_t seed, std::uint64_t step, const ProjectionBackend& backend) {
  if (fixed_directions_) return;
  wow::draw_directions(settings_.directions, seed, step, count_, dim_, theta_.data(), backend);
}

template <class T>
void SlicedEngine<T>::draw_levels(std::uint64_t seed, std::uint64_t step, const ProjectionBackend& backend) {
  if (estimator_ != Estimator::Quantile) return;
  // Each level's place on the grid, once per step: every class and the gradient's transpose reuse it. Each
  // direction has its own stream, so blocks of directions can be drawn in parallel.
  const std::size_t q = settings_.quantiles;
  backend.for_each_block(blocks_of(count_, kDirectionBlock), [&](std::size_t block) {
    for (std::size_t l = block * kDirectionBlock; l < std::min(count_, (block + 1) * kDirectionBlock); ++l) {
      draw_level_positions(seed, step, l, q, level_positions_.lo.data() + l * q, level_positions_.frac.data() + l * q);
      for (std::size_t j = 0; j < q; ++j) level_positions_.hi[l * q + j] = level_positions_.lo[l * q + j] + 1;
    }
  });
}

template <class T>
void SlicedEngine<T>::project(const T* x, const T* y, const ProjectionBackend& backend) {
  // proj (count x rows) = Theta (count x dim) * X^T, one single-threaded GEMM per fixed block of rows; both sides
  // in one parallel loop so neither waits for the other.
  const std::size_t nx = source_.rows(), ny = target_.rows();
  const std::size_t blocks_x = blocks_of(nx, kRowBlock);
  backend.for_each_block(blocks_x + blocks_of(ny, kRowBlock), [&](std::size_t block) {
    const bool source_side = block < blocks_x;
    const std::size_t rows = source_side ? nx : ny;
    const std::size_t r0 = (source_side ? block : block - blocks_x) * kRowBlock;
    const std::size_t nb = std::min(kRowBlock, rows - r0);
    const T* points = source_side ? x : y;
    T* out = source_side ? proj_x_.data() : proj_y_.data();
    blas::gemm_nt(count_, nb, dim_, theta_.data(), dim_, points + r0 * dim_, dim_, out + r0, rows);
  });
}

template <class T>
void SlicedEngine<T>::embed_all(const ProjectionBackend& backend) {
  // One sort per (class, direction). Sorting every class of a direction in one call (class index in the key's top
  // bits) won while each call to Highway's library sorter paid a system call; with the sort compiled here
  // (engine/vector_sort.cpp) the per-class sorts measured 2.2 against 4.4 ms for 5 000 segments of 200 values, 0.65
  // against 0.93 ms at 50 values (BM_SortSegments against the former BM_SortSegmentsPerDirection).
  const std::size_t sources = source_.classes();
  const std::size_t classes = sources + target_.classes();
  const std::size_t q = settings_.quantiles;
  const std::size_t dir_blocks = blocks_of(count_, kDirectionBlock);
  backend.for_each_block(dir_blocks * classes, [&](std::size_t task) {
    const std::size_t global_class = task % classes;
    const std::size_t block = task / classes;
    const bool keep_permutation = global_class < sources;  // permutations only on the source side
    const ClassLayout& layout = keep_permutation ? source_ : target_;
    const T* projected = keep_permutation ? proj_x_.data() : proj_y_.data();
    const std::size_t first_class = keep_permutation ? 0 : sources;
    const std::size_t c = global_class - first_class;
    const std::size_t rows = layout.rows();
    const std::size_t n = layout.size(c);
    const std::size_t off = layout.offsets[c];
    T* values = scratch<T>(n + q);  // n sorted values, then the q-point percentile grid
    T* grid = values + n;
    void* keys = scratch<unsigned char>(n * kSortScratchBytesPerValue);
    const std::size_t end = std::min(count_, (block + 1) * kDirectionBlock);
    for (std::size_t l = block * kDirectionBlock; l < end; ++l) {
      const T* segment = projected + l * rows + off;
      T* embedding = embedding_.data() + ((first_class + c) * count_ + l) * embed_;
      T* sorted = estimator_ == Estimator::Sorted ? embedding : values;
      std::copy(segment, segment + n, sorted);
      if (keep_permutation) {
        sort_with_permutation(std::span<T>(sorted, n),
                              std::span<std::uint32_t>(perm_x_.data() + off * count_ + l * n, n), keys);
      } else {
        sort_values(std::span<T>(sorted, n));  // the target side needs no permutation
      }
      if (estimator_ == Estimator::Quantile) {
        interpolate(sorted, grid_positions_[grid_of_class_[first_class + c]], 0, q, grid);
        interpolate(grid, level_positions_, l * q, q, embedding);
      }
    }
  });
}

template <class T>
std::size_t SlicedEngine<T>::cached_directions(std::size_t classes, std::size_t embed, std::size_t count) {
  constexpr std::size_t kCacheBytes = 256 * 1024;
  const std::size_t per_direction = classes * embed * sizeof(T);
  return std::clamp<std::size_t>(kCacheBytes / std::max<std::size_t>(per_direction, 1), 1,
                                 std::max<std::size_t>(count, 1));
}

template <class T>
std::size_t SlicedEngine<T>::pairwise_directions(std::size_t classes, std::size_t embed, std::size_t count) {
  // Slices of about 1 MiB (every class's slice stays in a large L2 while all tiles read it), holding whole blocks
  // of 16 values where they can: the tile kernel pads a remainder, which cost as much as the rest at 300 values per
  // slice. Measured at C = M = 100, n = 50 (2 threads, AMD EPYC): pairwise 7.0-7.6 ms with 1 MiB slices, 8.7-10 ms
  // with 512 KiB; in a quieter hour 5.5 ms with 1 MiB against 6.4-6.6 ms with 2 MiB.
  constexpr std::size_t kCacheBytes = 1024 * 1024;
  const std::size_t multiple = 16 / std::gcd(std::max<std::size_t>(embed, 1), std::size_t{16});
  const std::size_t fit = kCacheBytes / std::max<std::size_t>(classes * embed * sizeof(T), 1);
  return std::clamp<std::size_t>(std::max(multiple, fit - fit % multiple), 1, std::max<std::size_t>(count, 1));
}

template <class T>
void SlicedEngine<T>::pairwise_sw(const ProjectionBackend& backend) {
  // Direct sums of (e_a - e_b)^p, four classes against four at a time (vector_sums::tile_sums), over slices of
  // directions (pairwise_directions). Each (tile, slice) is summed in T per chunk and in double across chunks, then
  // added per pair, slices in order. Tasks are fixed groups of slices, each writing its own partial sums, added in
  // group order afterwards: the same bits at any thread count. (A Gram matrix in double, |e_a|^2 + |e_b|^2 -
  // 2 e_a.e_b, measured 15.7 ms at C = M = 100, n = 50 against 5.5-6.5 ms for these sums, and needed a direct
  // fallback for nearly equal classes.)
  const std::size_t k = pairwise_.size();
  const std::size_t pairs = k * (k - 1) / 2;
  const std::size_t slice = pairwise_directions(k, embed_, count_);
  const std::size_t slices = blocks_of(count_, slice);
  const std::size_t per_group = blocks_of(slices, kPairwiseGroups);
  const std::size_t groups = blocks_of(slices, per_group);
  pair_partials_.assign(groups * pairs, 0.0);
  const std::size_t per_class = count_ * embed_;
  constexpr std::size_t kTile = vector_sums::kTile;
  const std::size_t tiles = blocks_of(k, kTile);
  const auto rank = [k](std::size_t a, std::size_t b) { return a * k - a * (a + 1) / 2 + (b - a - 1); };
  backend.for_each_block(groups, [&](std::size_t group) {
    double* out = pair_partials_.data() + group * pairs;
    const std::size_t last_slice = std::min(slices, (group + 1) * per_group);
    for (std::size_t s = group * per_group; s < last_slice; ++s) {
      const std::size_t l0 = s * slice, len = (std::min(count_, l0 + slice) - l0) * embed_;
      // Rows past the last class repeat it; their sums are not used.
      const auto rows_of = [&](std::size_t tile, const T** rows) {
        for (std::size_t i = 0; i < kTile; ++i)
          rows[i] = embedding_.data() + std::min(tile * kTile + i, k - 1) * per_class + l0 * embed_;
      };
      for (std::size_t ta = 0; ta < tiles; ++ta) {
        const T* rows_a[kTile];
        rows_of(ta, rows_a);
        for (std::size_t tb = ta; tb < tiles; ++tb) {
          const T* rows_b[kTile];
          rows_of(tb, rows_b);
          double sums[kTile * kTile];
          vector_sums::tile_sums(rows_a, rows_b, len, power_ == 2, sums);
          for (std::size_t i = 0; i < kTile; ++i)
            for (std::size_t j = 0; j < kTile; ++j) {
              const std::size_t a = ta * kTile + i, b = tb * kTile + j;
              if (a < b && b < k) out[rank(a, b)] += sums[i * kTile + j];
            }
        }
      }
    }
  });
  const double scale = 1.0 / static_cast<double>(per_class);
  backend.for_each_block(pairs, [&](std::size_t pair) {
    double total = 0.0;
    for (std::size_t g = 0; g < groups; ++g) total += pair_partials_[g * pairs + pair];
    const auto [a, b] = unrank_pair(pair, k, 1);
    pairwise_.sw[a * k + b] = pairwise_.sw[b * k + a] = total * scale;
  });
}

template <class T>
void SlicedEngine<T>::embedding_gradient(const FunctionalValue& value, const ProjectionBackend& backend) {
  const std::size_t k = pairwise_.size();
  const std::size_t classes = source_.classes();
  const std::size_t per_class = count_ * embed_;
  const double scale = (power_ == 2 ? 2.0 : 1.0) / static_cast<double>(per_class);
  const std::size_t dir_blocks = blocks_of(count_, kDirectionBlock);
  if (gradient_by_gemm()) {
    // grad_c = sum_b w_cb e_b: one GEMM (C x k) x (k x L E), in fixed blocks of directions.
    embedding_gradient_weights(value, classes, k, power_, per_class, gradient_weights_);
    backend.for_each_block(dir_blocks, [&](std::size_t block) {
      const std::size_t col0 = block * kDirectionBlock * embed_;
      const std::size_t cols = (std::min(count_, (block + 1) * kDirectionBlock) - block * kDirectionBlock) * embed_;
      blas::gemm_nn(classes, cols, k, gradient_weights_.data(), k, embedding_.data() + col0, per_class,
                    embed_grad_.data() + col0, per_class);
    });
    return;
  }
  // Direct path: tasks are slices of directions whose embeddings stay in cache while every class reads them (one
  // task per class and block read every other class's block from memory). Each element's sum is the same as
  // ever: over b in order, then the class's own term.
  const std::size_t slice = cached_directions();
  backend.for_each_block(blocks_of(count_, slice), [&](std::size_t s) {
    const std::size_t l0 = s * slice;
    const std::size_t len = (std::min(count_, l0 + slice) - l0) * embed_;
    for (std::size_t c = 0; c < classes; ++c) {
      T* grad = embed_grad_.data() + c * per_class + l0 * embed_;
      const T* ec = embedding_.data() + c * per_class + l0 * embed_;
      std::fill(grad, grad + len, T(0));
      if (power_ == 2) {
        // dS_cb/de_c = 2 (e_c - e_b) / (L E): a weighted sum of embeddings.
        double total = 0.0;
        for (std::size_t b = 0; b < k; ++b) {
          if (b == c) continue;
          const double coef = value.slope[c * k + b] + value.slope[b * k + c];
          if (coef == 0.0) continue;
          total += coef;
          const T* eb = embedding_.data() + b * per_class + l0 * embed_;
          vector_sums::add_scaled(grad, static_cast<T>(-coef * scale), eb, len);
        }
        vector_sums::add_scaled(grad, static_cast<T>(total * scale), ec, len);
      } else {
        // dS_cb/de_c = sign(e_c - e_b) / (L E).
        for (std::size_t b = 0; b < k; ++b) {
          if (b == c) continue;
          const double coef = value.slope[c * k + b] + value.slope[b * k + c];
          if (coef == 0.0) continue;
          const T* eb = embedding_.data() + b * per_class + l0 * embed_;
          const T w = static_cast<T>(coef * scale);
          for (std::size_t j = 0; j < len; ++j) {
            const T r = ec[j] - eb[j];
            grad[j] += r > 0 ? w : (r < 0 ? -w : T(0));
          }
        }
      }
    }
  });
}

template <class T>
void SlicedEngine<T>::pull_back(const FunctionalValue& value, T* velocity, const ProjectionBackend& backend) const {
  // Per group of whole classes (row_groups_): the slopes of its projections, in original row order, go into a
  // thread's own buffer (count x group rows, which stays in cache), then velocity rows = buffer^T Theta, one GEMM.
  // A shared count x Nx matrix instead cost a write, a read-for-ownership and a GEMM read from memory per value.
  const std::size_t per_class = count_ * embed_;
  const std::size_t q = settings_.quantiles;
  backend.for_each_block(row_groups_.size() - 1, [&](std::size_t group) {
    const std::size_t first = row_groups_[group], last = row_groups_[group + 1];
    const std::size_t r0 = source_.offsets[first];
    const std::size_t group_rows = source_.offsets[last] - r0;
    T* slopes = scratch<T>(count_ * group_rows + largest_source_class_ + q);
    T* dsorted = slopes + count_ * group_rows;
    T* dgrid = dsorted + largest_source_class_;
    for (std::size_t c = first; c < last; ++c) {
      const std::size_t n = source_.size(c);
      const std::size_t off = source_.offsets[c];
      // WoW rescaling: the particle's inverse mass n_c / w_c.
      const T mass_scale = static_cast<T>(static_cast<double>(n) / value.source_weights[c]);
      for (std::size_t l = 0; l < count_; ++l) {
        const T* grad = embed_grad_.data() + c * per_class + l * embed_;
        const std::uint32_t* perm = perm_x_.data() + off * count_ + l * n;
        T* out = slopes + l * group_rows + (off - r0);
        if (estimator_ == Estimator::Sorted) {
          for (std::size_t i = 0; i < n; ++i) out[perm[i]] = mass_scale * grad[i];
          continue;
        }
        // Transpose of the two interpolations (levels <- grid <- sorted values).
        std::fill(dgrid, dgrid + q, T(0));
        interpolate_transposed(grad, level_positions_, l * q, q, dgrid);
        std::fill(dsorted, dsorted + n, T(0));
        interpolate_transposed(dgrid, grid_positions_[grid_of_class_[c]], 0, q, dsorted);
        for (std::size_t i = 0; i < n; ++i) out[perm[i]] = mass_scale * dsorted[i];
      }
    }
    blas::gemm_tn(group_rows, dim_, count_, slopes, group_rows, theta_.data(), dim_, velocity + r0 * dim_, dim_);
  });
}

template <class T>
FunctionalValue SlicedEngine<T>::evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step,
                                          const Functional& functional, const ProjectionBackend& backend, T* velocity) {
  using Clock = std::chrono::steady_clock;
  auto mark = Clock::now();
  const auto lap = [&mark](double& total) {
    const auto now = Clock::now();
    total += std::chrono::duration<double, std::milli>(now - mark).count();
    mark = now;
  };
  draw_directions(seed, step, backend);
  draw_levels(seed, step, backend);
  lap(times_.directions);
  project(x, y, backend);
  lap(times_.project);
  embed_all(backend);
  lap(times_.sort_embed);
  pairwise_sw(backend);
  lap(times_.pairwise);
  FunctionalValue value = functional.evaluate(pairwise_);
  lap(times_.functional);
  if (velocity != nullptr) {
    embedding_gradient(value, backend);
    lap(times_.gradient);
    pull_back(value, velocity, backend);
    lap(times_.pull_back);
  }
  ++times_.calls;
  return value;
}

template class SlicedEngine<float>;
template class SlicedEngine<double>;

}  // namespace wow
