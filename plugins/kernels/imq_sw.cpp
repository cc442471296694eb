// Inverse multiquadric SW kernel: k = 1 / sqrt(h + SW_2^2).
#include <cmath>

#include "wow/kernel_base.hpp"
#include "wow/plugin_api.hpp"

namespace {

class ImqSW final : public wow::ScalarKernel {
 public:
  explicit ImqSW(double h) : ScalarKernel(2), h_(h) {}
  void value_and_slope(double s, double& value, double& slope) const override {
    value = 1.0 / std::sqrt(h_ + s);
    slope = -0.5 * value / (h_ + s);
  }

 private:
  double h_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Kernel>(
      "imq_sw", "Inverse multiquadric sliced kernel 1 / sqrt(h + SW_2^2)",
      {wow::ParamSpec::number("h", 1.0, "Offset h").greater_than(0)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<ImqSW>(p.number("h")); });
}
