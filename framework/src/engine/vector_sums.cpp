#include "engine/vector_sums.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

// One clone per instruction set; "default" is the generic build. (Not under the sanitizers' and fuzzers' builds:
// their instrumentation and GCC's ifunc resolvers do not mix.)
#if defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__) && !defined(WOW_NO_TARGET_CLONES)
#define WOW_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define WOW_VECTOR_CLONES_ON 1
#else
#define WOW_VECTOR_CLONES
#endif

namespace wow::vector_sums {

namespace {

// The tile kernel: 16 accumulators (one per pair) of W lanes in vector registers, 4 + 4 rows loaded once per block
// of W values. Each lane adds 16 terms per chunk (a float sum of many similar positive terms loses about a digit per
// ten terms), then the 16 accumulators are reduced together (a transposing tree: 45 shuffles and adds at W = 16
// rather than 16 separate reductions) and added to the 16 double sums. W is the instruction set's vector width
// (tile_sums below picks it), so the sums are the same on every run of one machine.
// The helpers below take and return wide vectors; they are always inlined into a function compiled for that width,
// so no call ever uses the (generic-target) vector ABI GCC warns about.
#pragma GCC diagnostic ignored "-Wpsabi"
template <class T, int W>
struct VectorTypes {
  typedef T Values __attribute__((vector_size(W * sizeof(T))));
};
template <class T, int W>
using Lanes = typename VectorTypes<T, W>::Values;

template <class T, int W>
[[gnu::always_inline]] inline Lanes<T, W> load(const T* p) {
  Lanes<T, W> v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Lane `lane` of the lower (or, + G / 2, upper) halves of the groups, read from the pair (x, y) as 2W lanes.
template <int W, int G>
constexpr int fold_source(int lane) {
  constexpr int half = G / 2, groups = W / G;
  const int group = lane / half, offset = lane % half;
  return group < groups ? group * G + offset : W + (group - groups) * G + offset;
}

// One level of the tree: x and y hold W / G accumulators' partials of G lanes each; the result holds twice as many
// accumulators' partials of G / 2 lanes (x's accumulators first).
template <class T, int W, int G, std::size_t... Lane>
[[gnu::always_inline]] inline Lanes<T, W> fold(Lanes<T, W> x, Lanes<T, W> y, std::index_sequence<Lane...> /*lanes*/) {
  return __builtin_shufflevector(x, y, fold_source<W, G>(static_cast<int>(Lane))...) +
         __builtin_shufflevector(x, y, (fold_source<W, G>(static_cast<int>(Lane)) + G / 2)...);
}

template <class T, int W, int G, int Count>
[[gnu::always_inline]] inline void fold_all(Lanes<T, W>* v) {
  static_assert(W <= 16, "16 accumulators fill at least one vector");
  if constexpr (G > 1) {
    for (int p = 0; p < Count / 2; ++p)
      v[p] = fold<T, W, G>(v[2 * p], v[2 * p + 1], std::make_index_sequence<static_cast<std::size_t>(W)>{});
    fold_all<T, W, G / 2, Count / 2>(v);
  }
}

template <bool Squared, class T, int W>
[[gnu::always_inline]] inline void accumulate(Lanes<T, W>* acc, const T* const* a, const T* const* b, std::size_t at) {
  Lanes<T, W> x[4], y[4];
  for (int i = 0; i < 4; ++i) {
    x[i] = load<T, W>(a[i] + at);
    y[i] = load<T, W>(b[i] + at);
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      const Lanes<T, W> d = x[i] - y[j];
      if constexpr (Squared)
        acc[4 * i + j] += d * d;
      else
        acc[4 * i + j] += d < 0 ? -d : d;
    }
}

// Adds the 16 accumulators' sums to out (in double) and clears them.
template <class T, int W>
[[gnu::always_inline]] inline void flush(Lanes<T, W>* acc, double* out) {
  fold_all<T, W, W, 16>(acc);  // acc[0 .. 16 / W) now hold the 16 sums in order
  T sums[16];
  std::memcpy(sums, acc, sizeof sums);
  for (int i = 0; i < 16; ++i) {
    out[i] += static_cast<double>(sums[i]);
    acc[i] = Lanes<T, W>{};
  }
}

template <bool Squared, class T, int W>
[[gnu::always_inline]] inline void tile_kernel(const T* const* a, const T* const* b, std::size_t len, double* out) {
  constexpr std::size_t kChunk = 16 * W;
  const T* rows_a[4] = {a[0], a[1], a[2], a[3]};
  const T* rows_b[4] = {b[0], b[1], b[2], b[3]};
  for (int i = 0; i < 16; ++i) out[i] = 0.0;
  Lanes<T, W> acc[16] = {};
  const std::size_t whole = len - len % W;
  for (std::size_t first = 0; first < whole; first += kChunk) {
    const std::size_t last = std::min(whole, first + kChunk);
    for (std::size_t at = first; at < last; at += W) accumulate<Squared, T, W>(acc, rows_a, rows_b, at);
    flush<T, W>(acc, out);
  }
  if (whole == len) return;
  T padded[8][W] = {};  // the last len % W values of each row, zero-padded to one block
  for (int i = 0; i < 4; ++i) {
    std::copy(rows_a[i] + whole, rows_a[i] + len, padded[i]);
    std::copy(rows_b[i] + whole, rows_b[i] + len, padded[4 + i]);
    rows_a[i] = padded[i];
    rows_b[i] = padded[4 + i];
  }
  accumulate<Squared, T, W>(acc, rows_a, rows_b, 0);
  flush<T, W>(acc, out);
}

// The widest vectors the machine has (chosen once): 64, 32 or 16 bytes.
template <bool Squared, class T>
void tile_generic(const T* const* a, const T* const* b, std::size_t len, double* out) {
  tile_kernel<Squared, T, 16 / sizeof(T)>(a, b, len, out);
}
#ifdef WOW_VECTOR_CLONES_ON
template <bool Squared, class T>
[[gnu::target("arch=x86-64-v3")]] void tile_v3(const T* const* a, const T* const* b, std::size_t len, double* out) {
  tile_kernel<Squared, T, 32 / sizeof(T)>(a, b, len, out);
}
template <bool Squared, class T>
[[gnu::target("arch=x86-64-v4")]] void tile_v4(const T* const* a, const T* const* b, std::size_t len, double* out) {
  tile_kernel<Squared, T, 64 / sizeof(T)>(a, b, len, out);
}
#endif

template <class T>
using TileFunction = void (*)(const T* const*, const T* const*, std::size_t, double*);

template <bool Squared, class T>
TileFunction<T> tile_for_this_machine() {
#ifdef WOW_VECTOR_CLONES_ON
  if (__builtin_cpu_supports("x86-64-v4")) return tile_v4<Squared, T>;
  if (__builtin_cpu_supports("x86-64-v3")) return tile_v3<Squared, T>;
#endif
  return tile_generic<Squared, T>;
}

template <class T>
void tile_dispatch(const T* const* a, const T* const* b, std::size_t len, bool squared, double* out) {
  static const TileFunction<T> squared_tile = tile_for_this_machine<true, T>();
  static const TileFunction<T> absolute_tile = tile_for_this_machine<false, T>();
  (squared ? squared_tile : absolute_tile)(a, b, len, out);
}

}  // namespace

void tile_sums(const float* const* a, const float* const* b, std::size_t len, bool squared, double* out) {
  tile_dispatch(a, b, len, squared, out);
}
void tile_sums(const double* const* a, const double* const* b, std::size_t len, bool squared, double* out) {
  tile_dispatch(a, b, len, squared, out);
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
