#pragma once
// The engine's innermost sums, compiled for AVX-512, AVX2 + FMA and plain x86-64 and chosen at load time (GCC
// target_clones, or the widest vectors for the tiles): the core is built for generic x86-64, where these loops would
// use 4 float lanes. Results are the same on every run and thread count of one machine; machines of different
// instruction sets may differ in the last bits (lane count changes the order of the reduction), as OpenBLAS does.
#include <cstddef>

namespace wow::vector_sums {

// The pairwise sums four classes against four at once (each value read once for 4 pairs, not twice for one):
// out[4 i + k] = sum_j (a[i][j] - b[k][j])^2 over len values (|a - b| when squared is false): in T, 16 terms per
// vector lane at a time, then in double, in a fixed order.
inline constexpr std::size_t kTile = 4;
void tile_sums(const float* const* a, const float* const* b, std::size_t len, bool squared, double* out);
void tile_sums(const double* const* a, const double* const* b, std::size_t len, bool squared, double* out);

// out_j += w * x_j.
void add_scaled(float* out, float w, const float* x, std::size_t n);
void add_scaled(double* out, double w, const double* x, std::size_t n);

}  // namespace wow::vector_sums
