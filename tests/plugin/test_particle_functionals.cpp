// Functionals over particles (potential, interaction, sum) and solvers that call the velocity oracle (heun, adam):
// velocities against central finite differences of F, and closed-form flows on the potential.
#include <cmath>

#include "engine/flow_objective.hpp"
#include "helpers.hpp"

using wowtest::Json;

namespace {

std::unique_ptr<wow::Functional> make_functional(const Json& node_in, std::size_t c, std::size_t m) {
  const Json node = wowtest::registry().resolve_node("functional", node_in, "functional");
  auto f = wowtest::registry().create<wow::Functional>(node, "functional");
  f->prepare(c, m);
  return f;
}

// F(x) through the same objective the runner uses (fixed seed and step: the same directions each call).
double value_at(wow::FlowObjective<double>& objective, const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<double> v(x.size());
  return objective.evaluate(x.data(), y.data(), 7, 3, v.data());
}

// Every `stride`-th coordinate of the velocity at x against central differences of F times the inverse mass
// n_c / w_c (`mass`), within `margin` absolute and 1e-5 relative; `what` names the case in failures.
void compare_with_finite_differences(wow::FlowObjective<double>& objective, const std::vector<double>& x,
                                     const std::vector<double>& y, std::size_t stride, double mass, double margin,
                                     const std::string& what) {
  std::vector<double> v(x.size());
  objective.evaluate(x.data(), y.data(), 7, 3, v.data());
  const double h = 1e-6;
  for (std::size_t i = 0; i < x.size(); i += stride) {
    std::vector<double> plus = x, minus = x;
    plus[i] += h;
    minus[i] -= h;
    const double dfdx = (value_at(objective, plus, y) - value_at(objective, minus, y)) / (2 * h);
    INFO(what << " coordinate " << i);
    CHECK(v[i] == Approx(dfdx * mass).margin(margin).epsilon(1e-5));
  }
}

// The WoW velocity is (n_c / w_c) dF/dx_i with class weights 1/C: compare with central differences of F.
void check_velocity_by_finite_differences(const Json& functional_node) {
  const auto source = wowtest::random_cloud({6, 6}, 3, 11, 0.5);
  const auto target = wowtest::random_cloud({6, 6}, 3, 12, 0.5);
  auto functional = make_functional(functional_node, 2, 2);
  auto backend = wowtest::make_backend("serial", 32, "sorted");
  wow::FlowObjective<double> objective(source.layout, target.layout, 3, *functional, *backend);
  // n_c / w_c = 6 / (1/2)
  compare_with_finite_differences(objective, source.points, target.points, 5, 6.0 * 2.0, 1e-6, functional_node.dump());
}

// "embedded" (plugins/learning, built with libtorch): the same check through a random ConvNet and an augmentation, on
// 3 x 3 classes of 8 x 8 one-channel images; the velocity is the autograd pull-back of the inner functional's.
void check_embedded_by_finite_differences(const Json& inner, const std::string& augment) {
  const auto source = wowtest::random_cloud({3, 3}, 64, 21, 0.5);
  const auto target = wowtest::random_cloud({4, 4}, 64, 22, 0.5);
  const Json node{{"type", "embedded"},
                  {"params",
                   {{"functional", inner},
                    {"projections", {{"type", "serial"}, {"params", {{"count", 16}}}}},
                    {"width", 3},
                    {"depth", 2},
                    {"augment", augment}}}};
  auto functional = make_functional(node, 2, 2);
  functional->prepare_dimension(64);
  auto backend = wowtest::make_backend("serial", 4, "auto");
  wow::FlowObjective<double> objective(source.layout, target.layout, 64, *functional, *backend);
  std::vector<double> v(source.points.size());
  objective.evaluate(source.points.data(), target.points.data(), 7, 3, v.data());
  double largest = 0.0;
  for (const double vi : v) largest = std::max(largest, std::abs(vi));
  CHECK(largest > 0.0);
  // n_c / w_c = 3 / (1/2)
  compare_with_finite_differences(objective, source.points, target.points, 23, 3.0 * 2.0, 1e-7 * largest,
                                  inner.dump() + " augment " + augment);
}

// Runs `steps` steps of `solver` on F = potential (center 0) from x0 in float64; returns the state.
std::vector<double> flow_potential(wow::Solver& solver, std::vector<double> x, int steps) {
  const auto layout = wow::ClassLayout::uniform(1, x.size());
  auto functional = make_functional(Json{{"type", "potential"}, {"params", Json::object()}}, 1, 1);
  auto backend = wowtest::make_backend("serial", 4, "auto");
  wow::FlowObjective<double> objective(layout, layout, 1, *functional, *backend);
  std::vector<double> v(x.size());
  solver.reset(x.size());
  for (int k = 0; k < steps; ++k) {
    objective.evaluate(x.data(), x.data(), 0, static_cast<std::uint64_t>(k), v.data());
    const wow::VelocityOracle<double> oracle = [&](std::span<const double> at, std::span<double> out) {
      return objective.evaluate(at.data(), at.data(), 0, static_cast<std::uint64_t>(k), out.data());
    };
    solver.step(std::span<double>(x), std::span<const double>(v), oracle);
  }
  return x;
}

}  // namespace

