// Heun's method (explicit trapezoid): x~ = x - tau v(x); x <- x - tau/2 (v(x) + v(x~)). Two velocity evaluations
// per step, both with that step's directions and target batch; second order in tau.
#include <tuple>
#include <utility>
#include <vector>

#include "wow/plugin_api.hpp"
#include "wow/solver_base.hpp"

namespace {

class Heun final : public wow::TypedSolver<Heun> {
 public:
  explicit Heun(const wow::Params& p) : TypedSolver(p), tau_(p.number("step_size")) {}
  template <class T>
  void apply(std::span<T> x, std::span<const T> v, const wow::VelocityOracle<T>& oracle) {
    const T tau = static_cast<T>(tau_);
    auto& [predictor, v2] = std::get<Work<T>>(work_);
    predictor.resize(x.size());
    v2.resize(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) predictor[i] = x[i] - tau * v[i];
    oracle(std::span<const T>(predictor), std::span<T>(v2));
    const T half = tau / T(2);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= half * (v[i] + v2[i]);
  }

 private:
  // Work space only (not state: each step starts from x and v alone): the predictor and the velocity there.
  template <class T>
  using Work = std::pair<std::vector<T>, std::vector<T>>;
  double tau_;
  std::tuple<Work<float>, Work<double>> work_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Solver>(
      "heun", "Heun / explicit trapezoid: x <- x - tau/2 (v(x) + v(x - tau v(x))), two velocities per step",
      Heun::common_params(), [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Heun>(p); });
}
