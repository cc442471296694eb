// libFuzzer target: spec text -> JSON parse -> strict resolution against the real plugins. Any input must end in
// InputError or a resolved spec, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/spec.hpp"
#include "fuzz_common.hpp"
#include "wow/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    wow::Json spec = wow::parse_json_text(text, "fuzz.json");
    if (spec.is_object()) {
      // Inputs of the form {"...": ..., "__set": "a.b=c"} also exercise --set.
      if (spec.contains("__set") && spec["__set"].is_string()) {
        const std::string assignment = spec["__set"].get<std::string>();
        spec.erase("__set");
        wow::apply_override(spec, assignment);
      }
      (void)wow::resolve_spec(spec, wowfuzz::registry(), "fuzz");
    }
  } catch (const wow::InputError&) {
  }
  return 0;
}
