#include "sweep/sweep_plan.hpp"

#include <cstdio>
#include <map>
#include <set>

#include "core/spec.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

Json* find_path_mutable(Json& spec, const std::string& path) {
  Json* node = &spec;
  for (const auto& key : split_path(path)) {
    node = spec_child(*node, key);
    if (node == nullptr) return nullptr;
  }
  return node;
}

// The keys one may sweep under the deepest existing node of `path`, for the "no such path" message.
std::string valid_keys_near(const Json& spec, const std::string& path) {
  const Json* node = &spec;
  std::string where;
  for (const auto& key : split_path(path)) {
    const Json* child = spec_child(*node, key);
    if (child == nullptr) break;
    node = child;
    where += (where.empty() ? "" : ".") + key;
  }
  if (!node->is_object() || node->empty()) return where.empty() ? "" : " (" + where + " has no keys)";
  std::string keys;
  for (auto it = node->begin(); it != node->end(); ++it) keys.append(keys.empty() ? "" : ", ").append(it.key());
  return "; valid " + (where.empty() ? std::string("top-level keys") : "keys of " + where) + ": " + keys;
}

// Short, unique names for the paths: the last segments (without "params") that tell them apart.
std::vector<std::string> path_labels(const std::vector<std::string>& paths) {
  std::vector<std::vector<std::string>> segments;
  for (const auto& p : paths) {
    std::vector<std::string> kept;
    for (auto& s : split_path(p))
      if (s != "params") kept.push_back(s);
    segments.push_back(kept);
  }
  std::vector<std::string> labels(paths.size());
  for (std::size_t i = 0; i < paths.size(); ++i) {
    for (std::size_t take = 1; take <= segments[i].size(); ++take) {
      auto suffix = [&](std::size_t j) {
        const auto& s = segments[j];
        std::string out;
        for (std::size_t k = s.size() - std::min(take, s.size()); k < s.size(); ++k)
          out.append(out.empty() ? "" : ".").append(s[k]);
        return out;
      };
      const std::string mine = suffix(i);
      bool unique = mine != "seed";
      for (std::size_t j = 0; j < paths.size() && unique; ++j) unique = j == i || suffix(j) != mine;
      labels[i] = mine;
      if (unique) break;
    }
  }
  return labels;
}

// A directory-name-safe form of a point's text: letters, digits and . _ = + - only.
std::string directory_safe(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
        c == '=' || c == '+' || c == '-')
      out += c;
    else if (c == '(' || c == ',')
      out += '-';
    else if (c != ')' && c != ' ' && c != '"')
      out += '_';
  }
  constexpr std::size_t kMaxName = 100;
  if (out.size() > kMaxName) out = out.substr(0, 80) + "-" + stable_hash(out).substr(0, 8);
  return out;
}

std::vector<Json> value_list(const Json& block, const std::string& section, const std::string& path) {
  const Json& values = block[section][path];
  const std::string where = "sweep." + section + "." + path;
  if (!values.is_array()) throw InputError(where + ": expected a list of values, got " + json_excerpt(values));
  if (values.empty()) throw InputError(where + ": empty list (give at least one value)");
  return {values.begin(), values.end()};
}

}  // namespace

const Json* find_path(const Json& spec, const std::string& path) {
  const Json* node = &spec;
  for (const auto& key : split_path(path)) {
    node = spec_child(*node, key);
    if (node == nullptr) return nullptr;
  }
  return node;
}

std::string value_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("type") && value["type"].is_string()) {
    std::string text = value["type"].get<std::string>();
    if (value.contains("params") && value["params"].is_object() && !value["params"].empty()) {
      std::string inner;
      for (auto it = value["params"].begin(); it != value["params"].end(); ++it)
        inner.append(inner.empty() ? "" : ",").append(it.key()).append("=").append(value_text(it.value()));
      text.append("(").append(inner).append(")");
    }
    return text;
  }
  return value.dump();
}

std::string stable_hash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;  // FNV-1a 64 offset basis
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string first_difference(const Json& a, const Json& b, const std::string& prefix) {
  const std::string here = prefix.empty() ? "(top level)" : prefix;
  if (a.is_object() && b.is_object()) {
    for (auto it = a.begin(); it != a.end(); ++it) {
      const std::string child = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (!b.contains(it.key())) return child;
      const std::string d = first_difference(it.value(), b[it.key()], child);
      if (!d.empty()) return d;
    }
    for (auto it = b.begin(); it != b.end(); ++it)
      if (!a.contains(it.key())) return prefix.empty() ? it.key() : prefix + "." + it.key();
    return "";
  }
  return a == b ? "" : here;
}

