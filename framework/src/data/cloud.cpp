#include "wow/cloud.hpp"

#include <cmath>

#include "wow/errors.hpp"

namespace wow {

bool ClassLayout::equal_sizes() const {
  for (std::size_t c = 1; c < classes(); ++c)
    if (size(c) != size(0)) return false;
  return true;
}

ClassLayout ClassLayout::uniform(std::size_t classes, std::size_t per_class) {
  ClassLayout layout;
  for (std::size_t c = 0; c < classes; ++c) layout.offsets.push_back((c + 1) * per_class);
  return layout;
}

ClassLayout ClassLayout::from_sizes(const std::vector<std::size_t>& sizes) {
  ClassLayout layout;
  for (auto s : sizes) layout.offsets.push_back(layout.offsets.back() + s);
  return layout;
}

template <class T>
void require_finite(const LabeledCloud<T>& cloud, const std::string& what) {
  for (std::size_t i = 0; i < cloud.points.size(); ++i) {
    if (!std::isfinite(static_cast<double>(cloud.points[i]))) {
      const std::size_t row = cloud.dim == 0 ? 0 : i / cloud.dim;
      std::size_t c = 0;
      while (c + 1 < cloud.classes() && cloud.layout.offsets[c + 1] <= row) ++c;
      throw InputError(what + ": non-finite value (" + std::to_string(static_cast<double>(cloud.points[i])) +
                       ") at class " + std::to_string(c) + ", point " + std::to_string(row - cloud.layout.offsets[c]) +
                       ", coordinate " + std::to_string(i % cloud.dim));
    }
  }
}

template void require_finite(const LabeledCloud<float>&, const std::string&);
template void require_finite(const LabeledCloud<double>&, const std::string&);

}  // namespace wow
