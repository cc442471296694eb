// wowflow._core: the C++ side of the `wowflow` Python package (python/wowflow/ holds the Python side: argument
// checks, results, progress bars, docstrings). Errors become Python exceptions: InputError (a ValueError, the
// CLI's exit code 2), DivergedError (FloatingPointError, exit 3), OSError (I/O failures, exit 4).
#include <pybind11/pybind11.h>

#include "distance_binding.hpp"
#include "flow_binding.hpp"
#include "plugins_binding.hpp"
#include "run/memory_budget.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
  m.doc() = "WoWFlow's C++ core (use the wowflow package, not this module)";
  py::register_exception<wow::InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception<wow::DivergedError>(m, "DivergedError", PyExc_FloatingPointError);
  py::register_exception<wow::IoError>(m, "IoError", PyExc_OSError);
  // Registered after InputError, so tried before it: a computation too large for the memory left is MemoryError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const wow::MemoryBudgetError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    }
  });
  m.attr("version") = WOW_VERSION;
  m.attr("plugin_api") = WOW_PLUGIN_API_VERSION;
  wowpy::bind_plugins(m);
  wowpy::bind_flow(m);
  wowpy::bind_distances(m);
}
