#include "random_features.hpp"

#include <cmath>

#include "engine/rng.hpp"

namespace wow::learning {

namespace {

// count values uniform in (-bound, bound) from stream (seed, step, index): the same on every machine and thread count.
torch::Tensor uniform_tensor(std::vector<std::int64_t> sizes, double bound, std::uint64_t seed, std::uint64_t step,
                             std::uint64_t index, torch::Dtype dtype) {
  std::int64_t count = 1;
  for (const std::int64_t s : sizes) count *= s;
  std::vector<double> values(static_cast<std::size_t>(count));
  auto stream = rng::stream(seed, rng::Purpose::FeatureMap, step, index);
  for (double& v : values) v = (2.0 * stream.uniform() - 1.0) * bound;
  // A copy that owns its data (to() alone returns the borrowed blob itself when dtype is already float64).
  return torch::from_blob(values.data(), sizes, torch::kFloat64).to(dtype, /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace

RandomConvNet::RandomConvNet(const ImageShape& shape, const FeatureMapSettings& settings, std::uint64_t seed,
                             std::uint64_t step, torch::Dtype dtype) {
  std::int64_t in = shape.channels;
  for (std::int64_t layer = 0; layer < settings.depth; ++layer) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in * 9));
    const auto index = static_cast<std::uint64_t>(2 * layer);
    weights_.push_back(uniform_tensor({settings.width, in, 3, 3}, bound, seed, step, index, dtype));
    biases_.push_back(uniform_tensor({settings.width}, bound, seed, step, index + 1, dtype));
    in = settings.width;
  }
}

torch::Tensor RandomConvNet::forward(const torch::Tensor& images) const {
  namespace F = torch::nn::functional;
  torch::Tensor h = images;
  for (std::size_t layer = 0; layer < weights_.size(); ++layer) {
    h = F::conv2d(h, weights_[layer], F::Conv2dFuncOptions().bias(biases_[layer]).padding(1));
    // Instance norm as the ConvNet's (affine, at its initial weight 1 and bias 0).
    h = F::instance_norm(h, F::InstanceNormFuncOptions().eps(1e-5));
    h = torch::relu(h);
    h = F::avg_pool2d(h, F::AvgPool2dFuncOptions(2));
  }
  return h.flatten(1);
}

std::int64_t RandomConvNet::features(const ImageShape& shape, const FeatureMapSettings& settings) {
  std::int64_t h = shape.height, w = shape.width;
  for (std::int64_t layer = 0; layer < settings.depth; ++layer) {
    h /= 2;
    w /= 2;
  }
  return settings.width * h * w;
}

}  // namespace wow::learning
