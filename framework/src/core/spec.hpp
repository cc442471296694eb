#pragma once
// Experiment specs: JSON files composing components by type id (design.md "Spec"). Parsing is strict: unknown
// keys, types and parameters, ill-typed and out-of-range values are errors that name the dotted path.
#include <string>
#include <vector>

#include "core/json_text.hpp"
#include "wow/params.hpp"
#include "wow/registry.hpp"

namespace wow {

// Reads and parses a spec file.
Json read_spec_file(const std::string& path);

// Applies one `--set path.to.key=value` override; the value is read as JSON when it parses, else as a string.
// A numeric segment indexes a list: callbacks.0.params.every.
void apply_override(Json& spec, const std::string& assignment);

// One step down a dotted spec path: an object's key, or a list's element by its decimal index; nullptr when absent.
const Json* spec_child(const Json& node, const std::string& key);
Json* spec_child(Json& node, const std::string& key);

// The schema of the spec's top level and of its "output" node (for `wow describe spec`).
ParamSchema spec_schema();
ParamSchema output_schema();

// Validates `raw` and fills every default: the content of resolved_spec.json.
Json resolve_spec(const Json& raw, const Registry& registry, const std::string& default_name);

}  // namespace wow
