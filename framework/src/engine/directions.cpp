#include "engine/directions.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/rng.hpp"
#include "wow/errors.hpp"

extern "C" {
// LAPACK (shipped inside OpenBLAS): Householder QR and the explicit orthonormal factor.
void dgeqrf_(const int* m, const int* n, double* a, const int* lda, double* tau, double* work, const int* lwork,
             int* info);
void dorgqr_(const int* m, const int* n, const int* k, double* a, const int* lda, const double* tau, double* work,
             const int* lwork, int* info);
}

namespace wow {

namespace {

constexpr std::size_t kDirectionsPerTask = 16;

// Per-thread buffer of one direction in double: grows once, so drawing allocates nothing per step.
std::vector<double>& scratch(std::size_t dim) {
  thread_local std::vector<double> buffer;
  buffer.resize(dim);
  return buffer;
}

template <class T>
void normalise_into(const double* v, std::size_t dim, T* out) {
  double norm2 = 0.0;
  for (std::size_t i = 0; i < dim; ++i) norm2 += v[i] * v[i];
  const double inv = norm2 > 0.0 ? 1.0 / std::sqrt(norm2) : 0.0;
  for (std::size_t i = 0; i < dim; ++i) out[i] = static_cast<T>(v[i] * inv);
}

template <class T>
void gaussian_directions(std::uint64_t seed, std::uint64_t step, std::size_t count, std::size_t dim, T* out,
                         const ProjectionBackend& backend) {
  backend.for_each_block((count + kDirectionsPerTask - 1) / kDirectionsPerTask, [&](std::size_t task) {
    std::vector<double>& v = scratch(dim);
    for (std::size_t l = task * kDirectionsPerTask; l < std::min(count, (task + 1) * kDirectionsPerTask); ++l) {
      auto stream = rng::stream(seed, rng::Purpose::Directions, step, l);
      stream.normals(v.data(), dim);
      normalise_into(v.data(), dim, out + l * dim);
    }
  });
}

template <class T>
void orthogonal_directions(std::uint64_t seed, std::uint64_t step, std::size_t count, std::size_t dim, T* out,
                           const ProjectionBackend& backend) {
  const std::size_t block = std::min(count, dim);
  const std::size_t blocks = (count + block - 1) / block;
  backend.for_each_block(blocks, [&](std::size_t b) {
    const std::size_t first = b * block;
    const int k = static_cast<int>(std::min(block, count - first));
    const int m = static_cast<int>(dim);
    // Column-major dim x k: column j is direction first + j, from that direction's own stream.
    std::vector<double> a(dim * static_cast<std::size_t>(k)), tau(static_cast<std::size_t>(k));
    for (int j = 0; j < k; ++j) {
      auto stream = rng::stream(seed, rng::Purpose::Directions, step, first + static_cast<std::size_t>(j));
      stream.normals(a.data() + static_cast<std::size_t>(j) * dim, dim);
    }
    int info = 0, lwork = -1;
    double query = 0.0;
    dgeqrf_(&m, &k, a.data(), &m, tau.data(), &query, &lwork, &info);
    lwork = std::max(1, static_cast<int>(query));
    std::vector<double> work(static_cast<std::size_t>(lwork));
    dgeqrf_(&m, &k, a.data(), &m, tau.data(), work.data(), &lwork, &info);
    // Signs of R's diagonal: multiplying Q's columns by them makes the frame Haar-distributed.
    std::vector<double> sign(static_cast<std::size_t>(k));
    for (int j = 0; j < k; ++j)
      sign[static_cast<std::size_t>(j)] =
          a[static_cast<std::size_t>(j) * dim + static_cast<std::size_t>(j)] < 0 ? -1.0 : 1.0;
    lwork = -1;
    dorgqr_(&m, &k, &k, a.data(), &m, tau.data(), &query, &lwork, &info);
    lwork = std::max(1, static_cast<int>(query));
    work.resize(static_cast<std::size_t>(lwork));
    dorgqr_(&m, &k, &k, a.data(), &m, tau.data(), work.data(), &lwork, &info);
    for (int j = 0; j < k; ++j) {
      T* row = out + (first + static_cast<std::size_t>(j)) * dim;
      for (std::size_t i = 0; i < dim; ++i)
        row[i] = static_cast<T>(sign[static_cast<std::size_t>(j)] * a[static_cast<std::size_t>(j) * dim + i]);
    }
  });
}

// Acklam's rational approximation of the inverse normal CDF (relative error < 1.2e-9), for p in (0, 1).
double inverse_normal_cdf(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  constexpr double low = 0.02425;
  if (p < low) {
    const double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) {
    const double q = std::sqrt(-2 * std::log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

std::vector<std::uint32_t> first_primes(std::size_t count) {
  std::vector<std::uint32_t> list;
  for (std::uint32_t candidate = 2; list.size() < count; ++candidate) {
    bool prime = true;
    for (auto p : list) {
      if (p * p > candidate) break;
      if (candidate % p == 0) {
        prime = false;
        break;
      }
    }
    if (prime) list.push_back(candidate);
  }
  return list;
}

// One coordinate's randomisation for a step: an affine permutation of the digits at each level
// (a x + c mod b, a != 0: Matousek's linear scrambling) and the number of digit levels used.
struct DigitScramble {
  std::uint32_t base = 2, levels = 1;
  std::vector<std::uint32_t> a, c;
};

template <class T>
void qmc_directions(std::uint64_t seed, std::uint64_t step, std::size_t count, std::size_t dim, T* out,
                    const ProjectionBackend& backend) {
  // Scrambled Halton: coordinate j uses base p_j with its digits scrambled per step. Each coordinate of the set is
  // stratified (for count < p_j the points fill distinct cells of width 1/p_j, like a Latin hypercube) while the
  // scrambles decorrelate coordinates, which plain Halton does not do in high dimension. A uniform jitter inside
  // the finest cell makes every point exactly uniform, so each direction is uniform on the sphere.
  const std::vector<std::uint32_t> bases = first_primes(dim);
  std::vector<DigitScramble> scrambles(dim);
  auto stream = rng::stream(seed, rng::Purpose::Directions, step, ~std::uint64_t{0});
  for (std::size_t j = 0; j < dim; ++j) {
    DigitScramble& s = scrambles[j];
    s.base = bases[j];
    s.levels = 1;
    for (std::uint64_t reach = s.base; reach < count; reach *= s.base) ++s.levels;
    for (std::uint32_t k = 0; k < s.levels; ++k) {
      s.a.push_back(1 + static_cast<std::uint32_t>(stream.below(s.base - 1)));
      s.c.push_back(static_cast<std::uint32_t>(stream.below(s.base)));
    }
  }
  backend.for_each_block((count + kDirectionsPerTask - 1) / kDirectionsPerTask, [&](std::size_t task) {
    std::vector<double>& v = scratch(dim);
    for (std::size_t l = task * kDirectionsPerTask; l < std::min(count, (task + 1) * kDirectionsPerTask); ++l) {
      auto jitter = rng::stream(seed, rng::Purpose::Directions, step, l);
      for (std::size_t j = 0; j < dim; ++j) {
        const DigitScramble& s = scrambles[j];
        double u = 0.0, scale = 1.0;
        std::uint64_t index = l;
        for (std::uint32_t k = 0; k < s.levels; ++k) {
          scale /= s.base;
          const auto digit = static_cast<std::uint32_t>(index % s.base);
          index /= s.base;
          u += scale * static_cast<double>((static_cast<std::uint64_t>(s.a[k]) * digit + s.c[k]) % s.base);
        }
        u += scale * jitter.uniform();
        v[j] = inverse_normal_cdf(std::clamp(u, 1e-15, 1.0 - 1e-15));
      }
      normalise_into(v.data(), dim, out + l * dim);
    }
  });
}

}  // namespace

template <class T>
void draw_directions(DirectionKind kind, std::uint64_t seed, std::uint64_t step, std::size_t count, std::size_t dim,
                     T* out, const ProjectionBackend& backend) {
  switch (kind) {
    case DirectionKind::Gaussian:
      return gaussian_directions(seed, step, count, dim, out, backend);
    case DirectionKind::Orthogonal:
      return orthogonal_directions(seed, step, count, dim, out, backend);
    case DirectionKind::Qmc:
      return qmc_directions(seed, step, count, dim, out, backend);
  }
}

DirectionKind parse_direction_kind(const std::string& name) {
  if (name == "gaussian") return DirectionKind::Gaussian;
  if (name == "orthogonal") return DirectionKind::Orthogonal;
  if (name == "qmc") return DirectionKind::Qmc;
  throw InputError("projections.params.directions: unknown \"" + name + "\"; valid: gaussian, orthogonal, qmc");
}

template void draw_directions(DirectionKind, std::uint64_t, std::uint64_t, std::size_t, std::size_t, float*,
                              const ProjectionBackend&);
template void draw_directions(DirectionKind, std::uint64_t, std::uint64_t, std::size_t, std::size_t, double*,
                              const ProjectionBackend&);

}  // namespace wow
