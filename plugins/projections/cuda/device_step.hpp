#pragma once
// The device half of the `cuda` projections backend: the buffers and kernels of one sliced step behind a plain C++
// interface (no CUDA types), so the host half (backend.cpp) is ordinary C++ built with the project's compiler.
// Mirrors the core's engine (framework/src/engine/sliced_engine.cpp) step for step: project (cuBLAS), sort every
// (direction, class) segment (CUB), embed (sorted values or the quantile path), pairwise SW_p^p, then, with the
// functional's slopes from the host, the embedding gradient and the pull-back to a velocity (cuBLAS).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace wowcuda {

struct StepShape {
  std::vector<std::size_t> source_offsets, target_offsets;  // class blocks (C + 1 and M + 1 entries)
  std::size_t dim = 0, count = 0, quantiles = 0;
  bool quantile = false;  // false: sorted estimator (every class of both sides has one size)
  int power = 2;          // SW_p^p with p = 1 or 2
  bool tf32 = false;      // float GEMMs on TF32 tensor cores
  int device = 0;
  // Quantile estimator: each class's percentile grid positions (source classes, then target; quantiles each), as
  // the core's percentile_grid_positions gives them.
  std::vector<std::uint32_t> grid_lo, grid_hi;
  std::vector<double> grid_frac;
};

// One sliced step's buffers and kernels on the device (device_step.cu).
template <class T>
class DeviceStep {
 public:
  virtual ~DeviceStep() = default;
  // Uploads the step's directions (count x dim), quantile levels (count x quantiles lower grid index and weight;
  // ignored by the sorted estimator) and points, then projects, sorts, embeds and writes the pairwise SW_p^p
  // matrix ((C+M)^2, row-major, averaged over directions and embedding points) to `sw`.
  virtual void pairwise(const T* theta, const std::uint32_t* level_lo, const T* level_frac, const T* x, const T* y,
                        std::vector<double>& sw) = 0;
  // With the functional's gradient weights (C x (C+M), row-major, as the CPU engine's GEMM path forms them: for
  // p = 2 the embedding gradient is weights x embeddings; for p = 1 weights[c][b] multiplies sign(e_c - e_b)) and
  // each source class's inverse mass n_c / w_c: the velocity (source rows x dim) on the host.
  virtual void velocity(const std::vector<T>& weights, const std::vector<T>& mass_scale, T* velocity) = 0;
  [[nodiscard]] virtual std::string device_name() const = 0;
};

// The device library's entry points, looked up by name after dlopen (backend.cpp): the plugin itself links no CUDA
// library, so processes that never use the GPU do not map cuBLAS (about 200 MB). Failures return 0 / null with
// the reason in `error`.
extern "C" {
int wowcuda_device_count(std::string* error);
DeviceStep<float>* wowcuda_make_step_f32(const StepShape* shape, std::string* error);
DeviceStep<double>* wowcuda_make_step_f64(const StepShape* shape, std::string* error);
}

}  // namespace wowcuda
