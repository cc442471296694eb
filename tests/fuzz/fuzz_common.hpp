#pragma once
// Shared by the fuzz targets that go through plugins: one registry for the process, inputs written to temp files.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/plugin_loader.hpp"
#include "wow/registry.hpp"

namespace wowfuzz {

inline wow::Registry& registry() {
  static wow::PluginSet* plugins = new wow::PluginSet;  // never unloaded: components may outlive main's statics
  static wow::Registry* instance = [] {
    auto* r = new wow::Registry;
    const char* dir = std::getenv("WOW_PLUGIN_PATH");
    plugins->load_directory(dir != nullptr ? dir : WOW_FUZZ_PLUGIN_DIR, *r);
    return r;
  }();
  return *instance;
}

// A per-process scratch directory for input files.
inline std::string scratch_dir() {
  static const std::string dir = [] {
    std::string d = "/tmp/wow_fuzz_" + std::to_string(::getpid());
    std::system(("mkdir -p " + d).c_str());
    return d;
  }();
  return dir;
}

inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

}  // namespace wowfuzz
