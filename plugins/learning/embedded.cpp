// Functional "embedded": any functional evaluated on features of the images instead of their pixels, the paper's
// "emb+aug" (Table 1): each step draws a random ConvNet (random_features.hpp) and one random augmentation
// (augment.hpp), applies both alike to the source particles and the step's target images, evaluates the inner
// functional (mmd with a sliced kernel, or dm) between the two feature sets on the core's engine, and pulls its WoW
// velocity back to pixels through libtorch's autograd: v_i = J_i^T u_i, u_i the inner velocity of particle i's
// features and J_i the Jacobian of the features in its pixels (F depends on x_i only through them).
#include <cmath>
#include <memory>
#include <string>
#include <tuple>

#include "augment.hpp"
#include "engine/flow_objective.hpp"
#include "random_features.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"
#include "wow/registry.hpp"

namespace {

namespace learning = wow::learning;

// The image shape a flat dimension holds: channels x side x side, pixels stored height x width x channels (the
// datasets' layout). channels 0: 1 when dim is a square, else 3 when dim / 3 is.
learning::ImageShape shape_of(std::size_t dim, std::int64_t channels, const std::string& path) {
  const auto side_of = [](std::size_t pixels) {
    const auto side = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(pixels))));
    return side * side == pixels ? side : 0;
  };
  std::vector<std::int64_t> candidates =
      channels > 0 ? std::vector<std::int64_t>{channels} : std::vector<std::int64_t>{1, 3};
  for (const std::int64_t c : candidates) {
    const auto cu = static_cast<std::size_t>(c);
    if (dim % cu != 0) continue;
    if (const std::size_t side = side_of(dim / cu); side > 0)
      return {c, static_cast<std::int64_t>(side), static_cast<std::int64_t>(side)};
  }
  throw wow::InputError(path + ": the points (dimension " + std::to_string(dim) + ") are not square images of " +
                        (channels > 0 ? std::to_string(channels) + " channel(s)" : std::string("1 or 3 channels")));
}

class Embedded final : public wow::Functional {
 public:
  Embedded(std::unique_ptr<wow::Functional> inner, std::unique_ptr<wow::ProjectionBackend> backend,
           const wow::Params& p)
      : inner_(std::move(inner)),
        backend_(std::move(backend)),
        channels_(p.integer("channels")),
        augment_(p.string("augment")),
        channels_path_(p.path_of("channels")),
        depth_path_(p.path_of("depth")) {
    features_.width = p.integer("width");
    features_.depth = p.integer("depth");
  }

  [[nodiscard]] int sw_power() const override { return 0; }  // all of it is computed here, on features
  void prepare(std::size_t source_classes, std::size_t target_classes) override {
    inner_->prepare(source_classes, target_classes);
  }
  void prepare_dimension(std::size_t dim) override {
    shape_ = shape_of(dim, channels_, channels_path_);
    const std::int64_t smallest = std::int64_t{1} << features_.depth;
    if (shape_.height < smallest)
      throw wow::InputError(depth_path_ + ": " + std::to_string(features_.depth) +
                            " pooling layers need images of at least " + std::to_string(smallest) + " x " +
                            std::to_string(smallest) + " pixels, got " + std::to_string(shape_.height) + " x " +
                            std::to_string(shape_.width));
    feature_dim_ = static_cast<std::size_t>(learning::RandomConvNet::features(shape_, features_));
    inner_->prepare_dimension(feature_dim_);
  }

  double add_particle_velocity(const wow::ParticleState<float>& s, std::span<float> v) const override {
    return add(s, v, std::get<Inner<float>>(inner_state_));
  }
  double add_particle_velocity(const wow::ParticleState<double>& s, std::span<double> v) const override {
    return add(s, v, std::get<Inner<double>>(inner_state_));
  }

