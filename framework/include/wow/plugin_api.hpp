#pragma once
// What a plugin library exports. A plugin is a shared library with two C symbols:
//   int  wow_plugin_api_version();            must return WOW_PLUGIN_API_VERSION of the headers it was built with
//   void wow_register_plugin(wow::Registry&); adds its component types
// WOW_PLUGIN(registry) { registry.add<wow::Kernel>(...); } defines both.
#include "wow/interfaces.hpp"
#include "wow/params.hpp"
#include "wow/registry.hpp"

#define WOW_PLUGIN_API_VERSION 2

// registry_name is a parameter name in the expansion, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define WOW_PLUGIN(registry_name)                                                                                   \
  extern "C" __attribute__((visibility("default"))) int wow_plugin_api_version() { return WOW_PLUGIN_API_VERSION; } \
  static void wow_register_plugin_body(wow::Registry& registry_name);                                               \
  extern "C" __attribute__((visibility("default"))) void wow_register_plugin(wow::Registry& r) {                    \
    wow_register_plugin_body(r);                                                                                    \
  }                                                                                                                 \
  static void wow_register_plugin_body(wow::Registry& registry_name)
// NOLINTEND(bugprone-macro-parentheses)
