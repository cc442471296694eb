// Whole flows driven by hand: the engine, a solver and datasets from the registry.
#include <cmath>
#include <cstring>

#include "helpers.hpp"

using wowtest::Json;

namespace {

const Json kRiesz = Json::parse(R"({"type": "riesz_sw", "params": {"r": 1}})");

// F measured with one fixed, large set of directions, in double precision.
class Evaluator {
 public:
  Evaluator(const wow::ClassLayout& src, const wow::ClassLayout& tgt, std::size_t dim, const wow::Functional& f,
            const std::string& estimator)
      : functional_(f),
        backend_(wowtest::make_backend("serial", 2000, estimator)),
        engine_(src, tgt, dim, backend_->settings(), f.sw_power()) {
    engine_.set_fixed_directions(wowtest::random_directions<double>(2000, dim, 777));
  }
  template <class T>
  double operator()(const std::vector<T>& x, const std::vector<double>& y) {
    const std::vector<double> xd(x.begin(), x.end());
    return engine_.evaluate(xd.data(), y.data(), 0, 0, functional_, *backend_, nullptr).value;
  }

 private:
  const wow::Functional& functional_;
  std::unique_ptr<wow::ProjectionBackend> backend_;
  wow::SlicedEngine<double> engine_;
};

struct FlowResult {
  std::vector<float> x;
  std::vector<double> losses;  // per step, with that step's random directions
};

// Runs `steps` steps of the flow in float32 with random directions per step.
FlowResult flow(const wow::LabeledCloud<double>& source, const wow::LabeledCloud<double>& target,
                const wow::Functional& functional, wow::ProjectionBackend& backend, wow::Solver& solver,
                std::int64_t steps, std::uint64_t seed) {
  const auto x0 = source.cast<float>();
  const auto y = target.cast<float>();
  wow::SlicedEngine<float> engine(source.layout, target.layout, source.dim, backend.settings(), functional.sw_power());
  FlowResult r{x0.points, {}};
  std::vector<float> velocity(r.x.size());
  solver.reset(r.x.size());
  for (std::int64_t step = 0; step < steps; ++step) {
    const auto v = engine.evaluate(r.x.data(), y.points.data(), seed, static_cast<std::uint64_t>(step), functional,
                                   backend, velocity.data());
    r.losses.push_back(v.value);
    solver.update(std::span<float>(r.x), std::span<const float>(velocity));
  }
  return r;
}

}  // namespace

TEST_CASE("flow: both solvers lower F on the rings", "[flow][rings]") {
  const auto source = wowtest::make_dataset("rings_source", Json::object())->load(0);
  const auto target = wowtest::make_dataset("rings", Json::object())->load(0);
  REQUIRE(source.classes() == 3);
  REQUIRE(target.rows() == 240);
  auto functional = wowtest::make_mmd(kRiesz, 3, 3);
  Evaluator evaluate(source.layout, target.layout, 2, *functional, "sorted");
  const double initial = evaluate(source.points, target.points);
  REQUIRE(initial > 0);
  const std::vector<std::pair<std::string, Json>> solvers{
      {"forward_euler", Json{{"step_size", 0.1}, {"steps", 60}}},
      {"momentum", Json{{"step_size", 0.1}, {"momentum", 0.5}, {"steps", 60}}},
  };
  for (const auto& [type, params] : solvers) {
    auto solver = wowtest::make_solver(type, params);
    REQUIRE(solver->steps() == 60);
    auto backend = wowtest::make_backend("tbb", 200, "auto");
    const auto r = flow(source, target, *functional, *backend, *solver, solver->steps(), 0);
    const double final_value = evaluate(r.x, target.points);
    INFO(type << ": F from " << initial << " to " << final_value << "; per-step losses " << r.losses.front() << " .. "
              << r.losses.back());
    CHECK(std::isfinite(final_value));
    CHECK(final_value < 0.5 * initial);
    CHECK(r.losses.back() < 0.5 * r.losses.front());
  }
}

TEST_CASE("flow: the Gaussian kernel of the paper's figure also lowers F on the rings", "[flow][rings]") {
  const auto source = wowtest::make_dataset("rings_source", Json::object())->load(3);
  const auto target = wowtest::make_dataset("rings", Json::object())->load(3);
  auto functional = wowtest::make_mmd(Json::parse(R"({"type": "gaussian_sw", "params": {"h": 0.05}})"), 3, 3);
  Evaluator evaluate(source.layout, target.layout, 2, *functional, "sorted");
  auto solver = wowtest::make_solver("momentum", Json{{"step_size", 0.1}, {"steps", 60}});
  auto backend = wowtest::make_backend("serial", 200, "auto");
  const double initial = evaluate(source.points, target.points);
  const auto r = flow(source, target, *functional, *backend, *solver, 60, 3);
  const double final_value = evaluate(r.x, target.points);
  INFO("F from " << initial << " to " << final_value);
  CHECK(final_value < initial);
}

