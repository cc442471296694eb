#include "distance_binding.hpp"

#include <pybind11/stl.h>

#include <cmath>
#include <thread>

#include "arrays.hpp"
#include "engine/directions.hpp"
#include "engine/flow_objective.hpp"
#include "engine/sliced_distance.hpp"
#include "plugins_binding.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"

namespace py = pybind11;

namespace wowpy {

namespace {

std::unique_ptr<wow::ProjectionBackend> make_backend(const std::string& projections_json, std::size_t threads) {
  const wow::Json node = registry().resolve_node("projections", wow::Json::parse(projections_json), "projections");
  auto backend = registry().create<wow::ProjectionBackend>(node, "projections");
  backend->set_threads(threads > 0 ? threads : std::max(1U, std::thread::hardware_concurrency()));
  return backend;
}

}  // namespace

void bind_distances(py::module_& m) {
  m.def(
      "_sliced_wasserstein",
      [](const DoubleArray& x, const DoubleArray& y, const std::optional<DoubleArray>& a,
         const std::optional<DoubleArray>& b, const std::optional<DoubleArray>& directions, double p,
         std::uint64_t seed, const std::string& projections_json, std::size_t threads) {
        const auto dim = static_cast<std::size_t>(x.shape(1));
        const auto backend = make_backend(projections_json, threads);
        std::vector<double> theta;
        if (directions) {
          theta.assign(directions->data(), directions->data() + directions->size());
        } else {
          const auto& s = backend->settings();
          theta.resize(s.count * dim);
          wow::draw_directions<double>(s.directions, seed, 0, s.count, dim, theta.data(), *backend);
        }
        const wow::WeightedCloud cx{x.data(), static_cast<std::size_t>(x.shape(0)), a ? a->data() : nullptr};
        const wow::WeightedCloud cy{y.data(), static_cast<std::size_t>(y.shape(0)), b ? b->data() : nullptr};
        std::vector<double> terms;
        {
          py::gil_scoped_release release;
          terms = wow::sliced_wasserstein_terms(cx, cy, dim, theta, p, *backend);
        }
        return py::make_tuple(to_numpy(terms, {terms.size()}), to_numpy(theta, {terms.size(), dim}));
      },
      py::arg("x"), py::arg("y"), py::arg("a"), py::arg("b"), py::arg("directions"), py::arg("p"), py::arg("seed"),
      py::arg("projections_json"), py::arg("threads"));

  m.def(
      "_functional_value",
      [](const std::string& functional_json, const std::string& projections_json, const DoubleArray& x,
         const std::vector<std::size_t>& x_sizes, const DoubleArray& y, const std::vector<std::size_t>& y_sizes,
         std::uint64_t seed, std::size_t threads, bool gradient) {
        const wow::Registry& reg = registry();
        const wow::Json fnode = reg.resolve_node("functional", wow::Json::parse(functional_json), "functional");
        auto functional = reg.create<wow::Functional>(fnode, "functional");
        const auto backend = make_backend(projections_json, threads);
        const auto source = cloud_from(x, x_sizes, {}), target = cloud_from(y, y_sizes, {});
        if (source.dim != target.dim)
          throw wow::InputError("X has dimension " + std::to_string(source.dim) + " but Y has " +
                                std::to_string(target.dim));
        wow::require_finite(source, "X");
        wow::require_finite(target, "Y");
        functional->prepare(source.classes(), target.classes());
        functional->prepare_dimension(source.dim);
        if (functional->sw_power() != 0)
          wow::resolve_estimator(backend->settings().estimator, source.layout, target.layout);
        std::vector<double> velocity(source.points.size());
        double value = 0.0;
        {
          py::gil_scoped_release release;
          wow::FlowObjective<double> objective(source.layout, target.layout, source.dim, *functional, *backend);
          value = objective.evaluate(source.points.data(), target.points.data(), seed, 0, velocity.data());
        }
        if (!gradient) return py::object(py::float_(value));
        return py::object(py::make_tuple(value, to_numpy(velocity, {source.rows(), source.dim})));
      },
      py::arg("functional_json"), py::arg("projections_json"), py::arg("x"), py::arg("x_sizes"), py::arg("y"),
      py::arg("y_sizes"), py::arg("seed"), py::arg("threads"), py::arg("gradient"));
}

}  // namespace wowpy
