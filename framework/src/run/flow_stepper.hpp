#pragma once
// One flow in memory, stepped by its owner (the run loop with its run directory, the Python module's Flow): the
// state, F and its velocity on the step's target batch, the solver, and the hooks (the spec's callbacks between the
// owner's own). Owners add what they keep (loss log, checkpoints, status, progress); the step itself is here once.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/flow_objective.hpp"
#include "run/metrics_log.hpp"
#include "run/run_setup.hpp"
#include "wow/errors.hpp"

namespace wow {

// Where a flow starts: step 0 (the source) or a checkpoint.
struct StartPoint {
  std::int64_t step = 0;
  const std::vector<double>* state = nullptr;  // null: x_0, the source
  SolverState solver;                          // empty at step 0
  std::vector<std::vector<double>> callbacks;  // saved callback states (per callback; empty: none)
  std::vector<MetricRow> metrics;              // metric rows kept from before the start point
};

// Bad input a callback found when the flow starts (on_start: e.g. a test set that does not fit the target): no step
// has run, so a new run's directory is removed again (nothing half-written).
struct RefusedAtStart : InputError {
  using InputError::InputError;
};

struct StepOutcome {
  double loss = 0.0;         // F(x_k), the state before the step
  bool finite = true;        // loss and velocity finite (else the state was not moved)
  bool state_finite = true;  // the new state is finite (else it overflowed: do not keep it)
  std::string stopped_by;    // a callback asked to stop: its type
};

template <class T>
class FlowStepper {
 public:
  // `s` and `metrics` must outlive the stepper. Loads the start point's state, solver and callback states.
  FlowStepper(Setup& s, const StartPoint& from, MetricsLog& metrics);

  // The owner's hooks: `add_first` ones run before the spec's callbacks, `add_last` ones after, in the order added.
  void add_first(Callback* hook) { first_.push_back(hook); }
  void add_last(Callback* hook) { last_.push_back(hook); }

  // on_start of every hook (call at step 0 only). An InputError of a hook becomes RefusedAtStart.
  void start();
  // One step from x_k: F and its velocity, the solver step to x_{k+1}, then on_step of every hook.
  StepOutcome advance();
  // on_end of every hook; `loss` is the last logged F.
  void finish(double loss);

  [[nodiscard]] std::int64_t step() const { return step_; }
  [[nodiscard]] std::int64_t steps() const { return steps_; }
  [[nodiscard]] const LabeledCloud<T>& state() const { return x_; }
  [[nodiscard]] const LabeledCloud<T>& target() const { return target_; }
  [[nodiscard]] SolverState solver_state() const { return s_.solver->save_state(); }
  [[nodiscard]] std::vector<std::vector<double>> callback_states() const;
  [[nodiscard]] std::string estimator() const;

 private:
  const FlowView& view_at(std::int64_t step, double loss);
  [[nodiscard]] std::vector<Callback*> hooks() const;
  // A plugin's code during the run: whatever it throws names the plugin (Registry::guard_plugin).
  template <class Body>
  decltype(auto) guarded(const char* kind, const std::string& type, const std::string& path, Body&& body) const {
    if (s_.registry == nullptr) return std::forward<Body>(body)();
    return s_.registry->guard_plugin(kind, type, path, std::forward<Body>(body));
  }

  Setup& s_;
  MetricsLog& metrics_;
  std::uint64_t seed_;
  std::int64_t steps_, step_;
  LabeledCloud<T> x_;
  const LabeledCloud<T> target_;
  FlowObjective<T> objective_;
  std::vector<Callback*> first_, last_;
  bool batching_;
  std::vector<T> batch_, velocity_;
  std::vector<std::size_t> batch_index_;
  FlowView view_;
};

extern template class FlowStepper<float>;
extern template class FlowStepper<double>;

}  // namespace wow
