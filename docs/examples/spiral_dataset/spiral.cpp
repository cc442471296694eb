// docs/plugins.md "A dataset": `classes` interleaved 2-D spiral arms, `points_per_class` points each, with Gaussian
// noise drawn from the run's seed (so the same spec gives the same data).
#include <cmath>
#include <random>
#include <wow/plugin_api.hpp>

namespace {

class Spiral final : public wow::Dataset {
 public:
  explicit Spiral(const wow::Params& p)
      : classes_(static_cast<std::size_t>(p.integer("classes"))),
        points_(static_cast<std::size_t>(p.integer("points_per_class"))),
        noise_(p.number("noise")) {}

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    wow::LabeledCloud<double> cloud;
    cloud.layout = wow::ClassLayout::uniform(classes_, points_);
    cloud.dim = 2;
    cloud.points.resize(classes_ * points_ * 2);
    std::mt19937_64 gen(seed);
    std::normal_distribution<double> normal(0.0, noise_);
    const double pi = std::acos(-1.0);
    for (std::size_t c = 0; c < classes_; ++c)
      for (std::size_t i = 0; i < points_; ++i) {
        const double r = 0.1 + static_cast<double>(i) / static_cast<double>(points_);
        const double angle = 3.0 * r + 2.0 * pi * static_cast<double>(c) / static_cast<double>(classes_);
        double* row = cloud.row(c * points_ + i);
        row[0] = r * std::cos(angle) + normal(gen);
        row[1] = r * std::sin(angle) + normal(gen);
      }
    return cloud;
  }

 private:
  std::size_t classes_, points_;
  double noise_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Dataset>(
      "spiral", "Interleaved 2-D spiral arms, one class per arm",
      {
          wow::ParamSpec::integer("classes", 3, "Number of arms (classes)").at_least(1),
          wow::ParamSpec::integer("points_per_class", 80, "Points per arm").at_least(1),
          wow::ParamSpec::number("noise", 0.02, "Standard deviation of the Gaussian noise").at_least(0),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Spiral>(p); });
}
