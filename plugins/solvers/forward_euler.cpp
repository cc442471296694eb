// Forward Euler: x <- x - tau * v.
#include "wow/plugin_api.hpp"
#include "wow/solver_base.hpp"
#include "wow/tensor.hpp"

namespace {

class ForwardEuler final : public wow::TypedSolver<ForwardEuler> {
 public:
  explicit ForwardEuler(const wow::Params& p) : TypedSolver(p), tau_(p.number("step_size")) {}
  template <class T>
  void apply(std::span<T> x, std::span<const T> v, const wow::VelocityOracle<T>& /*oracle*/) {
    auto xs = wow::tensor(x);
    xt::noalias(xs) -= static_cast<T>(tau_) * wow::tensor(v);  // in place: no temporary per step
  }

 private:
  double tau_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Solver>(
      "forward_euler", "Explicit Euler: x <- x - tau * v", ForwardEuler::common_params(),
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<ForwardEuler>(p); });
}
