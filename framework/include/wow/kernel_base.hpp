#pragma once
// Helper base for kernels that are a scalar function of S = SW_p^p: implement value_and_slope() only.
#include <span>

#include "wow/interfaces.hpp"

namespace wow {

class ScalarKernel : public Kernel {
 public:
  explicit ScalarKernel(int sw_power) : power_(sw_power) {}
  [[nodiscard]] int sw_power() const final { return power_; }
  void evaluate(std::span<const double> sw, std::span<double> value, std::span<double> slope) const final {
    for (std::size_t i = 0; i < sw.size(); ++i) value_and_slope(sw[i] > 0.0 ? sw[i] : 0.0, value[i], slope[i]);
  }
  // k(s) and dk/ds for s >= 0; both finite.
  virtual void value_and_slope(double s, double& value, double& slope) const = 0;

 private:
  int power_;
};

}  // namespace wow
