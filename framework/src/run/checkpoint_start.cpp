#include "run/checkpoint_start.hpp"

#include <string>

#include "core/spec.hpp"
#include "run/files.hpp"
#include "wow/errors.hpp"

namespace wow {

Json read_run_spec(const RunDirectory& run, const Registry& registry) {
  const std::string spec_file = run.path("resolved_spec.json");
  const Json spec = read_json_file(spec_file);
  if (!spec.is_object()) throw InputError(spec_file + ": the run's spec is not a JSON object");
  return resolve_spec(spec, registry, spec.value("name", std::string("run")));
}

StartPoint start_point_from(const LoadedCheckpoint& cp, const Setup& s, const RunDirectory& run) {
  StartPoint from;
  if (cp.arrays.empty()) return from;
  const std::size_t state_size = s.source.points.size();
  from.step = cp.step;
  from.state = &cp.arrays.at("state").values;
  for (const auto& [role, array] : cp.arrays) {
    std::string buffer;
    if (role == "solver") buffer = "momentum";
    if (role.starts_with("solver_")) buffer = role.substr(7);
    if (buffer.empty()) continue;
    if (array.values.size() != state_size)
      throw InputError(run.dir() + "/" + cp.record + ": solver buffer \"" + buffer + "\" has " +
                       std::to_string(array.values.size()) + " values, the state " + std::to_string(state_size));
    from.solver.buffers[buffer] = array.values;
  }
  if (cp.extra.contains("solver_scalars"))
    for (auto it = cp.extra["solver_scalars"].begin(); it != cp.extra["solver_scalars"].end(); ++it)
      from.solver.scalars[it.key()] = it.value().get<double>();
  from.callbacks.assign(s.callbacks.size(), {});
  for (std::size_t i = 0; i < s.callbacks.size(); ++i) {
    const auto it = cp.arrays.find("callback_" + std::to_string(i));
    if (it != cp.arrays.end()) from.callbacks[i] = it->second.values;
  }
  // The metric rows written before the checkpoint stay (not those of the end-of-run hooks of an extended run).
  from.metrics = MetricsLog::read(run.path("metrics.csv"));
  if (cp.extra.contains("metric_rows") && cp.extra["metric_rows"].get<std::size_t>() <= from.metrics.size())
    from.metrics.resize(cp.extra["metric_rows"].get<std::size_t>());
  else
    std::erase_if(from.metrics, [&](const MetricRow& r) { return r.step > cp.step; });
  return from;
}

}  // namespace wow
