#include "wow/params.hpp"

#include <cmath>
#include <sstream>

#include "core/json_text.hpp"
#include "wow/errors.hpp"
#include "wow/registry.hpp"

namespace wow {

namespace {

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

[[noreturn]] void fail(const std::string& path, const std::string& message) { throw InputError(path + ": " + message); }

void check_range(const ParamSpec& spec, double v, const std::string& path) {
  const bool low_bad = spec.min && (spec.min_exclusive ? v <= *spec.min : v < *spec.min);
  const bool high_bad = spec.max && (spec.max_exclusive ? v >= *spec.max : v > *spec.max);
  if (low_bad || high_bad) fail(path, "must be in " + spec.range_text() + " (got " + format_number(v) + ")");
}

Json resolve_value(const ParamSpec& spec, const Json& v, const std::string& path, const Registry& registry) {
  switch (spec.type) {
    case ParamType::Number: {
      if (!v.is_number()) fail(path, "must be a number (got " + json_excerpt(v) + ")");
      const double d = v.get<double>();
      if (!std::isfinite(d)) fail(path, "must be finite");
      check_range(spec, d, path);
      return d;
    }
    case ParamType::Integer: {
      if (v.is_number_float()) {
        const double d = v.get<double>();
        if (d != std::floor(d) || std::fabs(d) > 9.0e15)
          fail(path, "must be a whole number (got " + json_excerpt(v) + ")");
        check_range(spec, d, path);
        return static_cast<std::int64_t>(d);
      }
      if (!v.is_number_integer()) fail(path, "must be an integer (got " + json_excerpt(v) + ")");
      // get<int64_t> would wrap an unsigned value above 2^63 - 1 (18446744073709551615 read as -1).
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > 9223372036854775807ULL)
        fail(path, "must be at most 9223372036854775807 (got " + json_excerpt(v) + ")");
      const auto i = v.get<std::int64_t>();
      check_range(spec, static_cast<double>(i), path);
      return i;
    }
    case ParamType::Boolean:
      if (!v.is_boolean()) fail(path, "must be true or false (got " + json_excerpt(v) + ")");
      return v;
    case ParamType::String:
      if (!v.is_string()) fail(path, "must be a string (got " + json_excerpt(v) + ")");
      return v;
    case ParamType::Choice: {
      if (!v.is_string()) fail(path, "must be one of: " + join_names(spec.choices) + " (got " + json_excerpt(v) + ")");
      const auto s = v.get<std::string>();
      for (const auto& c : spec.choices)
        if (c == s) return v;
      fail(path, "unknown value \"" + s + "\"; valid: " + join_names(spec.choices));
    }
    case ParamType::NumberList: {
      if (!v.is_array()) fail(path, "must be a list of numbers (got " + json_excerpt(v) + ")");
      Json out = Json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number() || !std::isfinite(v[i].get<double>()))
          fail(path + "[" + std::to_string(i) + "]", "must be a finite number (got " + json_excerpt(v[i]) + ")");
        check_range(spec, v[i].get<double>(), path + "[" + std::to_string(i) + "]");
        out.push_back(v[i].get<double>());
      }
      return out;
    }
    case ParamType::Component:
      return registry.resolve_node(spec.component_kind, v, path);
    case ParamType::NumberOrList: {
      if (v.is_number()) {
        if (!std::isfinite(v.get<double>())) fail(path, "must be finite");
        check_range(spec, v.get<double>(), path);
        return v.get<double>();
      }
      if (!v.is_array()) fail(path, "must be a number or a list of numbers (got " + json_excerpt(v) + ")");
      ParamSpec list = spec;
      list.type = ParamType::NumberList;
      return resolve_value(list, v, path, registry);
    }
    case ParamType::ComponentList: {
      if (!v.is_array())
        fail(path, "must be a list of {\"type\": ..., \"params\": {...}} (got " + json_excerpt(v) + ")");
      Json out = Json::array();
      for (std::size_t i = 0; i < v.size(); ++i)
        out.push_back(registry.resolve_node(spec.component_kind, v[i], path + "[" + std::to_string(i) + "]"));
      return out;
    }
    case ParamType::WeightedComponents: {
      const std::string shape = "{\"weight\": w, \"" + spec.component_kind + "\": {...}}";
      if (!v.is_array() || v.empty())
        fail(path, "must be a non-empty list of " + shape + " (got " + json_excerpt(v) + ")");
      Json out = Json::array();
      for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        const Json& item = v[i];
        if (!item.is_object()) fail(at, "must be " + shape + " (got " + json_excerpt(item) + ")");
        for (auto it = item.begin(); it != item.end(); ++it)
          if (it.key() != "weight" && it.key() != spec.component_kind)
            fail(at + "." + it.key(), "unknown key; valid: weight, " + spec.component_kind);
        if (!item.contains(spec.component_kind)) fail(at + "." + spec.component_kind, "missing");
        Json weight = item.contains("weight") ? item["weight"] : Json(1.0);
        if (!weight.is_number() || !std::isfinite(weight.get<double>()))
          fail(at + ".weight", "must be a finite number (got " + json_excerpt(weight) + ")");
        out.push_back(Json{{"weight", weight.get<double>()},
                           {spec.component_kind, registry.resolve_node(spec.component_kind, item[spec.component_kind],
                                                                       at + "." + spec.component_kind)}});
      }
      return out;
    }
  }
  fail(path, "unsupported parameter type");
}

}  // namespace

