// Synthetic classes in R^d: class c ~ N(mu_c, std^2 I) with means mu_c ~ N(0, separation^2 I / d) so that the
// distance between class means stays of order `separation` in any dimension.
#include <cmath>

#include "engine/rng.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

class GaussianBlobs final : public wow::Dataset {
 public:
  explicit GaussianBlobs(const wow::Params& p)
      : classes_(static_cast<std::size_t>(p.integer("classes"))),
        n_(static_cast<std::size_t>(p.integer("points_per_class"))),
        dim_(static_cast<std::size_t>(p.integer("dim"))),
        std_(p.number("std")),
        separation_(p.number("separation")),
        sizes_(p.has("class_sizes") ? p.number_list("class_sizes") : std::vector<double>{}),
        path_(p.path()) {
    if (!sizes_.empty() && sizes_.size() != classes_)
      throw wow::InputError(p.path_of("class_sizes") + ": has " + std::to_string(sizes_.size()) +
                            " entries, expected classes = " + std::to_string(classes_));
    for (double s : sizes_)
      if (s < 1 || s != std::floor(s))
        throw wow::InputError(p.path_of("class_sizes") + ": sizes must be whole numbers >= 1");
  }
  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    std::vector<std::size_t> sizes(classes_, n_);
    for (std::size_t c = 0; c < sizes_.size(); ++c) sizes[c] = static_cast<std::size_t>(sizes_[c]);
    wow::LabeledCloud<double> cloud;
    cloud.layout = wow::ClassLayout::from_sizes(sizes);
    cloud.dim = dim_;
    cloud.points.resize(cloud.rows() * dim_);
    const double mean_scale = separation_ / std::sqrt(static_cast<double>(dim_));
    for (std::size_t c = 0; c < classes_; ++c) {
      auto stream = wow::rng::stream(seed, wow::rng::Purpose::Dataset, 1, c);
      std::vector<double> mean(dim_);
      for (auto& m : mean) m = mean_scale * stream.normal();
      for (std::size_t i = cloud.layout.offsets[c]; i < cloud.layout.offsets[c + 1]; ++i)
        for (std::size_t j = 0; j < dim_; ++j) cloud.row(i)[j] = mean[j] + std_ * stream.normal();
    }
    return cloud;
  }

 private:
  std::size_t classes_, n_, dim_;
  double std_, separation_;
  std::vector<double> sizes_;
  std::string path_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Dataset>(
      "gaussian_blobs", "Gaussian classes N(mu_c, std^2 I) in R^dim with random means (drawn from the run's seed)",
      {
          wow::ParamSpec::integer("classes", 10, "Number of classes").at_least(1),
          wow::ParamSpec::integer("points_per_class", 200, "Points per class").at_least(1),
          wow::ParamSpec::integer("dim", 784, "Dimension").at_least(1),
          wow::ParamSpec::number("std", 1.0, "Within-class standard deviation").at_least(0),
          wow::ParamSpec::number("separation", 4.0, "Typical distance between class means").at_least(0),
          wow::ParamSpec::number_list("class_sizes", "Points of each class (overrides points_per_class)").optional(),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<GaussianBlobs>(p); });
}
