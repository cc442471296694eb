// Compiled once per instruction set by Highway's foreach_target (this file includes itself); see vector_sort.hpp.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "engine/vector_sort.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "engine/sort_keys.hpp"

// Highway 1.0.3 compresses 64-bit lanes on AVX-512 (the partition step's core) through a 2 KiB table that it declares
// `constexpr` inside the function; GCC copies that table onto the stack on every call (measured: vqsort of 1 000 keys
// 2.5x slower than the library's own build). The same compress with the table in static storage, declared before
// the sort's templates so that they pick these exact-type overloads.
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
HWY_BEFORE_NAMESPACE();
namespace hwy::HWY_NAMESPACE {
namespace wow_partition {
// For each 8-bit mask: the lanes whose bit is set, in order, then the others; lane numbers packed 4 bits each.
constexpr std::array<std::uint64_t, 256> make_partition_indices() {
  std::array<std::uint64_t, 256> table{};
  for (std::uint32_t mask = 0; mask < 256; ++mask) {
    std::uint64_t packed = 0;
    std::uint32_t slot = 0;
    for (int selected = 1; selected >= 0; --selected)
      for (std::uint32_t lane = 0; lane < 8; ++lane)
        if (((mask >> lane) & 1U) == static_cast<std::uint32_t>(selected))
          packed |= std::uint64_t{lane} << (4 * slot++);
    table[mask] = packed;
  }
  return table;
}
inline constexpr std::array<std::uint64_t, 256> kPartitionIndices = make_partition_indices();

HWY_INLINE __m512i partition_lanes(__m512i v, unsigned mask) {
  const __m512i packed = _mm512_set1_epi64(static_cast<long long>(kPartitionIndices[mask & 0xFFU]));
  const __m512i indices = _mm512_srlv_epi64(packed, _mm512_set_epi64(28, 24, 20, 16, 12, 8, 4, 0));
  return _mm512_permutexvar_epi64(indices, v);
}
}  // namespace wow_partition

HWY_API Vec512<std::uint64_t> Compress(Vec512<std::uint64_t> v, Mask512<std::uint64_t> mask) {
  return Vec512<std::uint64_t>{wow_partition::partition_lanes(v.raw, mask.raw)};
}
HWY_API Vec512<std::uint64_t> CompressNot(Vec512<std::uint64_t> v, Mask512<std::uint64_t> mask) {
  return Vec512<std::uint64_t>{wow_partition::partition_lanes(v.raw, ~static_cast<unsigned>(mask.raw))};
}
HWY_API Vec512<double> Compress(Vec512<double> v, Mask512<double> mask) {
  return Vec512<double>{_mm512_castsi512_pd(wow_partition::partition_lanes(_mm512_castpd_si512(v.raw), mask.raw))};
}
HWY_API Vec512<double> CompressNot(Vec512<double> v, Mask512<double> mask) {
  return Vec512<double>{_mm512_castsi512_pd(
      wow_partition::partition_lanes(_mm512_castpd_si512(v.raw), ~static_cast<unsigned>(mask.raw)))};
}
}  // namespace hwy::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#elif HWY_TARGET == HWY_AVX2
// The AVX2 code has the same problem with a 128-byte table.
HWY_BEFORE_NAMESPACE();
namespace hwy::HWY_NAMESPACE {
namespace wow_partition {
// For each 4-bit mask: the 32-bit halves of the set lanes, in order, then of the others.
struct alignas(32) LaneHalves {
  std::array<std::uint32_t, 8> index;
};
constexpr std::array<LaneHalves, 16> make_partition_indices() {
  std::array<LaneHalves, 16> table{};
  for (std::uint32_t mask = 0; mask < 16; ++mask) {
    std::uint32_t slot = 0;
    for (int selected = 1; selected >= 0; --selected)
      for (std::uint32_t lane = 0; lane < 4; ++lane)
        if (((mask >> lane) & 1U) == static_cast<std::uint32_t>(selected)) {
          table[mask].index[slot++] = 2 * lane;
          table[mask].index[slot++] = 2 * lane + 1;
        }
  }
  return table;
}
inline constexpr std::array<LaneHalves, 16> kPartitionIndices = make_partition_indices();

HWY_INLINE __m256i partition_lanes(__m256i v, unsigned mask) {
  const auto* indices = reinterpret_cast<const __m256i*>(kPartitionIndices[mask & 0xFU].index.data());
  return _mm256_permutevar8x32_epi32(v, _mm256_load_si256(indices));
}
template <class M>
unsigned lane_bits(M mask) {
  return static_cast<unsigned>(
      _mm256_movemask_pd(_mm256_castsi256_pd(BitCast(Full256<std::int64_t>(), VecFromMask(mask)).raw)));
}
}  // namespace wow_partition

HWY_API Vec256<std::uint64_t> Compress(Vec256<std::uint64_t> v, Mask256<std::uint64_t> mask) {
  return Vec256<std::uint64_t>{wow_partition::partition_lanes(v.raw, wow_partition::lane_bits(mask))};
}
HWY_API Vec256<std::uint64_t> CompressNot(Vec256<std::uint64_t> v, Mask256<std::uint64_t> mask) {
  return Vec256<std::uint64_t>{wow_partition::partition_lanes(v.raw, ~wow_partition::lane_bits(mask))};
}
HWY_API Vec256<double> Compress(Vec256<double> v, Mask256<double> mask) {
  return Vec256<double>{
      _mm256_castsi256_pd(wow_partition::partition_lanes(_mm256_castpd_si256(v.raw), wow_partition::lane_bits(mask)))};
}
HWY_API Vec256<double> CompressNot(Vec256<double> v, Mask256<double> mask) {
  return Vec256<double>{
      _mm256_castsi256_pd(wow_partition::partition_lanes(_mm256_castpd_si256(v.raw), ~wow_partition::lane_bits(mask)))};
}
// The stores that the partition's edges use (their 512-byte table is copied the same way).
HWY_API std::size_t CompressStore(Vec256<std::uint64_t> v, Mask256<std::uint64_t> mask, Full256<std::uint64_t> d,
                                  std::uint64_t* HWY_RESTRICT unaligned) {
  StoreU(Compress(v, mask), d, unaligned);
  return CountTrue(d, mask);
}
HWY_API std::size_t CompressStore(Vec256<double> v, Mask256<double> mask, Full256<double> d,
                                  double* HWY_RESTRICT unaligned) {
  StoreU(Compress(v, mask), d, unaligned);
  return CountTrue(d, mask);
}
HWY_API std::size_t CompressBlendedStore(Vec256<std::uint64_t> v, Mask256<std::uint64_t> mask, Full256<std::uint64_t> d,
                                         std::uint64_t* HWY_RESTRICT unaligned) {
  const std::size_t count = CountTrue(d, mask);
  BlendedStore(Compress(v, mask), FirstN(d, count), d, unaligned);
  return count;
}
HWY_API std::size_t CompressBlendedStore(Vec256<double> v, Mask256<double> mask, Full256<double> d,
                                         double* HWY_RESTRICT unaligned) {
  const std::size_t count = CountTrue(d, mask);
  BlendedStore(Compress(v, mask), FirstN(d, count), d, unaligned);
  return count;
}
}  // namespace hwy::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();
#endif

