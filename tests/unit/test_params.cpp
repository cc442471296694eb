// Parameter schemas: defaults, unknown keys, types, ranges, nested components.
#include <catch2/catch.hpp>
#include <memory>

#include "wow/errors.hpp"
#include "wow/interfaces.hpp"
#include "wow/params.hpp"
#include "wow/registry.hpp"

using wow::Json;
using wow::ParamSpec;

namespace {

wow::ParamSchema schema() {
  return {
      ParamSpec::number("h", 0.1, "bandwidth").greater_than(0),
      ParamSpec::number("r", 1.0, "exponent").greater_than(0).at_most(2),
      ParamSpec::number("m", 0.0, "momentum").at_least(0).less_than(1),
      ParamSpec::integer("steps", 10, "steps").at_least(0),
      ParamSpec::boolean("flag", true, "a flag"),
      ParamSpec::string("label", "abc", "a string"),
      ParamSpec::choice("estimator", "auto", {"auto", "sorted", "quantile"}, "a choice"),
      ParamSpec::number_list("weights", "a list").optional(),
      ParamSpec::number("free", -3.5, "unbounded"),
  };
}

Json resolve(const Json& given) {
  const wow::Registry registry;
  return wow::resolve_params(schema(), given, "kernel.params", registry);
}

std::string error_of(const Json& given) {
  try {
    resolve(given);
  } catch (const wow::InputError& e) {
    return e.what();
  }
  FAIL("expected an InputError for " << given.dump());
  return {};
}

// A stand-in kernel so nested component resolution can be tested without plugins.
class ConstantKernel final : public wow::Kernel {
 public:
  [[nodiscard]] int sw_power() const override { return 2; }
  void evaluate(std::span<const double> sw, std::span<double> value, std::span<double> slope) const override {
    for (std::size_t i = 0; i < sw.size(); ++i) value[i] = slope[i] = 0.0;
  }
};

}  // namespace

TEST_CASE("params: resolve_params fills every default", "[params]") {
  for (const Json& given : {Json(), Json::object()}) {
    const Json out = resolve(given);
    CHECK(out["h"] == 0.1);
    CHECK(out["r"] == 1.0);
    CHECK(out["steps"] == 10);
    CHECK(out["steps"].is_number_integer());
    CHECK(out["flag"] == true);
    CHECK(out["label"] == "abc");
    CHECK(out["estimator"] == "auto");
    CHECK(out["free"] == -3.5);
    CHECK_FALSE(out.contains("weights"));  // optional without default stays absent
  }
  const Json out = resolve(Json{{"h", 0.5}, {"weights", {0.25, 0.75}}, {"steps", 3}});
  CHECK(out["h"] == 0.5);
  CHECK(out["steps"] == 3);
  CHECK(out["weights"] == Json{0.25, 0.75});
  CHECK(out["r"] == 1.0);
  // Params reads what was resolved.
  const wow::Params p(out, "kernel.params");
  CHECK(p.number("h") == 0.5);
  CHECK(p.integer("steps") == 3);
  CHECK(p.boolean("flag"));
  CHECK(p.string("estimator") == "auto");
  CHECK(p.number_list("weights") == std::vector<double>{0.25, 0.75});
  CHECK(p.has("weights"));
  CHECK(p.path_of("h") == "kernel.params.h");
  CHECK_THROWS_AS(p.number("absent"), wow::InputError);
}

TEST_CASE("params: an unknown key is refused, naming its path and the valid keys", "[params]") {
  const std::string msg = error_of(Json{{"hh", 1.0}});
  CHECK_THAT(msg, Catch::Contains("kernel.params.hh"));
  CHECK_THAT(msg, Catch::Contains("valid"));
  for (const char* key : {"h", "r", "m", "steps", "flag", "label", "estimator", "weights", "free"})
    CHECK_THAT(msg, Catch::Contains(key));
}

