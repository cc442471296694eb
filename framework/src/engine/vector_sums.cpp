#include "engine/vector_sums.hpp"

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

}  // namespace

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
