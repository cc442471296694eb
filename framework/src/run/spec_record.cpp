#include "run/spec_record.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

#include "core/json_text.hpp"

namespace wow {

Json run_identity(const Json& resolved_spec) {
  Json identity = resolved_spec;
  if (identity.contains("solver") && identity["solver"].contains("params")) identity["solver"]["params"].erase("steps");
  if (identity.contains("output")) identity["output"].erase("dir");
  if (identity.contains("projections")) {
    identity["projections"].erase("type");
    if (identity["projections"].contains("params")) identity["projections"]["params"].erase("device");
  }
  return identity;
}

std::string identity_digest(const Json& identity) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const unsigned char c : identity.dump()) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

namespace {

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::string differs(const std::string& path, const Json& recorded, const Json* now) {
  return path + ": the run was made with " + json_excerpt(recorded, 60) + ", resolved_spec.json now says " +
         (now == nullptr ? std::string("nothing") : json_excerpt(*now, 60));
}

std::string walk(const Json& recorded, const Json& now, const std::string& path) {
  if (recorded.is_object() && now.is_object()) {
    std::vector<std::string> keys;
    if (recorded.contains("type")) keys.emplace_back("type");  // momentum -> adam is the news, not adam's params
    for (auto it = recorded.begin(); it != recorded.end(); ++it)
      if (it.key() != "type") keys.push_back(it.key());
    for (const auto& key : keys) {
      const auto found = now.find(key);
      if (found == now.end()) return differs(join(path, key), recorded[key], nullptr);
      if (std::string why = walk(recorded[key], *found, join(path, key)); !why.empty()) return why;
    }
    return "";
  }
  if (recorded.is_array() && now.is_array() && recorded.size() == now.size()) {
    for (std::size_t i = 0; i < recorded.size(); ++i)
      if (std::string why = walk(recorded[i], now[i], join(path, std::to_string(i))); !why.empty()) return why;
    return "";
  }
  // Numbers compare by value: 0.1 written back as 0.1 must not count as an edit whatever its JSON number kind.
  if (recorded.is_number() && now.is_number())
    return recorded.get<double>() == now.get<double>() ? "" : differs(path, recorded, &now);
  return recorded == now ? "" : differs(path, recorded, &now);
}

}  // namespace

std::string first_difference(const Json& recorded, const Json& now) { return walk(recorded, now, ""); }

}  // namespace wow
