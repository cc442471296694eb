#pragma once
// Private to the runner: the flow loop of one run, from a start point (step 0 or a checkpoint) to the end.
#include <atomic>
#include <cstdint>
#include <vector>

#include "run/metrics_log.hpp"
#include "run/run_directory.hpp"
#include "run/run_setup.hpp"
#include "wow/errors.hpp"

namespace wow {

struct StartPoint {
  std::int64_t step = 0;
  const std::vector<double>* state = nullptr;  // null: x_0, the source
  SolverState solver;                          // empty at step 0
  std::vector<std::vector<double>> callbacks;  // saved callback states (per callback; empty: none)
  std::vector<MetricRow> metrics;              // metrics.csv rows kept from before the start point
};

// Bad input a callback found when the flow starts (on_start: e.g. a test set that does not fit the target): no step
// has run, so a new run's directory is removed again (nothing half-written).
struct RefusedAtStart : InputError {
  using InputError::InputError;
};

// Set by SIGINT/SIGTERM: the loop checkpoints and stops at the next step boundary.
std::atomic<int>& stop_signal();

// Runs the flow and its callbacks; returns the exit code (0, 3 diverged, 4 I/O failure or out of memory,
// 130 interrupted). status.json says how it ended.
int run_flow_loop(Setup& s, RunDirectory& run, const StartPoint& from, bool quiet);

}  // namespace wow
