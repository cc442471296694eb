// docs/plugins.md "A functional over particles": F = sum_c (1/C)(1/n_c) sum_i |x_i|^4 / 4, velocity |x_i|^2 x_i.
#include <span>
#include <wow/particle_functional.hpp>
#include <wow/plugin_api.hpp>

namespace {

class Quartic final : public wow::ParticleFunctional<Quartic> {
 public:
  // Called by ParticleFunctional for both precisions.
  template <class T>
  double add(const wow::ParticleState<T>& s, std::span<T> v) const {
    double value = 0;
    for (std::size_t c = 0; c < s.layout.classes(); ++c)
      for (std::size_t i = s.layout.offsets[c]; i < s.layout.offsets[c + 1]; ++i) {
        double r2 = 0;
        for (std::size_t j = 0; j < s.dim; ++j) r2 += double(s.x[i * s.dim + j]) * s.x[i * s.dim + j];
        value += r2 * r2 / 4 / double(s.layout.size(c) * s.layout.classes());
        for (std::size_t j = 0; j < s.dim; ++j) v[i * s.dim + j] += T(r2 * s.x[i * s.dim + j]);
      }
    return value;
  }
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>("quartic", "Quartic potential |x|^4 / 4 averaged per class", {},
                                [](const wow::Params&, const wow::Registry&) { return std::make_unique<Quartic>(); });
}
