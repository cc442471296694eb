// Included by engine/vector_sort.cpp once per instruction set (Highway's foreach_target passes), inside its
// namespace wow::vector_sort::HWY_NAMESPACE (hn = hwy::HWY_NAMESPACE), after <algorithm>, <type_traits>, <utility>
// and engine/sort_keys.hpp (ordered_bits); no include guard for that reason. NOLINT(llvm-header-guard)
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
