#pragma once
// What both classifier callbacks need from a flow: the flowed state as a labeled cloud of images, each flowed class
// named by the target class it is matched to (exact OT between classes, as labels.json).
#include <cstdint>
#include <vector>

#include "wow/interfaces.hpp"

namespace wow::learning {

// The state x_step as a cloud with the source's layout and image shape.
LabeledCloud<double> flowed_cloud(const FlowView& view);

// label_of_class[i] = the target class flowed class i is matched to.
std::vector<std::int64_t> matched_labels(const LabeledCloud<double>& flowed, const LabeledCloud<double>& target);

// label_of_class[k] = k: a dataset whose class k is label k (target, training and test sets).
std::vector<std::int64_t> identity_labels(std::size_t classes);

}  // namespace wow::learning
