#pragma once
// The module's registry: every plugin of the build (or installation) the module belongs to, loaded once on first use.
#include <pybind11/pybind11.h>

#include "wow/registry.hpp"

namespace wowpy {

const wow::Registry& registry();

// plugins(), describe(), resolve_spec(): the registry's view from Python.
void bind_plugins(pybind11::module_& m);

}  // namespace wowpy
