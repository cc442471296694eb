#pragma once
// Flows from Python: whole runs (with or without a run directory), resumes, and the Flow stepped by hand.
#include <pybind11/pybind11.h>

namespace wowpy {

void bind_flow(pybind11::module_& m);

}  // namespace wowpy