TEST_CASE("particle functionals: velocities match finite differences", "[functionals]") {
  check_velocity_by_finite_differences(Json{{"type", "potential"}, {"params", {{"center", {0.5, -1.0, 2.0}}}}});
  check_velocity_by_finite_differences(Json{{"type", "potential"}, {"params", {{"center", 0.3}, {"weight", 2.5}}}});
  check_velocity_by_finite_differences(
      Json{{"type", "interaction"}, {"params", {{"kernel_width", 0.7}, {"weight", 1.5}}}});
  check_velocity_by_finite_differences(Json{{"type", "dm"}, {"params", {{"weight", 1.5}}}});
  check_velocity_by_finite_differences(Json::parse(R"({"type": "sum", "params": {"terms": [
      {"weight": 1.0, "functional": {"type": "mmd", "params": {"kernel": {"type": "gaussian_sw", "params": {"h": 1}}}}},
      {"weight": 0.5, "functional": {"type": "potential", "params": {"center": 0}}},
      {"weight": 0.25, "functional": {"type": "interaction", "params": {"kernel_width": 0.5}}}]}})"));
}

TEST_CASE("particle functionals: values and bad parameters", "[functionals]") {
  // potential at x = (1, 3) in one class of two 1-D points: 1/2 * mean(1, 9) = 2.5.
  auto f = make_functional(Json{{"type", "potential"}, {"params", Json::object()}}, 1, 1);
  const auto layout = wow::ClassLayout::uniform(1, 2);
  const std::vector<double> x{1.0, 3.0};
  std::vector<double> v(2, 0.0);
  const wow::ParticleState<double> state{x, layout, x, layout, 1, 0, 0};
  CHECK(f->add_particle_velocity(state, v) == Approx(2.5));
  CHECK(v == std::vector<double>{1.0, 3.0});
  // dm: two classes of two 1-D points against targets: 1/2 mean over classes of (mean x_c - mean y_c)^2; every point of
  // a class moves by its class's mean difference.
  auto dm = make_functional(Json{{"type", "dm"}, {"params", Json::object()}}, 2, 2);
  const auto two = wow::ClassLayout::uniform(2, 2);
  const std::vector<double> xs{1.0, 3.0, 0.0, 4.0}, ys{0.0, 0.0, 5.0, 5.0};
  std::vector<double> vs(4, 0.0);
  CHECK(dm->add_particle_velocity(wow::ParticleState<double>{xs, two, ys, two, 1, 0, 0}, vs) ==
        Approx(0.5 * (4.0 + 9.0) / 2.0));
  CHECK(vs == std::vector<double>{2.0, 2.0, -3.0, -3.0});
  CHECK_THROWS_WITH(make_functional(Json{{"type", "dm"}, {"params", Json::object()}}, 2, 3),
                    Catch::Contains("the source has 2 classes, the target 3"));
  // A centre of the wrong length names its path.
  auto wrong = make_functional(Json{{"type", "potential"}, {"params", {{"center", {1.0, 2.0}}}}}, 1, 1);
  CHECK_THROWS_WITH(wrong->prepare_dimension(3), Catch::Contains("functional.params.center"));
  CHECK_NOTHROW(wrong->prepare_dimension(2));
  CHECK_THROWS_WITH(make_functional(Json{{"type", "interaction"}, {"params", {{"kernel_width", 0}}}}, 1, 1),
                    Catch::Contains("functional.params.kernel_width"));
  CHECK_THROWS_WITH(make_functional(Json::parse(R"({"type": "sum", "params": {"terms": [{"weight": 1}]}})"), 1, 1),
                    Catch::Contains("functional.params.terms[0].functional"));
  CHECK_THROWS_WITH(make_functional(Json::parse(R"({"type": "sum", "params": {"terms": [
      {"functional": {"type": "mmd", "params": {"kernel": {"type": "laplace_sw", "params": {}}}}},
      {"functional": {"type": "mmd", "params": {"kernel": {"type": "riesz_sw", "params": {}}}}}]}})"),
                                    1, 1),
                    Catch::Contains("share the power"));
}

