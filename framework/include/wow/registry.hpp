#pragma once
// The registry of component types. Plugins add their types through wow_register_plugin(Registry&); the core
// creates components from resolved spec nodes {"type": ..., "params": {...}}.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wow/params.hpp"

namespace wow {

class Kernel;
class Functional;
class Solver;
class Dataset;
class ProjectionBackend;
class Callback;

// The component kinds, as they appear in `wow plugins` and in error messages.
template <class Interface>
struct KindName;
template <>
struct KindName<Kernel> {
  static constexpr const char* value = "kernel";
};
template <>
struct KindName<Functional> {
  static constexpr const char* value = "functional";
};
template <>
struct KindName<Solver> {
  static constexpr const char* value = "solver";
};
template <>
struct KindName<Dataset> {
  static constexpr const char* value = "dataset";
};
template <>
struct KindName<ProjectionBackend> {
  static constexpr const char* value = "projections";
};
template <>
struct KindName<Callback> {
  static constexpr const char* value = "callback";
};

struct ComponentInfo {
  std::string kind;
  std::string type;
  std::string description;
  ParamSchema params;
  std::string origin;  // the plugin file that registered it ("built-in" for the core)
};

class Registry {
 public:
  template <class Interface>
  using Factory = std::function<std::unique_ptr<Interface>(const Params&, const Registry&)>;

  template <class Interface>
  void add(std::string type, std::string description, ParamSchema params, Factory<Interface> factory) {
    const std::string kind = KindName<Interface>::value;
    add_info(ComponentInfo{kind, type, std::move(description), std::move(params), current_origin_});
    factories<Interface>()[type] = std::move(factory);
  }

  // Creates a component from a node {"type": ..., "params": {...}} whose params were resolved already.
  template <class Interface>
  std::unique_ptr<Interface> create(const Json& node, const std::string& path) const {
    const std::string type = node.at("type").get<std::string>();
    const auto& map = factories<Interface>();
    auto it = map.find(type);
    if (it == map.end()) unknown_type(KindName<Interface>::value, type, path);
    return guard_plugin(KindName<Interface>::value, type, path,
                        [&] { return it->second(Params(node.at("params"), path + ".params"), *this); });
  }

  // Runs `body`, code of the plugin that registered (kind, type), for the spec node at `path`. Whatever it throws
  // (an exception of any type) leaves as InputError naming the plugin file, the type and the path (exit 2);
  // std::bad_alloc passes unchanged (the caller reports memory), as does an InputError or IoError that already
  // names the path.
  template <class Body>
  decltype(auto) guard_plugin(const std::string& kind, const std::string& type, const std::string& path,
                              Body&& body) const {
    try {
      return std::forward<Body>(body)();
    } catch (...) {
      rethrow_plugin_failure(kind, type, path);
    }
  }

  // Validates a raw node against the registry and returns it with defaults filled in.
  [[nodiscard]] Json resolve_node(const std::string& kind, const Json& node, const std::string& path) const;

  [[nodiscard]] const ComponentInfo* find(const std::string& kind, const std::string& type) const;
  [[nodiscard]] std::vector<const ComponentInfo*> list(const std::string& kind = "") const;
  [[nodiscard]] std::vector<std::string> types(const std::string& kind) const;
  [[nodiscard]] std::vector<std::string> kinds() const;

  // Set by the plugin loader while a plugin registers, so `wow plugins` can say where a type comes from.
  void set_origin(std::string origin) { current_origin_ = std::move(origin); }

 private:
  void add_info(ComponentInfo info);
  // Inside a catch block: rethrows the exception in flight as guard_plugin describes.
  [[noreturn]] void rethrow_plugin_failure(const std::string& kind, const std::string& type,
                                           const std::string& path) const;
  [[noreturn]] void unknown_type(const std::string& kind, const std::string& type, const std::string& path) const;

  template <class Interface>
  std::map<std::string, Factory<Interface>>& factories() {
    return std::get<std::map<std::string, Factory<Interface>>>(factories_);
  }
  template <class Interface>
  const std::map<std::string, Factory<Interface>>& factories() const {
    return std::get<std::map<std::string, Factory<Interface>>>(factories_);
  }

  std::vector<ComponentInfo> infos_;
  std::string current_origin_ = "built-in";
  std::tuple<std::map<std::string, Factory<Kernel>>, std::map<std::string, Factory<Functional>>,
             std::map<std::string, Factory<Solver>>, std::map<std::string, Factory<Dataset>>,
             std::map<std::string, Factory<ProjectionBackend>>, std::map<std::string, Factory<Callback>>>
      factories_;
};

}  // namespace wow
