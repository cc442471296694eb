#pragma once
// Every component type the WoWFlow source tree provides, with the plugin library that registers it and what that
// library needs beyond the core build, so that a spec naming a type this build left out (the README's first command
// builds only what experiments/rings.json loads; libtorch or the CUDA toolkit may be missing) gets one line saying
// how to add it.
#include <string>
#include <vector>

namespace wow {

// ""  when `kind`/`type` is not a component of this source tree (a typo, a third-party plugin); else one sentence:
// which library registers it, the package it needs if any, and the commands that add it.
std::string not_built_hint(const std::string& kind, const std::string& type);

struct KnownComponent {
  std::string kind;
  std::string type;
  std::string library;  // plugins/<library>.so
  bool optional;        // needs a package beyond the core build (libtorch, the CUDA toolkit)
};
// The whole catalog (for tests/plugin/test_components.cpp).
std::vector<KnownComponent> known_components();

}  // namespace wow
