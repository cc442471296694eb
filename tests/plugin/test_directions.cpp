// Projection directions: unit vectors on the sphere, isotropic, reproducible from (seed, step) on every backend.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/directions.hpp"
#include "helpers.hpp"
#include "wow/errors.hpp"

namespace {

template <class T>
std::vector<T> draw(wow::DirectionKind kind, std::uint64_t seed, std::uint64_t step, std::size_t count, std::size_t dim,
                    const wow::ProjectionBackend& backend) {
  std::vector<T> out(count * dim, T(-7));
  wow::draw_directions(kind, seed, step, count, dim, out.data(), backend);
  return out;
}

const char* name_of(wow::DirectionKind kind) {
  return kind == wow::DirectionKind::Gaussian     ? "gaussian"
         : kind == wow::DirectionKind::Orthogonal ? "orthogonal"
                                                  : "qmc";
}

}  // namespace

TEST_CASE("directions: every kind gives unit vectors, the same bits on every backend and thread count",
          "[directions]") {
  auto serial = wowtest::make_backend("serial", 10, "auto");
  auto tbb = wowtest::make_backend("tbb", 10, "auto");
  tbb->set_threads(2);
  for (const auto kind : {wow::DirectionKind::Gaussian, wow::DirectionKind::Orthogonal, wow::DirectionKind::Qmc}) {
    for (const std::size_t dim : {1UL, 2UL, 5UL, 40UL}) {
      for (const std::size_t count : {1UL, 7UL, 100UL}) {
        INFO(name_of(kind) << ", dim " << dim << ", count " << count);
        const auto a = draw<double>(kind, 3, 4, count, dim, *serial);
        const auto b = draw<double>(kind, 3, 4, count, dim, *tbb);
        REQUIRE(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
        for (std::size_t l = 0; l < count; ++l) {
          double norm2 = 0;
          for (std::size_t j = 0; j < dim; ++j) norm2 += a[l * dim + j] * a[l * dim + j];
          REQUIRE(norm2 == Approx(1.0).epsilon(1e-12));
        }
        // Reproducible, and new directions at another step or seed.
        CHECK(draw<double>(kind, 3, 4, count, dim, *serial) == a);
        if (dim > 1) {
          CHECK(draw<double>(kind, 3, 5, count, dim, *serial) != a);
          CHECK(draw<double>(kind, 4, 4, count, dim, *serial) != a);
        }
        // float directions are the double ones rounded (to within float accuracy).
        const auto f = draw<float>(kind, 3, 4, count, dim, *tbb);
        for (std::size_t i = 0; i < a.size(); ++i) REQUIRE(f[i] == Approx(a[i]).margin(1e-6));
      }
    }
  }
}

TEST_CASE("directions: orthogonal blocks of min(d, L) are orthonormal", "[directions]") {
  auto serial = wowtest::make_backend("serial", 10, "auto");
  const std::size_t dim = 6, count = 20;  // blocks of 6, 6, 6, 2
  const auto a = draw<double>(wow::DirectionKind::Orthogonal, 1, 2, count, dim, *serial);
  for (std::size_t first = 0; first < count; first += dim) {
    for (std::size_t i = first; i < std::min(count, first + dim); ++i) {
      for (std::size_t j = first; j < i; ++j) {
        double dot = 0;
        for (std::size_t k = 0; k < dim; ++k) dot += a[i * dim + k] * a[j * dim + k];
        INFO("directions " << i << " and " << j);
        CHECK(std::fabs(dot) < 1e-12);
      }
    }
  }
}

TEST_CASE("directions: every kind is isotropic (E[theta] = 0, E[theta theta^T] = I / d)", "[directions]") {
  auto tbb = wowtest::make_backend("tbb", 10, "auto");
  const std::size_t count = 20000;
  for (const auto kind : {wow::DirectionKind::Gaussian, wow::DirectionKind::Orthogonal, wow::DirectionKind::Qmc}) {
    for (const std::size_t dim : {2UL, 3UL, 10UL}) {
      const auto a = draw<double>(kind, 9, 1, count, dim, *tbb);
      std::vector<double> mean(dim, 0.0), second(dim * dim, 0.0);
      for (std::size_t l = 0; l < count; ++l)
        for (std::size_t i = 0; i < dim; ++i) {
          mean[i] += a[l * dim + i] / count;
          for (std::size_t j = 0; j < dim; ++j) second[i * dim + j] += a[l * dim + i] * a[l * dim + j] / count;
        }
      INFO(name_of(kind) << ", dim " << dim);
      for (std::size_t i = 0; i < dim; ++i) {
        CHECK(std::fabs(mean[i]) < 0.03);
        for (std::size_t j = 0; j < dim; ++j)
          CHECK(std::fabs(second[i * dim + j] - (i == j ? 1.0 / static_cast<double>(dim) : 0.0)) < 0.02);
      }
    }
  }
}

TEST_CASE("directions: the spec's directions parameter reaches the engine", "[directions]") {
  CHECK(wow::parse_direction_kind("qmc") == wow::DirectionKind::Qmc);
  CHECK_THROWS_AS(wow::parse_direction_kind("sobol"), wow::InputError);
  const auto cloud = wowtest::random_cloud({6, 6}, 4, 1);
  auto functional = wowtest::make_mmd(wowtest::all_kernels()[0], 2, 2);
  for (const std::string kind : {"gaussian", "orthogonal", "qmc"}) {
    const auto node = wowtest::registry().resolve_node(
        "projections", wowtest::Json{{"type", "serial"}, {"params", {{"count", 9}, {"directions", kind}}}},
        "projections");
    auto backend = wowtest::registry().create<wow::ProjectionBackend>(node, "projections");
    wow::SlicedEngine<double> engine(cloud.layout, cloud.layout, 4, backend->settings(), 2);
    engine.evaluate(cloud.points.data(), cloud.points.data(), 2, 3, *functional, *backend, nullptr);
    INFO(kind);
    CHECK(engine.directions() == draw<double>(backend->settings().directions, 2, 3, 9, 4, *backend));
  }
}

TEST_CASE("directions: in high dimension no kind draws near-duplicate directions within a step", "[directions]") {
  // Plain Halton with a shared shift makes all directions nearly equal when L < the bases (d = 784): every kind must
  // stay as spread as independent directions, whose largest |cos| among 100 is about 0.2 in d = 784.
  auto serial = wowtest::make_backend("serial", 10, "auto");
  for (const auto kind : {wow::DirectionKind::Gaussian, wow::DirectionKind::Orthogonal, wow::DirectionKind::Qmc}) {
    INFO(name_of(kind));
    const std::size_t dim = 784, count = 100;
    const auto theta = draw<double>(kind, 1, 2, count, dim, *serial);
    double worst = 0.0;
    for (std::size_t a = 0; a < count; ++a)
      for (std::size_t b = a + 1; b < count; ++b) {
        double dot = 0.0;
        for (std::size_t i = 0; i < dim; ++i) dot += theta[a * dim + i] * theta[b * dim + i];
        worst = std::max(worst, std::fabs(dot));
      }
    CHECK(worst < 0.3);
  }
}
