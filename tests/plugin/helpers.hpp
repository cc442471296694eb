#pragma once
// Shared set-up of the plugin tests: one registry with every plugin of the build loaded, and builders for the
// functional, the projection backend, random clouds and fixed directions.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../common/test_files.hpp"
#include "core/plugin_loader.hpp"
#include "engine/blas.hpp"
#include "engine/sliced_engine.hpp"
#include "wow/cloud.hpp"
#include "wow/interfaces.hpp"
#include "wow/params.hpp"
#include "wow/registry.hpp"

namespace wowtest {

using wow::Json;

// $WOW_PLUGIN_PATH (set by ctest), else the build's plugin directory compiled in.
inline std::string plugin_dir() {
  if (const char* env = std::getenv("WOW_PLUGIN_PATH"); env != nullptr && *env != '\0') return env;
  return WOW_TEST_PLUGIN_DIR;
}

struct LoadedPlugins {
  wow::PluginSet plugins;  // declared before the registry so it is destroyed after it
  wow::Registry registry;
  LoadedPlugins() {
    wow::blas::set_threads(1);  // as the runner does: BLAS per fixed block
    plugins.load_directory(plugin_dir(), registry);
  }
};

inline wow::Registry& registry() {
  static LoadedPlugins loaded;
  return loaded.registry;
}

inline std::unique_ptr<wow::Functional> make_mmd(const Json& kernel, std::size_t source_classes,
                                                 std::size_t target_classes, const Json& extra = Json::object()) {
  Json params = extra;
  params["kernel"] = kernel;
  const Json node = registry().resolve_node("functional", Json{{"type", "mmd"}, {"params", params}}, "functional");
  auto f = registry().create<wow::Functional>(node, "functional");
  f->prepare(source_classes, target_classes);
  return f;
}

inline std::unique_ptr<wow::ProjectionBackend> make_backend(const std::string& type, std::size_t count,
                                                            const std::string& estimator) {
  const Json node = registry().resolve_node(
      "projections", Json{{"type", type}, {"params", {{"count", count}, {"estimator", estimator}}}}, "projections");
  return registry().create<wow::ProjectionBackend>(node, "projections");
}

inline std::unique_ptr<wow::Solver> make_solver(const std::string& type, const Json& params) {
  const Json node = registry().resolve_node("solver", Json{{"type", type}, {"params", params}}, "solver");
  return registry().create<wow::Solver>(node, "solver");
}

inline std::unique_ptr<wow::Dataset> make_dataset(const std::string& type, const Json& params) {
  const Json node = registry().resolve_node("dataset", Json{{"type", type}, {"params", params}}, "source");
  return registry().create<wow::Dataset>(node, "source");
}

// count unit directions in R^dim, row-major (count x dim).
template <class T>
std::vector<T> random_directions(std::size_t count, std::size_t dim, std::uint32_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  std::vector<T> out(count * dim);
  for (std::size_t l = 0; l < count; ++l) {
    std::vector<double> g(dim);
    double norm2 = 0;
    for (auto& v : g) {
      v = normal(gen);
      norm2 += v * v;
    }
    for (std::size_t i = 0; i < dim; ++i) out[l * dim + i] = static_cast<T>(g[i] / std::sqrt(norm2));
  }
  return out;
}

// A cloud with the given class sizes: class c is N(mean_c, spread^2 I), means of order 1.
inline wow::LabeledCloud<double> random_cloud(const std::vector<std::size_t>& sizes, std::size_t dim,
                                              std::uint32_t seed, double spread = 1.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  wow::LabeledCloud<double> cloud;
  cloud.layout = wow::ClassLayout::from_sizes(sizes);
  cloud.dim = dim;
  cloud.points.resize(cloud.rows() * dim);
  for (std::size_t c = 0; c < sizes.size(); ++c) {
    std::vector<double> mean(dim);
    for (auto& m : mean) m = normal(gen);
    for (std::size_t i = cloud.layout.offsets[c]; i < cloud.layout.offsets[c + 1]; ++i)
      for (std::size_t j = 0; j < dim; ++j) cloud.row(i)[j] = mean[j] + spread * normal(gen);
  }
  return cloud;
}

inline wow::Estimator estimator_of(const std::string& name) {
  return name == "sorted"     ? wow::Estimator::Sorted
         : name == "quantile" ? wow::Estimator::Quantile
                              : wow::Estimator::Auto;
}

inline const std::vector<Json>& all_kernels() {
  static const std::vector<Json> kernels{
      Json::parse(R"({"type": "gaussian_sw", "params": {"h": 0.5}})"),
      Json::parse(R"({"type": "riesz_sw", "params": {"r": 1}})"),
      Json::parse(R"({"type": "riesz_sw", "params": {"r": 1.5}})"),
      Json::parse(R"({"type": "riesz_sw", "params": {"r": 2}})"),
      Json::parse(R"({"type": "laplace_sw", "params": {"h": 0.5}})"),
      Json::parse(R"({"type": "imq_sw", "params": {"h": 1}})"),
  };
  return kernels;
}

}  // namespace wowtest
