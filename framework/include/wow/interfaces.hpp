#pragma once
// The abstract interfaces plugins implement. Each works on whole datasets per virtual call, never per point pair.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
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

// The flow state a functional's particle part sees: the source particles (x, in class blocks of `layout`), the
// step's target (after any batching), and the step's randomness.
template <class T>
struct ParticleState {
  std::span<const T> x;
  const ClassLayout& layout;
  std::span<const T> target;
  const ClassLayout& target_layout;
  std::size_t dim;
  std::uint64_t seed, step;
};

// An objective over labeled datasets: F = F_sliced(pairwise SW matrix) + F_particles(x). The sliced part runs on the
// shared sliced engine (one projection, sort and pull-back for every term); the particle part sees the points.
class Functional {
 public:
  virtual ~Functional() = default;
  // p of the sliced part (2 for SW_2^2, 1 for SW_1), or 0 when the functional has no sliced part.
  [[nodiscard]] virtual int sw_power() const = 0;
  // Checked once before a run: throws InputError when the functional cannot work with these class counts.
  virtual void prepare(std::size_t source_classes, std::size_t target_classes) = 0;
  // Checked once before a run, after prepare: throws InputError when the functional cannot work in dimension `dim`.
  virtual void prepare_dimension(std::size_t /*dim*/) {}
  // The sliced part: value and slopes over the pairwise SW matrix (only called when sw_power() > 0).
  [[nodiscard]] virtual FunctionalValue evaluate(const PairwiseSW& pairwise) const {
    FunctionalValue out;
    out.slope.assign(pairwise.sw.size(), 0.0);
    return out;
  }
  // The particle part: returns its value and ADDS its WoW velocity (n_c / w_c) dF/dx_i to `velocity`.
  virtual double add_particle_velocity(const ParticleState<float>& /*state*/, std::span<float> /*velocity*/) const {
    return 0.0;
  }
  virtual double add_particle_velocity(const ParticleState<double>& /*state*/, std::span<double> /*velocity*/) const {
    return 0.0;
  }
};

// The WoW velocity at points of a solver's choosing, with the current step's directions and target batch; returns F
// there. `velocity` has the size of x.
template <class T>
using VelocityOracle = std::function<double(std::span<const T> x, std::span<T> velocity)>;

// What a solver carries from one step to the next, checkpointed exactly (float buffers widen to double exactly).
struct SolverState {
  std::map<std::string, std::vector<double>> buffers;  // each the size of x
  std::map<std::string, double> scalars;               // e.g. Adam's step count
};

// The update rule of a flow. A step receives the WoW velocity at x_k (F(x_k) is already logged) and may ask the
// oracle for the velocity at other points (Heun, extragradient, line searches).
class Solver {
 public:
  virtual ~Solver() = default;
  [[nodiscard]] virtual std::int64_t steps() const = 0;
  // Target images per class drawn each step (0: all).
  [[nodiscard]] virtual std::int64_t target_batch() const = 0;
  virtual void reset(std::size_t state_size) = 0;
  // x_k -> x_{k+1} in place.
  virtual void step(std::span<float> x, std::span<const float> velocity, const VelocityOracle<float>& oracle) = 0;
  virtual void step(std::span<double> x, std::span<const double> velocity, const VelocityOracle<double>& oracle) = 0;
  [[nodiscard]] virtual SolverState save_state() const = 0;
  virtual void load_state(const SolverState& state) = 0;

  // One step for solvers that need no second velocity (tests, benchmarks): calling the oracle throws.
  template <class T>
  void update(std::span<T> x, std::span<const T> velocity) {
    step(x, velocity, [](std::span<const T>, std::span<T>) -> double {
      throw std::logic_error("this solver needs a velocity oracle: drive it with step()");
    });
  }
};

// ---- callbacks ----

// What a callback sees after a step (read-only). `step` counts steps done, so the state is x_step; `loss` is
// F(x_{step-1}) as logged (NaN at on_start). `metrics` holds the values reported at this step by the callbacks
// listed before this one (and "loss").
struct FlowView {
  std::int64_t step = 0, steps = 0;
  double loss = 0.0;
  std::uint64_t seed = 0;
  const ClassLayout* layout = nullptr;
  std::size_t dim = 0;
  std::span<const float> x_f32;  // the state, in the run's precision: exactly one of the two is non-empty
  std::span<const double> x_f64;
  const LabeledCloud<double>* source = nullptr;  // x_0
  const LabeledCloud<double>* target = nullptr;  // the whole target
  const std::map<std::string, double>* metrics = nullptr;
  // The state as doubles, in class blocks of `layout`.
  [[nodiscard]] std::vector<double> x() const {
    return x_f32.empty() ? std::vector<double>(x_f64.begin(), x_f64.end())
                         : std::vector<double>(x_f32.begin(), x_f32.end());
  }
};

// Where callbacks report named scalars: metrics.csv rows (step, name, value) and one PNG per metric.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  virtual void report(const std::string& name, double value) = 0;
};

enum class CallbackAction { Continue, Stop };

// Watches a run (after ensmallen's callbacks and Ceres' IterationCallback). Hooks run on the run's thread.
class Callback {
 public:
  virtual ~Callback() = default;
  // Once, when a flow starts at step 0 (not again when a run resumes: load_state restores the callback then).
  virtual void on_start(const FlowView& /*view*/, MetricSink& /*sink*/) {}
  // After every step; Stop ends the run as complete at this step.
  virtual CallbackAction on_step(const FlowView& /*view*/, MetricSink& /*sink*/) { return CallbackAction::Continue; }
  // Once, at the end of a complete run (also one stopped by a callback).
  virtual void on_end(const FlowView& /*view*/, MetricSink& /*sink*/) {}
  // State kept across a resume, checkpointed with the flow (exactly: doubles).
  [[nodiscard]] virtual std::vector<double> save_state() const { return {}; }
  virtual void load_state(const std::vector<double>& /*state*/) {}
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

// The sliced part of one step as a service: directions, projections, sorting, embeddings, the pairwise SW matrix,
// the functional's slopes and the pull-back to a velocity. The CPU backends leave it to the core's engine (which
// calls for_each_block); a backend that runs the whole step itself (e.g. on a GPU) returns its own.
template <class T>
class SlicedStep {
 public:
  virtual ~SlicedStep() = default;
  // The functional's sliced part at x (source layout) against y (the step's target) with the directions of
  // (seed, step); writes the WoW velocity (the shape of x).
  virtual double evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, const Functional& functional,
                          T* velocity) = 0;
  // "sorted", "quantile", or the backend's own name for its method.
  [[nodiscard]] virtual std::string estimator() const = 0;
};

struct SlicedShape {
  const ClassLayout& source;
  const ClassLayout& target;  // per step (after batching)
  std::size_t dim;
  int sw_power;
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
  // The whole sliced step, when this backend provides it; null (the default): the core's engine, scheduled by
  // for_each_block.
  [[nodiscard]] virtual std::unique_ptr<SlicedStep<float>> make_step_f32(const SlicedShape& /*shape*/) const {
    return nullptr;
  }
  [[nodiscard]] virtual std::unique_ptr<SlicedStep<double>> make_step_f64(const SlicedShape& /*shape*/) const {
    return nullptr;
  }
};

}  // namespace wow
