// An out-of-tree kernel plugin: the Cauchy SW kernel k = 1 / (1 + SW_2^2 / h).
#include <wow/kernel_base.hpp>
#include <wow/plugin_api.hpp>

namespace {

class CauchySW final : public wow::ScalarKernel {
 public:
  explicit CauchySW(double h) : ScalarKernel(/*sw_power=*/2), h_(h) {}
  void value_and_slope(double s, double& value, double& slope) const override {
    value = 1.0 / (1.0 + s / h_);
    slope = -value * value / h_;
  }

 private:
  double h_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Kernel>(
      "cauchy_sw", "Cauchy sliced kernel 1 / (1 + SW_2^2 / h)",
      {wow::ParamSpec::number("h", 1.0, "Scale h").greater_than(0)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<CauchySW>(p.number("h")); });
}
