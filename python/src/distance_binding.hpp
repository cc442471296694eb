#pragma once
// Sliced distances from Python: SW_p between two point clouds, and 1/2 MMD^2 between labeled datasets with the
// engine's estimators (the loss a flow would log at step 0).
#include <pybind11/pybind11.h>

namespace wowpy {

void bind_distances(pybind11::module_& m);

}  // namespace wowpy
