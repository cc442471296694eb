#pragma once
// Where a flow continues from a run directory: its newest valid checkpoint as a StartPoint (for `wow run --resume`
// and the Python module's Flow.load).
#include "run/checkpoint.hpp"
#include "run/flow_stepper.hpp"
#include "run/run_directory.hpp"
#include "run/run_setup.hpp"
#include "wow/registry.hpp"

namespace wow {

// The run's resolved_spec.json, resolved again with this build's plugins (the file may have been edited by hand, and
// its components must exist here). Throws InputError when it cannot be read or is not a spec.
Json read_run_spec(const RunDirectory& run, const Registry& registry);

// The state, solver buffers and scalars, callback states and the metric rows written before the checkpoint `cp`
// of `run` (arrays "state", "solver_<buffer>", "callback_<i>"; before plugin API 2 the momentum buffer was
// "solver"). Step 0 (an empty start point) when `cp` holds no arrays. `cp` must outlive the result (its state).
// Throws InputError when a solver buffer does not fit the state.
StartPoint start_point_from(const LoadedCheckpoint& cp, const Setup& s, const RunDirectory& run);

}  // namespace wow
