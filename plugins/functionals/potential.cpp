// A potential energy over the particles: F = weight * sum_c w_c (1/n_c) sum_{i in c} 1/2 |x_i - center|^2 with class
// weights w_c = 1/C. Its WoW velocity (n_c / w_c) dF/dx_i is weight * (x_i - center): every class is pulled to
// `center` (a number broadcast to every coordinate, or a list of d numbers). Alone, it gives closed-form flows
// (forward Euler: x_k - center = (1 - tau * weight)^k (x_0 - center)), which the tests use.
#include <string>
#include <vector>

#include "wow/errors.hpp"
#include "wow/particle_functional.hpp"
#include "wow/plugin_api.hpp"

namespace {

class Potential final : public wow::ParticleFunctional<Potential> {
 public:
  explicit Potential(const wow::Params& p) : params_(p), weight_(p.number("weight")) {}

  void prepare_dimension(std::size_t dim) override { (void)center(dim); }

 private:
  friend wow::ParticleFunctional<Potential>;  // calls add()

  std::vector<double> center(std::size_t dim) const {
    const wow::Json& c = params_.node("center");
    if (c.is_number()) return std::vector<double>(dim, c.get<double>());
    auto values = c.get<std::vector<double>>();
    if (values.size() != dim)
      throw wow::InputError(params_.path_of("center") + ": has " + std::to_string(values.size()) +
                            " numbers, the data has dimension " + std::to_string(dim));
    return values;
  }

  template <class T>
  double add(const wow::ParticleState<T>& s, std::span<T> v) const {
    const std::vector<double> c = center(s.dim);
    const std::size_t classes = s.layout.classes();
    double value = 0.0;
    for (std::size_t k = 0; k < classes; ++k) {
      const std::size_t n = s.layout.size(k);
      double class_sum = 0.0;
      for (std::size_t i = s.layout.offsets[k]; i < s.layout.offsets[k] + n; ++i) {
        for (std::size_t j = 0; j < s.dim; ++j) {
          const double diff = static_cast<double>(s.x[i * s.dim + j]) - c[j];
          class_sum += 0.5 * diff * diff;
          v[i * s.dim + j] += static_cast<T>(weight_ * diff);
        }
      }
      value += class_sum / (static_cast<double>(n) * static_cast<double>(classes));
    }
    return weight_ * value;
  }

  wow::Params params_;
  double weight_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>(
      "potential", "Potential energy weight * 1/2 |x - center|^2 averaged per class (velocity weight * (x - center))",
      {
          wow::ParamSpec::number_or_list("center", 0.0, "The point every class is pulled to (a number or d numbers)"),
          wow::ParamSpec::number("weight", 1.0, "Multiplies F and its velocity").at_least(0),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Potential>(p); });
}
