// libFuzzer target: the IDX reader (idx dataset plugin). The input is split into an images file and a labels file
// at an offset given by its first two bytes; both go through the real loader (gzip detection included).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t split = std::min<std::size_t>(size - 2, (std::size_t{data[0]} << 8U) | data[1]);
  const std::string images = wowfuzz::scratch_dir() + "/images.idx", labels = wowfuzz::scratch_dir() + "/labels.idx";
  wowfuzz::write_file(images, data + 2, split);
  wowfuzz::write_file(labels, data + 2 + split, size - 2 - split);
  try {
    auto& registry = wowfuzz::registry();
    const wow::Json node{{"type", "idx"}, {"params", {{"images", images}, {"labels", labels}}}};
    auto dataset = registry.create<wow::Dataset>(registry.resolve_node("dataset", node, "source"), "source");
    (void)dataset->load(1);
  } catch (const wow::InputError&) {
  }
  return 0;
}
