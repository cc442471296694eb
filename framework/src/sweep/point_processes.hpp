#pragma once
// Runs sweep points as ordinary `wow run` child processes, a fixed number at a time. A child's output goes to its
// log file; a child dies with the sweep (PR_SET_PDEATHSIG), so a killed sweep leaves no orphan writing a run
// directory. SIGINT/SIGTERM to the sweep stop it: running children get SIGTERM (they checkpoint and exit 130) and
// no new one starts.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wow {

struct PointJob {
  std::string name;               // for progress lines
  std::vector<std::string> args;  // arguments after the program name: {"run", spec, "--quiet", ...}
  std::string log_file;           // stdout and stderr of the child, appended
  std::string loss_file;          // the run's loss.csv, read for progress (may not exist yet)
  std::int64_t steps = 0;         // the run's total steps, for progress
};

struct JobEnd {
  std::size_t job = 0;  // index into the jobs given
  int exit_code = 0;    // the child's exit status, or 128 + signal when a signal killed it
  double wall_s = 0.0;
};

// Runs every job with at most `parallel` children at once, calling on_end as each one ends (in the order they
// end). Returns false when a stop signal ended the batch early (jobs not started are not reported).
bool run_point_jobs(const std::string& program, const std::vector<PointJob>& jobs, int parallel, bool quiet,
                    const std::string& label, const std::function<void(const JobEnd&)>& on_end);

// The path of the running executable (/proc/self/exe).
std::string self_executable();

}  // namespace wow
