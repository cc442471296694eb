#include "core/plugin_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>

#include "core/exception_type.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace wow {

struct PluginSet::Libraries {
  std::vector<boost::dll::shared_library> items;
};

PluginSet::PluginSet() : libraries_(std::make_unique<Libraries>()) {}
PluginSet::~PluginSet() = default;

void PluginSet::load(const std::string& path, Registry& registry) {
  boost::dll::shared_library library;
  try {
    library.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw InputError("plugin " + path + ": cannot be loaded: " + e.what());
  }
  if (!library.has("wow_plugin_api_version") || !library.has("wow_register_plugin"))
    throw InputError("plugin " + path +
                     ": not a WoWFlow plugin (missing wow_plugin_api_version / wow_register_plugin; see WOW_PLUGIN)");
  const int version = library.get<int()>("wow_plugin_api_version")();
  if (version != WOW_PLUGIN_API_VERSION)
    throw InputError("plugin " + path + ": built against plugin API version " + std::to_string(version) +
                     ", this wow needs version " + std::to_string(WOW_PLUGIN_API_VERSION) + "; rebuild it");
  // Never unmap plugin code: TBB workers and thread-local destructors may still point into it at exit.
  ::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  registry.set_origin(path);
  try {
    library.get<void(Registry&)>("wow_register_plugin")(registry);
  } catch (const std::exception& e) {
    registry.set_origin("built-in");
    throw InputError("plugin " + path + ": registration failed: " + current_exception_type() + ": " + e.what());
  } catch (...) {
    registry.set_origin("built-in");
    throw InputError("plugin " + path + ": registration failed: it threw an exception of type " +
                     current_exception_type());
  }
  registry.set_origin("built-in");
  libraries_->items.push_back(std::move(library));
  files_.push_back(path);
}

void PluginSet::load_directory(const std::string& dir, Registry& registry) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError("plugin directory " + dir + " does not exist (set --plugin-dir or WOW_PLUGIN_PATH)");
  std::vector<std::string> paths;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".so") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    const std::string name = fs::path(p).filename().string();
    const bool seen =
        std::any_of(files_.begin(), files_.end(), [&](const std::string& f) { return fs::path(f).filename() == name; });
    if (!seen) load(p, registry);
  }
}

void PluginSet::load_search_path(const std::vector<std::string>& dirs, Registry& registry) {
  for (const auto& dir : dirs) load_directory(dir, registry);
}

std::vector<std::string> plugin_search_path(const std::string& plugin_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> dirs;
  std::vector<fs::path> seen;
  std::error_code ec;
  const auto add = [&](const std::string& dir) {
    if (dir.empty()) return;
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    if (std::find(seen.begin(), seen.end(), canonical) != seen.end()) return;
    seen.push_back(canonical);
    dirs.push_back(dir);
  };
  const fs::path exe_dir = boost::dll::program_location().parent_path();
  for (const fs::path& builtin : {exe_dir / "plugins", exe_dir / ".." / "lib" / "wowflow" / "plugins"}) {
    if (fs::is_directory(builtin, ec)) {
      add(builtin.lexically_normal().string());
      break;
    }
  }
  const auto add_list = [&](const std::string& list) {
    std::size_t start = 0;
    while (start <= list.size()) {
      const std::size_t colon = std::min(list.find(':', start), list.size());
      add(list.substr(start, colon - start));
      start = colon + 1;
    }
  };
  if (const char* env = std::getenv("WOW_PLUGIN_PATH"); env != nullptr) add_list(env);
  add_list(plugin_dir);
  return dirs;
}

}  // namespace wow
