// The three-rings experiment of the paper's Figure 1: target rings and the Gaussian source blobs.
#include <cmath>
#include <numbers>

#include "engine/rng.hpp"
#include "wow/plugin_api.hpp"

namespace {

// Target: `classes` rings of evenly spaced angles 2 pi i / n, centres (-k (2 + gap) radius, 0).
class Rings final : public wow::Dataset {
 public:
  explicit Rings(const wow::Params& p)
      : classes_(static_cast<std::size_t>(p.integer("classes"))),
        n_(static_cast<std::size_t>(p.integer("points_per_class"))),
        radius_(p.number("radius")),
        gap_(p.number("gap")) {}
  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t /*seed*/) const override {
    wow::LabeledCloud<double> cloud;
    cloud.layout = wow::ClassLayout::uniform(classes_, n_);
    cloud.dim = 2;
    cloud.points.resize(classes_ * n_ * 2);
    for (std::size_t c = 0; c < classes_; ++c) {
      const double cx = -static_cast<double>(c) * (2.0 + gap_) * radius_;
      for (std::size_t i = 0; i < n_; ++i) {
        const double a = 2.0 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n_);
        cloud.row(c * n_ + i)[0] = cx + radius_ * std::cos(a);
        cloud.row(c * n_ + i)[1] = radius_ * std::sin(a);
      }
    }
    return cloud;
  }

 private:
  std::size_t classes_, n_;
  double radius_, gap_;
};

// Source: `classes` clouds drawn from N(centre, std^2 I) with the run's seed.
class RingsSource final : public wow::Dataset {
 public:
  explicit RingsSource(const wow::Params& p)
      : classes_(static_cast<std::size_t>(p.integer("classes"))),
        n_(static_cast<std::size_t>(p.integer("points_per_class"))),
        std_(p.number("std")),
        centre_x_(p.number("centre_x")) {}
  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    wow::LabeledCloud<double> cloud;
    cloud.layout = wow::ClassLayout::uniform(classes_, n_);
    cloud.dim = 2;
    cloud.points.resize(classes_ * n_ * 2);
    for (std::size_t c = 0; c < classes_; ++c) {
      auto stream = wow::rng::stream(seed, wow::rng::Purpose::Dataset, 0, c);
      for (std::size_t i = 0; i < n_; ++i) {
        cloud.row(c * n_ + i)[0] = centre_x_ + std_ * stream.normal();
        cloud.row(c * n_ + i)[1] = std_ * stream.normal();
      }
    }
    return cloud;
  }

 private:
  std::size_t classes_, n_;
  double std_, centre_x_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Dataset>(
      "rings", "Rings in the plane (Figure 1 target): evenly spaced angles, centres along the negative x axis",
      {
          wow::ParamSpec::integer("classes", 3, "Number of rings").at_least(1),
          wow::ParamSpec::integer("points_per_class", 80, "Points per ring").at_least(1),
          wow::ParamSpec::number("radius", 0.3, "Ring radius").greater_than(0),
          wow::ParamSpec::number("gap", 0.5, "Space between neighbouring rings, in radii (0.5: centres 0.75 apart)")
              .at_least(0),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Rings>(p); });
  registry.add<wow::Dataset>(
      "rings_source", "Gaussian blobs N((centre_x, 0), std^2 I), one per class (Figure 1 source)",
      {
          wow::ParamSpec::integer("classes", 3, "Number of classes").at_least(1),
          wow::ParamSpec::integer("points_per_class", 80, "Points per class").at_least(1),
          wow::ParamSpec::number("std", 0.01, "Standard deviation").greater_than(0),
          wow::ParamSpec::number("centre_x", -0.3, "x coordinate of the common centre"),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<RingsSource>(p); });
}
