// Included by engine/vector_sort.cpp once per instruction set (Highway's foreach_target passes), before Highway's
// sort headers; no include guard for that reason. NOLINT(llvm-header-guard)
#include <array>
#include <cstdint>

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
