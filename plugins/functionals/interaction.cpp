// A repulsive interaction energy inside each class (Gaussian kernel of width h):
//   F = weight * sum_c w_c 1/(2 n_c^2) sum_{i,j in c} exp(-|x_i - x_j|^2 / (2 h^2)),   w_c = 1/C.
// Its WoW velocity (n_c / w_c) dF/dx_i = -weight / (n_c h^2) sum_{j in c} K_ij (x_i - x_j), so the flow
// x <- x - tau v spreads each class out. Cost O(n_c^2 d) per class.
#include <cmath>
#include <vector>

#include "wow/particle_functional.hpp"
#include "wow/plugin_api.hpp"

namespace {

class Interaction final : public wow::ParticleFunctional<Interaction> {
 public:
  explicit Interaction(const wow::Params& p) : width_(p.number("kernel_width")), weight_(p.number("weight")) {}

  // Called by ParticleFunctional for both precisions.
  template <class T>
  double add(const wow::ParticleState<T>& s, std::span<T> v) const {
    const std::size_t d = s.dim, classes = s.layout.classes();
    const double inv_2h2 = 1.0 / (2.0 * width_ * width_), inv_h2 = 1.0 / (width_ * width_);
    std::vector<double> diff(d), grad(d);
    double value = 0.0;
    for (std::size_t k = 0; k < classes; ++k) {
      const std::size_t n = s.layout.size(k), first = s.layout.offsets[k];
      const double scale = weight_ / static_cast<double>(n);
      double class_sum = 0.0;
      for (std::size_t i = first; i < first + n; ++i) {
        std::fill(grad.begin(), grad.end(), 0.0);
        for (std::size_t j = first; j < first + n; ++j) {
          double dist2 = 0.0;
          for (std::size_t c = 0; c < d; ++c) {
            diff[c] = static_cast<double>(s.x[i * d + c]) - static_cast<double>(s.x[j * d + c]);
            dist2 += diff[c] * diff[c];
          }
          const double kij = std::exp(-dist2 * inv_2h2);
          class_sum += kij;
          for (std::size_t c = 0; c < d; ++c) grad[c] += kij * diff[c];
        }
        for (std::size_t c = 0; c < d; ++c) v[i * d + c] += static_cast<T>(-scale * inv_h2 * grad[c]);
      }
      value += class_sum / (2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(classes));
    }
    return weight_ * value;
  }

 private:
  double width_, weight_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>(
      "interaction", "Within-class Gaussian repulsion weight/(2 n^2) sum_ij exp(-|x_i - x_j|^2 / (2 h^2)) per class",
      {
          wow::ParamSpec::number("kernel_width", 0.1, "Kernel width h").greater_than(0),
          wow::ParamSpec::number("weight", 1.0, "Multiplies F and its velocity").at_least(0),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Interaction>(p); });
}
