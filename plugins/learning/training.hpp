#pragma once
// Training and applying the classifiers of networks.hpp: AdamW on shuffled mini-batches, seeded, and accuracy.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "names.hpp"
#include "networks.hpp"
#include "wow/cloud.hpp"
#include "wow/params.hpp"

namespace wow::learning {

// Images as tensors: N x channels x height x width float32, labels N int64.
struct LabeledImages {
  torch::Tensor images, labels;
  [[nodiscard]] std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
};

// The image shape of a cloud whose points are images (image_shape = {height, width, channels}); InputError naming
// `what` when it has none or the sizes do not match its dimension.
ImageShape image_shape_of(const LabeledCloud<double>& cloud, const std::string& what);

// Rows of `cloud` as images (pixels stored height x width x channels), each labelled label_of_class[class];
// with `clip` the values are clipped to [0, 1] first (flowed particles may leave the pixel range).
LabeledImages to_images(const LabeledCloud<double>& cloud, const std::vector<std::int64_t>& label_of_class, bool clip);

// Both sets in one (same image shape).
LabeledImages concatenate(const LabeledImages& a, const LabeledImages& b);

struct TrainSettings {
  std::string network = "lenet5";
  std::int64_t epochs = 50, batch = 64, classes = 10;
  double learning_rate = 3e-4, weight_decay = 1e-4;
  std::uint64_t seed = 0;  // initial weights (torch's generator) and batch order (wow::rng)
};

// The training parameters every classifier callback takes (names.hpp, training_params), read back (seed left to the
// caller).
TrainSettings train_settings(const wow::Params& p);

// InputError unless `data` can be scored against the run's target: as many classes (class k of both is the same
// label) and the same dimension. `what` names the data in the message ("transfer_eval.test").
void check_matches_target(const LabeledCloud<double>& data, const LabeledCloud<double>& target,
                          const std::string& what);

// A freshly initialised network trained on `data`; progress(epoch, mean loss) after each epoch when given.
torch::nn::Sequential train_classifier(const LabeledImages& data, const ImageShape& shape, const TrainSettings& s,
                                       const std::function<void(std::int64_t, double)>& progress = {});

// Predicted labels (N) and the share of correct ones in percent.
torch::Tensor predict(torch::nn::Sequential& net, const torch::Tensor& images);
double accuracy_percent(torch::nn::Sequential& net, const LabeledImages& data);

// torch's intra-op threads (0: all cores), set once per call site that trains or predicts.
void set_threads(std::int64_t threads);

}  // namespace wow::learning
