#include "core/spec.hpp"

#include <algorithm>
#include <filesystem>

#include "run/files.hpp"
#include "wow/errors.hpp"

namespace wow {

Json read_spec_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path + ": spec file not found");
  Json spec = parse_json_text(files::read_all(path), path);
  if (!spec.is_object()) throw InputError(path + ": a spec must be a JSON object");
  return spec;
}

void apply_override(Json& spec, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError("--set " + assignment + ": expected path.to.key=value");
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  Json value;
  try {
    value = parse_json_text(text, "--set " + path);
  } catch (const JsonStructureError&) {
    throw;  // too deep or a repeated key: JSON, but refused
  } catch (const InputError&) {
    value = text;  // not JSON: a plain string such as --set solver.type=forward_euler
  }
  Json* node = &spec;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) throw InputError("--set " + assignment + ": empty key in path");
    const std::string here = path.substr(0, start == 0 ? 0 : start - 1);
    if (node->is_array()) {
      // A list element by its index: callbacks.0.params.every.
      Json* element = spec_child(*node, key);
      if (element == nullptr)
        throw InputError("--set " + assignment + ": " + here + " is a list of " + std::to_string(node->size()) +
                         " entries; \"" + key + "\" is not one of its indices");
      if (dot == std::string::npos) {
        *element = value;
        return;
      }
      node = element;
    } else {
      if (!node->is_object()) throw InputError("--set " + assignment + ": " + here + " is not an object");
      if (dot == std::string::npos) {
        (*node)[key] = value;
        return;
      }
      node = &(*node)[key];
      if (node->is_null()) *node = Json::object();
    }
    start = dot + 1;
  }
}

const Json* spec_child(const Json& node, const std::string& key) {
  if (node.is_object()) {
    const auto it = node.find(key);
    return it == node.end() ? nullptr : &*it;
  }
  if (!node.is_array() || key.empty() || key.size() > 9 ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return nullptr;
  const std::size_t index = std::stoul(key);
  return index < node.size() ? &node[index] : nullptr;
}

Json* spec_child(Json& node, const std::string& key) {
  return const_cast<Json*>(
      spec_child(static_cast<const Json&>(node), key));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

ParamSchema output_schema() {
  return {
      ParamSpec::string("dir", "", "Run directory (default runs/<name>); refused if it exists unless --force"),
      ParamSpec::integer("snapshot_every", 25, "Save snapshots/step_NNNNNN.npy every this many steps").at_least(1),
      ParamSpec::integer("checkpoint_every", 100, "Write a resumable checkpoint every this many steps (0: never)")
          .at_least(0),
      ParamSpec::boolean("pictures", true, "Draw PNG pictures (flow snapshots, loss curve) at the end"),
      ParamSpec::boolean("label_matching", true,
                         "At the end, match flowed classes to target classes by exact OT (labels.json)"),
  };
}

ParamSchema spec_schema() {
  return {
      ParamSpec::string("name", "", "Experiment name (default: the spec file name)"),
      ParamSpec::string("notes", "", "Free text: what the experiment is, what the paper used"),
      ParamSpec::integer("seed", 0, "Seed of every random draw (directions, batches, datasets)").at_least(0),
      ParamSpec::choice("precision", "float32", {"float32", "float64"}, "Floating-point type of the hot path"),
      ParamSpec::component("source", "dataset", nullptr, "The dataset that flows (required)"),
      ParamSpec::component("target", "dataset", nullptr, "The dataset flowed onto (required)"),
      ParamSpec::component("functional", "functional", Json{{"type", "mmd"}, {"params", Json::object()}},
                           "The objective"),
      ParamSpec::component("projections", "projections", Json{{"type", "tbb"}, {"params", Json::object()}},
                           "Sliced projections: backend, count, estimator"),
      ParamSpec::component("solver", "solver", Json{{"type", "momentum"}, {"params", Json::object()}},
                           "The time discretisation"),
      ParamSpec::component_list("callbacks", "callback",
                                "Callbacks watching the run: metrics, early stopping (called in this order)"),
  };
}

Json resolve_spec(const Json& raw, const Registry& registry, const std::string& default_name) {
  if (!raw.is_object()) throw InputError("spec: must be a JSON object");
  Json top = raw;
  Json output = Json::object();
  if (top.contains("output")) {
    output = top["output"];
    top.erase("output");
  }
  // resolve_params reports unknown top-level keys; "output" is listed among the valid ones.
  ParamSchema schema = spec_schema();
  for (auto it = top.begin(); it != top.end(); ++it) {
    bool known = false;
    for (const auto& s : schema) known = known || s.name == it.key();
    if (!known) {
      std::string valid;
      for (const auto& s : schema) valid += s.name + ", ";
      throw InputError(it.key() + ": unknown key; valid: " + valid + "output");
    }
  }
  for (const char* required : {"source", "target"})
    if (!top.contains(required)) throw InputError(std::string(required) + ": missing (a dataset node is required)");
  // Paths of top-level keys have no prefix: resolve each key with an empty parent path.
  Json out = Json::object();
  for (const auto& spec : schema) {
    const Json& given = top.contains(spec.name) ? top[spec.name] : spec.default_value;
    if (given.is_null()) continue;
    Json one = resolve_params({spec}, Json{{spec.name, given}}, "", registry);
    out[spec.name] = one[spec.name];
  }
  if (out["name"].get<std::string>().empty()) out["name"] = default_name;
  // The name becomes runs/<name> and a sweep's point folders: "../../etc/x" must not lead out of runs/.
  if (const std::string name = out["name"].get<std::string>();
      name == "." || name == ".." || name.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
    throw InputError("name: " + json_excerpt(out["name"]) +
                     " must be a plain file name (no / or \\, not . or ..): it names the run directory runs/<name>");
  Json resolved_output = resolve_params(output_schema(), output, "output", registry);
  if (resolved_output["dir"].get<std::string>().empty())
    resolved_output["dir"] = "runs/" + out["name"].get<std::string>();
  out["output"] = resolved_output;
  return out;
}

}  // namespace wow
