#include "run/run_setup.hpp"

#include <new>
#include <string>

#include "engine/rng.hpp"
#include "engine/sliced_engine.hpp"
#include "run/memory_budget.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

Setup build(const Json& spec, const Registry& registry, std::size_t threads, GivenData given) {
  Setup s;
  s.spec = spec;
  s.registry = &registry;
  const auto seed = spec.at("seed").get<std::uint64_t>();
  s.functional = registry.create<Functional>(spec.at("functional"), "functional");
  s.backend = registry.create<ProjectionBackend>(spec.at("projections"), "projections");
  s.backend->set_threads(threads);
  s.solver = registry.create<Solver>(spec.at("solver"), "solver");
  const Json& callbacks = spec.contains("callbacks") ? spec.at("callbacks") : Json::array();
  for (std::size_t i = 0; i < callbacks.size(); ++i)
    s.callbacks.push_back(registry.create<Callback>(callbacks[i], "callbacks[" + std::to_string(i) + "]"));
  // Source and target draw from distinct keys of the run's seed, so identical specs still differ.
  const auto load = [&](const char* side, std::uint64_t stream) {
    const Json& node = spec.at(side);
    const auto dataset = registry.create<Dataset>(node, side);
    return registry.guard_plugin("dataset", node.at("type").get<std::string>(), side,
                                 [&] { return dataset->load(rng::key(seed, rng::Purpose::Dataset, stream, 0)); });
  };
  if (given.source != nullptr)
    s.source = *given.source;
  else
    s.source = load("source", 1);
  if (given.target != nullptr)
    s.target = *given.target;
  else
    s.target = load("target", 2);
  for (const auto* side : {"source", "target"}) {
    const auto& cloud = std::string(side) == "source" ? s.source : s.target;
    if (cloud.classes() == 0 || cloud.dim == 0) throw InputError(std::string(side) + ": the dataset is empty");
    for (std::size_t c = 0; c < cloud.classes(); ++c)
      if (cloud.layout.size(c) == 0) throw InputError(std::string(side) + ": class " + std::to_string(c) + " is empty");
    require_finite(cloud, side);
  }
  // Data finite in double can overflow float32 (e.g. 1e39): refuse it here rather than "diverge" at step 0.
  if (spec.at("precision") == "float32") {
    require_finite(s.source.cast<float>(), "source (as float32; use \"precision\": \"float64\")");
    require_finite(s.target.cast<float>(), "target (as float32; use \"precision\": \"float64\")");
  }
  if (s.source.dim != s.target.dim)
    throw InputError("source has dimension " + std::to_string(s.source.dim) + " but target has " +
                     std::to_string(s.target.dim));
  s.functional->prepare(s.source.classes(), s.target.classes());
  s.functional->prepare_dimension(s.source.dim);
  const auto batch = static_cast<std::size_t>(s.solver->target_batch());
  s.step_target = s.target.layout;
  if (batch > 0) {
    for (std::size_t k = 0; k < s.target.classes(); ++k)
      if (s.target.layout.size(k) < batch)
        throw InputError("solver.params.target_batch: " + std::to_string(batch) + " exceeds the " +
                         std::to_string(s.target.layout.size(k)) + " points of target class " + std::to_string(k));
    s.step_target = ClassLayout::uniform(s.target.classes(), batch);
  }
  return s;
}

// Memory a run will allocate beyond the datasets already loaded: the engine's buffers, the flow state in the
// working precision, solver state, encoded files, pictures and label matching. Refuses (InputError) when it does
// not fit what this process may still use, naming the parameters that drive it.
void require_memory(const Setup& s, std::size_t threads) {
  const bool f64 = s.spec.at("precision") == "float64";
  const ProjectionSettings& settings = s.backend->settings();
  const double engine =
      f64 ? SlicedEngine<double>::bytes_needed(s.source.layout, s.step_target, s.source.dim, settings, threads)
          : SlicedEngine<float>::bytes_needed(s.source.layout, s.step_target, s.source.dim, settings, threads);
  const double t = f64 ? 8.0 : 4.0;
  const auto nx = static_cast<double>(s.source.points.size()), ny = static_cast<double>(s.target.points.size());
  const double state = t * (4.0 * nx + ny) + 8.0 * 2.0 * nx  // x, velocity, batch, encoded copy; target; solver
                       + 8.0 * 12.0 * nx;                    // snapshots held while drawing pictures
  const double labels = 8.0 * 3.0 * static_cast<double>(kLabelMatchingMaxPairs);
  const MemoryLimit available = available_memory();
  // Under `ulimit -v` address space is what counts: each worker thread also maps its stack (8 MiB) and glibc its own
  // malloc arena (64 MiB reserved).
  const double per_thread_mappings = available.source == std::string("ulimit -v") ? 72.0 * 1024 * 1024 : 0.0;
  const double needed = engine + state + labels + 64.0 * 1024 * 1024  // + code, allocator slack
                        + per_thread_mappings * static_cast<double>(threads);
  if (needed <= static_cast<double>(available.bytes)) return;
  auto shape = [](const LabeledCloud<double>& c) {
    return std::to_string(c.classes()) + " classes, " + std::to_string(c.rows()) + " points of dimension " +
           std::to_string(c.dim);
  };
  throw MemoryBudgetError("the run needs about " + human_bytes(needed) + " of memory but " +
                          human_bytes(static_cast<double>(available.bytes)) + " is available (" + available.source +
                          "): the sliced engine's buffers take " + human_bytes(engine) +
                          ", growing with projections.params.count (" + std::to_string(settings.count) +
                          ") times the points of both datasets (source: " + shape(s.source) +
                          "; target: " + shape(s.target) + "); lower projections.params.count or the dataset sizes");
}

}  // namespace

// Running out of memory while loading is reported as bad input (nothing is written yet).
Setup build_checked(const Json& spec, const Registry& registry, std::size_t threads, GivenData given) {
  try {
    Setup s = build(spec, registry, threads, given);
    if (s.functional->sw_power() != 0)
      resolve_estimator(s.backend->settings().estimator, s.source.layout, s.step_target);
    require_memory(s, threads);
    return s;
  } catch (const std::bad_alloc&) {
    throw InputError(
        "not enough memory to load the datasets of this run; lower their sizes (source.params, "
        "target.params)");
  }
}

}  // namespace wow
