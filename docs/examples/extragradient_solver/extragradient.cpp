// docs/plugins.md "A solver": extragradient, a solver that asks the velocity oracle for a second velocity per step.
#include <span>
#include <vector>
#include <wow/plugin_api.hpp>
#include <wow/solver_base.hpp>

namespace {

// Extragradient: look ahead with v(x), then step from x with the velocity at the look-ahead point.
class Extragradient final : public wow::TypedSolver<Extragradient> {
 public:
  explicit Extragradient(const wow::Params& p) : TypedSolver(p), tau_(p.number("step_size")) {}
  template <class T>
  void apply(std::span<T> x, std::span<const T> v, const wow::VelocityOracle<T>& oracle) {
    std::vector<T> ahead(x.size()), v_ahead(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) ahead[i] = x[i] - static_cast<T>(tau_) * v[i];
    oracle(ahead, v_ahead);  // returns F(ahead) too
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= static_cast<T>(tau_) * v_ahead[i];
  }

 private:
  double tau_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Solver>(
      "extragradient", "Extragradient (two velocities per step)", Extragradient::common_params(),
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Extragradient>(p); });
}
