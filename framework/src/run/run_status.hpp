#pragma once
// A run's state as `wow status DIR` reports it, read without the run's lock (a reader never blocks a writer).
#include <cstdint>
#include <optional>
#include <string>

#include "wow/params.hpp"

namespace wow {

struct RunState {
  std::string dir;
  std::string status;  // status.json's: running, complete, interrupted, failed, diverged
  bool alive = false;  // running and its process still holds the lock
  std::int64_t pid = 0;
  std::string host;
  std::int64_t step = 0;                        // steps done (loss rows written), or status.json's step
  std::int64_t steps = -1;                      // the run's total, when known
  std::optional<double> loss;                   // the last loss written
  std::optional<std::int64_t> checkpoint_step;  // the newest checkpoint record
  std::string message;                          // failed / diverged: why
  std::optional<double> elapsed_s;
};

// Throws InputError when `dir` is not a run directory (no readable status.json).
RunState read_run_state(const std::string& dir);
Json to_json(const RunState& state);
// "runs/rings: complete, step 501/501, loss 1.2e-04, checkpoint 501, 3.1 s"
std::string one_line(const RunState& state);

}  // namespace wow
