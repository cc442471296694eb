// Adam on the WoW velocity, per coordinate, bias-corrected (Kingma & Ba 2015):
//   t <- t + 1; m <- b1 m + (1 - b1) v; s <- b2 s + (1 - b2) v^2;
//   x <- x - tau * (m / (1 - b1^t)) / (sqrt(s / (1 - b2^t)) + eps).
// State: buffers "m" and "s", scalar "t" (all checkpointed, so a resumed run is bit-identical).
#include <cmath>

#include "wow/plugin_api.hpp"
#include "wow/solver_base.hpp"
#include "wow/tensor.hpp"

namespace {

class Adam final : public wow::TypedSolver<Adam> {
 public:
  explicit Adam(const wow::Params& p)
      : TypedSolver(p),
        tau_(p.number("step_size")),
        beta1_(p.number("beta1")),
        beta2_(p.number("beta2")),
        eps_(p.number("eps")) {}
  template <class T>
  void apply(std::span<T> x, std::span<const T> v, const wow::VelocityOracle<T>& /*oracle*/) {
    double& t = scalar("t");
    t += 1.0;
    auto m = wow::tensor(buffer<T>("m"));
    auto s = wow::tensor(buffer<T>("s"));
    const auto g = wow::tensor(v);
    const T b1 = static_cast<T>(beta1_), b2 = static_cast<T>(beta2_), eps = static_cast<T>(eps_);
    const T step = static_cast<T>(tau_ / (1.0 - std::pow(beta1_, t)));
    const T correction2 = static_cast<T>(1.0 / (1.0 - std::pow(beta2_, t)));
    // noalias: element-wise in place, no temporary of the whole state per step.
    xt::noalias(m) = b1 * m + (T(1) - b1) * g;
    xt::noalias(s) = b2 * s + (T(1) - b2) * g * g;
    auto xs = wow::tensor(x);
    xt::noalias(xs) -= step * m / (xt::sqrt(s * correction2) + eps);
  }

 private:
  double tau_, beta1_, beta2_, eps_;
};

}  // namespace

WOW_PLUGIN(registry) {
  auto params = Adam::common_params();
  params.push_back(wow::ParamSpec::number("beta1", 0.9, "First-moment decay").at_least(0).less_than(1));
  params.push_back(wow::ParamSpec::number("beta2", 0.999, "Second-moment decay").at_least(0).less_than(1));
  params.push_back(wow::ParamSpec::number("eps", 1e-8, "Added to the root of the second moment").greater_than(0));
  registry.add<wow::Solver>("adam", "Adam on the WoW velocity (bias-corrected, per coordinate)", params,
                            [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Adam>(p); });
}
