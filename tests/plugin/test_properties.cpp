// Properties of the sliced distances and of F that hold exactly or to rounding.
#include <algorithm>
#include <cmath>

#include "helpers.hpp"
#include "wow/errors.hpp"

using wowtest::Json;

namespace {

const Json kGaussian = Json::parse(R"({"type": "gaussian_sw", "params": {"h": 0.5}})");

// Source and target built from one random cloud: target class `tk` is a copy of source class `sc`.
struct SharedClass {
  wow::LabeledCloud<double> src, tgt;
};

SharedClass shared_class(const std::vector<std::size_t>& src_sizes, const std::vector<std::size_t>& tgt_sizes,
                         std::size_t d, std::size_t sc, std::size_t tk, std::uint32_t seed) {
  SharedClass s{wowtest::random_cloud(src_sizes, d, seed), wowtest::random_cloud(tgt_sizes, d, seed + 1)};
  REQUIRE(src_sizes[sc] == tgt_sizes[tk]);
  std::copy(s.src.row(s.src.layout.offsets[sc]), s.src.row(s.src.layout.offsets[sc + 1]),
            s.tgt.row(s.tgt.layout.offsets[tk]));
  return s;
}

}  // namespace

TEST_CASE("properties: SW(mu, mu) = 0 exactly in the pairwise matrix", "[properties]") {
  for (const std::string estimator : {"sorted", "quantile"}) {
    for (const std::size_t d : {3UL, 20UL}) {
      // 150 points per class: the copies sit in different row blocks of the projection GEMMs.
      const std::size_t n = 150;
      const auto s = shared_class({n, n, n}, {n, n}, d, 1, 0, 21);
      auto functional = wowtest::make_mmd(kGaussian, 3, 2);
      for (const std::string backend_type : {"serial", "tbb"}) {
        auto backend = wowtest::make_backend(backend_type, 40, estimator);
        wow::SlicedEngine<double> engine(s.src.layout, s.tgt.layout, d, backend->settings(), 2);
        engine.evaluate(s.src.points.data(), s.tgt.points.data(), 5, 0, *functional, *backend, nullptr);
        const auto& pw = engine.pairwise();
        INFO("estimator " << estimator << ", d " << d << ", backend " << backend_type);
        CHECK(pw.at(1, 3) == 0.0);
        CHECK(pw.at(3, 1) == 0.0);
        for (std::size_t a = 0; a < pw.size(); ++a) {
          CHECK(pw.at(a, a) == 0.0);
          for (std::size_t b = 0; b < pw.size(); ++b) {
            CHECK(pw.at(a, b) == pw.at(b, a));
            if (a != b && !((a == 1 && b == 3) || (a == 3 && b == 1))) CHECK(pw.at(a, b) > 0.0);
          }
        }
      }
    }
  }
  // Unequal sizes (quantile): the shared class has 7 points on both sides.
  const auto s = shared_class({5, 7, 6}, {8, 7}, 3, 1, 1, 22);
  auto functional = wowtest::make_mmd(kGaussian, 3, 2);
  auto backend = wowtest::make_backend("serial", 30, "quantile");
  wow::SlicedEngine<double> engine(s.src.layout, s.tgt.layout, 3, backend->settings(), 2);
  engine.evaluate(s.src.points.data(), s.tgt.points.data(), 5, 0, *functional, *backend, nullptr);
  CHECK(engine.pairwise().at(1, 4) == 0.0);
  // SW_1 too.
  auto laplace = wowtest::make_mmd(Json::parse(R"({"type": "laplace_sw", "params": {"h": 0.5}})"), 3, 2);
  wow::SlicedEngine<double> engine1(s.src.layout, s.tgt.layout, 3, backend->settings(), 1);
  engine1.evaluate(s.src.points.data(), s.tgt.points.data(), 5, 0, *laplace, *backend, nullptr);
  CHECK(engine1.pairwise().at(1, 4) == 0.0);
}

