// Laplace SW kernel: k = exp(-SW_1 / h). Reads SW_1 (p = 1), so the residuals are signs.
#include <cmath>

#include "wow/kernel_base.hpp"
#include "wow/plugin_api.hpp"

namespace {

class LaplaceSW final : public wow::ScalarKernel {
 public:
  explicit LaplaceSW(double h) : ScalarKernel(1), h_(h) {}
  void value_and_slope(double s, double& value, double& slope) const override {
    value = std::exp(-s / h_);
    slope = -value / h_;
  }

 private:
  double h_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Kernel>(
      "laplace_sw", "Laplace sliced kernel exp(-SW_1 / h)",
      {wow::ParamSpec::number("h", 0.1, "Bandwidth h").greater_than(0)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<LaplaceSW>(p.number("h")); });
}
