// Counter-based randomness and the sorts.
#include <hwy/targets.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <type_traits>
#include <vector>

#include "engine/rng.hpp"
#include "engine/sort_keys.hpp"
#include "engine/vector_sort.hpp"

namespace rng = wow::rng;

TEST_CASE("rng: the same key gives the same stream", "[rng]") {
  static_assert(rng::key(1, rng::Purpose::Directions, 2, 3) == rng::key(1, rng::Purpose::Directions, 2, 3));
  auto a = rng::stream(42, rng::Purpose::Directions, 7, 3);
  auto b = rng::stream(42, rng::Purpose::Directions, 7, 3);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.next_u64() == b.next_u64());
  auto c = rng::stream(42, rng::Purpose::Directions, 7, 3);
  auto d = rng::stream(42, rng::Purpose::Directions, 7, 3);
  for (int i = 0; i < 1001; ++i) {  // odd count: the Box-Muller spare is used too
    const double x = c.normal(), y = d.normal();
    REQUIRE(std::memcmp(&x, &y, sizeof x) == 0);
  }
}

TEST_CASE("rng: different step, stream, purpose or seed give different streams", "[rng]") {
  auto first = [](std::uint64_t seed, rng::Purpose p, std::uint64_t step, std::uint64_t idx) {
    auto s = rng::stream(seed, p, step, idx);
    std::vector<std::uint64_t> v(16);
    for (auto& x : v) x = s.next_u64();
    return v;
  };
  const auto base = first(0, rng::Purpose::Directions, 5, 0);
  CHECK(base != first(0, rng::Purpose::Directions, 6, 0));
  CHECK(base != first(0, rng::Purpose::Directions, 5, 1));
  CHECK(base != first(0, rng::Purpose::QuantileLevels, 5, 0));
  CHECK(base != first(1, rng::Purpose::Directions, 5, 0));
  // Step and stream index are not interchangeable.
  CHECK(first(0, rng::Purpose::Directions, 1, 2) != first(0, rng::Purpose::Directions, 2, 1));
  // No two of many (step, stream) keys collide.
  std::vector<std::uint64_t> keys;
  for (std::uint64_t step = 0; step < 200; ++step)
    for (std::uint64_t l = 0; l < 50; ++l) keys.push_back(rng::key(0, rng::Purpose::Directions, step, l));
  std::sort(keys.begin(), keys.end());
  CHECK(std::adjacent_find(keys.begin(), keys.end()) == keys.end());
}

TEST_CASE("rng: uniform, normal and below have the right ranges and moments", "[rng]") {
  auto s = rng::stream(3, rng::Purpose::Evaluator, 0, 0);
  const int n = 200000;
  double sum = 0, sum2 = 0, usum = 0;
  std::vector<int> counts(10, 0);
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    usum += u;
    const double g = s.normal();
    REQUIRE(std::isfinite(g));
    sum += g;
    sum2 += g * g;
    const auto k = s.below(10);
    REQUIRE(k < 10);
    ++counts[k];
  }
  CHECK(std::fabs(usum / n - 0.5) < 0.005);
  CHECK(std::fabs(sum / n) < 0.01);
  CHECK(std::fabs(sum2 / n - 1.0) < 0.02);
  for (int c : counts) CHECK(std::abs(c - n / 10) < n / 100);
  CHECK(s.below(1) == 0);
}

TEST_CASE("rng: normals(out, count) gives the values of count normal() calls, bit for bit", "[rng]") {
  // Batches of 16 with rejections (about 1 %) at any place, lengths around the batch size, and what follows.
  for (const std::size_t count : {0UL, 1UL, 15UL, 16UL, 17UL, 784UL, 5000UL}) {
    for (std::uint64_t stream = 0; stream < 20; ++stream) {
      auto a = rng::stream(7, rng::Purpose::Directions, 3, stream);
      auto b = a;
      std::vector<double> batch(count);
      a.normals(batch.data(), count);
      for (std::size_t i = 0; i < count; ++i) REQUIRE(batch[i] == b.normal());
      CHECK(a.next_u64() == b.next_u64());  // both consumed the same draws
    }
  }
}

namespace {

template <class T>
std::vector<T> awkward_values(std::size_t n, std::uint32_t seed, bool with_inf = true) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal(0.0, 10.0);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(normal(gen));
  // sort_values takes finite values only (Highway's vqsort turns +Inf into the largest finite value).
  const T inf = with_inf ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
  const T specials[] = {T(0),
                        T(-0.0),
                        inf,
                        -inf,
                        T(1),
                        T(-1),
                        std::numeric_limits<T>::denorm_min(),
                        -std::numeric_limits<T>::denorm_min(),
                        std::numeric_limits<T>::max(),
                        std::numeric_limits<T>::lowest()};
  // Specials and ties (each value repeated) at random places.
  std::uniform_int_distribution<std::size_t> pos(0, n - 1);
  for (const T s : specials)
    for (int rep = 0; rep < 3; ++rep) v[pos(gen)] = s;
  for (int rep = 0; rep < static_cast<int>(n / 10); ++rep) v[pos(gen)] = v[pos(gen)];
  return v;
}

