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
  // Loads every *.so in `dir` in name order; throws InputError when the directory is missing. A library whose file
  // name was already loaded from an earlier folder is skipped (copies of the built-in plugins are harmless).
  void load_directory(const std::string& dir, Registry& registry);
  // Loads the folders of plugin_search_path in order.
  void load_search_path(const std::vector<std::string>& dirs, Registry& registry);
  [[nodiscard]] const std::vector<std::string>& files() const { return files_; }

 private:
  struct Libraries;
  std::unique_ptr<Libraries> libraries_;  // keeps the code of every component alive
  std::vector<std::string> files_;
};

// The plugin folders, in load order: the built-in one (plugins/ beside the executable, or ../lib/wowflow/plugins once
// installed; skipped when absent), then each folder of $WOW_PLUGIN_PATH, then each of `plugin_dir` (--plugin-dir);
// both lists are colon-separated. The same folder twice is loaded once.
std::vector<std::string> plugin_search_path(const std::string& plugin_dir);

}  // namespace wow
