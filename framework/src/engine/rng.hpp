#pragma once
// Counter-based randomness: every draw is a pure function of (seed, purpose, step, stream, index), so results
// do not depend on thread count or on where a run was resumed.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace wow::rng {

// Purposes keep independent draws apart.
enum class Purpose : std::uint64_t {
  Directions = 1,
  QuantileLevels = 2,
  TargetBatch = 3,
  Dataset = 4,
  Subsample = 5,
  Evaluator = 6,
  FeatureMap = 7,    // random feature-map networks (plugins/learning)
  Augmentation = 8,  // random image augmentations (plugins/learning)
};

constexpr std::uint64_t mix(std::uint64_t z) {
  // SplitMix64 finaliser: a bijective avalanche mix.
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31U);
}

constexpr std::uint64_t key(std::uint64_t seed, Purpose purpose, std::uint64_t step, std::uint64_t stream) {
  return mix(mix(mix(seed ^ mix(static_cast<std::uint64_t>(purpose))) ^ step) ^ stream);
}

// A small stream generator: draw i of stream k is mix(k + i * golden). Cheap, stateless apart from the counter.
class Stream {
 public:
  explicit constexpr Stream(std::uint64_t stream_key) : key_(stream_key) {}
  constexpr std::uint64_t next_u64() { return mix(key_ + (counter_++) * 0xd1b54a32d192ed03ULL); }
  // Uniform in (0, 1): never exactly 0 so log() is safe.
  double uniform() { return (static_cast<double>(next_u64() >> 11U) + 0.5) * 0x1.0p-53; }
  // Standard normal by Marsaglia & Tsang's ziggurat: ~5x faster than Box-Muller, exact distribution.
  double normal();
  // out[0..count) = count successive normal() draws (the same values), without a call per draw.
  void normals(double* out, std::size_t count);
  // Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n) {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next_u64()) * n) >> 64U);
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

inline Stream stream(std::uint64_t seed, Purpose purpose, std::uint64_t step, std::uint64_t index) {
  return Stream(key(seed, purpose, step, index));
}

}  // namespace wow::rng