TEST_CASE("properties: d = 1 with directions +1, SW_2^2 (sorted) is the exact 1-D W_2^2", "[properties]") {
  const std::size_t n = 9, L = 3;
  const auto src = wowtest::random_cloud({n, n}, 1, 31, 2.0);
  const auto tgt = wowtest::random_cloud({n, n, n}, 1, 32, 0.5);
  auto functional = wowtest::make_mmd(kGaussian, 2, 3);
  auto backend = wowtest::make_backend("serial", L, "sorted");
  wow::SlicedEngine<double> engine(src.layout, tgt.layout, 1, backend->settings(), 2);
  engine.set_fixed_directions(std::vector<double>(L, 1.0));
  engine.evaluate(src.points.data(), tgt.points.data(), 0, 0, *functional, *backend, nullptr);
  auto sorted_class = [n](const wow::LabeledCloud<double>& cloud, std::size_t c) {
    std::vector<double> v(cloud.points.begin() + static_cast<std::ptrdiff_t>(c * n),
                          cloud.points.begin() + static_cast<std::ptrdiff_t>((c + 1) * n));
    std::sort(v.begin(), v.end());
    return v;
  };
  std::vector<std::vector<double>> classes;
  for (std::size_t c = 0; c < 2; ++c) classes.push_back(sorted_class(src, c));
  for (std::size_t c = 0; c < 3; ++c) classes.push_back(sorted_class(tgt, c));
  for (std::size_t a = 0; a < 5; ++a) {
    for (std::size_t b = 0; b < 5; ++b) {
      double w2 = 0;
      for (std::size_t i = 0; i < n; ++i) w2 += (classes[a][i] - classes[b][i]) * (classes[a][i] - classes[b][i]);
      w2 /= static_cast<double>(n);
      INFO("classes " << a << ", " << b);
      CHECK(engine.pairwise().at(a, b) == Approx(w2).epsilon(1e-13).margin(1e-300));
    }
  }
}

TEST_CASE("properties: translation, SW_2^2(mu, mu + t) = mean_l (theta_l . t)^2", "[properties]") {
  const std::size_t d = 4, L = 11, n = 10;
  const std::vector<double> t{0.3, -1.2, 0.7, 2.0};
  auto src = wowtest::random_cloud({n}, d, 41);
  wow::LabeledCloud<double> tgt = src;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) tgt.row(i)[j] += t[j];
  const auto theta = wowtest::random_directions<double>(L, d, 42);
  double expected2 = 0, expected1 = 0;
  for (std::size_t l = 0; l < L; ++l) {
    double dot = 0;
    for (std::size_t j = 0; j < d; ++j) dot += theta[l * d + j] * t[j];
    expected2 += dot * dot / static_cast<double>(L);
    expected1 += std::fabs(dot) / static_cast<double>(L);
  }
  for (const std::string estimator : {"sorted", "quantile"}) {
    INFO("estimator " << estimator);
    auto backend = wowtest::make_backend("serial", L, estimator);
    auto functional = wowtest::make_mmd(kGaussian, 1, 1);
    wow::SlicedEngine<double> engine(src.layout, tgt.layout, d, backend->settings(), 2);
    engine.set_fixed_directions(theta);
    engine.evaluate(src.points.data(), tgt.points.data(), 0, 0, *functional, *backend, nullptr);
    CHECK(engine.pairwise().at(0, 1) == Approx(expected2).epsilon(1e-12));
    // SW_1 (p = 1) is the mean of |theta_l . t|.
    auto laplace = wowtest::make_mmd(Json::parse(R"({"type": "laplace_sw", "params": {"h": 0.5}})"), 1, 1);
    wow::SlicedEngine<double> engine1(src.layout, tgt.layout, d, backend->settings(), 1);
    engine1.set_fixed_directions(theta);
    engine1.evaluate(src.points.data(), tgt.points.data(), 0, 0, *laplace, *backend, nullptr);
    CHECK(engine1.pairwise().at(0, 1) == Approx(expected1).epsilon(1e-12));
  }
}