TEST_CASE("solvers on the potential follow their closed forms", "[solvers]") {
  const double tau = 0.1;
  const std::vector<double> x0{1.0, -2.0, 0.5};
  const int steps = 10;
  auto euler = wowtest::make_solver("forward_euler", Json{{"step_size", tau}, {"steps", steps}});
  auto heun = wowtest::make_solver("heun", Json{{"step_size", tau}, {"steps", steps}});
  auto momentum = wowtest::make_solver("momentum", Json{{"step_size", tau}, {"momentum", 0.5}, {"steps", steps}});
  const auto xe = flow_potential(*euler, x0, steps);
  const auto xh = flow_potential(*heun, x0, steps);
  const auto xm = flow_potential(*momentum, x0, steps);
  // Heavy ball on v(x) = x: u_k = x_k + m u_{k-1}, x_{k+1} = x_k - tau u_k, as a scalar recursion.
  double x = 1.0, u = 0.0;
  for (int k = 0; k < steps; ++k) {
    u = x + 0.5 * u;
    x -= tau * u;
  }
  for (std::size_t i = 0; i < x0.size(); ++i) {
    CHECK(xe[i] == Approx(std::pow(1 - tau, steps) * x0[i]).epsilon(1e-12));
    CHECK(xh[i] == Approx(std::pow(1 - tau + tau * tau / 2, steps) * x0[i]).epsilon(1e-12));
    CHECK(xm[i] == Approx(x * x0[i]).epsilon(1e-12));
  }
}

TEST_CASE("adam: bias-corrected first step and exact save/restore", "[solvers]") {
  auto adam = wowtest::make_solver("adam", Json{{"step_size", 0.01}, {"steps", 5}});
  adam->reset(3);
  std::vector<float> x{1.0F, 1.0F, 1.0F};
  const std::vector<float> v{4.0F, -0.5F, 1e-3F};
  adam->update(std::span<float>(x), std::span<const float>(v));
  // First step: m^ = v, s^ = v^2, so every coordinate moves by tau * v / (|v| + eps) ~ tau * sign(v).
  CHECK(x[0] == Approx(0.99F).epsilon(1e-6));
  CHECK(x[1] == Approx(1.01F).epsilon(1e-6));
  CHECK(x[2] == Approx(0.99F).epsilon(1e-4));
  const wow::SolverState saved = adam->save_state();
  CHECK(saved.scalars.at("t") == 1.0);
  CHECK(saved.buffers.count("m") == 1);
  CHECK(saved.buffers.count("s") == 1);
  auto restored = wowtest::make_solver("adam", Json{{"step_size", 0.01}, {"steps", 5}});
  restored->reset(3);
  restored->load_state(saved);
  std::vector<float> xr = x;
  for (int k = 0; k < 3; ++k) {
    adam->update(std::span<float>(x), std::span<const float>(v));
    restored->update(std::span<float>(xr), std::span<const float>(v));
  }
  CHECK(xr == x);
  CHECK_THROWS_WITH(wowtest::make_solver("adam", Json{{"beta1", 1.0}}), Catch::Contains("solver.params.beta1"));
}

TEST_CASE("heun needs the oracle; update() says so", "[solvers]") {
  auto heun = wowtest::make_solver("heun", Json{{"step_size", 0.1}, {"steps", 1}});
  heun->reset(1);
  std::vector<double> x{1.0};
  const std::vector<double> v{1.0};
  CHECK_THROWS_WITH(heun->update(std::span<double>(x), std::span<const double>(v)), Catch::Contains("oracle"));
}

