// Gaussian SW kernel: k = exp(-SW_2^2 / (2h)).
#include <cmath>

#include "wow/kernel_base.hpp"
#include "wow/plugin_api.hpp"

namespace {

class GaussianSW final : public wow::ScalarKernel {
 public:
  explicit GaussianSW(double h) : ScalarKernel(2), h_(h) {}
  void value_and_slope(double s, double& value, double& slope) const override {
    value = std::exp(-s / (2.0 * h_));
    slope = -value / (2.0 * h_);
  }

 private:
  double h_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Kernel>(
      "gaussian_sw", "Gaussian sliced kernel exp(-SW_2^2 / (2h))",
      {wow::ParamSpec::number("h", 0.1, "Bandwidth h").greater_than(0)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<GaussianSW>(p.number("h")); });
}
