// A plugin built against another plugin API version: the loader must refuse it before calling anything else.
#include <cstdio>
#include <cstdlib>

namespace wow {
class Registry;
}

extern "C" __attribute__((visibility("default"))) int wow_plugin_api_version() { return 999; }
extern "C" __attribute__((visibility("default"))) void wow_register_plugin(wow::Registry&) {
  std::fputs("wrong_version.so: wow_register_plugin must not be called\n", stderr);
  std::abort();
}
