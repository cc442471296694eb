#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cub/device/device_segmented_sort.cuh>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "device_step.hpp"

namespace wowcuda {

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": cuBLAS status " + std::to_string(static_cast<int>(status)));
}

// Column-major GEMM C = op(A) op(B) in the engine's precision.
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const float* a,
                    int lda, const float* b, int ldb, float* c, int ldc) {
  const float one = 1.0F, zero = 0.0F;
  return cublasSgemm(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
}
cublasStatus_t gemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k, const double* a,
                    int lda, const double* b, int ldb, double* c, int ldc) {
  const double one = 1.0, zero = 0.0;
  return cublasDgemm(h, ta, tb, m, n, k, &one, a, lda, b, ldb, &zero, c, ldc);
}

// A device array freed with its owner.
template <class U>
struct Buffer {
  U* data = nullptr;
  std::size_t size = 0;
  void allocate(std::size_t n) {
    size = n;
    if (n > 0) check(cudaMalloc(reinterpret_cast<void**>(&data), n * sizeof(U)), "cudaMalloc");
  }
  void upload(const U* host, std::size_t n, cudaStream_t s) {
    if (n > 0) check(cudaMemcpyAsync(data, host, n * sizeof(U), cudaMemcpyHostToDevice, s), "cudaMemcpyAsync (upload)");
  }
  void upload(const std::vector<U>& host, cudaStream_t s) {
    if (host.empty()) return;
    if (size < host.size()) allocate(host.size());
    upload(host.data(), host.size(), s);
  }
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (data != nullptr) cudaFree(data);
  }
};

constexpr int kThreads = 256;
unsigned blocks_for(std::size_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

// Embeddings of one side's classes: the sorted values of each (class, direction) segment, or (quantile) the
// q-point "linear" percentile grid of those values read at the direction's random levels. Same arithmetic as the
// CPU engine's interpolate(): in[lo] + frac (in[hi] - in[lo]).
template <class T>
__global__ void embed_kernel(T* embedding, const T* sorted, std::size_t rows, const std::int64_t* offsets,
                             std::size_t first_class, std::size_t classes, std::size_t count, std::size_t embed,
                             bool quantile, const std::uint32_t* grid_lo, const std::uint32_t* grid_hi,
                             const T* grid_frac, const std::uint32_t* level_lo, const T* level_frac) {
  const std::size_t idx = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (idx >= classes * count * embed) return;
  const std::size_t g = idx / (count * embed);
  const std::size_t l = (idx / embed) % count;
  const std::size_t e = idx % embed;
  const T* in = sorted + l * rows + offsets[g];
  T out;
  if (!quantile) {
    out = in[e];
  } else {
    const std::size_t q = embed;
    const std::size_t base = (first_class + g) * q;
    const std::uint32_t t = level_lo[l * q + e];
    const T f = level_frac[l * q + e];
    const T g0 = in[grid_lo[base + t]] + grid_frac[base + t] * (in[grid_hi[base + t]] - in[grid_lo[base + t]]);
    const T g1 =
        in[grid_lo[base + t + 1]] + grid_frac[base + t + 1] * (in[grid_hi[base + t + 1]] - in[grid_lo[base + t + 1]]);
    out = g0 + f * (g1 - g0);
  }
  embedding[((first_class + g) * count + l) * embed + e] = out;
}

// One block per class pair (a < b): the mean over directions and embedding points of |e_a - e_b|^p, summed in
// double in a fixed order (a fixed tree per block), so a seed gives the same bits on every run.
template <class T>
__global__ void pairwise_kernel(const T* embedding, std::size_t per_class, std::size_t k, int power, double* sw) {
  std::size_t pair = blockIdx.x, a = 0;
  while (pair >= k - 1 - a) {
    pair -= k - 1 - a;
    ++a;
  }
  const std::size_t b = a + 1 + pair;
  const T* ea = embedding + a * per_class;
  const T* eb = embedding + b * per_class;
  double sum = 0.0;
  for (std::size_t j = threadIdx.x; j < per_class; j += blockDim.x) {
    const double r = static_cast<double>(ea[j]) - static_cast<double>(eb[j]);
    sum += power == 2 ? r * r : fabs(r);
  }
  __shared__ double partial[kThreads];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) sw[a * k + b] = sw[b * k + a] = partial[0] / static_cast<double>(per_class);
}

