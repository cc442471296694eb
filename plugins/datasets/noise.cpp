// Standard normal noise N(0, I) in classes of any shape: the usual source of an image flow. Class c is drawn from
// rng stream (seed, Dataset, step 2, c) with the run's seed, so it depends on that class only. Shapes of rank 2
// (h, w) or 3 (h, w, channels) set image_shape so snapshots can be drawn as pictures (range shown: [-3, 3]).
#include <cmath>
#include <memory>

#include "engine/rng.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

// Keeps a typo in a spec from asking for more memory than any machine has: 2^31 values (16 GiB as doubles).
constexpr double kMaxValues = 2147483648.0;

class Noise final : public wow::Dataset {
 public:
  explicit Noise(const wow::Params& p)
      : classes_(static_cast<std::size_t>(p.integer("classes"))),
        per_class_(static_cast<std::size_t>(p.integer("per_class"))) {
    const auto shape = p.number_list("shape");
    if (shape.empty() || shape.size() > 3)
      throw wow::InputError(p.path_of("shape") + ": must have 1 to 3 entries (d), (h, w) or (h, w, channels)");
    double values = static_cast<double>(classes_) * static_cast<double>(per_class_);
    for (std::size_t k = 0; k < shape.size(); ++k) {
      if (shape[k] < 1 || shape[k] != std::floor(shape[k]) || shape[k] > 1e9)
        throw wow::InputError(p.path_of("shape") + "[" + std::to_string(k) + "]: must be a whole number >= 1");
      shape_.push_back(static_cast<std::size_t>(shape[k]));
      values *= shape[k];
    }
    if (values > kMaxValues)
      throw wow::InputError(p.path() + ": classes x per_class x prod(shape) = " + std::to_string(values) +
                            " values, more than the 2^31 allowed");
  }

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    wow::LabeledCloud<double> cloud;
    cloud.layout = wow::ClassLayout::uniform(classes_, per_class_);
    cloud.dim = 1;
    for (auto s : shape_) cloud.dim *= s;
    if (shape_.size() >= 2) cloud.image_shape = {shape_[0], shape_[1], shape_.size() == 3 ? shape_[2] : 1};
    cloud.value_lo = -3.0;
    cloud.value_hi = 3.0;
    cloud.points.resize(cloud.rows() * cloud.dim);
    for (std::size_t c = 0; c < classes_; ++c) {
      cloud.class_names.push_back(std::to_string(c));
      auto stream = wow::rng::stream(seed, wow::rng::Purpose::Dataset, 2, c);
      const std::size_t begin = cloud.layout.offsets[c] * cloud.dim, end = cloud.layout.offsets[c + 1] * cloud.dim;
      for (std::size_t i = begin; i < end; ++i) cloud.points[i] = stream.normal();
    }
    return cloud;
  }

 private:
  std::size_t classes_, per_class_;
  std::vector<std::size_t> shape_;
};

}  // namespace

WOW_PLUGIN(registry) {
  auto shape = wow::ParamSpec::number_list("shape", "Shape of one point: (d), (h, w) or (h, w, channels); d = product");
  shape.default_value = wow::Json::array({28, 28});
  registry.add<wow::Dataset>(
      "noise", "Standard normal noise N(0, I): classes x per_class points of the given shape (the run's seed)",
      {
          wow::ParamSpec::integer("classes", 10, "Number of classes").at_least(1),
          wow::ParamSpec::integer("per_class", 200, "Points per class").at_least(1),
          std::move(shape),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Noise>(p); });
}
