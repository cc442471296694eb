#pragma once
// A labeled dataset in memory: classes are contiguous row ranges of one (N x d) row-major array.
#include <cstddef>
#include <string>
#include <vector>

namespace wow {

// Where each class lives inside the N rows. offsets has C+1 entries, offsets[0] = 0, offsets[C] = N.
struct ClassLayout {
  std::vector<std::size_t> offsets{0};

  [[nodiscard]] std::size_t classes() const { return offsets.size() - 1; }
  [[nodiscard]] std::size_t rows() const { return offsets.back(); }
  [[nodiscard]] std::size_t size(std::size_t c) const { return offsets[c + 1] - offsets[c]; }
  [[nodiscard]] bool equal_sizes() const;
  static ClassLayout uniform(std::size_t classes, std::size_t per_class);
  static ClassLayout from_sizes(const std::vector<std::size_t>& sizes);
};

template <class T>
struct LabeledCloud {
  ClassLayout layout;
  std::size_t dim = 0;
  std::vector<T> points;  // rows() x dim, row-major, classes contiguous
  // Optional picture metadata: an image shape (h, w, channels) when each point is an image, and the value range.
  std::vector<std::size_t> image_shape;
  double value_lo = 0.0, value_hi = 1.0;
  std::vector<std::string> class_names;  // optional, one per class

  [[nodiscard]] std::size_t classes() const { return layout.classes(); }
  [[nodiscard]] std::size_t rows() const { return layout.rows(); }
  T* row(std::size_t i) { return points.data() + i * dim; }
  [[nodiscard]] const T* row(std::size_t i) const { return points.data() + i * dim; }

  template <class U>
  [[nodiscard]] LabeledCloud<U> cast() const {
    LabeledCloud<U> out;
    out.layout = layout;
    out.dim = dim;
    out.points.assign(points.begin(), points.end());
    out.image_shape = image_shape;
    out.value_lo = value_lo;
    out.value_hi = value_hi;
    out.class_names = class_names;
    return out;
  }
};

// Throws InputError naming `what` when any value is NaN or infinite.
template <class T>
void require_finite(const LabeledCloud<T>& cloud, const std::string& what);

}  // namespace wow