// p = 1: d|e_c - e_b| / de_c = sign(e_c - e_b), weighted per pair, summed over b in order.
template <class T>
__global__ void sign_gradient_kernel(T* grad, const T* embedding, const T* weights, std::size_t classes, std::size_t k,
                                     std::size_t per_class) {
  const std::size_t idx = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (idx >= classes * per_class) return;
  const std::size_t c = idx / per_class, j = idx % per_class;
  const T ec = embedding[c * per_class + j];
  T g = 0;
  for (std::size_t b = 0; b < k; ++b) {
    if (b == c) continue;
    const T r = ec - embedding[b * per_class + j];
    const T w = weights[c * k + b];
    g += r > 0 ? w : (r < 0 ? -w : T(0));
  }
  grad[idx] = g;
}

// Sorted estimator: each embedding slope goes back to the particle at that sorted position, times n_c / w_c.
template <class T>
__global__ void scatter_sorted_kernel(T* slopes, const T* grad, const std::uint32_t* perm,
                                      const std::uint32_t* class_of_row, const std::int64_t* offsets, const T* mass,
                                      std::size_t rows, std::size_t count, std::size_t embed) {
  const std::size_t idx = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (idx >= count * rows) return;
  const std::size_t l = idx / rows, r = idx % rows;
  const std::uint32_t c = class_of_row[r];
  const std::size_t off = static_cast<std::size_t>(offsets[c]);
  slopes[l * rows + off + perm[idx]] = mass[c] * grad[(c * count + l) * embed + (r - off)];
}

// Quantile estimator: one thread per (class, direction) runs the two transposed interpolations in the CPU engine's
// order (levels -> grid -> sorted values), then scatters to the particles.
template <class T>
__global__ void scatter_quantile_kernel(T* slopes, T* dgrid_all, T* dsorted_all, const T* grad,
                                        const std::uint32_t* perm, const std::int64_t* offsets, const T* mass,
                                        const std::uint32_t* grid_lo, const std::uint32_t* grid_hi, const T* grid_frac,
                                        const std::uint32_t* level_lo, const T* level_frac, std::size_t classes,
                                        std::size_t rows, std::size_t count, std::size_t q) {
  const std::size_t idx = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x;
  if (idx >= classes * count) return;
  const std::size_t c = idx / count, l = idx % count;
  const std::size_t off = static_cast<std::size_t>(offsets[c]);
  const std::size_t n = static_cast<std::size_t>(offsets[c + 1]) - off;
  T* dgrid = dgrid_all + idx * q;
  T* dsorted = dsorted_all + l * rows + off;
  const T* g = grad + (c * count + l) * q;
  for (std::size_t t = 0; t < q; ++t) dgrid[t] = 0;
  for (std::size_t j = 0; j < q; ++j) {
    const std::uint32_t t = level_lo[l * q + j];
    const T f = level_frac[l * q + j];
    dgrid[t] += (T(1) - f) * g[j];
    dgrid[t + 1] += f * g[j];
  }
  for (std::size_t i = 0; i < n; ++i) dsorted[i] = 0;
  for (std::size_t t = 0; t < q; ++t) {
    const T f = grid_frac[c * q + t];
    dsorted[grid_lo[c * q + t]] += (T(1) - f) * dgrid[t];
    dsorted[grid_hi[c * q + t]] += f * dgrid[t];
  }
  const std::uint32_t* p = perm + l * rows + off;
  for (std::size_t i = 0; i < n; ++i) slopes[l * rows + off + p[i]] = mass[c] * dsorted[i];
}

template <class T>
struct StepBuffers {
  StepShape shape;
  std::size_t nx = 0, ny = 0, cx = 0, cy = 0, k = 0, embed = 0;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  Buffer<T> theta, x, y, proj_x, proj_y, sorted_x, sorted_y, embedding, grad, slopes, velocity, weights, mass;
  Buffer<T> level_frac, grid_frac, dgrid, dsorted;
  Buffer<std::uint32_t> index_x, perm_x, class_of_row, level_lo, grid_lo, grid_hi;
  Buffer<std::int64_t> offsets_x, offsets_y, begin_x, end_x, begin_y, end_y;
  Buffer<double> sw;
  Buffer<unsigned char> sort_temp_x, sort_temp_y;
  std::size_t sort_bytes_x = 0, sort_bytes_y = 0;