template <class T>
void check_sort(const std::vector<T>& original) {
  std::vector<T> values = original;
  std::vector<std::uint32_t> perm(values.size(), 0xffffffffU);
  std::vector<unsigned char> scratch(values.size() * wow::kSortScratchBytesPerValue + 1);
  wow::sort_with_permutation(std::span<T>(values), std::span<std::uint32_t>(perm), scratch.data());
  // Sorted ascending; -0 before +0 is allowed (they compare equal).
  for (std::size_t i = 1; i < values.size(); ++i) REQUIRE_FALSE(values[i] < values[i - 1]);
  // perm is a permutation, and values[i] is bit for bit original[perm[i]].
  std::vector<std::uint32_t> seen = perm;
  std::sort(seen.begin(), seen.end());
  for (std::size_t i = 0; i < seen.size(); ++i) REQUIRE(seen[i] == i);
  for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(std::memcmp(&values[i], &original[perm[i]], sizeof(T)) == 0);
  // Equal values (same bits) keep their original order: a deterministic tie-break.
  for (std::size_t i = 1; i < values.size(); ++i)
    if (std::memcmp(&values[i], &values[i - 1], sizeof(T)) == 0) REQUIRE(perm[i] > perm[i - 1]);
  // The same sort without a permutation gives the same values.
  std::vector<T> again = original;
  wow::sort_with_permutation(std::span<T>(again), std::span<std::uint32_t>(), scratch.data());
  if (!values.empty()) REQUIRE(std::memcmp(again.data(), values.data(), values.size() * sizeof(T)) == 0);
  // Same values as std::sort (up to the sign of zero).
  std::vector<T> reference = original;
  std::sort(reference.begin(), reference.end());
  for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(values[i] == reference[i]);
}

}  // namespace

TEMPLATE_TEST_CASE("sort_with_permutation: random values with negatives, ties, +-0 and Inf", "[sort]", float, double) {
  for (std::uint32_t seed = 0; seed < 5; ++seed) check_sort(awkward_values<TestType>(1000, seed));
  check_sort(awkward_values<TestType>(17, 99));
  // Every size across the switch from the insertion sort (small arrays) to the vectorised quicksort.
  for (std::uint32_t n = 1; n <= 80; ++n) check_sort(awkward_values<TestType>(n, 1000 + n));
  check_sort(std::vector<TestType>{});
  check_sort(std::vector<TestType>{TestType(3)});
  check_sort(std::vector<TestType>(64, TestType(2.5)));  // all ties
  std::vector<TestType> descending(100);
  for (std::size_t i = 0; i < descending.size(); ++i) descending[i] = TestType(100 - static_cast<int>(i));
  check_sort(descending);
  // -0 sorts before +0.
  std::vector<TestType> zeros{TestType(0), TestType(-0.0), TestType(0), TestType(-0.0)};
  std::vector<std::uint32_t> perm(4);
  std::vector<unsigned char> scratch(4 * wow::kSortScratchBytesPerValue);
  wow::sort_with_permutation(std::span<TestType>(zeros), std::span<std::uint32_t>(perm), scratch.data());
  CHECK(std::signbit(zeros[0]));
  CHECK(std::signbit(zeros[1]));
  CHECK_FALSE(std::signbit(zeros[2]));
  CHECK(perm == std::vector<std::uint32_t>{1, 3, 0, 2});
}

TEMPLATE_TEST_CASE("sort_with_permutation: NaN does not break the sort", "[sort]", float, double) {
  std::vector<TestType> v{TestType(2), std::numeric_limits<TestType>::quiet_NaN(), TestType(-1), TestType(0.5)};
  std::vector<std::uint32_t> perm(v.size());
  std::vector<unsigned char> scratch(v.size() * wow::kSortScratchBytesPerValue);
  wow::sort_with_permutation(std::span<TestType>(v), std::span<std::uint32_t>(perm), scratch.data());
  CHECK(v[0] == TestType(-1));
  CHECK(v[1] == TestType(0.5));
  CHECK(v[2] == TestType(2));
  CHECK(std::isnan(v[3]));
  CHECK(perm == std::vector<std::uint32_t>{2, 3, 0, 1});
}

