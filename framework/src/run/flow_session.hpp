#pragma once
// A flow held in memory and stepped by hand (the Python module's Flow and its in-memory runs): no run directory is
// written until save(). The same step as `wow run` (FlowStepper), so the same spec gives the same bits.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "run/flow_stepper.hpp"
#include "run/metrics_log.hpp"
#include "run/run_directory.hpp"
#include "run/run_setup.hpp"
#include "wow/registry.hpp"

namespace wow {

class FlowSession {
 public:
  // `spec` resolved (resolve_spec); `given` replaces the spec's source/target nodes (they are then recorded as
  // "npy" nodes by save()). Throws InputError for bad input, like `wow run` before its first step.
  FlowSession(const Json& spec, const Registry& registry, std::size_t threads, GivenData given = {});
  // A run directory (wow run, or save()) continued in memory from its newest valid checkpoint; the directory is
  // only read. Throws InputError when it is not a run directory.
  static std::unique_ptr<FlowSession> load(const std::string& dir, const Registry& registry, std::size_t threads);
  ~FlowSession();
  FlowSession(const FlowSession&) = delete;
  FlowSession& operator=(const FlowSession&) = delete;

  // One step (x_k -> x_{k+1}); throws DivergedError (nothing moved) when F, its velocity or the new state is not
  // finite. At the last step of the solver's schedule, or when a callback asks to stop, the end-of-run hooks run
  // and complete() becomes true; stepping a complete flow throws InputError.
  double advance();

  [[nodiscard]] std::int64_t step() const;
  [[nodiscard]] std::int64_t steps() const;
  [[nodiscard]] bool complete() const { return complete_; }
  [[nodiscard]] const std::string& stopped_by() const { return stopped_by_; }
  [[nodiscard]] const Json& spec() const { return setup_->spec; }
  // The state as doubles (class blocks of layout()).
  [[nodiscard]] std::vector<double> state() const;
  [[nodiscard]] const ClassLayout& layout() const { return setup_->source.layout; }
  [[nodiscard]] std::size_t dim() const { return setup_->source.dim; }
  // The target dataset as loaded (or given), whole (before any per-step batching).
  [[nodiscard]] const LabeledCloud<double>& target() const { return setup_->target; }
  [[nodiscard]] const std::vector<LossRow>& loss() const { return loss_; }
  [[nodiscard]] const std::vector<MetricRow>& metrics() const { return metrics_->rows(); }

  // Writes a run directory (must not exist) that `wow run --resume DIR` continues and read_run reads: the resolved
  // spec (given datasets saved beside it as .npy), loss.csv, metrics.csv, a checkpoint at the current step and
  // status.json ("interrupted" before the end; "complete" with final.npy at it).
  void save(const std::string& dir) const;

 private:
  struct Typed;  // the FlowStepper of the run's precision
  FlowSession() = default;
  void begin(const StartPoint& from);  // the stepper from `from`; the start hooks at step 0
  std::unique_ptr<Setup> setup_;
  bool given_source_ = false, given_target_ = false;
  std::unique_ptr<MetricsLog> metrics_;
  std::unique_ptr<Typed> typed_;
  std::vector<LossRow> loss_;
  double elapsed_s_ = 0.0;
  bool complete_ = false;
  std::string stopped_by_;
};

}  // namespace wow
