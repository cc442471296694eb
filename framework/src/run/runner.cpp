#include "run/runner.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <new>
#include <thread>

#include "engine/blas.hpp"
#include "run/checkpoint_start.hpp"
#include "run/flow_loop.hpp"
#include "run/run_directory.hpp"
#include "run/run_setup.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

extern "C" void on_stop_signal(int sig) { stop_signal().store(sig); }

// Ctrl-C and SIGTERM stop the loop at the next step boundary; the handlers found before (Python's, inside the
// module) are put back afterwards.
struct SignalGuard {
  SignalGuard() {
    stop_signal().store(0);
    struct sigaction ours {};
    ours.sa_handler = on_stop_signal;
    sigemptyset(&ours.sa_mask);
    sigaction(SIGINT, &ours, &previous_int_);
    sigaction(SIGTERM, &ours, &previous_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// Runs the flow loop; anything it throws still leaves status.json saying what happened (never "running").
int guarded_run(Setup& s, RunDirectory& run, const StartPoint& from, bool quiet, ProgressObserver* observer) {
  const auto mark_failed = [&](const std::string& message) {
    try {
      run.write_status("failed", from.step, Json{{"message", message}});
    } catch (const std::exception&) {
      // The disk is full: status.json keeps its last good content.
    }
  };
  try {
    return run_flow_loop(s, run, from, quiet, observer);
  } catch (const std::bad_alloc&) {
    mark_failed("out of memory");
    std::fprintf(stderr, "error: out of memory during the run; the last good checkpoint is kept in %s\n",
                 run.dir().c_str());
    return kExitIoFailure;
  } catch (const InputError& e) {
    mark_failed(e.what());
    throw;
  } catch (const std::exception& e) {
    mark_failed(std::string("internal error: ") + e.what());
    throw;
  }
}

int resume_flow(const RunOptions& options, const Registry& registry, std::size_t threads) {
  RunDirectory run(options.resume_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(options.resume_dir, ec))
    throw InputError("--resume " + options.resume_dir + ": no such run directory");
  const std::string spec_file = run.path("resolved_spec.json");
  if (!std::filesystem::exists(spec_file, ec))
    throw InputError("--resume " + options.resume_dir + ": not a run directory (no resolved_spec.json)");
  run.lock_existing();  // before reading anything another writer could be changing
  Json spec = read_run_spec(run, registry);
  if (options.resume_steps >= 0) spec["solver"]["params"]["steps"] = options.resume_steps;
  Setup s = build_checked(spec, registry, threads);
  const LoadedCheckpoint cp = run.load_checkpoint(s.source.points.size());
  for (const auto& why : cp.skipped) std::fprintf(stderr, "warning: resume: skipped checkpoint %s\n", why.c_str());
  if (cp.arrays.empty()) {
    if (cp.any_record || !options.quiet)
      std::fprintf(stderr, "%s: %s; starting again from step 0 (same seed, same result)\n",
                   cp.any_record ? "warning: resume" : "resume",
                   cp.any_record ? "no valid checkpoint" : "no checkpoint written yet");
  } else if (!cp.skipped.empty() || !options.quiet) {
    std::fprintf(stderr, "resume: continuing from step %lld (%s)\n", static_cast<long long>(cp.step),
                 cp.record.c_str());
  }
  if (options.resume_steps >= 0) {
    if (options.resume_steps < cp.step)
      throw InputError("--set solver.params.steps=" + std::to_string(options.resume_steps) +
                       ": the run's checkpoint is already at step " + std::to_string(cp.step));
    run.write_json("resolved_spec.json", spec);
  }
  const StartPoint from = start_point_from(cp, s, run);
  std::filesystem::remove(run.path("final.npy"), ec);  // only complete runs have final.npy
  std::vector<LossRow> rows = run.read_loss();
  std::erase_if(rows, [&](const LossRow& r) { return r.step >= from.step; });
  run.open_loss(rows);
  run.write_status("running", from.step, Json{{"steps", s.solver->steps()}, {"resumed_from", from.step}});
  return guarded_run(s, run, from, options.quiet, options.progress);
}

}  // namespace

int run_flow(const RunOptions& options, const Registry& registry) {
  const std::size_t threads = options.threads > 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  blas::set_threads(1);  // the engine runs BLAS per fixed block (determinism)
  SignalGuard signals;
  if (!options.resume_dir.empty()) return resume_flow(options, registry, threads);
  const Json& spec = options.spec;
  const std::string dir = spec.at("output").at("dir").get<std::string>();
  RunDirectory::check_new(dir, options.force);
  Setup s = build_checked(spec, registry, threads, options.given);
  RunDirectory run(dir);
  run.create(options.force);
  try {
    if (options.given.source != nullptr) s.spec["source"] = save_given_dataset(run, "source", s.source);
    if (options.given.target != nullptr) s.spec["target"] = save_given_dataset(run, "target", s.target);
    run.write_json("resolved_spec.json", s.spec);
    run.write_status("running", 0, Json{{"steps", s.solver->steps()}});
    run.open_loss({});
  } catch (const IoError& e) {
    run.remove();
    throw InputError(std::string("output directory ") + dir + ": " + e.what());
  }
  try {
    return guarded_run(s, run, StartPoint{}, options.quiet, options.progress);
  } catch (const RefusedAtStart&) {
    run.remove();  // created by this run a moment ago, before any step: nothing of value in it
    throw;
  }
}

}  // namespace wow
