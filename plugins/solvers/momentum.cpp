// Heavy-ball momentum: u <- v + m * u; x <- x - tau * u (m = 0 is forward Euler). State: buffer "momentum" (u).
#include "wow/plugin_api.hpp"
#include "wow/solver_base.hpp"
#include "wow/tensor.hpp"

namespace {

class Momentum final : public wow::TypedSolver<Momentum> {
 public:
  explicit Momentum(const wow::Params& p)
      : TypedSolver(p), tau_(p.number("step_size")), momentum_(p.number("momentum")) {}
  template <class T>
  void apply(std::span<T> x, std::span<const T> v, const wow::VelocityOracle<T>& /*oracle*/) {
    auto u = wow::tensor(buffer<T>("momentum"));
    // noalias: element-wise in place (xtensor would otherwise build a temporary of the whole state every step).
    xt::noalias(u) = wow::tensor(v) + static_cast<T>(momentum_) * u;
    auto xs = wow::tensor(x);
    xt::noalias(xs) -= static_cast<T>(tau_) * u;
  }

 private:
  double tau_, momentum_;
};

}  // namespace

WOW_PLUGIN(registry) {
  auto params = Momentum::common_params();
  params.push_back(wow::ParamSpec::number("momentum", 0.0, "Momentum m").at_least(0).less_than(1));
  registry.add<wow::Solver>("momentum", "Heavy ball: u <- v + m u; x <- x - tau u", params,
                            [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Momentum>(p); });
}
