// Riesz SW kernel: k = -(SW_2^2)^(r/2). Its slope is infinite at SW = 0 for r < 2, but the gradient it feeds,
// slope * dSW^2/dx, vanishes there (dSW^2/dx ~ SW): the slope is set to 0 at SW = 0, never NaN.
#include <cmath>

#include "wow/kernel_base.hpp"
#include "wow/plugin_api.hpp"

namespace {

class RieszSW final : public wow::ScalarKernel {
 public:
  explicit RieszSW(double r) : ScalarKernel(2), r_(r) {}
  void value_and_slope(double s, double& value, double& slope) const override {
    if (s <= 0.0) {
      value = 0.0;
      slope = r_ == 2.0 ? -1.0 : 0.0;
      return;
    }
    // One root per entry (the functional evaluates (C+M)^2 of them every step: two pow calls each cost 1 ms at
    // 200 classes): d/ds -s^(r/2) = (r/2) k / s; r = 1, the default, is a square root.
    value = r_ == 1.0 ? -std::sqrt(s) : -std::pow(s, 0.5 * r_);
    slope = 0.5 * r_ * value / s;
  }

 private:
  double r_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Kernel>(
      "riesz_sw", "Riesz sliced kernel -(SW_2^2)^(r/2); r = 1 gives -SW_2",
      {wow::ParamSpec::number("r", 1.0, "Exponent r").greater_than(0).at_most(2)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<RieszSW>(p.number("r")); });
}