TEMPLATE_TEST_CASE("sort_values: finite values ascending, the same values as std::sort", "[sort]", float, double) {
  for (std::uint32_t seed = 0; seed < 5; ++seed) {
    for (const std::size_t n : {0UL, 1UL, 2UL, 17UL, 200UL, 1000UL}) {
      std::vector<TestType> v = n == 0 ? std::vector<TestType>{} : awkward_values<TestType>(n, seed, false);
      std::vector<TestType> reference = v;
      std::sort(reference.begin(), reference.end());
      wow::sort_values(std::span<TestType>(v));
      INFO("seed " << seed << ", n " << n);
      for (std::size_t i = 0; i < v.size(); ++i) REQUIRE(v[i] == reference[i]);
      // The same values as sort_with_permutation (up to the sign of zero).
      std::vector<TestType> w = reference;
      std::reverse(w.begin(), w.end());
      std::vector<unsigned char> scratch(w.size() * wow::kSortScratchBytesPerValue + 1);
      wow::sort_with_permutation(std::span<TestType>(w), std::span<std::uint32_t>(), scratch.data());
      for (std::size_t i = 0; i < v.size(); ++i) REQUIRE(v[i] == w[i]);
    }
  }
}

// Highway's quicksort compiled in the core, with its partition fixed for GCC (engine/vector_sort.cpp): every size
// around its base case (64 keys on AVX2, 128 on AVX-512) and partition blocks, sorted, reversed and with many equal
// keys, on the best instruction set of this machine and again on AVX2 (if the machine has it).
template <class T>
std::vector<T> keys_to_sort(std::size_t n, int kind, std::mt19937_64& gen) {
  std::vector<T> keys(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t r = kind == 2 ? gen() % 3 : gen();
    if constexpr (std::is_same_v<T, std::uint64_t>) {
      keys[i] = r;
    } else {
      keys[i] = static_cast<T>(static_cast<std::int64_t>(r >> 11U) - (std::int64_t{1} << 52U)) / T(1 << 20);
    }
  }
  if (kind == 1) std::sort(keys.begin(), keys.end());
  if (kind == 3) std::sort(keys.rbegin(), keys.rend());
  return keys;
}

TEST_CASE("vector_sort: small float sorts keep each value's position, on every instruction set here", "[sort]") {
  std::vector<std::int64_t> disabled{0};
  if ((hwy::SupportedTargets() & HWY_AVX2) != 0 && (hwy::SupportedTargets() & (HWY_AVX3 | HWY_AVX3_DL)) != 0)
    disabled.push_back(HWY_AVX3 | HWY_AVX3_DL);
  std::size_t handled = 0;
  for (const std::int64_t targets_off : disabled) {
    hwy::DisableTargets(targets_off);
    INFO("instruction set " << wow::vector_sort::target_name());
    for (std::uint32_t n = 2; n <= 80; ++n) {
      const std::vector<float> values = awkward_values<float>(n, 2000 + n);  // ties, -0 and +0, infinities
      std::vector<float> sorted(n);
      std::vector<std::uint32_t> index(n);
      if (!wow::vector_sort::small_ascending_with_index(values.data(), n, sorted.data(), index.data())) continue;
      ++handled;
      std::vector<std::uint32_t> order(n);
      for (std::uint32_t i = 0; i < n; ++i) order[i] = i;
      // The reference order: by value bits in the engine's key order (-0 before +0), ties by position.
      std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return wow::ordered_bits(values[a]) < wow::ordered_bits(values[b]);
      });
      INFO("n " << n);
      for (std::uint32_t i = 0; i < n; ++i) {
        REQUIRE(index[i] == order[i]);
        REQUIRE(std::memcmp(&sorted[i], &values[order[i]], sizeof(float)) == 0);
      }
    }
  }
  hwy::DisableTargets(0);
  if ((hwy::SupportedTargets() & (HWY_AVX2 | HWY_AVX3)) != 0) CHECK(handled > 0);
}

TEMPLATE_TEST_CASE("vector_sort: the same order as std::sort at every size, on every instruction set here", "[sort]",
                   std::uint64_t, float, double) {
  std::vector<std::int64_t> disabled{0};
  if ((hwy::SupportedTargets() & HWY_AVX2) != 0 && (hwy::SupportedTargets() & (HWY_AVX3 | HWY_AVX3_DL)) != 0)
    disabled.push_back(HWY_AVX3 | HWY_AVX3_DL);
  std::mt19937_64 gen(7);
  for (const std::int64_t targets_off : disabled) {
    hwy::DisableTargets(targets_off);
    INFO("instruction set " << wow::vector_sort::target_name());
    for (std::size_t n = 0; n < 2100; n += 1 + n / 6) {
      for (int kind = 0; kind < 4; ++kind) {
        std::vector<TestType> keys = keys_to_sort<TestType>(n, kind, gen);
        std::vector<TestType> reference = keys;
        std::sort(reference.begin(), reference.end());
        wow::vector_sort::ascending(keys.data(), keys.size());
        INFO("n " << n << " kind " << kind);
        REQUIRE(keys == reference);
      }
    }
  }
  hwy::DisableTargets(0);
}
