#pragma once
// The sweep directory (docs/sweeps.md): sweep.json (the plan, the spec hash, the calls), specs/<point>.json,
// logs/<point>.log, one ordinary run directory per point, and the results (sweep.csv, summary.md, PNGs).
// One sweep process at a time: it holds sweep.lock for its life (an MPI sweep: rank 0).
#include <string>

#include "run/run_lock.hpp"
#include "sweep/sweep_plan.hpp"

namespace wow {

inline constexpr const char* kSweepLockFile = "sweep.lock";

// What a (re)started sweep does with one point, decided from its run directory.
enum class PointAction {
  Start,           // no run directory yet
  StartReplacing,  // a directory wow made but no run in it yet (killed while starting): run with --force
  Resume,          // interrupted, killed, or failed: `wow run --resume` (from its newest valid checkpoint)
  Done,            // complete, or diverged (deterministic: running it again diverges again)
  Blocked,         // in use by another process, or holding files wow did not write: left alone, reported failed
};

struct PointDecision {
  PointAction action = PointAction::Start;
  std::string why;  // Blocked: the reason
};

class SweepDirectory {
 public:
  // Creates `dir` for `plan`, or reopens the directory of the same sweep (same spec hash). A directory made by a
  // different spec is refused naming the first difference, unless `force`, which replaces it (only what wow made,
  // as `wow run --force`). Takes sweep.lock; writes sweep.json (recording `command`) and specs/. `same_sweep_hash`:
  // a recorded hash that is also this sweep (the recorded spec resolves to `plan` under today's plugins: a plugin
  // gained a parameter whose default keeps the old behaviour); see recorded_hash_if_same.
  static SweepDirectory open(const std::string& dir, const SweepPlan& plan, const Json& command, bool force,
                             const std::string& same_sweep_hash = "");

  [[nodiscard]] const std::string& dir() const { return dir_; }
  [[nodiscard]] std::string point_dir(const SweepPoint& p) const { return dir_ + "/" + p.name; }
  [[nodiscard]] std::string spec_file(const SweepPoint& p) const { return dir_ + "/specs/" + p.name + ".json"; }
  [[nodiscard]] std::string log_file(const SweepPoint& p) const { return dir_ + "/logs/" + p.name + ".log"; }
  [[nodiscard]] PointDecision decide(const SweepPoint& p) const;

 private:
  explicit SweepDirectory(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  RunLock lock_;
};

// Reads DIR/sweep.json; throws InputError naming the directory when it is not a sweep directory.
Json read_sweep_record(const std::string& dir);

// The hash recorded in DIR/sweep.json when its spec, resolved again with today's plugins, is `plan` (same hash);
// "" otherwise (no record, unreadable, or a different sweep).
std::string recorded_hash_if_same(const std::string& dir, const SweepPlan& plan, const Registry& registry,
                                  const std::string& default_name);

}  // namespace wow
