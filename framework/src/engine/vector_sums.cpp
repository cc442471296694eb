#include "engine/vector_sums.hpp"

#include <algorithm>
#include <cmath>

// One clone per instruction set; "default" is the generic build. (Not under the sanitizers' and fuzzers' builds:
// their instrumentation and GCC's ifunc resolvers do not mix.)
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) && !defined(WOW_NO_TARGET_CLONES)
#define WOW_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define WOW_VECTOR_CLONES
#endif

namespace wow::vector_sums {

namespace {

// A fixed lane-wise reduction (omp simd: the same bits every run). Long rows use 4 independent partial sums so that
// the adds do not wait on each other's latency; short ones (quantile embeddings, small classes) one.
// always_inline: a clone's callees are compiled for the generic target unless they are inlined into it.
template <bool Squared, class T>
[[gnu::always_inline]] inline T term(T d) {
  if constexpr (Squared)
    return d * d;
  else
    return std::abs(d);
}

template <bool Squared, class T>
[[gnu::always_inline]] inline T reduce(const T* x, const T* y, std::size_t n) {
  constexpr std::size_t kSplit = 256;
  if (n < kSplit) {
    T p = 0;
#pragma omp simd reduction(+ : p)
    for (std::size_t j = 0; j < n; ++j) p += term<Squared>(x[j] - y[j]);
    return p;
  }
  T p0 = 0, p1 = 0, p2 = 0, p3 = 0;
  const std::size_t quarter = n / 4;
  const T* x1 = x + quarter;
  const T* x2 = x + 2 * quarter;
  const T* x3 = x + 3 * quarter;
  const T* y1 = y + quarter;
  const T* y2 = y + 2 * quarter;
  const T* y3 = y + 3 * quarter;
#pragma omp simd reduction(+ : p0, p1, p2, p3)
  for (std::size_t j = 0; j < quarter; ++j) {
    p0 += term<Squared>(x[j] - y[j]);
    p1 += term<Squared>(x1[j] - y1[j]);
    p2 += term<Squared>(x2[j] - y2[j]);
    p3 += term<Squared>(x3[j] - y3[j]);
  }
  for (std::size_t j = 4 * quarter; j < n; ++j) p0 += term<Squared>(x[j] - y[j]);
  return (p0 + p1) + (p2 + p3);
}

template <class T>
[[gnu::always_inline]] inline double sums(const T* x, const T* y, std::size_t directions, std::size_t n, bool squared) {
  double total = 0.0;
  for (std::size_t l = 0; l < directions; ++l, x += n, y += n)
    total += static_cast<double>(squared ? reduce<true>(x, y, n) : reduce<false>(x, y, n));
  return total;
}

// 16 accumulators (one per pair) stay in vector registers; the 8 rows' values are loaded once per lane block.
template <bool Squared, class T>
[[gnu::always_inline]] inline void tile(const T* const* a, const T* const* b, std::size_t len, T* out) {
  const T *a0 = a[0], *a1 = a[1], *a2 = a[2], *a3 = a[3];
  const T *b0 = b[0], *b1 = b[1], *b2 = b[2], *b3 = b[3];
  T s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  T s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
#pragma omp simd reduction(+ : s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33)
  for (std::size_t j = 0; j < len; ++j) {
    const T x0 = a0[j], x1 = a1[j], x2 = a2[j], x3 = a3[j];
    const T y0 = b0[j], y1 = b1[j], y2 = b2[j], y3 = b3[j];
    s00 += term<Squared>(x0 - y0);
    s01 += term<Squared>(x0 - y1);
    s02 += term<Squared>(x0 - y2);
    s03 += term<Squared>(x0 - y3);
    s10 += term<Squared>(x1 - y0);
    s11 += term<Squared>(x1 - y1);
    s12 += term<Squared>(x1 - y2);
    s13 += term<Squared>(x1 - y3);
    s20 += term<Squared>(x2 - y0);
    s21 += term<Squared>(x2 - y1);
    s22 += term<Squared>(x2 - y2);
    s23 += term<Squared>(x2 - y3);
    s30 += term<Squared>(x3 - y0);
    s31 += term<Squared>(x3 - y1);
    s32 += term<Squared>(x3 - y2);
    s33 += term<Squared>(x3 - y3);
  }
  const T sums[16] = {s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33};
  for (std::size_t i = 0; i < 16; ++i) out[i] = sums[i];
}

// The loop over whole blocks of 16 values, then the last few values zero-padded to one more block (a scalar
// remainder loop over 16 pairs cost as much as the vector part at 300 values).
template <bool Squared, class T>
[[gnu::always_inline]] inline void padded_tile(const T* const* a, const T* const* b, std::size_t len, T* out) {
  constexpr std::size_t kBlock = 16;
  const std::size_t whole = len - len % kBlock;
  tile<Squared>(a, b, whole, out);
  if (whole == len) return;
  T rows[8][kBlock] = {};
  const T* tail_a[4];
  const T* tail_b[4];
  for (std::size_t i = 0; i < 4; ++i) {
    std::copy(a[i] + whole, a[i] + len, rows[i]);
    std::copy(b[i] + whole, b[i] + len, rows[4 + i]);
    tail_a[i] = rows[i];
    tail_b[i] = rows[4 + i];
  }
  T tail[16];
  tile<Squared>(tail_a, tail_b, kBlock, tail);
  for (std::size_t i = 0; i < 16; ++i) out[i] += tail[i];
}

}  // namespace

WOW_VECTOR_CLONES void tile_sums(const float* const* a, const float* const* b, std::size_t len, bool squared,
                                 float* out) {
  squared ? padded_tile<true>(a, b, len, out) : padded_tile<false>(a, b, len, out);
}
WOW_VECTOR_CLONES void tile_sums(const double* const* a, const double* const* b, std::size_t len, bool squared,
                                 double* out) {
  squared ? padded_tile<true>(a, b, len, out) : padded_tile<false>(a, b, len, out);
}

WOW_VECTOR_CLONES double direction_sums(const float* x, const float* y, std::size_t directions, std::size_t n,
                                        bool squared) {
  return sums(x, y, directions, n, squared);
}
WOW_VECTOR_CLONES double direction_sums(const double* x, const double* y, std::size_t directions, std::size_t n,
                                        bool squared) {
  return sums(x, y, directions, n, squared);
}

WOW_VECTOR_CLONES void add_scaled(float* out, float w, const float* x, std::size_t n) {
#pragma omp simd
  for (std::size_t j = 0; j < n; ++j) out[j] += w * x[j];
}
WOW_VECTOR_CLONES void add_scaled(double* out, double w, const double* x, std::size_t n) {
#pragma omp simd
  for (std::size_t j = 0; j < n; ++j) out[j] += w * x[j];
}

}  // namespace wow::vector_sums