  ~StepBuffers() {
    if (blas != nullptr) cublasDestroy(blas);
    if (stream != nullptr) cudaStreamDestroy(stream);
  }

  void sort_x() {
    check(cub::DeviceSegmentedSort::StableSortPairs(sort_temp_x.data, sort_bytes_x, proj_x.data, sorted_x.data,
                                                    index_x.data, perm_x.data,
                                                    static_cast<std::int64_t>(shape.count * nx),
                                                    static_cast<std::int64_t>(shape.count * cx), begin_x.data,
                                                    end_x.data, stream),
          "cub::DeviceSegmentedSort::StableSortPairs");
  }
  void sort_y() {
    check(cub::DeviceSegmentedSort::StableSortKeys(sort_temp_y.data, sort_bytes_y, proj_y.data, sorted_y.data,
                                                   static_cast<std::int64_t>(shape.count * ny),
                                                   static_cast<std::int64_t>(shape.count * cy), begin_y.data,
                                                   end_y.data, stream),
          "cub::DeviceSegmentedSort::StableSortKeys");
  }
};

template <class T>
class DeviceStepImpl final : public DeviceStep<T> {
 public:
  explicit DeviceStepImpl(const StepShape& shape);
  void pairwise(const T* theta, const std::uint32_t* level_lo, const T* level_frac, const T* x, const T* y,
                std::vector<double>& sw) override;
  void velocity(const std::vector<T>& weights, const std::vector<T>& mass_scale, T* velocity) override;
  [[nodiscard]] std::string device_name() const override;

 private:
  StepBuffers<T> s_;
};

template <class T>
DeviceStepImpl<T>::DeviceStepImpl(const StepShape& shape) {
  StepBuffers<T>& s = s_;
  s.shape = shape;
  check(cudaSetDevice(shape.device), "cudaSetDevice");
  check(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking), "cudaStreamCreate");
  check(cublasCreate(&s.blas), "cublasCreate");
  check(cublasSetStream(s.blas, s.stream), "cublasSetStream");
  if constexpr (std::is_same_v<T, float>)
    check(cublasSetMathMode(s.blas, shape.tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
          "cublasSetMathMode");
  s.cx = shape.source_offsets.size() - 1;
  s.cy = shape.target_offsets.size() - 1;
  s.nx = shape.source_offsets.back();
  s.ny = shape.target_offsets.back();
  s.k = s.cx + s.cy;
  s.embed = shape.quantile ? shape.quantiles : shape.source_offsets[1];
  const std::size_t L = shape.count, d = shape.dim, per_class = L * s.embed;
  s.theta.allocate(L * d);
  s.x.allocate(s.nx * d);
  s.y.allocate(s.ny * d);
  s.proj_x.allocate(L * s.nx);
  s.proj_y.allocate(L * s.ny);
  s.sorted_x.allocate(L * s.nx);
  s.sorted_y.allocate(L * s.ny);
  s.perm_x.allocate(L * s.nx);
  s.embedding.allocate(s.k * per_class);
  s.grad.allocate(s.cx * per_class);
  s.slopes.allocate(L * s.nx);
  s.velocity.allocate(s.nx * d);
  s.weights.allocate(s.cx * s.k);
  s.mass.allocate(s.cx);
  s.sw.allocate(s.k * s.k);

  // What depends on the layout alone, uploaded once: segment bounds, each row's index within its class.
  std::vector<std::int64_t> ox(shape.source_offsets.begin(), shape.source_offsets.end());
  std::vector<std::int64_t> oy(shape.target_offsets.begin(), shape.target_offsets.end());
  std::vector<std::int64_t> bx, ex, by, ey;
  for (std::size_t l = 0; l < L; ++l) {
    for (std::size_t c = 0; c < s.cx; ++c) {
      bx.push_back(static_cast<std::int64_t>(l * s.nx) + ox[c]);
      ex.push_back(static_cast<std::int64_t>(l * s.nx) + ox[c + 1]);
    }
    for (std::size_t c = 0; c < s.cy; ++c) {
      by.push_back(static_cast<std::int64_t>(l * s.ny) + oy[c]);
      ey.push_back(static_cast<std::int64_t>(l * s.ny) + oy[c + 1]);
    }
  }
  std::vector<std::uint32_t> index(L * s.nx), owner(s.nx);
  for (std::size_t c = 0; c < s.cx; ++c)
    for (auto r = static_cast<std::size_t>(ox[c]); r < static_cast<std::size_t>(ox[c + 1]); ++r) {
      owner[r] = static_cast<std::uint32_t>(c);
      for (std::size_t l = 0; l < L; ++l) index[l * s.nx + r] = static_cast<std::uint32_t>(r - ox[c]);
    }
  s.offsets_x.upload(ox, s.stream);
  s.offsets_y.upload(oy, s.stream);
  s.begin_x.upload(bx, s.stream);
  s.end_x.upload(ex, s.stream);
  s.begin_y.upload(by, s.stream);
  s.end_y.upload(ey, s.stream);
  s.index_x.upload(index, s.stream);
  s.class_of_row.upload(owner, s.stream);
  if (shape.quantile) {
    const std::size_t q = shape.quantiles;
    const std::vector<T> frac(shape.grid_frac.begin(), shape.grid_frac.end());
    s.grid_lo.upload(shape.grid_lo, s.stream);
    s.grid_hi.upload(shape.grid_hi, s.stream);
    s.grid_frac.upload(frac, s.stream);
    s.level_lo.allocate(L * q);
    s.level_frac.allocate(L * q);
    s.dgrid.allocate(s.cx * L * q);
    s.dsorted.allocate(L * s.nx);
  }
  // CUB's scratch, sized once for these shapes.
  s.sort_x();  // with null scratch: only asks for the size
  s.sort_temp_x.allocate(std::max<std::size_t>(s.sort_bytes_x, 1));
  s.sort_y();
  s.sort_temp_y.allocate(std::max<std::size_t>(s.sort_bytes_y, 1));
  check(cudaStreamSynchronize(s.stream), "cudaStreamSynchronize (setup)");
}

