// libFuzzer target: the .npy reader must reject any byte sequence with InputError, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "data/npy.hpp"
#include "wow/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto array = wow::npy::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.npy");
    (void)array.size();
  } catch (const wow::InputError&) {
  }
  return 0;
}
