#pragma once
// The abstract interfaces plugins implement. Each works on whole datasets per virtual call, never per point pair.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "wow/cloud.hpp"

namespace wow {

// A kernel between classes, written as a function of S = SW_p^p between them.
class Kernel {
 public:
  virtual ~Kernel() = default;
  // p of the sliced distance the kernel reads: 2 (SW_2^2) or 1 (SW_1).
  [[nodiscard]] virtual int sw_power() const = 0;
  // value[i] = k(S[i]), slope[i] = dk/dS at S[i]; S[i] >= 0. Must be finite for every S >= 0.
  virtual void evaluate(std::span<const double> sw, std::span<double> value, std::span<double> slope) const = 0;
};

// The pairwise SW_p^p matrix over all classes of source (first C) and target (next M), row-major (C+M)^2.
struct PairwiseSW {
  std::size_t source_classes = 0, target_classes = 0;
  std::vector<double> sw;
  [[nodiscard]] std::size_t size() const { return source_classes + target_classes; }
  [[nodiscard]] double at(std::size_t a, std::size_t b) const { return sw[a * size() + b]; }
};

struct FunctionalValue {
  double value = 0.0;
  // d value / d S_ab with S_ab and S_ba treated as separate variables, row-major (C+M)^2.
  std::vector<double> slope;
  // Class masses (w for source, v for target) that set the WoW rescaling n_c / w_c.
  std::vector<double> source_weights, target_weights;
};

// An objective over the pairwise SW matrix (e.g. 1/2 MMD^2 with an SW kernel).
class Functional {
 public:
  virtual ~Functional() = default;
  [[nodiscard]] virtual int sw_power() const = 0;
  // Checked once before a run: throws InputError when the functional cannot work with these class counts.
  virtual void prepare(std::size_t source_classes, std::size_t target_classes) = 0;
  [[nodiscard]] virtual FunctionalValue evaluate(const PairwiseSW& pairwise) const = 0;
};

// The update rule of a flow. The velocity g is the WoW gradient; a solver may keep state (e.g. momentum).
class Solver {
 public:
  virtual ~Solver() = default;
  [[nodiscard]] virtual std::int64_t steps() const = 0;
  // Target images per class drawn each step (0: all).
  [[nodiscard]] virtual std::int64_t target_batch() const = 0;
  virtual void reset(std::size_t state_size) = 0;
  virtual void update(std::span<float> x, std::span<const float> velocity) = 0;
  virtual void update(std::span<double> x, std::span<const double> velocity) = 0;
  // Internal state for checkpoints (exact: float state round-trips through double).
  [[nodiscard]] virtual std::vector<double> save_state() const = 0;
  virtual void load_state(const std::vector<double>& state) = 0;
};

// Where a labeled dataset comes from.
class Dataset {
 public:
  virtual ~Dataset() = default;
  // `seed` is the run's seed; datasets that sample draw from it. Throws InputError for missing/corrupt data.
  [[nodiscard]] virtual LabeledCloud<double> load(std::uint64_t seed) const = 0;
};

enum class Estimator { Auto, Sorted, Quantile };
enum class DirectionKind { Gaussian, Orthogonal, Qmc };

struct ProjectionSettings {
  std::size_t count = 500;  // L
  Estimator estimator = Estimator::Auto;
  std::size_t quantiles = 100;
  DirectionKind directions = DirectionKind::Gaussian;
};

// Runs the engine's fixed blocks of work. The blocking never depends on the backend or thread count, so every
// backend produces bit-identical results; a backend only chooses how blocks are scheduled.
class ProjectionBackend {
 public:
  virtual ~ProjectionBackend() = default;
  [[nodiscard]] virtual const ProjectionSettings& settings() const = 0;
  // Calls body(i) once for each i in [0, count), in any order, possibly concurrently.
  virtual void for_each_block(std::size_t count, const std::function<void(std::size_t)>& body) const = 0;
  // Worker threads this backend may use (1 for serial).
  virtual void set_threads(std::size_t threads) = 0;
  [[nodiscard]] virtual std::size_t threads() const = 0;
};

}  // namespace wow