SweepPlan plan_sweep(const Json& raw, const Registry& registry, const std::string& default_name,
                     const std::string& out_dir) {
  if (!raw.is_object() || !raw.contains("sweep"))
    throw InputError("sweep: the spec has no \"sweep\" block (see docs/sweeps.md)");
  const Json& block = raw["sweep"];
  if (!block.is_object()) throw InputError("sweep: expected an object with grid, zip, seeds, maximize");
  for (auto it = block.begin(); it != block.end(); ++it)
    if (it.key() != "grid" && it.key() != "zip" && it.key() != "seeds" && it.key() != "maximize")
      throw InputError("sweep." + it.key() + ": unknown key; valid: grid, zip, seeds, maximize");
  for (const char* section : {"grid", "zip"})
    if (block.contains(section) && !block[section].is_object())
      throw InputError(std::string("sweep.") + section + ": expected an object {PATH: [values], ...}");

  SweepPlan plan;
  plan.block = block;
  Json base_raw = raw;
  base_raw.erase("sweep");
  plan.base = resolve_spec(base_raw, registry, default_name);
  plan.base["output"]["dir"] = "";
  plan.name = plan.base["name"].get<std::string>();

  // The factors of the product: each grid path alone, then the zip paths together.
  std::vector<std::vector<std::pair<std::string, std::vector<Json>>>> factors;
  std::set<std::string> seen;
  auto add_path = [&](const std::string& section, const std::string& path) {
    const std::string where = "sweep." + section + "." + path;
    if (path == "seed") throw InputError(where + ": sweep seeds with sweep.seeds: [...]");
    if (path == "name" || path == "output" || path.starts_with("output."))
      throw InputError(where + ": the sweep sets " + path + " itself (use --out for the sweep directory)");
    if (find_path(plan.base, path) == nullptr)
      throw InputError(where + ": no such path in the resolved spec" + valid_keys_near(plan.base, path));
    for (const auto& other : seen)
      if (other == path || path.starts_with(other + ".") || other.starts_with(path + "."))
        throw InputError(where + ": overlaps " + other + " (sweep a node or a key inside it, not both)");
    seen.insert(path);
    plan.paths.push_back(path);
  };
  if (block.contains("grid")) {
    for (auto it = block["grid"].begin(); it != block["grid"].end(); ++it) {
      add_path("grid", it.key());
      factors.push_back({{it.key(), value_list(block, "grid", it.key())}});
    }
  }
  if (block.contains("zip") && !block["zip"].empty()) {
    std::vector<std::pair<std::string, std::vector<Json>>> zipped;
    for (auto it = block["zip"].begin(); it != block["zip"].end(); ++it) {
      add_path("zip", it.key());
      zipped.emplace_back(it.key(), value_list(block, "zip", it.key()));
      if (zipped.back().second.size() != zipped.front().second.size())
        throw InputError("sweep.zip." + it.key() + ": " + std::to_string(zipped.back().second.size()) +
                         " values, but sweep.zip." + zipped.front().first + " has " +
                         std::to_string(zipped.front().second.size()) + " (zip lists vary together: same length)");
    }
    factors.push_back(zipped);
  }

  if (block.contains("seeds")) {
    const Json& seeds = block["seeds"];
    if (!seeds.is_array() || seeds.empty())
      throw InputError("sweep.seeds: expected a non-empty list of whole numbers >= 0, got " + json_excerpt(seeds));
    std::set<std::int64_t> unique;
    for (const auto& s : seeds) {
      if (!s.is_number_integer() || s.get<std::int64_t>() < 0)
        throw InputError("sweep.seeds: " + json_excerpt(s) + " is not a whole number >= 0");
      if (!unique.insert(s.get<std::int64_t>()).second)
        throw InputError("sweep.seeds: " + json_excerpt(s) + " repeated");
      plan.seeds.push_back(s.get<std::int64_t>());
    }
  } else {
    plan.seeds.push_back(plan.base["seed"].get<std::int64_t>());
  }
  if (block.contains("maximize")) {
    if (!block["maximize"].is_array()) throw InputError("sweep.maximize: expected a list of metric names");
    for (const auto& m : block["maximize"]) {
      if (!m.is_string()) throw InputError("sweep.maximize: " + json_excerpt(m) + " is not a metric name");
      plan.maximize.push_back(m.get<std::string>());
    }
  }
  if (plan.paths.empty() && plan.seeds.size() < 2)
    throw InputError("sweep: nothing to sweep (give sweep.grid, sweep.zip or at least two sweep.seeds)");
  plan.labels = path_labels(plan.paths);

  Json hashed{{"base", plan.base}, {"sweep", block}};
  plan.hash = stable_hash(hashed.dump());

  // The product, first factor varying slowest; seeds innermost.
  std::vector<std::size_t> index(factors.size(), 0);
  std::map<std::string, int> used_names;
  while (true) {
    Json values = Json::object();
    for (std::size_t f = 0; f < factors.size(); ++f)
      for (const auto& [path, list] : factors[f]) values[path] = list[index[f]];
    std::string setting;
    for (std::size_t p = 0; p < plan.paths.size(); ++p)
      setting.append(setting.empty() ? "" : "_")
          .append(plan.labels[p])
          .append("=")
          .append(value_text(values[plan.paths[p]]));
    for (const auto seed : plan.seeds) {
      SweepPoint point;
      point.values = values;
      point.seed = seed;
      point.setting = setting;
      std::string name =
          directory_safe(setting.empty() ? "seed=" + std::to_string(seed) : setting + "_seed=" + std::to_string(seed));
      if (const int n = ++used_names[name]; n > 1) name.append("-").append(std::to_string(n));
      point.name = name;
      Json spec = plan.base;
      for (const auto& path : plan.paths) *find_path_mutable(spec, path) = values[path];
      spec["seed"] = seed;
      spec["output"]["dir"] = out_dir + "/" + name;
      try {
        point.spec = resolve_spec(spec, registry, plan.name);
      } catch (const InputError& e) {
        std::string given;
        for (const auto& path : plan.paths)
          given.append(given.empty() ? "" : ", ").append(path + "=" + json_excerpt(values[path]));
        throw InputError("sweep point " + name + " (" + (given.empty() ? "seed " + std::to_string(seed) : given) +
                         "): " + e.what());
      }
      plan.points.push_back(std::move(point));
    }
    std::size_t f = factors.size();
    while (f > 0) {
      --f;
      const std::size_t size = factors[f].front().second.size();
      if (++index[f] < size) break;
      index[f] = 0;
      if (f == 0) return plan;
    }
    if (factors.empty()) return plan;
  }
}

}  // namespace wow
