#include "flowed_images.hpp"

#include <numeric>

#include "report/label_matching.hpp"

namespace wow::learning {

LabeledCloud<double> flowed_cloud(const FlowView& view) {
  LabeledCloud<double> cloud;
  cloud.layout = *view.layout;
  cloud.dim = view.dim;
  cloud.points = view.x();
  cloud.image_shape = view.source->image_shape;
  return cloud;
}

std::vector<std::int64_t> matched_labels(const LabeledCloud<double>& flowed, const LabeledCloud<double>& target) {
  const LabelMatching match = match_labels(flowed, target);
  return {match.assignment.begin(), match.assignment.end()};
}

std::vector<std::int64_t> identity_labels(std::size_t classes) {
  std::vector<std::int64_t> labels(classes);
  std::iota(labels.begin(), labels.end(), 0);
  return labels;
}

}  // namespace wow::learning