TEST_CASE("properties: one class against one class, F is the kernel formula", "[properties][kernels]") {
  // C = M = 1: F = 1/2 [K(0) + K(0) - 2 K(S)] = K(0) - K(S).
  const std::size_t d = 3, n = 8, L = 9;
  const auto src = wowtest::random_cloud({n}, d, 51);
  const auto tgt = wowtest::random_cloud({n}, d, 52);
  auto backend = wowtest::make_backend("serial", L, "sorted");
  struct KernelFormula {
    std::string json;
    double (*k)(double);
  };
  const std::vector<KernelFormula> formulas{
      {R"({"type": "gaussian_sw", "params": {"h": 0.5}})", [](double s) { return std::exp(-s / (2 * 0.5)); }},
      {R"({"type": "gaussian_sw", "params": {"h": 0.05}})", [](double s) { return std::exp(-s / (2 * 0.05)); }},
      {R"({"type": "riesz_sw", "params": {"r": 1}})", [](double s) { return -std::sqrt(s); }},
      {R"({"type": "riesz_sw", "params": {"r": 1.5}})", [](double s) { return -std::pow(s, 0.75); }},
      {R"({"type": "riesz_sw", "params": {"r": 2}})", [](double s) { return -s; }},
      {R"({"type": "laplace_sw", "params": {"h": 0.5}})", [](double s) { return std::exp(-s / 0.5); }},
      {R"({"type": "imq_sw", "params": {"h": 1}})", [](double s) { return 1 / std::sqrt(1 + s); }},
      {R"({"type": "imq_sw", "params": {"h": 0.2}})", [](double s) { return 1 / std::sqrt(0.2 + s); }},
  };
  for (const auto& kf : formulas) {
    auto functional = wowtest::make_mmd(Json::parse(kf.json), 1, 1);
    wow::SlicedEngine<double> engine(src.layout, tgt.layout, d, backend->settings(), functional->sw_power());
    const auto v = engine.evaluate(src.points.data(), tgt.points.data(), 0, 0, *functional, *backend, nullptr);
    const double s = engine.pairwise().at(0, 1);
    INFO(kf.json << ": S = " << s);
    CHECK(s > 0);
    CHECK(v.value == Approx(kf.k(0) - kf.k(s)).epsilon(1e-12));
  }
}

TEST_CASE("properties: MMD^2 >= 0 for random datasets, every kernel, both estimators", "[properties]") {
  struct Shapes {
    std::vector<std::size_t> src, tgt;
    std::string estimator;
  };
  const std::vector<Shapes> shapes{{{6, 6, 6}, {6, 6}, "sorted"},
                                   {{6, 6, 6}, {6, 6}, "quantile"},
                                   {{5, 7, 6}, {8, 4}, "quantile"},
                                   {{1, 2}, {3, 1, 2, 2}, "quantile"}};
  double lowest = 1.0;
  for (const auto& kernel : wowtest::all_kernels()) {
    for (const auto& sh : shapes) {
      for (std::uint32_t seed = 0; seed < 12; ++seed) {
        // Small spreads make classes nearly equal: the hard case for a negative rounding residue.
        const double spread = seed % 3 == 0 ? 1e-3 : 1.0;
        auto src = wowtest::random_cloud(sh.src, 2, 100 + seed, spread);
        auto tgt = wowtest::random_cloud(sh.tgt, 2, 200 + seed, spread);
        if (seed % 4 == 1) {
          // Target drawn like the source: F small.
          tgt = wowtest::random_cloud(sh.tgt, 2, 100 + seed, spread);
        }
        Json weights = Json::object();
        if (seed % 2 == 1) {
          std::vector<double> w(sh.src.size(), 0.0), v(sh.tgt.size(), 0.0);
          double ws = 0, vs = 0;
          for (std::size_t c = 0; c < w.size(); ++c) ws += (w[c] = 1.0 + static_cast<double>(c));
          for (std::size_t c = 0; c < v.size(); ++c) vs += (v[c] = 3.0 - static_cast<double>(c % 3));
          for (auto& x : w) x /= ws;
          for (auto& x : v) x /= vs;
          weights = Json{{"source_weights", w}, {"target_weights", v}};
        }
        auto functional = wowtest::make_mmd(kernel, src.classes(), tgt.classes(), weights);
        auto backend = wowtest::make_backend("serial", 20, sh.estimator);
        wow::SlicedEngine<double> engine(src.layout, tgt.layout, 2, backend->settings(), functional->sw_power());
        const double f =
            engine.evaluate(src.points.data(), tgt.points.data(), seed, seed, *functional, *backend, nullptr).value;
        INFO("kernel " << kernel.dump() << ", estimator " << sh.estimator << ", seed " << seed << ": F = " << f);
        CHECK(std::isfinite(f));
        CHECK(f >= -1e-12);
        lowest = std::min(lowest, f);
      }
    }
  }
  // F of a dataset against itself is 0.
  for (const auto& kernel : wowtest::all_kernels()) {
    const auto cloud = wowtest::random_cloud({6, 6, 6}, 3, 300);
    auto functional = wowtest::make_mmd(kernel, 3, 3);
    for (const std::string estimator : {"sorted", "quantile"}) {
      auto backend = wowtest::make_backend("serial", 20, estimator);
      wow::SlicedEngine<double> engine(cloud.layout, cloud.layout, 3, backend->settings(), functional->sw_power());
      const double f =
          engine.evaluate(cloud.points.data(), cloud.points.data(), 0, 0, *functional, *backend, nullptr).value;
      INFO("kernel " << kernel.dump() << ", estimator " << estimator);
      CHECK(std::fabs(f) <= 1e-14);
    }
  }
}

