#include "distance_binding.hpp"

#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <thread>

#include "arrays.hpp"
#include "core/json_text.hpp"
#include "engine/blas.hpp"
#include "engine/directions.hpp"
#include "engine/flow_objective.hpp"
#include "engine/sliced_distance.hpp"
#include "engine/sliced_engine.hpp"
#include "plugins_binding.hpp"
#include "run/memory_budget.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"

namespace py = pybind11;

namespace wowpy {

namespace {

std::unique_ptr<wow::ProjectionBackend> make_backend(const std::string& projections_json, std::size_t threads) {
  const wow::Json node =
      registry().resolve_node("projections", wow::parse_json_text(projections_json, "projections"), "projections");
  auto backend = registry().create<wow::ProjectionBackend>(node, "projections");
  backend->set_threads(threads > 0 ? threads : std::max(1U, std::thread::hardware_concurrency()));
  return backend;
}

// Finite values or InputError naming the point and coordinate (the NumPy arrays are read in place).
void require_finite_rows(const double* points, std::size_t rows, std::size_t dim, const std::string& what) {
  for (std::size_t i = 0; i < rows * dim; ++i)
    if (!std::isfinite(points[i]))
      throw wow::InputError(what + ": value at point " + std::to_string(i / dim) + ", coordinate " +
                            std::to_string(i % dim) + " is " + std::to_string(points[i]) + " (not finite)");
}

wow::ClassLayout layout_of(const DoubleArray& points, const std::vector<std::size_t>& sizes, const char* what) {
  wow::ClassLayout layout = wow::ClassLayout::from_sizes(sizes);
  if (points.ndim() != 2 || layout.rows() != static_cast<std::size_t>(points.shape(0)))
    throw wow::InputError(std::string("internal: ") + what + ": class sizes do not add up to the rows");
  return layout;
}

// Directions per chunk of a sliced_wasserstein call: about 50 ms of work on one core, so that Ctrl-C is seen
// between chunks. A function of the sizes only (never of the thread count): each term is computed alone, so the
// chunks change nothing in the result.
std::size_t directions_per_chunk(std::size_t n, std::size_t m, std::size_t dim) {
  const double work_per_direction = static_cast<double>(n + m) * (static_cast<double>(dim) + 30.0);
  const double chunk = 5e7 / std::max(1.0, work_per_direction);
  return static_cast<std::size_t>(std::clamp(chunk, 8.0, 65536.0)) / 8 * 8;
}

// Raises KeyboardInterrupt (through error_already_set) when Ctrl-C came; the GIL must be held.
void check_signals() {
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
}

}  // namespace

void require_memory(double bytes, const std::string& call, const std::string& driver) {
  const wow::MemoryLimit available = wow::available_memory();
  const double needed = bytes + 64.0 * 1024 * 1024;  // + code, thread scratch, allocator slack
  if (needed <= static_cast<double>(available.bytes)) return;
  throw wow::MemoryBudgetError(call + " needs about " + wow::human_bytes(needed) + " of memory but " +
                               wow::human_bytes(static_cast<double>(available.bytes)) + " is available (" +
                               available.source + "): " + driver);
}

void bind_distances(py::module_& m) {
  m.def(
      "_sliced_wasserstein",
      [](const DoubleArray& x, const DoubleArray& y, const std::optional<DoubleArray>& a,
         const std::optional<DoubleArray>& b, const std::optional<DoubleArray>& directions, double p,
         std::uint64_t seed, const std::string& projections_json, std::size_t threads, bool gradient) {
        const auto dim = static_cast<std::size_t>(x.shape(1));
        const auto n = static_cast<std::size_t>(x.shape(0)), mm = static_cast<std::size_t>(y.shape(0));
        const auto backend = make_backend(projections_json, threads);
        const std::size_t count =
            directions ? static_cast<std::size_t>(directions->shape(0)) : backend->settings().count;
        // The directions (drawn or copied, and their copy returned to Python), the terms, and per chunk the
        // projections (a few rows of n + m per task) and, with the gradient, the derivatives of each term
        // (chunk x (n + m)) and the gradients.
        const double c = static_cast<double>(count),
                     chunk = static_cast<double>(std::min(count, directions_per_chunk(n, mm, dim)));
        const double rows = static_cast<double>(n + mm);
        const double bytes = 8.0 * (2.0 * c * static_cast<double>(dim) + 3.0 * c + (gradient ? chunk * rows : 0.0) +
                                    (gradient ? 2.0 * rows * static_cast<double>(dim) : 0.0) +
                                    32.0 * rows * static_cast<double>(backend->threads()));
        require_memory(bytes, "sliced_wasserstein",
                       "the directions take projections (" + std::to_string(count) + ") x d (" + std::to_string(dim) +
                           ") doubles; lower projections");
        std::vector<double> theta;
        if (directions) {
          theta.assign(directions->data(), directions->data() + directions->size());
        } else {
          const auto& s = backend->settings();
          theta.resize(count * dim);
          py::gil_scoped_release release;
          wow::draw_directions<double>(s.directions, seed, 0, count, dim, theta.data(), *backend);
        }
        const wow::WeightedCloud cx{x.data(), n, a ? a->data() : nullptr};
        const wow::WeightedCloud cy{y.data(), mm, b ? b->data() : nullptr};
        std::vector<double> terms(count);
        std::vector<double> grad_x(gradient ? n * dim : 0), grad_y(gradient ? mm * dim : 0);
        // Chunks of directions with the GIL released; Ctrl-C is checked between them.
        const std::size_t per_chunk = directions_per_chunk(n, mm, dim);
        std::vector<double> chunk_theta, gx, gy, part_grad;
        for (std::size_t l0 = 0; l0 < count; l0 += per_chunk) {
          const std::size_t here = std::min(count, l0 + per_chunk) - l0;
          {
            py::gil_scoped_release release;
            chunk_theta.assign(theta.begin() + static_cast<std::ptrdiff_t>(l0 * dim),
                               theta.begin() + static_cast<std::ptrdiff_t>((l0 + here) * dim));
            if (gradient) {
              gx.resize(here * n);
              gy.resize(here * mm);
            }
            const std::vector<double> part = wow::sliced_wasserstein_terms(
                cx, cy, dim, chunk_theta, p, *backend, gradient ? gx.data() : nullptr, gradient ? gy.data() : nullptr);
            std::copy(part.begin(), part.end(), terms.begin() + static_cast<std::ptrdiff_t>(l0));
            if (gradient) {
              // sum_l dterm_l/d<theta_l, x_i> theta_l, accumulated chunk after chunk (a fixed order).
              part_grad.resize(std::max(n, mm) * dim);
              wow::blas::gemm_tn(n, dim, here, gx.data(), n, chunk_theta.data(), dim, part_grad.data(), dim);
              for (std::size_t i = 0; i < n * dim; ++i) grad_x[i] += part_grad[i];
              wow::blas::gemm_tn(mm, dim, here, gy.data(), mm, chunk_theta.data(), dim, part_grad.data(), dim);
              for (std::size_t i = 0; i < mm * dim; ++i) grad_y[i] += part_grad[i];
            }
          }
          check_signals();
        }
        py::list out;
        out.append(to_numpy(terms, {count}));
        out.append(to_numpy(theta, {count, dim}));
        if (gradient) {
          // d(sum_l term_l) / dx and / dy; the caller scales by d SW / d term.
          out.append(to_numpy(grad_x, {n, dim}));
          out.append(to_numpy(grad_y, {mm, dim}));
        }
        return py::tuple(out);
      },
      py::arg("x"), py::arg("y"), py::arg("a"), py::arg("b"), py::arg("directions"), py::arg("p"), py::arg("seed"),
      py::arg("projections_json"), py::arg("threads"), py::arg("gradient") = false);

  m.def(
      "_functional_value",
      [](const std::string& functional_json, const std::string& projections_json, const DoubleArray& x,
         const std::vector<std::size_t>& x_sizes, const DoubleArray& y, const std::vector<std::size_t>& y_sizes,
         std::uint64_t seed, std::size_t threads, const std::string& gradient) {
        // gradient: "" (the value), "velocity" (the WoW velocity (n_c / w_c) dF/dx at X), "x" (dF/dX) or "xy"
        // (dF/dX and dF/dY). X and Y are read in place (no copy).
        const wow::Registry& reg = registry();
        const wow::Json fnode =
            reg.resolve_node("functional", wow::parse_json_text(functional_json, "functional"), "functional");
        auto functional = reg.create<wow::Functional>(fnode, "functional");
        const auto backend = make_backend(projections_json, threads);
        const wow::ClassLayout sx = layout_of(x, x_sizes, "X"), sy = layout_of(y, y_sizes, "Y");
        const auto dim = static_cast<std::size_t>(x.shape(1));
        if (static_cast<std::size_t>(y.shape(1)) != dim)
          throw wow::InputError("X has dimension " + std::to_string(dim) + " but Y has " + std::to_string(y.shape(1)));
        require_finite_rows(x.data(), sx.rows(), dim, "X");
        require_finite_rows(y.data(), sy.rows(), dim, "Y");
        functional->prepare(sx.classes(), sy.classes());
        functional->prepare_dimension(dim);
        const bool sliced = functional->sw_power() != 0;
        if (sliced) wow::resolve_estimator(backend->settings().estimator, sx, sy);
        const bool both = gradient == "xy";
        const double engine =
            sliced ? wow::SlicedEngine<double>::bytes_needed(sx, sy, dim, backend->settings(), backend->threads()) *
                         (both ? 2.0 : 1.0)
                   : 0.0;
        require_memory(engine + 8.0 * static_cast<double>((sx.rows() + sy.rows()) * dim) * 2.0, "mmd",
                       "the sliced engine's buffers take " + wow::human_bytes(engine) + ", growing with projections (" +
                           std::to_string(backend->settings().count) + ") times the points of both datasets (" +
                           std::to_string(sx.rows()) + " + " + std::to_string(sy.rows()) + "); lower projections");
        // The class masses w_c (and v_k) of the WoW rescaling, to turn velocities back into gradients.
        const auto class_masses = [](const wow::Functional& f, std::size_t classes, std::size_t others) {
          if (f.sw_power() == 0) return std::vector<double>(classes, 1.0 / static_cast<double>(classes));
          wow::PairwiseSW zero{classes, others, std::vector<double>((classes + others) * (classes + others), 0.0)};
          return f.evaluate(zero).source_weights;
        };
        std::vector<double> velocity(sx.rows() * dim), velocity_y(both ? sy.rows() * dim : 0);
        double value = 0.0;
        std::unique_ptr<wow::Functional> swapped;
        if (both) {
          // F is symmetric in its two datasets (1/2 ||P - Q||^2_K): dF/dY is the gradient of F(Y, X).
          swapped = reg.create<wow::Functional>(fnode, "functional");
          swapped->prepare(sy.classes(), sx.classes());
          swapped->prepare_dimension(dim);
        }
        {
          py::gil_scoped_release release;
          wow::FlowObjective<double> objective(sx, sy, dim, *functional, *backend);
          value = objective.evaluate(x.data(), y.data(), seed, 0, velocity.data());
          if (both) {
            wow::FlowObjective<double> other(sy, sx, dim, *swapped, *backend);
            other.evaluate(y.data(), x.data(), seed, 0, velocity_y.data());
          }
        }
        if (gradient.empty()) return py::object(py::float_(value));
        const auto to_gradient = [dim](std::vector<double>& v, const wow::ClassLayout& layout,
                                       const std::vector<double>& masses) {
          for (std::size_t c = 0; c < layout.classes(); ++c) {
            const double scale = masses[c] / static_cast<double>(layout.size(c));
            for (std::size_t i = layout.offsets[c] * dim; i < layout.offsets[c + 1] * dim; ++i) v[i] *= scale;
          }
        };
        if (gradient == "velocity") return py::object(py::make_tuple(value, to_numpy(velocity, {sx.rows(), dim})));
        to_gradient(velocity, sx, class_masses(*functional, sx.classes(), sy.classes()));
        if (!both) return py::object(py::make_tuple(value, to_numpy(velocity, {sx.rows(), dim})));
        to_gradient(velocity_y, sy, class_masses(*swapped, sy.classes(), sx.classes()));
        return py::object(
            py::make_tuple(value, to_numpy(velocity, {sx.rows(), dim}), to_numpy(velocity_y, {sy.rows(), dim})));
      },
      py::arg("functional_json"), py::arg("projections_json"), py::arg("x"), py::arg("x_sizes"), py::arg("y"),
      py::arg("y_sizes"), py::arg("seed"), py::arg("threads"), py::arg("gradient"));
}

}  // namespace wowpy