 private:
  // The inner objective on features (built at the first call, for the run's class layouts) and its buffers.
  template <class T>
  struct Inner {
    std::unique_ptr<wow::FlowObjective<T>> objective;
    std::vector<std::size_t> source_offsets, target_offsets;
    std::vector<T> velocity;
  };

  template <class T>
  static torch::Tensor as_images(std::span<const T> points, std::size_t rows, const learning::ImageShape& shape) {
    constexpr auto dtype = std::is_same_v<T, float> ? torch::kFloat32 : torch::kFloat64;
    // from_blob does not own the points: clone, then N x H x W x C -> N x C x H x W.
    return torch::from_blob(const_cast<T*>(points.data()),
                            {static_cast<std::int64_t>(rows), shape.height, shape.width, shape.channels}, dtype)
        .clone();
  }

  template <class T>
  double add(const wow::ParticleState<T>& s, std::span<T> v, Inner<T>& inner) const {
    if (feature_dim_ == 0) throw std::logic_error("embedded: prepare_dimension was not called");
    constexpr auto dtype = std::is_same_v<T, float> ? torch::kFloat32 : torch::kFloat64;
    const std::size_t nx = s.layout.rows(), ny = s.target_layout.rows();
    if (!inner.objective || inner.source_offsets != s.layout.offsets ||
        inner.target_offsets != s.target_layout.offsets) {
      inner.objective =
          std::make_unique<wow::FlowObjective<T>>(s.layout, s.target_layout, feature_dim_, *inner_, *backend_);
      inner.source_offsets = s.layout.offsets;
      inner.target_offsets = s.target_layout.offsets;
      inner.velocity.resize(nx * feature_dim_);
    }
    const learning::RandomConvNet net(shape_, features_, s.seed, s.step, dtype);
    const learning::Augmentation aug = learning::Augmentation::draw(augment_, s.seed, s.step);

    torch::Tensor y_features;
    {
      torch::NoGradGuard no_grad;
      y_features = net.forward(aug.apply(as_images(s.target, ny, shape_).permute({0, 3, 1, 2}))).contiguous();
    }
    const torch::Tensor x_pixels = as_images(s.x, nx, shape_).requires_grad_(true);
    const torch::Tensor x_features = net.forward(aug.apply(x_pixels.permute({0, 3, 1, 2})));
    const torch::Tensor x_values = x_features.detach().contiguous();

    const double value = inner.objective->evaluate(x_values.data_ptr<T>(), y_features.data_ptr<T>(), s.seed, s.step,
                                                   inner.velocity.data());
    // v += J^T u: one backward pass with the inner velocity as the features' cotangent.
    const torch::Tensor u = torch::from_blob(
        inner.velocity.data(), {static_cast<std::int64_t>(nx), static_cast<std::int64_t>(feature_dim_)}, dtype);
    x_features.backward(u);
    const torch::Tensor grad = x_pixels.grad().contiguous();
    const T* g = grad.data_ptr<T>();
    for (std::size_t i = 0; i < v.size(); ++i) v[i] += g[i];
    return value;
  }

  std::unique_ptr<wow::Functional> inner_;
  std::unique_ptr<wow::ProjectionBackend> backend_;
  learning::FeatureMapSettings features_;
  std::int64_t channels_;
  std::string augment_, channels_path_, depth_path_;
  learning::ImageShape shape_;
  std::size_t feature_dim_ = 0;
  mutable std::tuple<Inner<float>, Inner<double>> inner_state_;
};

}  // namespace

// The factory the registration half (embedded_plugin.cpp) calls through lazy_library.hpp.
extern "C" __attribute__((visibility("default"))) wow::Functional* wow_learning_make_embedded(const wow::Params& p,
                                                                                              const wow::Registry& r) {
  return std::make_unique<Embedded>(r.create<wow::Functional>(p.node("functional"), p.path_of("functional")),
                                    r.create<wow::ProjectionBackend>(p.node("projections"), p.path_of("projections")),
                                    p)
      .release();
}
