#pragma once
// Parameter schemas: every component declares its parameters (type, default, range, choices) so that specs are
// checked strictly, `wow plugins` / `wow describe` can list them, and resolved_spec.json holds every value.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace wow {

using Json = nlohmann::ordered_json;

enum class ParamType {
  Number,   // any finite real
  Integer,  // whole number
  Boolean,
  String,
  Choice,              // one of `choices`
  NumberList,          // list of finite reals
  Component,           // a nested {"type", "params"} node of kind `component_kind`
  NumberOrList,        // a finite real, or a list of them (e.g. a centre broadcast to every coordinate)
  ComponentList,       // a list of {"type", "params"} nodes of kind `component_kind`
  WeightedComponents,  // a list of {"weight": w, "<component_kind>": node} (e.g. sum's terms)
};

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::Number;
  std::string description;
  Json default_value;  // null: the parameter is optional with no default (absent unless given)
  std::optional<double> min, max;
  bool min_exclusive = false, max_exclusive = false;
  std::vector<std::string> choices;
  std::string component_kind;

  // Builders, so plugins declare parameters in one readable line each.
  static ParamSpec number(std::string name, double def, std::string description);
  static ParamSpec integer(std::string name, std::int64_t def, std::string description);
  static ParamSpec boolean(std::string name, bool def, std::string description);
  static ParamSpec string(std::string name, std::string def, std::string description);
  static ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string description);
  static ParamSpec number_list(std::string name, std::string description);
  static ParamSpec component(std::string name, std::string kind, Json def, std::string description);
  static ParamSpec number_or_list(std::string name, Json def, std::string description);
  static ParamSpec component_list(std::string name, std::string kind, std::string description);  // default []
  static ParamSpec weighted_components(std::string name, std::string kind, std::string description);
  ParamSpec& optional();  // no default: absent unless given
  ParamSpec& greater_than(double v);
  ParamSpec& at_least(double v);
  ParamSpec& less_than(double v);
  ParamSpec& at_most(double v);

  [[nodiscard]] std::string type_name() const;
  [[nodiscard]] std::string range_text() const;  // e.g. "(0, 2]" or "" when unbounded
  [[nodiscard]] Json describe() const;
};

using ParamSchema = std::vector<ParamSpec>;

// Resolved parameters of one component: every declared parameter present (unless optional and absent).
class Params {
 public:
  Params() = default;
  Params(Json values, std::string path) : values_(std::move(values)), path_(std::move(path)) {}

  [[nodiscard]] double number(const std::string& name) const;
  [[nodiscard]] std::int64_t integer(const std::string& name) const;
  [[nodiscard]] bool boolean(const std::string& name) const;
  [[nodiscard]] std::string string(const std::string& name) const;
  [[nodiscard]] std::vector<double> number_list(const std::string& name) const;
  [[nodiscard]] const Json& node(const std::string& name) const;  // Component params: {"type", "params"}
  [[nodiscard]] bool has(const std::string& name) const;
  [[nodiscard]] const Json& json() const { return values_; }
  // Dotted path of this params node in the spec, e.g. "functional.params"; errors name it.
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string path_of(const std::string& name) const { return path_ + "." + name; }

 private:
  Json values_ = Json::object();
  std::string path_;
};

class Registry;

// "a, b, c": lists of valid names in error messages.
std::string join_names(const std::vector<std::string>& names);

// Checks `given` (a JSON object or null) against `schema`; fills defaults; throws InputError naming `path`.
// Component parameters are resolved recursively through `registry`.
Json resolve_params(const ParamSchema& schema, const Json& given, const std::string& path, const Registry& registry);

}  // namespace wow
