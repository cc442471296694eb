#include "plugins_binding.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/plugin_loader.hpp"
#include "core/spec.hpp"
#include "wow/errors.hpp"

namespace py = pybind11;

namespace wowpy {

namespace {

struct LoadedPlugins {
  wow::PluginSet plugins;  // declared first so it is destroyed last: factories live in its libraries
  wow::Registry registry;
};

// The built-in plugin folder, found from this module's own file: wowflow/plugins beside it after `pip install .`,
// build/python/wowflow/ -> build/plugins in a build tree, <prefix>/lib/pythonX.Y/dist-packages/wowflow/ ->
// <prefix>/lib/wowflow/plugins after `cmake --install`.
std::string builtin_plugin_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&builtin_plugin_dir), &info) == 0 || info.dli_fname == nullptr) return "";
  namespace fs = std::filesystem;
  const fs::path here = fs::path(info.dli_fname).parent_path();
  std::error_code ec;
  for (const fs::path& dir :
       {here / "plugins", here / ".." / ".." / "plugins", here / ".." / ".." / ".." / "wowflow" / "plugins"})
    if (fs::is_directory(dir, ec)) return dir.lexically_normal().string();
  return "";
}

LoadedPlugins& loaded() {
  // Never destroyed: plugin code must stay mapped while Python tears down objects that may still hold components.
  static LoadedPlugins* plugins = [] {
    auto* p = new LoadedPlugins();
    std::vector<std::string> dirs;
    if (const std::string builtin = builtin_plugin_dir(); !builtin.empty()) dirs.push_back(builtin);
    for (const auto& dir : wow::plugin_search_path("")) dirs.push_back(dir);
    p->plugins.load_search_path(dirs, p->registry);
    return p;
  }();
  return *plugins;
}

}  // namespace

const wow::Registry& registry() { return loaded().registry; }

void bind_plugins(py::module_& m) {
  m.def(
      "_plugins_json",
      [] {
        wow::Json all = wow::Json::array();
        for (const auto* info : registry().list()) {
          wow::Json j{
              {"kind", info->kind}, {"type", info->type}, {"description", info->description}, {"plugin", info->origin}};
          j["params"] = wow::Json::array();
          for (const auto& p : info->params) j["params"].push_back(p.describe());
          all.push_back(j);
        }
        return all.dump();
      },
      "Every component of every loaded plugin, as JSON text (see wowflow.plugins()).");
  m.def(
      "_spec_schema_json",
      [] {
        wow::Json j{{"spec", wow::Json::array()}, {"output", wow::Json::array()}};
        for (const auto& p : wow::spec_schema()) j["spec"].push_back(p.describe());
        for (const auto& p : wow::output_schema()) j["output"].push_back(p.describe());
        return j.dump();
      },
      "The spec's own keys, as JSON text.");
  m.def(
      "_resolve_spec",
      [](const std::string& text, const std::string& source, const std::string& name) {
        const wow::Json raw = wow::parse_json_text(text, source);
        if (!raw.is_object()) throw wow::InputError(source + ": a spec is a JSON object");
        return wow::resolve_spec(raw, registry(), name).dump();
      },
      py::arg("spec_json"), py::arg("source"), py::arg("default_name"),
      "Validates a spec (JSON text) and fills every default, as `wow run` does; returns JSON text.");
  m.def(
      "_apply_override",
      [](const std::string& text, const std::string& source, const std::string& assignment) {
        wow::Json spec = wow::parse_json_text(text, source);
        if (!spec.is_object()) throw wow::InputError(source + ": a spec is a JSON object");
        wow::apply_override(spec, assignment);
        return spec.dump();
      },
      py::arg("spec_json"), py::arg("source"), py::arg("assignment"),
      "Applies one `--set path=value` override to a spec (JSON text).");
}

}  // namespace wowpy
