#pragma once
// xtensor views over the core's buffers (xt::adapt, no copies), so that plugins are written as array expressions:
//   auto xs = wow::tensor(x);  xs -= tau * wow::tensor(v);
// A 2-D view of a state is wow::tensor(x, {rows, dim}). xtensor-blas (<xtensor-blas/xlinalg.hpp>) works on them for
// small linear algebra; the engine's hot loops stay on raw BLAS.
#include <array>
#include <cstddef>
#include <span>
#include <vector>
#include <xtensor/xadapt.hpp>
#include <xtensor/xnoalias.hpp>  // xt::noalias(a) = f(a, b): in place, no temporary per step

namespace wow {

// 1-D view of a span (writable when T is not const).
template <class T>
auto tensor(std::span<T> values) {
  return xt::adapt(values.data(), values.size(), xt::no_ownership(), std::array<std::size_t, 1>{values.size()});
}

// rows x cols view of a span holding rows * cols values, row-major.
template <class T>
auto tensor(std::span<T> values, std::array<std::size_t, 2> shape) {
  return xt::adapt(values.data(), values.size(), xt::no_ownership(), shape);
}

// 1-D view of a solver buffer.
template <class T>
auto tensor(std::vector<T>& values) {
  return tensor(std::span<T>(values));
}

}  // namespace wow
