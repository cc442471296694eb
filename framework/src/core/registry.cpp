#include "wow/registry.hpp"

#include <algorithm>
#include <new>

#include "core/exception_type.hpp"
#include "core/component_catalog.hpp"
#include "wow/errors.hpp"

namespace wow {

void Registry::add_info(ComponentInfo info) {
  for (const auto& existing : infos_)
    if (existing.kind == info.kind && existing.type == info.type)
      throw InputError(info.origin + ": " + info.kind + " type \"" + info.type + "\" is already registered by " +
                       existing.origin);
  infos_.push_back(std::move(info));
}

const ComponentInfo* Registry::find(const std::string& kind, const std::string& type) const {
  for (const auto& info : infos_)
    if (info.kind == kind && info.type == type) return &info;
  return nullptr;
}

std::vector<const ComponentInfo*> Registry::list(const std::string& kind) const {
  std::vector<const ComponentInfo*> out;
  for (const auto& info : infos_)
    if (kind.empty() || info.kind == kind) out.push_back(&info);
  std::sort(out.begin(), out.end(),
            [](auto* a, auto* b) { return std::tie(a->kind, a->type) < std::tie(b->kind, b->type); });
  return out;
}

std::vector<std::string> Registry::types(const std::string& kind) const {
  std::vector<std::string> out;
  for (const auto* info : list(kind)) out.push_back(info->type);
  return out;
}

std::vector<std::string> Registry::kinds() const {
  return {"callback", "dataset", "functional", "kernel", "projections", "solver"};
}

void Registry::unknown_type(const std::string& kind, const std::string& type, const std::string& path) const {
  const auto valid = types(kind);
  const std::string hint = not_built_hint(kind, type);
  throw InputError(path + ".type: unknown " + kind + " \"" + type +
                   "\"; valid: " + (valid.empty() ? std::string("(none loaded)") : join_names(valid)) +
                   (hint.empty() ? "" : "; " + hint));
}

void Registry::rethrow_plugin_failure(const std::string& kind, const std::string& type, const std::string& path) const {
  const ComponentInfo* info = find(kind, type);
  const std::string who = path + " (" + kind + " \"" + type + "\" from " + (info ? info->origin : "?") + ")";
  try {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const InputError& e) {
    // Already about this node (a parameter check, or a nested component that named itself): pass it on as it is.
    if (std::string(e.what()).starts_with(path)) throw;
    throw InputError(who + ": " + e.what());
  } catch (const IoError& e) {
    throw IoError(who + ": " + e.what());
  } catch (const std::exception& e) {
    throw InputError(who + " failed: " + current_exception_type() + ": " + e.what());
  } catch (...) {
    throw InputError(who + " failed: it threw an exception of type " + current_exception_type());
  }
}

Json Registry::resolve_node(const std::string& kind, const Json& node, const std::string& path) const {
  if (!node.is_object()) throw InputError(path + ": must be an object {\"type\": ..., \"params\": {...}}");
  for (auto it = node.begin(); it != node.end(); ++it)
    if (it.key() != "type" && it.key() != "params")
      throw InputError(path + "." + it.key() + ": unknown key; valid: type, params");
  if (!node.contains("type")) throw InputError(path + ".type: missing; valid: " + join_names(types(kind)));
  if (!node.at("type").is_string()) throw InputError(path + ".type: must be a string");
  const auto type = node.at("type").get<std::string>();
  const ComponentInfo* info = find(kind, type);
  if (info == nullptr) unknown_type(kind, type, path);
  Json out = Json::object();
  out["type"] = type;
  out["params"] =
      resolve_params(info->params, node.contains("params") ? node.at("params") : Json(), path + ".params", *this);
  return out;
}

}  // namespace wow