#include <hwy/contrib/sort/traits-inl.h>
#include <hwy/contrib/sort/vqsort-inl.h>

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

#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
#define WOW_SMALL_SORT 1
// Small sorts: a bitonic sorting network in registers (below). vqsort's base case runs its full 16-row network (the
// work of 128 keys on AVX-512) after copying the keys into a padded buffer and back, whatever their number: 102 ns
// for 50 keys, against 64 ns for this network (AVX-512; 20 keys 87 against 47 ns; AVX2, 20 keys 123 against 97).
using KeyTag = hn::ScalableTag<std::uint64_t>;
using KeyVec = hn::Vec<KeyTag>;
constexpr std::size_t kKeyLanes = HWY_LANES(std::uint64_t);

// Partner in another vector (j >= N): vectors r and r + j / N, one min and one max.
template <std::size_t R, std::size_t K, std::size_t J, std::size_t Row>
HWY_INLINE void cross_vectors(KeyVec (&v)[R]) {
  constexpr std::size_t other = J / kKeyLanes;
  if constexpr ((Row & other) == 0) {
    constexpr bool descending = ((Row * kKeyLanes) & K) != 0;
    const KeyVec low = hn::Min(v[Row], v[Row + other]);
    const KeyVec high = hn::Max(v[Row], v[Row + other]);
    v[Row] = descending ? high : low;
    v[Row + other] = descending ? low : high;
  }
}

