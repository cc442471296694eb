#pragma once
// The classifiers of the paper's experiments (paper.md, Figure 3 and Tables 1-2), built from libtorch modules, for
// images given as N x channels x height x width float tensors in [0, 1].
#include <torch/torch.h>

#include <string>
#include <vector>

#include "names.hpp"  // network_names(): the names make_network accepts

namespace wow::learning {

struct ImageShape {
  std::int64_t channels = 1, height = 28, width = 28;
};

// "da_cnn": the domain-adaptation CNN of Figure 3: conv 4x4 (c -> 3), max-pool 2 stride 1, ReLU, linear -> 512,
//           sigmoid, linear 512 -> 64, ReLU, linear 64 -> classes (1728 inputs to the first linear at 28 x 28).
// "lenet5": the LeNet-5 variant of Table 2: conv 1x1 (c -> 6), ReLU, max-pool 2, conv 5x5 (6 -> 16), ReLU,
//           max-pool 2, linear -> 120, ReLU, linear 120 -> 84, ReLU, linear 84 -> classes.
// "convnet": the ConvNet of Table 1 (dataset distillation): 3 x [conv 3x3 pad 1 (-> 128), instance norm (affine),
//           ReLU, average pool 2], linear -> classes.
// Throws wow::InputError for an unknown name or an image too small for the network.
torch::nn::Sequential make_network(const std::string& name, const ImageShape& shape, std::int64_t classes);

}  // namespace wow::learning