TEST_CASE("a projections backend may supply the whole sliced step", "[engine]") {
  // A backend whose step reports F = 42 and velocity 1 everywhere: FlowObjective must use it, not the core's engine,
  // and still add the particle part.
  struct FixedStep final : wow::SlicedStep<double> {
    double evaluate(const double* x, const double*, std::uint64_t, std::uint64_t, const wow::Functional&,
                    double* velocity) override {
      (void)x;
      std::fill(velocity, velocity + 4, 1.0);
      return 42.0;
    }
    [[nodiscard]] std::string estimator() const override { return "fixed"; }
  };
  struct OwnStepBackend final : wow::ProjectionBackend {
    wow::ProjectionSettings settings_;
    [[nodiscard]] const wow::ProjectionSettings& settings() const override { return settings_; }
    void for_each_block(std::size_t, const std::function<void(std::size_t)>&) const override {
      FAIL("the core's engine was used instead of the backend's step");
    }
    void set_threads(std::size_t) override {}
    [[nodiscard]] std::size_t threads() const override { return 1; }
    [[nodiscard]] std::unique_ptr<wow::SlicedStep<double>> make_step_f64(const wow::SlicedShape& shape) const override {
      CHECK(shape.dim == 2);
      CHECK(shape.sw_power == 2);
      return std::make_unique<FixedStep>();
    }
  } backend;
  auto f = make_functional(Json::parse(R"({"type": "sum", "params": {"terms": [
      {"weight": 1, "functional": {"type": "mmd", "params": {}}},
      {"weight": 1, "functional": {"type": "potential", "params": {"center": 0}}}]}})"),
                           1, 1);
  const auto layout = wow::ClassLayout::uniform(1, 2);
  wow::FlowObjective<double> objective(layout, layout, 2, *f, backend);
  REQUIRE(objective.sliced() != nullptr);
  CHECK(objective.sliced()->estimator() == "fixed");
  const std::vector<double> x{1.0, 0.0, 0.0, 2.0};
  std::vector<double> v(4);
  // 42 + potential 1/2 * mean(1, 4) = 43.25; velocity 1 + x.
  CHECK(objective.evaluate(x.data(), x.data(), 0, 0, v.data()) == Approx(43.25));
  CHECK(v == std::vector<double>{2.0, 1.0, 1.0, 3.0});
}

TEST_CASE("embedded functional: velocities are the pulled-back inner velocities", "[functionals][learning]") {
  if (wowtest::registry().find("functional", "embedded") == nullptr) {
    WARN("functional \"embedded\" not built (no libtorch): not tested here");
    return;
  }
  const Json mmd = Json::parse(R"({"type": "mmd", "params": {"kernel": {"type": "riesz_sw", "params": {"r": 1}}}})");
  for (const std::string augment : {"none", "crop", "scale", "rotate", "cutout", "colour", "dsa"})
    check_embedded_by_finite_differences(mmd, augment);
  check_embedded_by_finite_differences(Json{{"type", "dm"}, {"params", Json::object()}}, "rotate");
}

TEST_CASE("embedded functional: images it cannot read are input errors", "[functionals][learning]") {
  if (wowtest::registry().find("functional", "embedded") == nullptr) {
    WARN("functional \"embedded\" not built (no libtorch): not tested here");
    return;
  }
  auto f = make_functional(Json{{"type", "embedded"}, {"params", Json::object()}}, 2, 2);
  CHECK_THROWS_WITH(f->prepare_dimension(50),
                    Catch::Contains("functional.params.channels") && Catch::Contains("not square images"));
  CHECK_THROWS_WITH(f->prepare_dimension(16),
                    Catch::Contains("functional.params.depth") && Catch::Contains("at least 8 x 8"));
  CHECK_NOTHROW(f->prepare_dimension(784));
  CHECK_NOTHROW(f->prepare_dimension(3 * 32 * 32));
  CHECK_THROWS_WITH(make_functional(Json{{"type", "embedded"}, {"params", {{"augment", "flip"}}}}, 2, 2),
                    Catch::Contains("augment"));
}