TEST_CASE("properties: Riesz kernel where SW = 0 gives finite F and velocity", "[properties][riesz]") {
  for (const double r : {1.0, 1.5, 2.0}) {
    const Json kernel{{"type", "riesz_sw"}, {"params", {{"r", r}}}};
    for (const std::string estimator : {"sorted", "quantile"}) {
      INFO("r = " << r << ", estimator " << estimator);
      // Source identical to target: every source class has SW = 0 to its twin.
      const auto cloud = wowtest::random_cloud({6, 6, 6}, 3, 400);
      auto functional = wowtest::make_mmd(kernel, 3, 3);
      auto backend = wowtest::make_backend("serial", 15, estimator);
      {
        wow::SlicedEngine<double> engine(cloud.layout, cloud.layout, 3, backend->settings(), 2);
        std::vector<double> velocity(cloud.points.size(), std::nan(""));
        const auto v =
            engine.evaluate(cloud.points.data(), cloud.points.data(), 0, 0, *functional, *backend, velocity.data());
        CHECK(std::isfinite(v.value));
        CHECK(std::fabs(v.value) <= 1e-14);
        for (double g : velocity) REQUIRE(std::isfinite(g));
        // The exact minimiser: the gradient vanishes (up to rounding of the slopes' cancellation).
        for (double g : velocity) CHECK(std::fabs(g) <= 1e-10);
      }
      {
        // Every class the same cloud: all of the pairwise matrix is 0, F = 0 and the velocity is exactly 0.
        wow::LabeledCloud<double> same = cloud;
        for (std::size_t c = 1; c < 3; ++c) std::copy(same.row(0), same.row(6), same.row(6 * c));
        wow::SlicedEngine<float> engine(same.layout, same.layout, 3, backend->settings(), 2);
        const auto x = same.cast<float>();
        std::vector<float> velocity(x.points.size(), std::nanf(""));
        const auto v = engine.evaluate(x.points.data(), x.points.data(), 0, 0, *functional, *backend, velocity.data());
        CHECK(v.value == 0.0);
        for (float g : velocity) REQUIRE(std::isfinite(g));
        if (r < 2.0)
          for (float g : velocity) CHECK(g == 0.0F);
      }
      {
        // One source point on top of a single-point target class: SW = 0 between them, others not.
        wow::LabeledCloud<double> src = wowtest::random_cloud({1, 1}, 2, 401);
        wow::LabeledCloud<double> tgt = src;
        auto f2 = wowtest::make_mmd(kernel, 2, 2);
        auto b2 = wowtest::make_backend("serial", 15, estimator);
        wow::SlicedEngine<double> engine(src.layout, tgt.layout, 2, b2->settings(), 2);
        std::vector<double> velocity(src.points.size(), std::nan(""));
        const auto v = engine.evaluate(src.points.data(), tgt.points.data(), 0, 0, *f2, *b2, velocity.data());
        CHECK(std::isfinite(v.value));
        for (double g : velocity) CHECK(std::isfinite(g));
      }
    }
  }
}