// Partner in another lane (j < N): a permutation, then min or max per lane.
template <std::size_t R, std::size_t K, std::size_t J, std::size_t Row>
HWY_INLINE void cross_lanes(KeyVec (&v)[R], KeyVec lane) {
  const KeyTag d;
  const auto lower_lane = hn::Eq(hn::And(lane, hn::Set(d, J)), hn::Zero(d));
  KeyVec other;  // lane i ^ J of v[Row], by the cheapest permutation that gives it
  if constexpr (J == 1) {
    other = hn::Shuffle01(v[Row]);
  } else if constexpr (2 * J == kKeyLanes) {
    other = hn::ConcatLowerUpper(d, v[Row], v[Row]);
  } else if constexpr (J == 2 && kKeyLanes == 8) {
    other = hn::SwapAdjacentBlocks(v[Row]);
  } else {
    other = hn::TableLookupLanes(v[Row], hn::IndicesFromVec(d, hn::Xor(lane, hn::Set(d, J))));
  }
  const KeyVec low = hn::Min(v[Row], other);
  const KeyVec high = hn::Max(v[Row], other);
  if constexpr (K < kKeyLanes) {
    const auto descending_lane = hn::Ne(hn::And(lane, hn::Set(d, K)), hn::Zero(d));
    v[Row] = hn::IfThenElse(hn::Xor(lower_lane, descending_lane), low, high);
  } else if constexpr (((Row * kKeyLanes) & K) != 0) {
    v[Row] = hn::IfThenElse(lower_lane, high, low);
  } else {
    v[Row] = hn::IfThenElse(lower_lane, low, high);
  }
}

template <std::size_t R, std::size_t K, std::size_t J, std::size_t... Rows>
HWY_INLINE void bitonic_stage(KeyVec (&v)[R], KeyVec lane, std::index_sequence<Rows...> rows) {
  if constexpr (J >= kKeyLanes) {
    (cross_vectors<R, K, J, Rows>(v), ...);
  } else {
    (cross_lanes<R, K, J, Rows>(v, lane), ...);
  }
  if constexpr (J > 1) bitonic_stage<R, K, J / 2>(v, lane, rows);
}

template <std::size_t R, std::size_t K>
HWY_INLINE void bitonic_merges(KeyVec (&v)[R], KeyVec lane) {
  bitonic_stage<R, K, K / 2>(v, lane, std::make_index_sequence<R>{});
  if constexpr (K < R * kKeyLanes) bitonic_merges<R, 2 * K>(v, lane);
}

// A bitonic sorting network over R vectors of N lanes (the key at i = r N + lane), all in registers, unrolled at
// compile time. Stage (k, j) compares i with i ^ j, ascending where bit k of i is clear: for j >= N the partner is in
// another vector (one min and one max per pair of vectors), else in another lane (a permutation and a blend).
template <std::size_t R>
HWY_NOINLINE void sort_rows(std::uint64_t* HWY_RESTRICT rows) {
  const KeyTag d;
  KeyVec v[R];
  for (std::size_t r = 0; r < R; ++r) v[r] = hn::Load(d, rows + r * kKeyLanes);
  bitonic_merges<R, 2>(v, hn::Iota(d, 0));
  for (std::size_t r = 0; r < R; ++r) hn::Store(v[r], d, rows + r * kKeyLanes);
}

// The keys, padded with the largest key (sorts last), through the network.
template <std::size_t R>
void bitonic_sort(std::uint64_t* HWY_RESTRICT keys, std::size_t n) {
  HWY_ALIGN std::uint64_t rows[R * kKeyLanes];
  std::copy(keys, keys + n, rows);
  std::fill(rows + n, rows + R * kKeyLanes, ~std::uint64_t{0});
  sort_rows<R>(rows);
  std::copy(rows, rows + n, keys);
}

// Values with their positions: the keys are built and taken apart here, in this instruction set's vector code.
template <std::size_t R>
void bitonic_sort_floats(const float* in, std::size_t n, float* sorted, std::uint32_t* index) {
  HWY_ALIGN std::uint64_t rows[R * kKeyLanes];
  for (std::size_t i = 0; i < n; ++i) rows[i] = (std::uint64_t{ordered_bits(in[i])} << 32U) | i;
  std::fill(rows + n, rows + R * kKeyLanes, ~std::uint64_t{0});
  sort_rows<R>(rows);
  for (std::size_t i = 0; i < n; ++i) sorted[i] = from_ordered_bits(static_cast<std::uint32_t>(rows[i] >> 32U));
  if (index != nullptr)
    for (std::size_t i = 0; i < n; ++i) index[i] = static_cast<std::uint32_t>(rows[i]);
}

// Networks of at most 8 vectors: with 16 the AVX2 code spills its registers (measured 277 ns for 50 keys against
// vqsort's 160).
template <class Sort>
bool small_sort(std::size_t n, const Sort& sort) {
  constexpr std::size_t N = kKeyLanes;
  if (n > 8 * N) return false;
  if (n <= N) {
    sort(std::integral_constant<std::size_t, 1>());
  } else if (n <= 2 * N) {
    sort(std::integral_constant<std::size_t, 2>());
  } else if (n <= 4 * N) {
    sort(std::integral_constant<std::size_t, 4>());
  } else {
    sort(std::integral_constant<std::size_t, 8>());
  }
  return true;
}
#endif

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
#undef WOW_SMALL_SORT
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
