#pragma once
// What the learning plugins' parameters offer, without libtorch: the registration half of each learning plugin
// (*_plugin.cpp) is built from this alone, so registering them does not load libtorch (lazy_library.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "wow/params.hpp"

namespace wow::learning {

// Classifier names (networks.hpp builds them).
std::vector<std::string> network_names();
// The single augmentations (crop, scale, rotate, cutout, colour), and every policy: dsa, none, then those.
const std::vector<std::string>& augmentation_transforms();
std::vector<std::string> augmentation_names();
// network, epochs, batch, learning_rate, weight_decay, threads (training.hpp reads them).
wow::ParamSchema training_params(const std::string& network, std::int64_t epochs);

}  // namespace wow::learning
