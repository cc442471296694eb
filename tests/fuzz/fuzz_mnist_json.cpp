// libFuzzer target: the MNIST JSON reader (mnist_json dataset plugin): the input is digit 0's file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string dir = wowfuzz::scratch_dir() + "/digits";
  static const bool made = [&] { return std::system(("mkdir -p " + dir).c_str()) == 0; }();
  (void)made;
  wowfuzz::write_file(dir + "/0.json", data, size);
  try {
    auto& registry = wowfuzz::registry();
    const wow::Json node{{"type", "mnist_json"}, {"params", {{"dir", dir}, {"classes", {0}}}}};
    auto dataset = registry.create<wow::Dataset>(registry.resolve_node("dataset", node, "source"), "source");
    (void)dataset->load(1);
  } catch (const wow::InputError&) {
  }
  return 0;
}
