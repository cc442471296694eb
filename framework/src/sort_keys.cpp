#include "wow/sort_keys.hpp"

#include <algorithm>

namespace wow {

namespace {

constexpr std::uint32_t ordered_bits(float v) {
  const auto b = std::bit_cast<std::uint32_t>(v);
  return (b & 0x80000000U) != 0U ? ~b : (b | 0x80000000U);
}
constexpr float from_ordered_bits(std::uint32_t b) {
  return std::bit_cast<float>((b & 0x80000000U) != 0U ? (b & 0x7fffffffU) : ~b);
}
constexpr std::uint64_t ordered_bits(double v) {
  const auto b = std::bit_cast<std::uint64_t>(v);
  return (b & 0x8000000000000000ULL) != 0U ? ~b : (b | 0x8000000000000000ULL);
}
constexpr double from_ordered_bits(std::uint64_t b) {
  return std::bit_cast<double>((b & 0x8000000000000000ULL) != 0U ? (b & 0x7fffffffffffffffULL) : ~b);
}

struct WideKey {
  std::uint64_t key;
  std::uint64_t index;
  bool operator<(const WideKey& o) const { return key != o.key ? key < o.key : index < o.index; }
};

}  // namespace

void sort_with_permutation(std::span<float> values, std::span<std::uint32_t> perm, void* scratch) {
  auto* keys = static_cast<std::uint64_t*>(scratch);
  const std::size_t n = values.size();
  for (std::size_t i = 0; i < n; ++i) keys[i] = (std::uint64_t{ordered_bits(values[i])} << 32U) | i;
  std::sort(keys, keys + n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = from_ordered_bits(static_cast<std::uint32_t>(keys[i] >> 32U));
    if (!perm.empty()) perm[i] = static_cast<std::uint32_t>(keys[i] & 0xffffffffU);
  }
}

void sort_with_permutation(std::span<double> values, std::span<std::uint32_t> perm, void* scratch) {
  auto* keys = static_cast<WideKey*>(scratch);
  const std::size_t n = values.size();
  for (std::size_t i = 0; i < n; ++i) keys[i] = WideKey{ordered_bits(values[i]), i};
  std::sort(keys, keys + n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = from_ordered_bits(keys[i].key);
    if (!perm.empty()) perm[i] = static_cast<std::uint32_t>(keys[i].index);
  }
}

}  // namespace wow
