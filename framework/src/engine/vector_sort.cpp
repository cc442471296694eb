// Compiled once per instruction set by Highway's foreach_target (this file includes itself); see vector_sort.hpp.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/vector_sort.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>  // bitonic_network-inl.hpp, included inside a namespace below
#include <utility>

#include "engine/sort_keys.hpp"

// GCC workaround for Highway's 64-bit compress (per instruction set; see the file).
#include <hwy/contrib/sort/traits-inl.h>
#include <hwy/contrib/sort/vqsort-inl.h>

#include "engine/hwy_compress_fix-inl.hpp"

HWY_BEFORE_NAMESPACE();
namespace wow::vector_sort::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// hn::Sort without its per-call seeding: the same recursion, a fixed generator (pivot choice only).
template <typename T>
void sort_ascending(T* HWY_RESTRICT keys, std::size_t n) {
#if VQSORT_ENABLED
  using Traits = hn::detail::SharedTraits<hn::detail::TraitsLane<hn::detail::OrderAscending<T>>>;
  const hn::SortTag<T> d;
  HWY_ALIGN T buffer[hwy::SortConstants::BufNum<T>(HWY_LANES(T))] = {};
  if (n <= 1) return;
  hn::detail::Generator rng(std::uint64_t{0x9E3779B97F4A7C15ULL} ^ n);
  const std::size_t max_levels = 2 * hwy::CeilLog2(n) + 4;
  hn::detail::Recurse(d, Traits(), keys, keys + n, n, buffer, rng, max_levels);
#else
  hn::detail::HeapSort(hn::detail::SharedTraits<hn::detail::TraitsLane<hn::detail::OrderAscending<T>>>(), keys, n);
#endif
}

#include "engine/bitonic_network-inl.hpp"  // WOW_SMALL_SORT, bitonic_sort, small_sort (AVX2, AVX-512)

void sort_u64(std::uint64_t* keys, std::size_t n) {
  if (n <= 1) return;
#ifdef WOW_SMALL_SORT
  if (small_sort(n, [&](auto rows) { bitonic_sort<decltype(rows)::value>(keys, n); })) return;
#endif
  sort_ascending(keys, n);
}

bool sort_f32_with_index(const float* in, std::size_t n, float* sorted, std::uint32_t* index, std::uint64_t* scratch) {
#ifdef WOW_SMALL_SORT
  if (small_sort(n, [&](auto rows) { bitonic_sort_floats<decltype(rows)::value>(in, n, sorted, index); })) return true;
#endif
  if (scratch == nullptr) return false;
  // Larger classes: the same keys in the caller's buffer (these loops in this instruction set's vector code).
  for (std::size_t i = 0; i < n; ++i) scratch[i] = (std::uint64_t{ordered_bits(in[i])} << 32U) | i;
  sort_ascending(scratch, n);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = from_ordered_bits(static_cast<std::uint32_t>(scratch[i] >> 32U));
  if (index != nullptr)
    for (std::size_t i = 0; i < n; ++i) index[i] = static_cast<std::uint32_t>(scratch[i]);
  return true;
}
#undef WOW_SMALL_SORT  // defined per instruction set by bitonic_network-inl.hpp
void sort_f32(float* keys, std::size_t n) { sort_ascending(keys, n); }
void sort_f64(double* keys, std::size_t n) { sort_ascending(keys, n); }
const char* name() { return hwy::TargetName(HWY_TARGET); }

}  // namespace wow::vector_sort::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace wow::vector_sort {

HWY_EXPORT(sort_u64);
HWY_EXPORT(sort_f32_with_index);
HWY_EXPORT(sort_f32);
HWY_EXPORT(sort_f64);
HWY_EXPORT(name);

void ascending(std::uint64_t* keys, std::size_t n) { HWY_DYNAMIC_DISPATCH(sort_u64)(keys, n); }
void ascending(float* keys, std::size_t n) { HWY_DYNAMIC_DISPATCH(sort_f32)(keys, n); }
bool small_ascending_with_index(const float* values, std::size_t n, float* sorted, std::uint32_t* index) {
  return HWY_DYNAMIC_DISPATCH(sort_f32_with_index)(values, n, sorted, index, nullptr);
}
void ascending_with_index(const float* values, std::size_t n, float* sorted, std::uint32_t* index,
                          std::uint64_t* scratch) {
  HWY_DYNAMIC_DISPATCH(sort_f32_with_index)(values, n, sorted, index, scratch);
}
void ascending(double* keys, std::size_t n) { HWY_DYNAMIC_DISPATCH(sort_f64)(keys, n); }
const char* target_name() { return HWY_DYNAMIC_DISPATCH(name)(); }

}  // namespace wow::vector_sort
#endif
