// A plugin whose registration fails: the loader reports it as bad input naming the file.
#include <stdexcept>

#include "wow/plugin_api.hpp"

WOW_PLUGIN(registry) {
  (void)registry;
  throw std::runtime_error("this plugin refuses to register");
}
