// The exact 1-D W_p^p of sliced_wasserstein and its closed-form derivatives (wowflow.torch's gradients).
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "engine/sliced_distance.hpp"

namespace {

struct Sample {
  std::vector<double> values, weights;
};

// n sorted values with positive weights summing to 1 (uniform when `uniform`).
Sample sorted_sample(std::size_t n, std::uint32_t seed, double shift, bool uniform) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(shift, 1.0);
  std::uniform_real_distribution<double> mass(0.2, 1.0);
  Sample s;
  for (std::size_t i = 0; i < n; ++i) {
    s.values.push_back(normal(gen));
    s.weights.push_back(uniform ? 1.0 : mass(gen));
  }
  std::sort(s.values.begin(), s.values.end());
  const double total = std::accumulate(s.weights.begin(), s.weights.end(), 0.0);
  for (auto& w : s.weights) w /= total;
  return s;
}

double w(const Sample& u, const Sample& v, double p) {
  return wow::wasserstein_1d_sorted(u.values.data(), u.weights.data(), u.values.size(), v.values.data(),
                                    v.weights.data(), v.values.size(), p);
}

}  // namespace

TEST_CASE("the 1-D W_p^p gradient is the value's and matches central differences", "[sliced_distance]") {
  for (const double p : {1.0, 2.0, 3.0}) {
    for (const bool uniform : {true, false}) {
      const Sample u = sorted_sample(13, 1, 0.0, uniform), v = sorted_sample(uniform ? 13 : 21, 2, 0.7, uniform);
      std::vector<double> du(u.values.size()), dv(v.values.size());
      const double value =
          wow::wasserstein_1d_sorted_gradient(u.values.data(), u.weights.data(), u.values.size(), v.values.data(),
                                              v.weights.data(), v.values.size(), p, du.data(), dv.data());
      CHECK(value == w(u, v, p));  // the same walk, the same bits
      // Small steps keep the order of the values (the coupling), so central differences are exact up to rounding
      // for p = 1, 2 and to O(h^2) for p = 3.
      const double h = 1e-7;
      for (std::size_t i = 0; i < u.values.size(); ++i) {
        Sample up = u, down = u;
        up.values[i] += h;
        down.values[i] -= h;
        CHECK(du[i] == Approx((w(up, v, p) - w(down, v, p)) / (2 * h)).margin(1e-7).epsilon(1e-5));
      }
      for (std::size_t j = 0; j < v.values.size(); ++j) {
        Sample up = v, down = v;
        up.values[j] += h;
        down.values[j] -= h;
        CHECK(dv[j] == Approx((w(u, up, p) - w(u, down, p)) / (2 * h)).margin(1e-7).epsilon(1e-5));
      }
      // Moving both clouds together changes nothing: the derivatives sum to zero.
      const double total = std::accumulate(du.begin(), du.end(), 0.0) + std::accumulate(dv.begin(), dv.end(), 0.0);
      CHECK(std::abs(total) < 1e-12);
    }
  }
}