TEST_CASE("mmd: class weights are checked when preparing", "[mmd]") {
  auto bad = [](const Json& extra, std::size_t C, std::size_t M) {
    try {
      wowtest::make_mmd(kGaussian, C, M, extra);
    } catch (const wow::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(bad(Json{{"source_weights", {0.5, 0.5}}}, 3, 2), Catch::Contains("functional.params.source_weights"));
  CHECK_THAT(bad(Json{{"target_weights", {0.5, 0.6}}}, 3, 2), Catch::Contains("functional.params.target_weights"));
  CHECK_THAT(bad(Json{{"target_weights", {1.5, -0.5}}}, 3, 2), Catch::Contains("functional.params.target_weights"));
  CHECK(bad(Json{{"source_weights", {0.25, 0.25, 0.5}}}, 3, 2) == "no error");
  CHECK_THAT(bad(Json{{"kernel_x", 1}}, 3, 2), Catch::Contains("functional.params.kernel_x"));
  // The kernel parameter is checked with its full path.
  try {
    wowtest::make_mmd(Json::parse(R"({"type": "riesz_sw", "params": {"r": 3}})"), 3, 2);
    FAIL("r = 3 accepted");
  } catch (const wow::InputError& e) {
    CHECK_THAT(std::string(e.what()), Catch::StartsWith("functional.params.kernel.params.r"));
  }
}

TEST_CASE("engine: sorted estimator with unequal sizes is refused", "[engine]") {
  auto backend = wowtest::make_backend("serial", 5, "sorted");
  CHECK_THROWS_AS(wow::SlicedEngine<double>(wow::ClassLayout::from_sizes({5, 7}), wow::ClassLayout::uniform(2, 5), 2,
                                            backend->settings(), 2),
                  wow::InputError);
  CHECK_THROWS_AS(wow::SlicedEngine<float>(wow::ClassLayout::uniform(2, 5), wow::ClassLayout::uniform(2, 6), 2,
                                           backend->settings(), 2),
                  wow::InputError);
  auto autob = wowtest::make_backend("serial", 5, "auto");
  CHECK(wow::SlicedEngine<float>(wow::ClassLayout::uniform(2, 5), wow::ClassLayout::uniform(2, 6), 2, autob->settings(),
                                 2)
            .estimator() == wow::Estimator::Quantile);
  CHECK(wow::SlicedEngine<float>(wow::ClassLayout::uniform(2, 5), wow::ClassLayout::uniform(3, 5), 2, autob->settings(),
                                 2)
            .estimator() == wow::Estimator::Sorted);
}

TEST_CASE("engine: random directions are unit vectors and depend on (seed, step) only", "[engine]") {
  const auto src = wowtest::random_cloud({6, 6}, 5, 500);
  auto functional = wowtest::make_mmd(kGaussian, 2, 2);
  auto serial = wowtest::make_backend("serial", 50, "sorted");
  auto tbb = wowtest::make_backend("tbb", 50, "sorted");
  wow::SlicedEngine<double> a(src.layout, src.layout, 5, serial->settings(), 2);
  wow::SlicedEngine<double> b(src.layout, src.layout, 5, tbb->settings(), 2);
  a.evaluate(src.points.data(), src.points.data(), 3, 9, *functional, *serial, nullptr);
  b.evaluate(src.points.data(), src.points.data(), 3, 9, *functional, *tbb, nullptr);
  CHECK(a.directions() == b.directions());
  for (std::size_t l = 0; l < 50; ++l) {
    double norm2 = 0;
    for (std::size_t j = 0; j < 5; ++j) norm2 += a.directions()[l * 5 + j] * a.directions()[l * 5 + j];
    CHECK(norm2 == Approx(1.0).epsilon(1e-14));
  }
  const auto first = a.directions();
  a.evaluate(src.points.data(), src.points.data(), 3, 10, *functional, *serial, nullptr);
  CHECK(a.directions() != first);
  a.evaluate(src.points.data(), src.points.data(), 4, 9, *functional, *serial, nullptr);
  CHECK(a.directions() != first);
  a.evaluate(src.points.data(), src.points.data(), 3, 9, *functional, *serial, nullptr);
  CHECK(a.directions() == first);
  CHECK_THROWS_AS(a.set_fixed_directions(std::vector<double>(7, 1.0)), wow::InputError);
}
