// Plugin loading, datasets and solvers.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "core/component_catalog.hpp"
#include "data/npy.hpp"
#include "helpers.hpp"
#include "wow/errors.hpp"

using wowtest::Json;
using wowtest::TempDir;
using wowtest::write_file;
namespace fs = std::filesystem;

namespace {

std::string load_error(const std::string& path) {
  wow::PluginSet plugins;
  wow::Registry registry;
  try {
    plugins.load(path, registry);
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("plugins: every component type of the build is registered", "[plugins]") {
  auto& r = wowtest::registry();
  for (const char* k : {"gaussian_sw", "imq_sw", "laplace_sw", "riesz_sw"}) CHECK(r.find("kernel", k) != nullptr);
  CHECK(r.find("functional", "mmd") != nullptr);
  for (const char* s : {"forward_euler", "momentum"}) CHECK(r.find("solver", s) != nullptr);
  for (const char* p : {"serial", "tbb"}) CHECK(r.find("projections", p) != nullptr);
  for (const char* d : {"rings", "rings_source", "gaussian_blobs", "npy"}) CHECK(r.find("dataset", d) != nullptr);
  // Each type knows the file it came from.
  REQUIRE(r.find("kernel", "riesz_sw") != nullptr);
  CHECK_THAT(r.find("kernel", "riesz_sw")->origin, Catch::EndsWith(".so"));
  CHECK_THAT(r.find("kernel", "riesz_sw")->origin, Catch::Contains(wowtest::plugin_dir()));
}

TEST_CASE("plugins: the catalog of known components matches the plugins of the build", "[plugins]") {
  // A spec naming a component this build left out gets a hint from the catalog (core/component_catalog.cpp), so the
  // catalog must list every component the tree's plugins register, and every core entry must be built here.
  auto& r = wowtest::registry();
  for (const auto* info : r.list()) {
    INFO(info->kind << " " << info->type << " from " << info->origin);
    CHECK_FALSE(wow::not_built_hint(info->kind, info->type).empty());
  }
  for (const auto& c : wow::known_components()) {
    INFO(c.kind << " " << c.type);
    if (const auto* info = r.find(c.kind, c.type); info != nullptr)
      CHECK_THAT(info->origin, Catch::EndsWith("/" + c.library + ".so"));
    else
      CHECK(c.optional);
  }
  CHECK(wow::not_built_hint("kernel", "no_such_kernel").empty());
  CHECK_THAT(wow::not_built_hint("callback", "transfer_eval"), Catch::Contains("libtorch-dev"));
  CHECK_THAT(wow::not_built_hint("projections", "cuda"), Catch::Contains("CUDA toolkit"));
  CHECK_THAT(wow::not_built_hint("kernel", "gaussian_sw"), Catch::Contains("cmake --build"));
}

TEST_CASE("plugins: libraries that cannot be used are refused, naming the file", "[plugins]") {
  TempDir tmp;
  SECTION("a text file named .so") {
    write_file(tmp.file("bad.so"), "this is not a shared library\n");
    const auto msg = load_error(tmp.file("bad.so"));
    CHECK_THAT(msg, Catch::Contains("bad.so"));
    wow::PluginSet plugins;
    wow::Registry registry;
    CHECK_THROWS_WITH(plugins.load_directory(tmp.path.string(), registry), Catch::Contains("bad.so"));
  }
  SECTION("a missing file") { CHECK_THAT(load_error(tmp.file("missing.so")), Catch::Contains("missing.so")); }
  SECTION("a library without the plugin symbols") {
    CHECK_THAT(load_error(WOW_TEST_FAKE_PLUGIN_DIR "/no_symbols.so"),
               Catch::Contains("no_symbols.so") && Catch::Contains("not a WoWFlow plugin"));
  }
  SECTION("a plugin with the API version but no factory") {
    CHECK_THAT(load_error(WOW_TEST_FAKE_PLUGIN_DIR "/no_factory.so"),
               Catch::Contains("no_factory.so") && Catch::Contains("wow_register_plugin"));
  }
  SECTION("a plugin built against another API version") {
    CHECK_THAT(load_error(WOW_TEST_FAKE_PLUGIN_DIR "/wrong_version.so"),
               Catch::Contains("wrong_version.so") && Catch::Contains("version"));
  }
  SECTION("a plugin whose registration throws") {
    CHECK_THAT(load_error(WOW_TEST_FAKE_PLUGIN_DIR "/throwing.so"),
               Catch::Contains("throwing.so") && Catch::Contains("registration"));
  }
  SECTION("a missing directory") {
    wow::PluginSet plugins;
    wow::Registry registry;
    CHECK_THROWS_AS(plugins.load_directory(tmp.file("nope"), registry), wow::InputError);
  }
  SECTION("the same plugin twice into one registry") {
    wow::PluginSet plugins;
    wow::Registry registry;
    const std::string file = wowtest::registry().find("kernel", "riesz_sw")->origin;
    plugins.load(file, registry);
    CHECK_THROWS_WITH(plugins.load(file, registry), Catch::Contains("riesz_sw") && Catch::Contains("already"));
  }
  SECTION("a directory holding only good plugins loads them all") {
    wow::PluginSet plugins;
    wow::Registry registry;
    plugins.load_directory(wowtest::plugin_dir(), registry);
    CHECK(plugins.files().size() >= 12);
    CHECK(registry.list().size() == wowtest::registry().list().size());
  }
}

TEST_CASE("datasets: rings and rings_source follow the paper's Figure 1", "[datasets]") {
  const auto rings = wowtest::make_dataset("rings", Json::object())->load(0);
  REQUIRE(rings.classes() == 3);
  REQUIRE(rings.dim == 2);
  REQUIRE(rings.layout.equal_sizes());
  REQUIRE(rings.layout.size(0) == 80);
  const double centres[3] = {0.0, -0.75, -1.5};
  for (std::size_t c = 0; c < 3; ++c) {
    for (std::size_t i = 0; i < 80; ++i) {
      const double a = 2 * std::numbers::pi * static_cast<double>(i) / 80.0;
      const double* p = rings.row(c * 80 + i);
      CHECK(p[0] == Approx(centres[c] + 0.3 * std::cos(a)).margin(1e-12));
      CHECK(p[1] == Approx(0.3 * std::sin(a)).margin(1e-12));
    }
  }
  const auto src = wowtest::make_dataset("rings_source", Json::object())->load(0);
  REQUIRE(src.classes() == 3);
  REQUIRE(src.rows() == 240);
  double mx = 0, my = 0, vx = 0;
  for (std::size_t i = 0; i < src.rows(); ++i) {
    mx += src.row(i)[0] / 240.0;
    my += src.row(i)[1] / 240.0;
  }
  for (std::size_t i = 0; i < src.rows(); ++i) vx += (src.row(i)[0] - mx) * (src.row(i)[0] - mx) / 239.0;
  CHECK(mx == Approx(-0.3).margin(0.003));
  CHECK(my == Approx(0.0).margin(0.003));
  CHECK(std::sqrt(vx) == Approx(0.01).epsilon(0.2));
  // Seeded: same seed same data, another seed other data; classes differ from each other.
  CHECK(wowtest::make_dataset("rings_source", Json::object())->load(0).points == src.points);
  CHECK(wowtest::make_dataset("rings_source", Json::object())->load(1).points != src.points);
  CHECK(std::vector<double>(src.points.begin(), src.points.begin() + 160) !=
        std::vector<double>(src.points.begin() + 160, src.points.begin() + 320));
}

TEST_CASE("datasets: gaussian_blobs sizes and checks", "[datasets]") {
  const auto blobs =
      wowtest::make_dataset("gaussian_blobs", Json{{"classes", 3}, {"class_sizes", {5, 7, 6}}, {"dim", 4}})->load(3);
  CHECK(blobs.layout.offsets == std::vector<std::size_t>{0, 5, 12, 18});
  CHECK(blobs.dim == 4);
  CHECK(blobs.points.size() == 72);
  for (double v : blobs.points) CHECK(std::isfinite(v));
  const auto equal =
      wowtest::make_dataset("gaussian_blobs", Json{{"classes", 2}, {"points_per_class", 9}, {"dim", 3}})->load(3);
  CHECK(equal.layout.offsets == std::vector<std::size_t>{0, 9, 18});
  CHECK_THROWS_AS(wowtest::make_dataset("gaussian_blobs", Json{{"classes", 2}, {"class_sizes", {5, 7, 6}}}),
                  wow::InputError);
  CHECK_THROWS_AS(wowtest::make_dataset("gaussian_blobs", Json{{"classes", 2}, {"class_sizes", {5, 2.5}}}),
                  wow::InputError);
  CHECK_THROWS_AS(wowtest::make_dataset("gaussian_blobs", Json{{"classes", 2}, {"class_sizes", {5, 0}}}),
                  wow::InputError);
}

TEST_CASE("datasets: npy files, (C, n, d) and (N, d) with labels", "[datasets][npy]") {
  TempDir tmp;
  std::vector<float> data(3 * 4 * 2);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) * 0.5F;
  write_file(tmp.file("cnd.npy"), wow::npy::encode(data.data(), {3, 4, 2}));
  const auto a = wowtest::make_dataset("npy", Json{{"path", tmp.file("cnd.npy")}})->load(0);
  CHECK(a.layout.offsets == std::vector<std::size_t>{0, 4, 8, 12});
  CHECK(a.dim == 2);
  CHECK(a.points == std::vector<double>(data.begin(), data.end()));

  // (N, d) + labels: classes in increasing label order, rows keep their order.
  const std::vector<double> features{0, 0, 1, 1, 2, 2, 3, 3, 4, 4};
  const std::vector<std::int64_t> labels{7, 2, 7, 7, 2};
  write_file(tmp.file("x.npy"), wow::npy::encode(features.data(), {5, 2}));
  write_file(tmp.file("y.npy"), wow::npy::encode(labels.data(), {5}));
  const auto b =
      wowtest::make_dataset("npy", Json{{"path", tmp.file("x.npy")}, {"labels", tmp.file("y.npy")}})->load(0);
  CHECK(b.layout.offsets == std::vector<std::size_t>{0, 2, 5});
  CHECK(b.points == std::vector<double>{1, 1, 4, 4, 0, 0, 2, 2, 3, 3});
  CHECK(b.class_names == std::vector<std::string>{"2", "7"});

  // Errors name the file.
  auto error_of = [](const Json& params) {
    try {
      wowtest::make_dataset("npy", params)->load(0);
    } catch (const wow::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of(Json{{"path", tmp.file("missing.npy")}}), Catch::Contains("missing.npy"));
  write_file(tmp.file("corrupt.npy"), "\x93NUMPY garbage");
  CHECK_THAT(error_of(Json{{"path", tmp.file("corrupt.npy")}}), Catch::Contains("corrupt.npy"));
  CHECK_THAT(error_of(Json{{"path", tmp.file("x.npy")}}), Catch::Contains("x.npy"));  // (N, d) without labels
  write_file(tmp.file("y3.npy"), wow::npy::encode(labels.data(), {3}));
  CHECK_THAT(error_of(Json{{"path", tmp.file("x.npy")}, {"labels", tmp.file("y3.npy")}}), Catch::Contains("y3.npy"));
  const std::vector<double> frac{0.5, 1, 1, 1, 1};
  write_file(tmp.file("yf.npy"), wow::npy::encode(frac.data(), {5}));
  CHECK_THAT(error_of(Json{{"path", tmp.file("x.npy")}, {"labels", tmp.file("yf.npy")}}), Catch::Contains("yf.npy"));
  CHECK_THAT(error_of(Json::object()), Catch::Contains("path"));
}

TEST_CASE("solvers: forward Euler and momentum updates", "[solvers]") {
  auto euler = wowtest::make_solver("forward_euler", Json{{"step_size", 0.5}, {"steps", 3}});
  CHECK(euler->steps() == 3);
  CHECK(euler->target_batch() == 0);
  euler->reset(2);
  std::vector<double> x{1.0, 2.0};
  const std::vector<double> g{2.0, -4.0};
  euler->update(std::span<double>(x), std::span<const double>(g));
  CHECK(x == std::vector<double>{0.0, 4.0});

  auto momentum = wowtest::make_solver("momentum", Json{{"step_size", 0.5}, {"momentum", 0.5}, {"steps", 3}});
  momentum->reset(2);
  std::vector<float> xf{1.0F, 2.0F};
  const std::vector<float> gf{2.0F, -4.0F};
  momentum->update(std::span<float>(xf), std::span<const float>(gf));  // v = g; x = x - 0.5 g
  CHECK(xf == std::vector<float>{0.0F, 4.0F});
  momentum->update(std::span<float>(xf), std::span<const float>(gf));  // v = g + 0.5 g = 1.5 g
  CHECK(xf == std::vector<float>{-1.5F, 7.0F});
  const auto state = momentum->save_state();
  CHECK(state.buffers.at("momentum") == std::vector<double>{3.0, -6.0});
  // A restored solver continues exactly as the original.
  auto restored = wowtest::make_solver("momentum", Json{{"step_size", 0.5}, {"momentum", 0.5}, {"steps", 3}});
  restored->reset(2);
  restored->load_state(state);
  std::vector<float> xr = xf;
  momentum->update(std::span<float>(xf), std::span<const float>(gf));
  restored->update(std::span<float>(xr), std::span<const float>(gf));
  CHECK(xr == xf);

  // momentum = 0 is forward Euler.
  auto m0 = wowtest::make_solver("momentum", Json{{"step_size", 0.5}, {"steps", 3}});
  m0->reset(2);
  std::vector<double> y{1.0, 2.0};
  m0->update(std::span<double>(y), std::span<const double>(g));
  m0->update(std::span<double>(y), std::span<const double>(g));
  CHECK(y == std::vector<double>{-1.0, 6.0});

  // Ranges: step_size > 0, momentum in [0, 1), steps >= 0.
  CHECK_THROWS_WITH(wowtest::make_solver("momentum", Json{{"step_size", -1}}),
                    Catch::Contains("solver.params.step_size"));
  CHECK_THROWS_WITH(wowtest::make_solver("momentum", Json{{"momentum", 1.0}}),
                    Catch::Contains("solver.params.momentum"));
  CHECK_THROWS_WITH(wowtest::make_solver("forward_euler", Json{{"steps", -1}}), Catch::Contains("solver.params.steps"));
  CHECK_THROWS_WITH(wowtest::make_solver("forward_euler", Json{{"momentum", 0.5}}),
                    Catch::Contains("solver.params.momentum"));
}
