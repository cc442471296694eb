#include "arrays.hpp"

#include <algorithm>
#include <numeric>

#include "wow/errors.hpp"

namespace py = pybind11;

namespace wowpy {

wow::LabeledCloud<double> cloud_from(const DoubleArray& points, const std::vector<std::size_t>& sizes,
                                     const std::vector<std::string>& names) {
  if (points.ndim() != 2) throw wow::InputError("internal: expected (N, d) points");
  wow::LabeledCloud<double> cloud;
  cloud.layout = wow::ClassLayout::from_sizes(sizes);
  cloud.dim = static_cast<std::size_t>(points.shape(1));
  if (cloud.layout.rows() != static_cast<std::size_t>(points.shape(0)))
    throw wow::InputError("internal: class sizes do not add up to the rows");
  cloud.points.assign(points.data(), points.data() + points.size());
  cloud.class_names = names;
  return cloud;
}

py::array_t<double> to_numpy(const std::vector<double>& values, const std::vector<std::size_t>& shape) {
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  py::array_t<double> out(dims);
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

}  // namespace wowpy
