#pragma once
// NumPy arrays <-> the core's labeled clouds. The Python side (wowflow/_arrays.py) has already checked ranks and
// dtypes and grouped (X, y) pairs by class, so here a dataset is C-contiguous float64 points with class sizes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <string>
#include <vector>

#include "wow/cloud.hpp"

namespace wowpy {

using DoubleArray = pybind11::array_t<double, pybind11::array::c_style | pybind11::array::forcecast>;

// points (N, d) in class blocks of `sizes` (summing to N); `names` one per class or empty.
wow::LabeledCloud<double> cloud_from(const DoubleArray& points, const std::vector<std::size_t>& sizes,
                                     const std::vector<std::string>& names);

// A copy of `values` as a NumPy array of the given shape.
pybind11::array_t<double> to_numpy(const std::vector<double>& values, const std::vector<std::size_t>& shape);

}  // namespace wowpy