TEST_CASE("params: a wrongly typed value is refused", "[params]") {
  CHECK_THAT(error_of(Json{{"h", "abc"}}), Catch::Contains("kernel.params.h") && Catch::Contains("number"));
  CHECK_THAT(error_of(Json{{"h", true}}), Catch::Contains("kernel.params.h"));
  CHECK_THAT(error_of(Json{{"h", Json::array()}}), Catch::Contains("kernel.params.h"));
  CHECK_THAT(error_of(Json{{"steps", "10"}}), Catch::Contains("kernel.params.steps"));
  CHECK_THAT(error_of(Json{{"flag", 1}}), Catch::Contains("kernel.params.flag"));
  CHECK_THAT(error_of(Json{{"label", 3}}), Catch::Contains("kernel.params.label"));
  CHECK_THAT(error_of(Json{{"estimator", 3}}), Catch::Contains("kernel.params.estimator"));
  CHECK_THAT(error_of(Json{{"estimator", "exact"}}),
             Catch::Contains("kernel.params.estimator") && Catch::Contains("sorted") && Catch::Contains("quantile"));
  CHECK_THAT(error_of(Json{{"weights", 0.5}}), Catch::Contains("kernel.params.weights"));
  CHECK_THAT(error_of(Json{{"weights", {0.5, "x"}}}), Catch::Contains("kernel.params.weights[1]"));
  // The params node itself must be an object.
  CHECK_THAT(error_of(Json::array()), Catch::Contains("kernel.params"));
  CHECK_THAT(error_of(Json(3)), Catch::Contains("kernel.params"));
}

TEST_CASE("params: ranges with exclusive and inclusive bounds", "[params]") {
  // h > 0
  CHECK_THAT(error_of(Json{{"h", 0.0}}), Catch::Contains("kernel.params.h") && Catch::Contains("(0"));
  CHECK_THAT(error_of(Json{{"h", -1}}), Catch::Contains("kernel.params.h"));
  CHECK(resolve(Json{{"h", 1e-12}})["h"] == 1e-12);
  // r in (0, 2]
  CHECK(resolve(Json{{"r", 2.0}})["r"] == 2.0);
  CHECK(resolve(Json{{"r", 2}})["r"] == 2.0);
  CHECK_THAT(error_of(Json{{"r", 2.000001}}), Catch::Contains("kernel.params.r") && Catch::Contains("(0, 2]"));
  CHECK_THROWS_AS(resolve(Json{{"r", 0}}), wow::InputError);
  // m in [0, 1)
  CHECK(resolve(Json{{"m", 0}})["m"] == 0.0);
  CHECK(resolve(Json{{"m", 0.999}})["m"] == 0.999);
  CHECK_THAT(error_of(Json{{"m", 1.0}}), Catch::Contains("kernel.params.m") && Catch::Contains("[0, 1)"));
  CHECK_THROWS_AS(resolve(Json{{"m", -1e-9}}), wow::InputError);
  // steps >= 0
  CHECK(resolve(Json{{"steps", 0}})["steps"] == 0);
  CHECK_THAT(error_of(Json{{"steps", -1}}), Catch::Contains("kernel.params.steps"));
  // Unbounded numbers take anything finite.
  CHECK(resolve(Json{{"free", -1e300}})["free"] == -1e300);
}

TEST_CASE("params: an integer parameter given as 2.5 is refused, 3.0 is accepted", "[params]") {
  CHECK_THAT(error_of(Json{{"steps", 2.5}}), Catch::Contains("kernel.params.steps"));
  const Json out = resolve(Json{{"steps", 3.0}});
  CHECK(out["steps"] == 3);
  CHECK(out["steps"].is_number_integer());
  CHECK_THROWS_AS(resolve(Json{{"steps", -2.0}}), wow::InputError);  // whole but out of range
  CHECK_THROWS_AS(resolve(Json{{"steps", 1e300}}), wow::InputError);
}

TEST_CASE("params: integers beyond int64 are refused with the value given, not a wrapped one", "[params]") {
  // 2^64 - 1 parses as an unsigned JSON integer; read as int64 it would be -1.
  const std::string msg = error_of(Json::parse(R"({"steps": 18446744073709551615})"));
  CHECK_THAT(msg, Catch::Contains("kernel.params.steps") && Catch::Contains("18446744073709551615"));
  CHECK_THAT(msg, !Catch::Contains("got -1"));
  CHECK_THROWS_AS(resolve(Json::parse(R"({"steps": 9223372036854775808})")), wow::InputError);
  CHECK(resolve(Json::parse(R"({"steps": 9223372036854775807})"))["steps"] == 9223372036854775807LL);
}

