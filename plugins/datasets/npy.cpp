// Labeled datasets from NumPy files: a (C, n, d) array, or (N, d) features with (N,) integer labels.
#include "data/npy.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

class NpyDataset final : public wow::Dataset {
 public:
  explicit NpyDataset(const wow::Params& p) : path_(p.string("path")), labels_(p.string("labels")), where_(p.path()) {
    if (path_.empty()) throw wow::InputError(p.path_of("path") + ": required (a .npy file)");
  }
  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t /*seed*/) const override {
    const wow::npy::Array data = wow::npy::read(path_);
    wow::LabeledCloud<double> cloud;
    if (labels_.empty()) {
      if (data.shape.size() != 3 || data.shape[0] == 0 || data.shape[1] == 0 || data.shape[2] == 0)
        throw wow::InputError(path_ + ": expected shape (C, n, d) with C, n, d >= 1, got " + shape_text(data.shape) +
                              " (or give " + where_ + ".labels for (N, d) features)");
      cloud.layout = wow::ClassLayout::uniform(data.shape[0], data.shape[1]);
      cloud.dim = data.shape[2];
      cloud.points = data.values;
      return cloud;
    }
    const wow::npy::Array labels = wow::npy::read(labels_);
    if (data.shape.size() != 2 || data.shape[0] == 0 || data.shape[1] == 0)
      throw wow::InputError(path_ + ": expected shape (N, d) with labels, got " + shape_text(data.shape));
    if (labels.shape.size() != 1 || labels.shape[0] != data.shape[0])
      throw wow::InputError(labels_ + ": expected shape (" + std::to_string(data.shape[0]) + ",) to match " + path_ +
                            ", got " + shape_text(labels.shape));
    // Classes in increasing label order; rows keep their order within a class.
    std::map<long long, std::vector<std::size_t>> rows_of;
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
      const double l = labels.values[i];
      if (!std::isfinite(l) || l != std::floor(l) || std::fabs(l) > 1e15)
        throw wow::InputError(labels_ + ": label " + std::to_string(i) + " is not an integer");
      rows_of[static_cast<long long>(l)].push_back(i);
    }
    const std::size_t d = data.shape[1];
    cloud.dim = d;
    std::vector<std::size_t> sizes;
    for (const auto& [label, rows] : rows_of) {
      sizes.push_back(rows.size());
      cloud.class_names.push_back(std::to_string(label));
      for (auto r : rows)
        cloud.points.insert(cloud.points.end(), data.values.begin() + static_cast<std::ptrdiff_t>(r * d),
                            data.values.begin() + static_cast<std::ptrdiff_t>((r + 1) * d));
    }
    cloud.layout = wow::ClassLayout::from_sizes(sizes);
    return cloud;
  }

 private:
  std::string path_, labels_, where_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Dataset>(
      "npy", "NumPy data: path to a (C, n, d) array, or path (N, d) + labels (N,) integers",
      {
          wow::ParamSpec::string("path", "", "The .npy file (relative paths: from the working directory)"),
          wow::ParamSpec::string("labels", "", "Optional (N,) integer labels .npy; then path holds (N, d) features"),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<NpyDataset>(p); });
}
