#pragma once
// The learning components' code (libtorch) lives in learning/libwow_learning.so beside the plugins and is opened the
// first time a run creates one of them: the plugins themselves register without libtorch, so every other wow
// process (and `import wowflow`) starts without it (about 0.8 s and 140 MiB less).
#include <memory>
#include <string>

#include "wow/params.hpp"
#include "wow/registry.hpp"

namespace wow::learning {

// The address of `symbol` in the learning library (opened once, found from this plugin's own file). Throws
// InputError naming the library when it cannot be opened or lacks the symbol.
void* learning_symbol(const char* symbol);

// A component made by the learning library's factory `symbol`: extern "C" Interface* symbol(const Params&, const
// Registry&), which owns nothing after returning.
template <class Interface>
std::unique_ptr<Interface> make_learning_component(const char* symbol, const wow::Params& params,
                                                   const wow::Registry& registry) {
  using Factory = Interface* (*)(const wow::Params&, const wow::Registry&);
  const auto factory = reinterpret_cast<Factory>(learning_symbol(symbol));
  return std::unique_ptr<Interface>(factory(params, registry));
}

}  // namespace wow::learning
