#pragma once
// Private to the runner: the flow loop of one run, from a start point (step 0 or a checkpoint) to the end.
#include <atomic>
#include <cstdint>
#include <vector>

#include "run/flow_stepper.hpp"
#include "run/metrics_log.hpp"
#include "run/progress.hpp"
#include "run/run_directory.hpp"
#include "run/run_setup.hpp"
#include "wow/errors.hpp"

namespace wow {

// Set by SIGINT/SIGTERM: the loop checkpoints and stops at the next step boundary.
std::atomic<int>& stop_signal();

// Runs the flow and its callbacks; returns the exit code (0, 3 diverged, 4 I/O failure or out of memory,
// 130 interrupted). status.json says how it ended.
int run_flow_loop(Setup& s, RunDirectory& run, const StartPoint& from, bool quiet,
                  ProgressObserver* observer = nullptr);

}  // namespace wow
