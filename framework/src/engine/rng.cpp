#include "engine/rng.hpp"

#include <array>
#include <cstdlib>

namespace wow::rng {

namespace {

// Ziggurat tables for 128 layers (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random Variables").
struct Ziggurat {
  std::array<std::int64_t, 128> k{};
  std::array<double, 128> w{}, f{};
  Ziggurat() {
    const double m1 = 2147483648.0;
    const double vn = 9.91256303526217e-3;
    double dn = 3.442619855899, tn = dn;
    const double q = vn / std::exp(-0.5 * dn * dn);
    k[0] = static_cast<std::int64_t>((dn / q) * m1);
    k[1] = 0;
    w[0] = q / m1;
    w[127] = dn / m1;
    f[0] = 1.0;
    f[127] = std::exp(-0.5 * dn * dn);
    for (int i = 126; i >= 1; --i) {
      dn = std::sqrt(-2.0 * std::log(vn / dn + std::exp(-0.5 * dn * dn)));
      k[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>((dn / tn) * m1);
      tn = dn;
      f[static_cast<std::size_t>(i)] = std::exp(-0.5 * dn * dn);
      w[static_cast<std::size_t>(i)] = dn / m1;
    }
  }
};

const Ziggurat& tables() {
  static const Ziggurat z;
  return z;
}

}  // namespace

void Stream::normals(double* out, std::size_t count) {
  const Ziggurat& z = tables();
  for (std::size_t i = 0; i < count; ++i) {
    // The common case of normal() inline; anything else goes through normal() itself, from the same draw on.
    const std::uint64_t before = counter_;
    const auto hz = static_cast<std::int32_t>(next_u64() >> 32U);
    const std::size_t iz = static_cast<std::uint32_t>(hz) & 127U;
    if (std::llabs(static_cast<std::int64_t>(hz)) < z.k[iz]) {
      out[i] = static_cast<double>(hz) * z.w[iz];
    } else {
      counter_ = before;
      out[i] = normal();
    }
  }
}

double Stream::normal() {
  constexpr double kTail = 3.442620;
  const Ziggurat& z = tables();
  for (;;) {
    const auto hz = static_cast<std::int32_t>(next_u64() >> 32U);
    const std::size_t iz = static_cast<std::uint32_t>(hz) & 127U;
    const std::int64_t magnitude = std::llabs(static_cast<std::int64_t>(hz));
    const double x = static_cast<double>(hz) * z.w[iz];
    if (magnitude < z.k[iz]) return x;  // inside the layer's rectangle: the common case
    if (iz == 0) {
      // The base layer's tail beyond kTail.
      double tx = 0.0, ty = 0.0;
      do {
        tx = -std::log(uniform()) / kTail;
        ty = -std::log(uniform());
      } while (ty + ty < tx * tx);
      return hz > 0 ? kTail + tx : -kTail - tx;
    }
    if (z.f[iz] + uniform() * (z.f[iz - 1] - z.f[iz]) < std::exp(-0.5 * x * x)) return x;
  }
}

}  // namespace wow::rng
