#pragma once
// Sorting a segment of projections together with its permutation. Values become order-preserving unsigned keys
// (so NaN cannot break the sort's ordering contract) packed with the index into one integer, which sorts fast.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace wow {

// Order-preserving unsigned keys of floating-point values (negative values reversed below the positive ones).
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

// Sorts `values` ascending in place; perm[i] receives the original position of the value now at i
// (perm may be empty to skip it). `scratch` must hold at least values.size() entries of 16 bytes.
void sort_with_permutation(std::span<float> values, std::span<std::uint32_t> perm, void* scratch);
void sort_with_permutation(std::span<double> values, std::span<std::uint32_t> perm, void* scratch);

inline constexpr std::size_t kSortScratchBytesPerValue = 16;

// Sorts finite values ascending in place, no permutation (the target side): about twice as fast.
void sort_values(std::span<float> values);
void sort_values(std::span<double> values);

}  // namespace wow
