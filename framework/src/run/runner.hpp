#pragma once
// `wow run`: builds the components of a resolved spec, loads the datasets, and drives the flow loop with its run
// directory, progress, checkpoints, divergence guard and pictures.
#include <cstddef>
#include <cstdint>
#include <string>

#include "run/progress.hpp"
#include "run/run_setup.hpp"
#include "wow/params.hpp"
#include "wow/registry.hpp"

namespace wow {

struct RunOptions {
  Json spec;                       // resolved spec (resolve_spec) for a new run; ignored with resume
  std::string resume_dir;          // non-empty: continue the run in this directory from its checkpoint
  bool force = false;              // replace an existing output directory
  bool quiet = false;              // no progress output
  std::size_t threads = 0;         // 0: all cores
  std::int64_t resume_steps = -1;  // with resume: a new total step count (>= the checkpoint's step) to extend to
  // Datasets given in memory for a new run: saved in the run directory as source.npy / target.npy (with
  // *_labels.npy for unequal classes) and the resolved spec's source/target become "npy" nodes reading them, so
  // the run resumes and reruns from its directory alone.
  GivenData given;
  ProgressObserver* progress = nullptr;  // null: the bar on stderr
};

// Runs to completion and returns the exit code (0, 3 diverged, 4 I/O failure, 130 interrupted).
// Throws InputError for bad input found before the first step; no run directory is left behind then.
int run_flow(const RunOptions& options, const Registry& registry);

}  // namespace wow
