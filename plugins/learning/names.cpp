#include "names.hpp"

namespace wow::learning {

std::vector<std::string> network_names() { return {"da_cnn", "lenet5", "convnet"}; }

const std::vector<std::string>& augmentation_transforms() {
  static const std::vector<std::string> transforms{"crop", "scale", "rotate", "cutout", "colour"};
  return transforms;
}

std::vector<std::string> augmentation_names() {
  std::vector<std::string> names{"dsa", "none"};
  names.insert(names.end(), augmentation_transforms().begin(), augmentation_transforms().end());
  return names;
}

wow::ParamSchema training_params(const std::string& network, std::int64_t epochs) {
  return {
      wow::ParamSpec::choice("network", network, network_names(), "The classifier (plugins/learning/networks.hpp)"),
      wow::ParamSpec::integer("epochs", epochs, "Training epochs").at_least(1),
      wow::ParamSpec::integer("batch", 64, "Mini-batch size").at_least(1),
      wow::ParamSpec::number("learning_rate", 3e-4, "AdamW learning rate").greater_than(0),
      wow::ParamSpec::number("weight_decay", 1e-4, "AdamW weight decay").at_least(0),
      wow::ParamSpec::integer("threads", 0, "torch threads (0: all cores)").at_least(0),
  };
}

}  // namespace wow::learning
