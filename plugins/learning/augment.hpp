#pragma once
// Differentiable image augmentations (Zhao & Bilen's DSA set, as the paper's "aug"): one random transformation per
// step whose parameters are drawn once from (seed, step) and applied alike to every image of both sides (source and
// target), so the flow compares like with like. Gradients pass through to the source images.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "names.hpp"

namespace wow::learning {

// Policies (names.hpp, augmentation_names): "dsa", one of crop, scale, rotate, cutout, colour chosen per step; a
// single name: that one every step; "none".
struct Augmentation {
  std::string kind = "none";   // the transformation drawn for this step
  double a = 0, b = 0, c = 0;  // its parameters (see augment.cpp)

  // The step's augmentation under `policy` (a name of augmentation_names()).
  static Augmentation draw(const std::string& policy, std::uint64_t seed, std::uint64_t step);
  // images: N x channels x height x width; differentiable.
  [[nodiscard]] torch::Tensor apply(const torch::Tensor& images) const;
};

}  // namespace wow::learning
