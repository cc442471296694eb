#pragma once
// Sliced distances from Python: SW_p between two point clouds, and 1/2 MMD^2 between labeled datasets with the
// engine's estimators (the loss a flow would log at step 0).
#include <pybind11/pybind11.h>

#include <string>

namespace wowpy {

void bind_distances(pybind11::module_& m);

// Refuses (wow::MemoryBudgetError, MemoryError in Python) a call that needs more than `bytes` plus slack when that
// does not fit what this process may still use (wow::available_memory, as `wow run`'s check). `call` names the
// function, `driver` says which parameter drives the size.
void require_memory(double bytes, const std::string& call, const std::string& driver);

}  // namespace wowpy
