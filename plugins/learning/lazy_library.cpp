#include "lazy_library.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "wow/errors.hpp"

namespace wow::learning {

void* learning_symbol(const char* symbol) {
  static std::once_flag once;
  static void* handle = nullptr;
  static std::string path, failure;
  std::call_once(once, [] {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&learning_symbol), &info) == 0 || info.dli_fname == nullptr) {
      failure = "cannot locate the learning plugin's own file";
      return;
    }
    path = (std::filesystem::path(info.dli_fname).parent_path() / "learning" / "libwow_learning.so").string();
    // Never closed: components made from it live until the process ends.
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) failure = dlerror();
  });
  if (handle == nullptr) throw InputError("the learning plugins cannot load " + path + " (" + failure + ")");
  void* address = dlsym(handle, symbol);
  if (address == nullptr) throw InputError(path + " has no " + symbol + ": not the learning library of this build");
  return address;
}

}  // namespace wow::learning