TEST_CASE("flow: bit-identical for tbb with 1 and 2 threads and the serial backend", "[flow][determinism]") {
  // More than one row block (128 rows) and direction block (16 directions), so scheduling matters.
  struct Case {
    std::string estimator;
    Json source, target;
  };
  const std::vector<Case> cases{
      {"sorted", Json{{"classes", 3}, {"points_per_class", 150}, {"dim", 8}, {"std", 1.0}},
       Json{{"classes", 2}, {"points_per_class", 150}, {"dim", 8}, {"std", 0.5}}},
      {"quantile", Json{{"classes", 3}, {"class_sizes", {140, 170, 150}}, {"dim", 8}},
       Json{{"classes", 2}, {"class_sizes", {160, 130}}, {"dim", 8}, {"std", 0.5}}},
  };
  for (const auto& c : cases) {
    const auto source = wowtest::make_dataset("gaussian_blobs", c.source)->load(1);
    const auto target = wowtest::make_dataset("gaussian_blobs", c.target)->load(2);
    auto functional = wowtest::make_mmd(kRiesz, source.classes(), target.classes());
    std::vector<FlowResult> results;
    std::vector<std::string> names;
    for (const std::string type : {"serial", "tbb"}) {
      for (const std::size_t threads : {1UL, 2UL}) {
        if (type == "serial" && threads > 1) continue;
        auto backend = wowtest::make_backend(type, 160, c.estimator);
        backend->set_threads(threads);
        CHECK(backend->threads() == (type == "serial" ? 1 : threads));
        auto solver = wowtest::make_solver("momentum", Json{{"step_size", 0.05}, {"momentum", 0.5}, {"steps", 20}});
        results.push_back(flow(source, target, *functional, *backend, *solver, 20, 5));
        names.push_back(type + " x" + std::to_string(threads));
      }
    }
    for (std::size_t i = 1; i < results.size(); ++i) {
      INFO("estimator " << c.estimator << ": " << names[i] << " vs " << names[0]);
      REQUIRE(results[i].x.size() == results[0].x.size());
      CHECK(std::memcmp(results[i].x.data(), results[0].x.data(), results[0].x.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(results[i].losses.data(), results[0].losses.data(),
                        results[0].losses.size() * sizeof(double)) == 0);
    }
    // And the flow moved.
    CHECK(results[0].x != source.cast<float>().points);
  }
}

TEST_CASE("flow: unequal class sizes within a dataset and C != M", "[flow][unequal]") {
  const auto source =
      wowtest::make_dataset(
          "gaussian_blobs",
          Json{{"classes", 3}, {"class_sizes", {30, 50, 40}}, {"dim", 2}, {"std", 0.3}, {"separation", 2.0}})
          ->load(11);
  const auto target =
      wowtest::make_dataset(
          "gaussian_blobs",
          Json{{"classes", 2}, {"class_sizes", {60, 45}}, {"dim", 2}, {"std", 0.3}, {"separation", 2.0}})
          ->load(12);
  REQUIRE(source.layout.offsets == std::vector<std::size_t>{0, 30, 80, 120});
  REQUIRE(target.layout.offsets == std::vector<std::size_t>{0, 60, 105});
  for (const auto& kernel : wowtest::all_kernels()) {
    auto functional = wowtest::make_mmd(kernel, 3, 2);
    auto backend = wowtest::make_backend("tbb", 100, "auto");
    Evaluator evaluate(source.layout, target.layout, 2, *functional, "quantile");
    auto solver = wowtest::make_solver("forward_euler", Json{{"step_size", 0.05}, {"steps", 30}});
    const double initial = evaluate(source.points, target.points);
    const auto r = flow(source, target, *functional, *backend, *solver, 30, 0);
    const double final_value = evaluate(r.x, target.points);
    INFO("kernel " << kernel.dump() << ": F from " << initial << " to " << final_value);
    for (double l : r.losses) CHECK(std::isfinite(l));
    for (float v : r.x) REQUIRE(std::isfinite(v));
    CHECK(final_value < initial);
  }
}
