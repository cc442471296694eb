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
#include "run/run_inventory.hpp"
#include "run/run_setup.hpp"
#include "run/run_status.hpp"
#include "run/spec_record.hpp"
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
    std::fprintf(stderr, "error: out of memory during the run; %s\n", run.kept_checkpoint_note().c_str());
    return kExitIoFailure;
  } catch (const InputError& e) {
    mark_failed(e.what());
    throw;
  } catch (const std::exception& e) {
    mark_failed(std::string("internal error: ") + e.what());
    throw;
  }
}

// The checkpoint's record of the spec (spec_record.hpp) against resolved_spec.json as it is now: any difference but
// the run length is a different run, refused before anything is written.
void require_same_run(const LoadedCheckpoint& cp, const Json& spec, const RunDirectory& run) {
  if (cp.arrays.empty()) return;  // starting again from step 0: nothing of the old run carries over
  if (!cp.extra.contains("spec")) {
    std::fprintf(stderr, "note: resume: %s predates spec records; resolved_spec.json not compared\n",
                 cp.record.c_str());
    return;
  }
  const Json now = run_identity(spec);
  if (cp.extra.value("spec_digest", std::string()) == identity_digest(now)) return;
  const std::string why = first_difference(cp.extra["spec"], now);
  if (why.empty()) return;  // only new defaults of newer plugins
  throw InputError("--resume " + run.dir() + ": resolved_spec.json no longer describes this run: " + why +
                   "; a resume may change only the run length (--set solver.params.steps=N); for another spec start "
                   "a new run (--out DIR, or --force to replace this one)");
}

// A complete run asked for no more steps: said so, and nothing is rewritten.
bool nothing_to_do(const LoadedCheckpoint& cp, const Setup& s, const RunDirectory& run, const RunOptions& options) {
  std::error_code ec;
  if (cp.arrays.empty() || cp.step < s.solver->steps() || !std::filesystem::exists(run.path("final.npy"), ec))
    return false;
  try {
    if (read_run_state(run.dir()).status != "complete") return false;
  } catch (const InputError&) {
    return false;
  }
  if (!options.quiet)
    std::fprintf(stderr,
                 "resume: %s is complete at step %lld; nothing to do (extend it with --set "
                 "solver.params.steps=N)\n",
                 run.dir().c_str(), static_cast<long long>(cp.step));
  return true;
}

int resume_flow(const RunOptions& options, const Registry& registry, std::size_t threads) {
  RunDirectory run(options.resume_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(options.resume_dir, ec))
    throw InputError("--resume " + options.resume_dir + ": no such run directory");
  // Only a directory wow made is resumed (run_inventory.hpp); anything else is refused before the lock file is made.
  const auto require_ours = [&] {
    if (const std::string why = why_not_a_run_directory(options.resume_dir); !why.empty())
      throw InputError("--resume " + options.resume_dir + ": not a wow run directory (" + why +
                       "); nothing was changed");
  };
  require_ours();
  run.lock_existing();  // before reading anything another writer could be changing
  require_ours();       // again under the lock
  Json spec = read_run_spec(run, registry);
  if (options.resume_steps >= 0) spec["solver"]["params"]["steps"] = options.resume_steps;
  Setup s = build_checked(spec, registry, threads);
  const LoadedCheckpoint cp = run.load_checkpoint(s.source.points.size());
  require_same_run(cp, spec, run);
  if (options.resume_steps >= 0 && options.resume_steps < cp.step)
    throw InputError("--set solver.params.steps=" + std::to_string(options.resume_steps) +
                     ": the run's checkpoint is already at step " + std::to_string(cp.step));
  if (nothing_to_do(cp, s, run, options)) return kExitOk;
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
  if (options.resume_steps >= 0) run.write_json("resolved_spec.json", spec);
  const StartPoint from = start_point_from(cp, s, run);
  run.discard_final();  // only complete runs have final.npy
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