template <class T>
void DeviceStepImpl<T>::pairwise(const T* theta, const std::uint32_t* level_lo, const T* level_frac, const T* x,
                                 const T* y, std::vector<double>& sw) {
  StepBuffers<T>& s = s_;
  const std::size_t L = s.shape.count, d = s.shape.dim, q = s.shape.quantiles;
  s.theta.upload(theta, L * d, s.stream);
  s.x.upload(x, s.nx * d, s.stream);
  s.y.upload(y, s.ny * d, s.stream);
  if (s.shape.quantile) {
    s.level_lo.upload(level_lo, L * q, s.stream);
    s.level_frac.upload(level_frac, L * q, s.stream);
  }
  // proj (L x rows, row-major) = Theta X^T: column-major (rows x L) = X (rows x d) Theta^T.
  const auto L_ = static_cast<int>(L), d_ = static_cast<int>(d);
  check(gemm(s.blas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(s.nx), L_, d_, s.x.data, d_, s.theta.data, d_,
             s.proj_x.data, static_cast<int>(s.nx)),
        "cuBLAS gemm (project source)");
  check(gemm(s.blas, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(s.ny), L_, d_, s.y.data, d_, s.theta.data, d_,
             s.proj_y.data, static_cast<int>(s.ny)),
        "cuBLAS gemm (project target)");
  s.sort_x();
  s.sort_y();
  const std::size_t per_class = L * s.embed;
  embed_kernel<T><<<blocks_for(s.cx * per_class), kThreads, 0, s.stream>>>(
      s.embedding.data, s.sorted_x.data, s.nx, s.offsets_x.data, 0, s.cx, L, s.embed, s.shape.quantile,
      s.grid_lo.data, s.grid_hi.data, s.grid_frac.data, s.level_lo.data, s.level_frac.data);
  embed_kernel<T><<<blocks_for(s.cy * per_class), kThreads, 0, s.stream>>>(
      s.embedding.data, s.sorted_y.data, s.ny, s.offsets_y.data, s.cx, s.cy, L, s.embed, s.shape.quantile,
      s.grid_lo.data, s.grid_hi.data, s.grid_frac.data, s.level_lo.data, s.level_frac.data);
  check(cudaGetLastError(), "embed_kernel");
  check(cudaMemsetAsync(s.sw.data, 0, s.k * s.k * sizeof(double), s.stream), "cudaMemsetAsync");
  const std::size_t pairs = s.k * (s.k - 1) / 2;
  if (pairs > 0)
    pairwise_kernel<T><<<static_cast<unsigned>(pairs), kThreads, 0, s.stream>>>(s.embedding.data, per_class, s.k,
                                                                                s.shape.power, s.sw.data);
  check(cudaGetLastError(), "pairwise_kernel");
  sw.resize(s.k * s.k);
  check(cudaMemcpyAsync(sw.data(), s.sw.data, sw.size() * sizeof(double), cudaMemcpyDeviceToHost, s.stream),
        "cudaMemcpyAsync (pairwise)");
  check(cudaStreamSynchronize(s.stream), "cudaStreamSynchronize (pairwise)");
}

