#pragma once
// A random ConvNet feature map, drawn anew from (seed, step): the "emb" of the paper's Table 1 "emb+aug" columns
// (Zhao & Bilen's Distribution Matching embeds both sides with such a network). depth x [conv 3x3 pad 1 -> width,
// instance norm, ReLU, average pool 2], flattened. Weights and biases are uniform in +-1/sqrt(fan_in), torch's
// default initialisation, drawn from the project's counter-based streams, so a run resumed at step k draws the same
// network as the uninterrupted run.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "networks.hpp"

namespace wow::learning {

struct FeatureMapSettings {
  std::int64_t width = 128, depth = 3;
};

class RandomConvNet {
 public:
  // The network of (seed, step) for images of `shape`, in dtype (torch::kFloat32 or kFloat64).
  RandomConvNet(const ImageShape& shape, const FeatureMapSettings& settings, std::uint64_t seed, std::uint64_t step,
                torch::Dtype dtype);
  // N x channels x height x width -> N x features (differentiable in the images).
  [[nodiscard]] torch::Tensor forward(const torch::Tensor& images) const;
  // Features per image for this shape: width * (height / 2^depth) * (width / 2^depth).
  [[nodiscard]] static std::int64_t features(const ImageShape& shape, const FeatureMapSettings& settings);

 private:
  std::vector<torch::Tensor> weights_, biases_;
};

}  // namespace wow::learning
