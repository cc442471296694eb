// Distribution Matching (Zhao & Bilen 2023), the baseline of the paper's Table 1, in ambient space: each source class
// is matched to the target class of the same index through their means (a linear kernel between classes):
//   F = weight * sum_c w_c 1/2 |mean(x_c) - mean(y_c)|^2,  w_c = 1/C,
// so the WoW velocity (n_c / w_c) dF/dx_i = weight * (mean(x_c) - mean(y_c)) moves every particle of class c alike.
// Needs as many source as target classes (class c distils class c). With target_batch, mean(y_c) is the batch's.
#include <string>
#include <vector>

#include "wow/errors.hpp"
#include "wow/particle_functional.hpp"
#include "wow/plugin_api.hpp"

namespace {

class DistributionMatching final : public wow::ParticleFunctional<DistributionMatching> {
 public:
  explicit DistributionMatching(const wow::Params& p) : weight_(p.number("weight")) {}

  void prepare(std::size_t source_classes, std::size_t target_classes) override {
    if (source_classes != target_classes)
      throw wow::InputError("functional: dm matches class c of the source with class c of the target; the source has " +
                            std::to_string(source_classes) + " classes, the target " + std::to_string(target_classes));
  }

 private:
  friend wow::ParticleFunctional<DistributionMatching>;  // calls add()

  template <class T>
  static std::vector<double> class_mean(std::span<const T> points, const wow::ClassLayout& layout, std::size_t c,
                                        std::size_t dim) {
    std::vector<double> mean(dim, 0.0);
    for (std::size_t i = layout.offsets[c]; i < layout.offsets[c + 1]; ++i)
      for (std::size_t j = 0; j < dim; ++j) mean[j] += static_cast<double>(points[i * dim + j]);
    for (double& m : mean) m /= static_cast<double>(layout.size(c));
    return mean;
  }

  template <class T>
  double add(const wow::ParticleState<T>& s, std::span<T> v) const {
    const std::size_t classes = s.layout.classes();
    double value = 0.0;
    for (std::size_t c = 0; c < classes; ++c) {
      const std::vector<double> mx = class_mean(s.x, s.layout, c, s.dim);
      const std::vector<double> my = class_mean(s.target, s.target_layout, c, s.dim);
      std::vector<T> pull(s.dim);
      double squared = 0.0;
      for (std::size_t j = 0; j < s.dim; ++j) {
        const double diff = mx[j] - my[j];
        squared += diff * diff;
        pull[j] = static_cast<T>(weight_ * diff);
      }
      value += 0.5 * squared / static_cast<double>(classes);
      for (std::size_t i = s.layout.offsets[c]; i < s.layout.offsets[c + 1]; ++i)
        for (std::size_t j = 0; j < s.dim; ++j) v[i * s.dim + j] += pull[j];
    }
    return weight_ * value;
  }

  double weight_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>(
      "dm",
      "Distribution Matching: weight * 1/2 |mean(x_c) - mean(y_c)|^2 averaged over classes, class c against target "
      "class c (paper Table 1's DM baseline, ambient)",
      {wow::ParamSpec::number("weight", 1.0, "Multiplies F and its velocity").at_least(0)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<DistributionMatching>(p); });
}