template <class T>
void DeviceStepImpl<T>::velocity(const std::vector<T>& weights, const std::vector<T>& mass_scale, T* velocity) {
  StepBuffers<T>& s = s_;
  const std::size_t L = s.shape.count, d = s.shape.dim, per_class = L * s.embed;
  s.weights.upload(weights, s.stream);
  s.mass.upload(mass_scale, s.stream);
  if (s.shape.power == 2) {
    // grad (C x L E, row-major) = weights (C x k) embeddings (k x L E): column-major (L E x C) = E (L E x k) W (k x C).
    check(gemm(s.blas, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(per_class), static_cast<int>(s.cx),
               static_cast<int>(s.k), s.embedding.data, static_cast<int>(per_class), s.weights.data,
               static_cast<int>(s.k), s.grad.data, static_cast<int>(per_class)),
          "cuBLAS gemm (embedding gradient)");
  } else {
    sign_gradient_kernel<T><<<blocks_for(s.cx * per_class), kThreads, 0, s.stream>>>(
        s.grad.data, s.embedding.data, s.weights.data, s.cx, s.k, per_class);
    check(cudaGetLastError(), "sign_gradient_kernel");
  }
  if (!s.shape.quantile) {
    scatter_sorted_kernel<T><<<blocks_for(L * s.nx), kThreads, 0, s.stream>>>(
        s.slopes.data, s.grad.data, s.perm_x.data, s.class_of_row.data, s.offsets_x.data, s.mass.data, s.nx, L,
        s.embed);
  } else {
    scatter_quantile_kernel<T><<<blocks_for(s.cx * L), kThreads, 0, s.stream>>>(
        s.slopes.data, s.dgrid.data, s.dsorted.data, s.grad.data, s.perm_x.data, s.offsets_x.data, s.mass.data,
        s.grid_lo.data, s.grid_hi.data, s.grid_frac.data, s.level_lo.data, s.level_frac.data, s.cx, s.nx, L,
        s.shape.quantiles);
  }
  check(cudaGetLastError(), "scatter kernel");
  // velocity (rows x d, row-major) = slopes^T Theta: column-major (d x rows) = Theta (d x L) slopes^T (L x rows).
  check(gemm(s.blas, CUBLAS_OP_N, CUBLAS_OP_T, static_cast<int>(d), static_cast<int>(s.nx), static_cast<int>(L),
             s.theta.data, static_cast<int>(d), s.slopes.data, static_cast<int>(s.nx), s.velocity.data,
             static_cast<int>(d)),
        "cuBLAS gemm (pull back)");
  check(cudaMemcpyAsync(velocity, s.velocity.data, s.nx * d * sizeof(T), cudaMemcpyDeviceToHost, s.stream),
        "cudaMemcpyAsync (velocity)");
  check(cudaStreamSynchronize(s.stream), "cudaStreamSynchronize (velocity)");
}

template <class T>
std::string DeviceStepImpl<T>::device_name() const {
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, s_.shape.device) != cudaSuccess) return "unknown CUDA device";
  return prop.name;
}

template <class T>
DeviceStep<T>* make_step(const StepShape* shape, std::string* error) {
  try {
    return new DeviceStepImpl<T>(*shape);
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int wowcuda_device_count(std::string* error) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    *error = cudaGetErrorString(status);
    return 0;
  }
  if (count == 0) *error = "no CUDA device";
  return count;
}

__attribute__((visibility("default"))) DeviceStep<float>* wowcuda_make_step_f32(const StepShape* shape,
                                                                                std::string* error) {
  return make_step<float>(shape, error);
}

__attribute__((visibility("default"))) DeviceStep<double>* wowcuda_make_step_f64(const StepShape* shape,
                                                                                 std::string* error) {
  return make_step<double>(shape, error);
}

}  // extern "C"

}  // namespace wowcuda
