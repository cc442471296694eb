// Sweep plans: expansion order, point names, labels, validation, the spec hash.
#include <catch2/catch.hpp>

#include "../common/fake_registry.hpp"
#include "sweep/sweep_plan.hpp"
#include "wow/errors.hpp"

using wow::Json;

namespace {

Json base_spec() {
  return Json::parse(R"({"name": "t", "seed": 5, "source": {"type": "point"}, "target": {"type": "point"},
                         "solver": {"type": "momentum", "params": {"step_size": 0.1}}})");
}

wow::SweepPlan plan_of(const Json& sweep) {
  Json raw = base_spec();
  raw["sweep"] = sweep;
  return wow::plan_sweep(raw, wow::test::fake_registry(), "file_name", "out");
}

std::string error_of(const Json& sweep) {
  try {
    plan_of(sweep);
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("sweep plan: grid product with the first path slowest, seeds innermost", "[sweep]") {
  const auto plan = plan_of(Json::parse(
      R"({"grid": {"solver.params.step_size": [0.1, 0.2], "projections.params.count": [10, 20, 30]}, "seeds": [1, 2]})"));
  REQUIRE(plan.points.size() == 12);
  CHECK(plan.paths == std::vector<std::string>{"solver.params.step_size", "projections.params.count"});
  CHECK(plan.labels == std::vector<std::string>{"step_size", "count"});
  CHECK(plan.points[0].name == "step_size=0.1_count=10_seed=1");
  CHECK(plan.points[1].name == "step_size=0.1_count=10_seed=2");
  CHECK(plan.points[2].name == "step_size=0.1_count=20_seed=1");
  CHECK(plan.points[11].name == "step_size=0.2_count=30_seed=2");
  CHECK(plan.points[11].setting == "step_size=0.2_count=30");
  // Each point is a resolved spec with its values, its seed and its run directory.
  CHECK(plan.points[11].spec["solver"]["params"]["step_size"] == 0.2);
  CHECK(plan.points[11].spec["projections"]["params"]["count"] == 30);
  CHECK(plan.points[11].spec["seed"] == 2);
  CHECK(plan.points[11].spec["output"]["dir"] == "out/step_size=0.2_count=30_seed=2");
  CHECK(plan.points[11].spec["solver"]["params"]["steps"] == 10);  // defaults filled
}

TEST_CASE("sweep plan: zip varies lists together, seeds default to the spec's", "[sweep]") {
  const auto plan =
      plan_of(Json::parse(R"({"zip": {"solver.params.step_size": [0.1, 0.2], "solver.params.steps": [5, 7]}})"));
  REQUIRE(plan.points.size() == 2);
  CHECK(plan.seeds == std::vector<std::int64_t>{5});
  CHECK(plan.points[1].name == "step_size=0.2_steps=7_seed=5");
  CHECK(plan.points[1].spec["solver"]["params"]["steps"] == 7);
}

TEST_CASE("sweep plan: whole component nodes, labels told apart, names safe for directories", "[sweep]") {
  auto plan = plan_of(Json::parse(R"({"grid": {"source": [{"type": "point", "params": {"n": 4}}, {"type": "point"}],
      "target.params.n": [2]}})"));
  REQUIRE(plan.points.size() == 2);
  CHECK(plan.labels == std::vector<std::string>{"source", "n"});
  CHECK(plan.points[0].name == "source=point-n=4_n=2_seed=5");
  CHECK(plan.points[1].name == "source=point_n=2_seed=5");
  CHECK(plan.points[1].spec["source"]["params"]["n"] == 3);  // the node is resolved: its defaults filled
  CHECK(wow::value_text(Json::parse(R"({"type": "k", "params": {"h": 0.5, "m": "x"}})")) == "k(h=0.5,m=x)");
  // Two paths ending alike are labelled by enough of their path to tell them apart.
  plan = plan_of(Json::parse(R"({"grid": {"source.params.n": [1], "target.params.n": [2]}})"));
  CHECK(plan.labels == std::vector<std::string>{"source.n", "target.n"});
  CHECK(plan.points[0].name == "source.n=1_target.n=2_seed=5");
  // A seeds-only sweep names its points by seed.
  plan = plan_of(Json::parse(R"({"seeds": [0, 1]})"));
  CHECK(plan.points[1].name == "seed=1");
  CHECK(plan.points[1].setting.empty());
}

TEST_CASE("sweep plan: bad sweeps are refused naming the path and the value", "[sweep]") {
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"solver.params.nope": [1]}})")),
             Catch::StartsWith("sweep.grid.solver.params.nope: no such path") &&
                 Catch::Contains("valid keys of solver.params: step_size, steps"));
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"solver.params.step_size": []}})")), Catch::Contains("empty list"));
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"solver.params.step_size": 0.1}})")),
             Catch::Contains("expected a list of values"));
  CHECK_THAT(
      error_of(Json::parse(R"({"grid": {"solver.params.step_size": [0.1, -1]}})")),
      Catch::StartsWith("sweep point step_size=-1_seed=5 (solver.params.step_size=-1): solver.params.step_size"));
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"solver.params.steps": [1.5]}})")),
             Catch::Contains("solver.params.steps"));
  CHECK_THAT(error_of(Json::parse(R"({"zip": {"solver.params.step_size": [0.1, 0.2], "solver.params.steps": [1]}})")),
             Catch::Contains("1 values, but sweep.zip.solver.params.step_size has 2"));
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"source": [{"type": "point"}], "source.params.n": [1]}})")),
             Catch::Contains("overlaps source"));
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"seed": [1]}})")), Catch::Contains("sweep.seeds"));
  CHECK_THAT(error_of(Json::parse(R"({"grid": {"output.dir": ["x"]}})")), Catch::Contains("--out"));
  CHECK_THAT(error_of(Json::parse(R"({"seeds": [1, -1]})")), Catch::Contains("-1 is not a whole number"));
  CHECK_THAT(error_of(Json::parse(R"({"seeds": [3]})")), Catch::Contains("nothing to sweep"));
  CHECK_THAT(error_of(Json::parse(R"({"grids": {}})")), Catch::Contains("sweep.grids: unknown key"));
  CHECK_THAT(error_of(Json::parse(R"({"maximize": "acc"})")), Catch::Contains("sweep.maximize"));
}

TEST_CASE("sweep plan: the hash follows the spec and the sweep, not the output directory", "[sweep]") {
  const Json sweep = Json::parse(R"({"grid": {"solver.params.step_size": [0.1, 0.2]}})");
  Json raw = base_spec();
  raw["sweep"] = sweep;
  const auto a = wow::plan_sweep(raw, wow::test::fake_registry(), "x", "out_a");
  const auto b = wow::plan_sweep(raw, wow::test::fake_registry(), "x", "out_b");
  CHECK(a.hash == b.hash);
  CHECK(a.hash.size() == 16);
  raw["solver"]["params"]["steps"] = 11;
  const auto c = wow::plan_sweep(raw, wow::test::fake_registry(), "x", "out_a");
  CHECK(c.hash != a.hash);
  CHECK(wow::first_difference(a.base, c.base) == "solver.params.steps");
  raw["solver"]["params"]["steps"] = 10;  // the default, given explicitly: the same resolved spec
  CHECK(wow::plan_sweep(raw, wow::test::fake_registry(), "x", "out_a").hash == a.hash);
  CHECK(wow::stable_hash("") == "cbf29ce484222325");  // FNV-1a 64 offset basis: the same on every machine
}