TEST_CASE("params: range_text and describe", "[params]") {
  const auto s = schema();
  CHECK(s[0].range_text() == "(0, inf)");
  CHECK(s[1].range_text() == "(0, 2]");
  CHECK(s[2].range_text() == "[0, 1)");
  CHECK(s[3].range_text() == "[0, inf)");
  CHECK(s[8].range_text().empty());
  const Json d = s[1].describe();
  CHECK(d["name"] == "r");
  CHECK(d["type"] == "number");
  CHECK(d["default"] == 1.0);
  CHECK(d["range"] == "(0, 2]");
  CHECK(s[6].describe()["choices"] == Json{"auto", "sorted", "quantile"});
}

TEST_CASE("params: nested components resolve through the registry with dotted paths", "[params][registry]") {
  wow::Registry registry;
  registry.add<wow::Kernel>(
      "const_k", "a constant kernel", {ParamSpec::number("h", 0.5, "h").greater_than(0)},
      [](const wow::Params&, const wow::Registry&) { return std::make_unique<ConstantKernel>(); });
  const wow::ParamSchema outer{
      ParamSpec::component("kernel", "kernel", Json{{"type", "const_k"}, {"params", Json::object()}}, "kernel")};

  const Json def = wow::resolve_params(outer, Json(), "functional.params", registry);
  CHECK(def["kernel"]["type"] == "const_k");
  CHECK(def["kernel"]["params"]["h"] == 0.5);

  auto fails_with = [&](const Json& given) {
    try {
      wow::resolve_params(outer, given, "functional.params", registry);
    } catch (const wow::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(fails_with(Json{{"kernel", {{"type", "const_k"}, {"params", {{"h", -1}}}}}}),
             Catch::StartsWith("functional.params.kernel.params.h"));
  CHECK_THAT(fails_with(Json{{"kernel", {{"type", "const_k"}, {"params", {{"hx", 1}}}}}}),
             Catch::StartsWith("functional.params.kernel.params.hx"));
  CHECK_THAT(fails_with(Json{{"kernel", {{"type", "nope"}}}}),
             Catch::Contains("functional.params.kernel.type") && Catch::Contains("const_k"));
  CHECK_THAT(fails_with(Json{{"kernel", {{"type", "const_k"}, {"extra", 1}}}}),
             Catch::Contains("functional.params.kernel.extra"));
  CHECK_THAT(fails_with(Json{{"kernel", "const_k"}}), Catch::Contains("functional.params.kernel"));
  CHECK_THAT(fails_with(Json{{"kernel", {{"params", Json::object()}}}}),
             Catch::Contains("functional.params.kernel.type") && Catch::Contains("const_k"));

  // create() builds the component from the resolved node; an unknown type lists the valid ones.
  const Json node = registry.resolve_node("kernel", Json{{"type", "const_k"}}, "k");
  CHECK(node["params"]["h"] == 0.5);
  CHECK(registry.create<wow::Kernel>(node, "k")->sw_power() == 2);
  CHECK_THROWS_AS(registry.create<wow::Kernel>(Json{{"type", "x"}, {"params", Json::object()}}, "k"), wow::InputError);
  CHECK_THROWS_AS(registry.create<wow::Solver>(node, "solver"), wow::InputError);  // wrong kind
  // A type registered twice is refused.
  CHECK_THROWS_AS(registry.add<wow::Kernel>(
                      "const_k", "again", {},
                      [](const wow::Params&, const wow::Registry&) { return std::make_unique<ConstantKernel>(); }),
                  wow::InputError);
  CHECK(registry.types("kernel") == std::vector<std::string>{"const_k"});
  REQUIRE(registry.find("kernel", "const_k") != nullptr);
  CHECK(registry.find("kernel", "const_k")->origin == "built-in");
  CHECK(registry.find("solver", "const_k") == nullptr);
}
