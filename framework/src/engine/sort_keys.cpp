#include "engine/sort_keys.hpp"

#include <hwy/contrib/sort/vqsort.h>

#include <algorithm>

#include "engine/vector_sort.hpp"

namespace wow {

namespace {

// Highway's library sorter, for the 128-bit keys of float64 values (vector_sort has no 128-bit keys). Keys are
// unique (value bits + index), so the result never depends on its random pivots. One per thread: it owns scratch.
const hwy::Sorter& sorter() {
  thread_local const hwy::Sorter instance;
  return instance;
}

// A handful of keys take an insertion sort (no vector setup); keys are unique (or equal keys are equal), so the
// result is the same.
constexpr std::size_t kInsertionSortLargest = 8;

bool less(const hwy::uint128_t& a, const hwy::uint128_t& b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }
template <class K>
bool less(const K& a, const K& b) {
  return a < b;
}

void vector_sort_keys(hwy::uint128_t* keys, std::size_t n) { sorter()(keys, n, hwy::SortAscending()); }
template <class K>
void vector_sort_keys(K* keys, std::size_t n) {
  vector_sort::ascending(keys, n);
}

template <class K>
void sort_keys(K* keys, std::size_t n) {
  if (n > kInsertionSortLargest) {
    vector_sort_keys(keys, n);
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
  // Keys built, sorted and taken apart in one routine compiled for this machine's instruction set (vector_sort).
  vector_sort::ascending_with_index(values.data(), values.size(), values.data(), perm.empty() ? nullptr : perm.data(),
                                    static_cast<std::uint64_t*>(scratch));
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

void sort_values(std::span<float> values) {
  const std::size_t n = values.size();
  // Small classes: the sorting network (vector_sort), faster than vqsort's base case on floats.
  if (n > kInsertionSortLargest && vector_sort::small_ascending_with_index(values.data(), n, values.data(), nullptr))
    return;
  sort_keys(values.data(), n);
}
void sort_values(std::span<double> values) { sort_keys(values.data(), values.size()); }

}  // namespace wow
