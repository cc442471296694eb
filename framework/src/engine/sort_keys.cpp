#include "engine/sort_keys.hpp"

#include <hwy/contrib/sort/vqsort.h>

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

// Highway's vectorised quicksort (4-5x std::sort on 200 keys). Keys are unique (value bits + index), so the
// result never depends on its internal random pivots. One sorter per thread: it owns scratch memory.
const hwy::Sorter& sorter() {
  thread_local const hwy::Sorter instance;
  return instance;
}

// Highway's sorter (1.0.3) asks the kernel for 24 random bytes (getrandom) on every call to seed its pivots: a
// system call costing more than sorting a few dozen keys (measured: 1 000 calls per step at the k-shot shape). Small
// arrays take an insertion sort instead; keys are unique (or equal keys are equal), so the result is the same.
constexpr std::size_t kInsertionSortLargest = 64;

bool less(const hwy::uint128_t& a, const hwy::uint128_t& b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }
template <class K>
bool less(const K& a, const K& b) {
  return a < b;
}

template <class K>
void sort_keys(K* keys, std::size_t n) {
  if (n > kInsertionSortLargest) {
    sorter()(keys, n, hwy::SortAscending());
    return;
  }
  for (std::size_t i = 1; i < n; ++i) {
    const K key = keys[i];
    std::size_t j = i;
    for (; j > 0 && less(key, keys[j - 1]); --j) keys[j] = keys[j - 1];
    keys[j] = key;
  }
}

}  // namespace

void sort_with_permutation(std::span<float> values, std::span<std::uint32_t> perm, void* scratch) {
  auto* keys = static_cast<std::uint64_t*>(scratch);
  const std::size_t n = values.size();
  for (std::size_t i = 0; i < n; ++i) keys[i] = (std::uint64_t{ordered_bits(values[i])} << 32U) | i;
  sort_keys(keys, n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = from_ordered_bits(static_cast<std::uint32_t>(keys[i] >> 32U));
    if (!perm.empty()) perm[i] = static_cast<std::uint32_t>(keys[i] & 0xffffffffU);
  }
}

void sort_with_permutation(std::span<double> values, std::span<std::uint32_t> perm, void* scratch) {
  // 128-bit keys: value bits in the upper half, index in the lower; compared as a whole, so unique.
  auto* keys = static_cast<hwy::uint128_t*>(scratch);
  const std::size_t n = values.size();
  for (std::size_t i = 0; i < n; ++i) keys[i] = hwy::uint128_t{i, ordered_bits(values[i])};
  sort_keys(keys, n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = from_ordered_bits(keys[i].hi);
    if (!perm.empty()) perm[i] = static_cast<std::uint32_t>(keys[i].lo);
  }
}

bool segmented_sort_fits(std::size_t classes, std::size_t largest_class) {
  return classes < 65536 && largest_class < 65536;
}

void sort_segments(const float* in, std::span<float> values, std::span<const std::size_t> offsets, std::uint32_t* perm,
                   void* scratch) {
  // 64-bit keys: class (16 bits) | ordered value bits (32) | position within the class (16): unique, so the
  // result never depends on the sort's pivots. Without perm the position is left out (equal values are equal).
  auto* keys = static_cast<std::uint64_t*>(scratch);
  const std::size_t classes = offsets.size() - 1;
  for (std::size_t c = 0; c < classes; ++c)
    for (std::size_t i = offsets[c]; i < offsets[c + 1]; ++i)
      keys[i] = (std::uint64_t{c} << 48U) | (std::uint64_t{ordered_bits(in[i])} << 16U) |
                (perm != nullptr ? i - offsets[c] : 0U);
  const std::size_t n = values.size();
  sort_keys(keys, n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = from_ordered_bits(static_cast<std::uint32_t>(keys[i] >> 16U));
    if (perm != nullptr) perm[i] = static_cast<std::uint32_t>(keys[i] & 0xffffU);
  }
}

void sort_segments(const double* in, std::span<double> values, std::span<const std::size_t> offsets,
                   std::uint32_t* perm, void* scratch) {
  // 128-bit keys: hi = class (16 bits) | upper 48 value bits, lo = lower 16 value bits | position (48 bits).
  auto* keys = static_cast<hwy::uint128_t*>(scratch);
  const std::size_t classes = offsets.size() - 1;
  for (std::size_t c = 0; c < classes; ++c)
    for (std::size_t i = offsets[c]; i < offsets[c + 1]; ++i) {
      const std::uint64_t v = ordered_bits(in[i]);
      keys[i] = hwy::uint128_t{((v & 0xffffU) << 48U) | (perm != nullptr ? i - offsets[c] : 0U),
                               (std::uint64_t{c} << 48U) | (v >> 16U)};
    }
  const std::size_t n = values.size();
  sort_keys(keys, n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = from_ordered_bits(std::uint64_t{((keys[i].hi & 0xffffffffffffULL) << 16U) | (keys[i].lo >> 48U)});
    if (perm != nullptr) perm[i] = static_cast<std::uint32_t>(keys[i].lo & 0xffffffffffffULL);
  }
}

void sort_values(std::span<float> values) { sort_keys(values.data(), values.size()); }
void sort_values(std::span<double> values) { sort_keys(values.data(), values.size()); }

}  // namespace wow
