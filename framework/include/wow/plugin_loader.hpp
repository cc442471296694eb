#pragma once
// Loads every plugin library (*.so) of a directory with Boost.DLL and lets it register its components.
#include <memory>
#include <string>
#include <vector>

#include "wow/registry.hpp"

namespace wow {

class PluginSet {
 public:
  PluginSet();
  ~PluginSet();
  PluginSet(const PluginSet&) = delete;
  PluginSet& operator=(const PluginSet&) = delete;

  // Loads one library; throws InputError naming the file and the reason when it cannot be used
  // (not loadable, not a WoWFlow plugin, another API version, registration failed).
  void load(const std::string& path, Registry& registry);
  // Loads every *.so in `dir` in name order; throws InputError when the directory is missing.
  void load_directory(const std::string& dir, Registry& registry);
  [[nodiscard]] const std::vector<std::string>& files() const { return files_; }

 private:
  struct Libraries;
  std::unique_ptr<Libraries> libraries_;  // keeps the code of every component alive
  std::vector<std::string> files_;
};

// The plugin directory: --plugin-dir if given, else $WOW_PLUGIN_PATH, else "plugins" beside the executable.
std::string default_plugin_dir(const std::string& override_dir);

}  // namespace wow