ParamSpec ParamSpec::number(std::string name, double def, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Number;
  s.default_value = def;
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::integer(std::string name, std::int64_t def, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Integer;
  s.default_value = def;
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::boolean(std::string name, bool def, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Boolean;
  s.default_value = def;
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::string(std::string name, std::string def, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::String;
  s.default_value = std::move(def);
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::choice(std::string name, std::string def, std::vector<std::string> choices,
                            std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Choice;
  s.default_value = std::move(def);
  s.choices = std::move(choices);
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::number_list(std::string name, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::NumberList;
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::component(std::string name, std::string kind, Json def, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::Component;
  s.component_kind = std::move(kind);
  s.default_value = std::move(def);
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::number_or_list(std::string name, Json def, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::NumberOrList;
  s.default_value = std::move(def);
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::component_list(std::string name, std::string kind, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::ComponentList;
  s.component_kind = std::move(kind);
  s.default_value = Json::array();
  s.description = std::move(description);
  return s;
}
ParamSpec ParamSpec::weighted_components(std::string name, std::string kind, std::string description) {
  ParamSpec s;
  s.name = std::move(name);
  s.type = ParamType::WeightedComponents;
  s.component_kind = std::move(kind);
  s.description = std::move(description);
  return s;
}
ParamSpec& ParamSpec::optional() {
  default_value = nullptr;
  return *this;
}
ParamSpec& ParamSpec::greater_than(double v) {
  min = v;
  min_exclusive = true;
  return *this;
}
ParamSpec& ParamSpec::at_least(double v) {
  min = v;
  min_exclusive = false;
  return *this;
}
ParamSpec& ParamSpec::less_than(double v) {
  max = v;
  max_exclusive = true;
  return *this;
}
ParamSpec& ParamSpec::at_most(double v) {
  max = v;
  max_exclusive = false;
  return *this;
}

std::string ParamSpec::type_name() const {
  switch (type) {
    case ParamType::Number:
      return "number";
    case ParamType::Integer:
      return "integer";
    case ParamType::Boolean:
      return "boolean";
    case ParamType::String:
      return "string";
    case ParamType::Choice:
      return "choice";
    case ParamType::NumberList:
      return "number list";
    case ParamType::Component:
      return component_kind;
    case ParamType::NumberOrList:
      return "number or number list";
    case ParamType::ComponentList:
      return "list of " + component_kind;
    case ParamType::WeightedComponents:
      return "list of {weight, " + component_kind + "}";
  }
  return "?";
}

std::string ParamSpec::range_text() const {
  if (!min && !max) return "";
  // Built by appending: g++ 12 warns falsely (-Wrestrict) on "literal" + std::string here.
  std::string text;
  if (min) {
    text += min_exclusive ? '(' : '[';
    text += format_number(*min);
  } else {
    text += "(-inf";
  }
  text += ", ";
  if (max) {
    text += format_number(*max);
    text += max_exclusive ? ')' : ']';
  } else {
    text += "inf)";
  }
  return text;
}

Json ParamSpec::describe() const {
  Json j;
  j["name"] = name;
  j["type"] = type_name();
  j["default"] = default_value;
  if (!range_text().empty()) j["range"] = range_text();
  if (!choices.empty()) j["choices"] = choices;
  j["description"] = description;
  return j;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

Json resolve_params(const ParamSchema& schema, const Json& given, const std::string& path, const Registry& registry) {
  if (!given.is_null() && !given.is_object()) fail(path, "must be an object (got " + json_excerpt(given) + ")");
  for (auto it = given.begin(); given.is_object() && it != given.end(); ++it) {
    bool known = false;
    for (const auto& spec : schema) known = known || spec.name == it.key();
    if (!known) {
      std::vector<std::string> names;
      for (const auto& spec : schema) names.push_back(spec.name);
      fail(path.empty() ? it.key() : path + "." + it.key(),
           "unknown parameter; valid: " + (names.empty() ? std::string("(none)") : join_names(names)));
    }
  }
  Json out = Json::object();
  for (const auto& spec : schema) {
    const std::string p = path.empty() ? spec.name : path + "." + spec.name;
    if (given.is_object() && given.contains(spec.name)) {
      out[spec.name] = resolve_value(spec, given.at(spec.name), p, registry);
    } else if (!spec.default_value.is_null()) {
      out[spec.name] = resolve_value(spec, spec.default_value, p, registry);
    }
  }
  return out;
}

double Params::number(const std::string& name) const { return node(name).get<double>(); }
std::int64_t Params::integer(const std::string& name) const { return node(name).get<std::int64_t>(); }
bool Params::boolean(const std::string& name) const { return node(name).get<bool>(); }
std::string Params::string(const std::string& name) const { return node(name).get<std::string>(); }
std::vector<double> Params::number_list(const std::string& name) const { return node(name).get<std::vector<double>>(); }
bool Params::has(const std::string& name) const { return values_.contains(name); }
const Json& Params::node(const std::string& name) const {
  if (!values_.contains(name)) throw InputError(path_of(name) + ": missing parameter");
  return values_.at(name);
}

}  // namespace wow
