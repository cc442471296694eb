// Spec handling: --set overrides, JSON error positions, resolve_spec.
#include <catch2/catch.hpp>
#include <memory>

#include "../common/fake_registry.hpp"
#include "core/spec.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"
#include "wow/registry.hpp"

using wow::Json;

namespace {

std::string error_of_override(Json spec, const std::string& assignment) {
  try {
    wow::apply_override(spec, assignment);
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

std::string error_of_parse(const std::string& text) {
  try {
    wow::parse_json_text(text, "spec.json");
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("spec: apply_override sets nested paths", "[spec]") {
  Json spec = Json::parse(R"({"solver": {"type": "momentum", "params": {"step_size": 0.1, "steps": 5}}, "seed": 0})");
  wow::apply_override(spec, "solver.params.step_size=0.05");
  CHECK(spec["solver"]["params"]["step_size"] == 0.05);
  CHECK(spec["solver"]["params"]["steps"] == 5);  // siblings untouched
  wow::apply_override(spec, "seed=7");
  CHECK(spec["seed"] == 7);
  CHECK(spec["seed"].is_number_integer());
  // Missing intermediate objects are created.
  wow::apply_override(spec, "output.dir=runs/x");
  CHECK(spec["output"]["dir"] == "runs/x");
  wow::apply_override(spec, "a.b.c.d=1");
  CHECK(spec["a"]["b"]["c"]["d"] == 1);
  // Key order of the existing spec is kept.
  CHECK(spec.begin().key() == "solver");
}

TEST_CASE("spec: apply_override indexes lists with numeric segments", "[spec]") {
  Json spec = Json::parse(R"({"callbacks": [{"type": "a", "params": {"every": 5}}, {"type": "b"}]})");
  wow::apply_override(spec, "callbacks.0.params.every=9");
  CHECK(spec["callbacks"][0]["params"]["every"] == 9);
  wow::apply_override(spec, "callbacks.1.params.x=1");  // missing objects under an element are created
  CHECK(spec["callbacks"][1]["params"]["x"] == 1);
  wow::apply_override(spec, R"(callbacks.1={"type": "c"})");
  CHECK(spec["callbacks"][1] == Json{{"type", "c"}});
  CHECK_THAT(error_of_override(spec, "callbacks.2.params.every=1"),
             Catch::Contains("callbacks is a list of 2 entries; \"2\" is not one of its indices"));
  CHECK_THAT(error_of_override(spec, "callbacks.first.type=x"), Catch::Contains("is not one of its indices"));
  CHECK(wow::spec_child(spec["callbacks"], "01") == &spec["callbacks"][1]);
  CHECK(wow::spec_child(spec["callbacks"], "-1") == nullptr);
  CHECK(wow::spec_child(Json(5), "0") == nullptr);
}

TEST_CASE("spec: apply_override reads JSON values as JSON, anything else as a string", "[spec]") {
  Json spec = Json::object();
  wow::apply_override(spec, "solver.type=forward_euler");
  CHECK(spec["solver"]["type"] == "forward_euler");
  CHECK(spec["solver"]["type"].is_string());
  wow::apply_override(spec, "x=\"5\"");
  CHECK(spec["x"].is_string());
  CHECK(spec["x"] == "5");
  wow::apply_override(spec, "x=5");
  CHECK(spec["x"].is_number_integer());
  wow::apply_override(spec, "x=2.5");
  CHECK(spec["x"] == 2.5);
  wow::apply_override(spec, "x=true");
  CHECK(spec["x"].is_boolean());
  wow::apply_override(spec, "x=null");
  CHECK(spec["x"].is_null());
  wow::apply_override(spec, "x=[0.5, 0.5]");
  CHECK(spec["x"] == Json{0.5, 0.5});
  wow::apply_override(spec, "x=");  // empty value: the empty string
  CHECK(spec["x"] == "");
  wow::apply_override(spec, "x=a=b");  // only the first '=' separates
  CHECK(spec["x"] == "a=b");
  wow::apply_override(spec, "x={not json");
  CHECK(spec["x"] == "{not json");
  // A whole component node.
  wow::apply_override(spec, R"(functional.params.kernel={"type": "gaussian_sw", "params": {"h": 0.05}})");
  CHECK(spec["functional"]["params"]["kernel"] == Json::parse(R"({"type": "gaussian_sw", "params": {"h": 0.05}})"));
  wow::apply_override(spec, R"(functional.params.kernel={"type": "riesz_sw"})");
  CHECK_FALSE(spec["functional"]["params"]["kernel"].contains("params"));  // replaced, not merged
}

TEST_CASE("spec: apply_override refuses malformed assignments", "[spec]") {
  CHECK_THAT(error_of_override(Json::object(), "no_equals_sign"), Catch::Contains("no_equals_sign"));
  CHECK_THAT(error_of_override(Json::object(), "=5"), Catch::Contains("=5"));
  CHECK_THAT(error_of_override(Json::object(), "a..b=1"), Catch::Contains("a..b=1"));
  CHECK_THAT(error_of_override(Json::object(), "a.=1"), Catch::Contains("a.=1"));
  CHECK_THAT(error_of_override(Json{{"name", "x"}}, "name.first=1"), Catch::Contains("name"));
}

TEST_CASE("spec: parse_json_text names line:column of a syntax error", "[spec]") {
  CHECK(wow::parse_json_text(R"({"a": [1, 2]})", "ok.json")["a"][1] == 2);
  // ']' is on line 3, column 8.
  CHECK_THAT(error_of_parse("{\n  \"a\": 1,\n  \"b\": ]\n}\n"), Catch::StartsWith("spec.json:3:8:"));
  // A missing comma: the unexpected string "c" spans line 2, columns 3-5 (the parser reports its end).
  {
    const std::string msg = error_of_parse("{\"a\": 1\n  \"c\": 2}");
    INFO(msg);
    CHECK(
        (msg.starts_with("spec.json:2:3:") || msg.starts_with("spec.json:2:4:") || msg.starts_with("spec.json:2:5:")));
  }
  // First line, first column.
  CHECK_THAT(error_of_parse("]"), Catch::StartsWith("spec.json:1:1:"));
  // Unterminated object: the error is at the end of the text.
  CHECK_THAT(error_of_parse("{\"a\": 1,\n"), Catch::StartsWith("spec.json:2:"));
  // Empty text and comments (not JSON) are errors too.
  CHECK_THAT(error_of_parse(""), Catch::StartsWith("spec.json:1:"));
  CHECK_THAT(error_of_parse("// comment\n{}"), Catch::StartsWith("spec.json:1:"));
  CHECK_THAT(error_of_parse("{\"a\": 1} trailing"), Catch::StartsWith("spec.json:1:"));
}

namespace {

using wow::test::fake_registry;

std::string error_of_resolve(const Json& raw) {
  const wow::Registry r = fake_registry();
  try {
    wow::resolve_spec(raw, r, "default_name");
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("spec: resolve_spec checks the top level", "[spec]") {
  const Json base = Json::parse(R"({"source": {"type": "point"}, "target": {"type": "point"}})");
  {
    Json raw = base;
    raw["sourse"] = 1;
    const auto msg = error_of_resolve(raw);
    CHECK_THAT(msg, Catch::Contains("sourse") && Catch::Contains("valid") && Catch::Contains("source") &&
                        Catch::Contains("output"));
  }
  {
    Json raw = base;
    raw.erase("target");
    CHECK_THAT(error_of_resolve(raw), Catch::StartsWith("target"));
  }
  {
    Json raw = base;
    raw["precision"] = "float16";
    CHECK_THAT(error_of_resolve(raw), Catch::StartsWith("precision") && Catch::Contains("float64"));
  }
  {
    Json raw = base;
    raw["seed"] = -1;
    CHECK_THAT(error_of_resolve(raw), Catch::StartsWith("seed"));
  }
  {
    Json raw = base;
    raw["source"]["params"] = Json{{"n", 0}};
    CHECK_THAT(error_of_resolve(raw), Catch::StartsWith("source.params.n"));
  }
  {
    Json raw = base;
    raw["output"] = Json{{"snapshot_every", 0}};
    CHECK_THAT(error_of_resolve(raw), Catch::Contains("output.snapshot_every"));
  }
  {
    Json raw = base;
    raw["output"] = Json{{"dirr", "x"}};
    CHECK_THAT(error_of_resolve(raw), Catch::Contains("output.dirr") && Catch::Contains("dir"));
  }
  {
    Json raw = base;
    raw["functional"] = Json{{"type", "nope"}};
    CHECK_THAT(error_of_resolve(raw), Catch::StartsWith("functional.type") && Catch::Contains("mmd"));
  }
  CHECK_THAT(error_of_resolve(Json::array()), Catch::Contains("object"));
  CHECK(error_of_resolve(base) == "no error");
}

TEST_CASE("spec: resolve_spec fills every default", "[spec]") {
  const wow::Registry r = fake_registry();
  const Json raw = Json::parse(R"({"source": {"type": "point"}, "target": {"type": "point", "params": {"n": 2}}})");
  const Json out = wow::resolve_spec(raw, r, "my_spec");
  CHECK(out["name"] == "my_spec");
  CHECK(out["seed"] == 0);
  CHECK(out["precision"] == "float32");
  CHECK(out["source"] == Json::parse(R"({"type": "point", "params": {"n": 3}})"));
  CHECK(out["target"]["params"]["n"] == 2);
  CHECK(out["functional"]["type"] == "mmd");
  CHECK(out["projections"] == Json::parse(R"({"type": "tbb", "params": {"count": 500}})"));
  CHECK(out["solver"]["type"] == "momentum");
  CHECK(out["output"]["dir"] == "runs/my_spec");
  CHECK(out["output"]["snapshot_every"] == 25);
  CHECK(out["output"]["checkpoint_every"] == 100);
  CHECK(out["output"]["pictures"] == true);
  // Resolving the resolved spec again changes nothing (resolved_spec.json is a valid spec).
  CHECK(wow::resolve_spec(out, r, "other") == out);
  // A given name and output.dir win.
  Json named = raw;
  named["name"] = "n1";
  named["output"] = Json{{"dir", "/tmp/x"}};
  const Json out2 = wow::resolve_spec(named, r, "my_spec");
  CHECK(out2["name"] == "n1");
  CHECK(out2["output"]["dir"] == "/tmp/x");
}

TEST_CASE("spec: a number too large for a double is bad input, not a crash (found by fuzz_spec)", "[spec]") {
  CHECK_THROWS_AS(wow::parse_json_text("{\"seed\": 6e29393}", "big.json"), wow::InputError);
  wow::Json spec = wow::Json::object();
  wow::apply_override(spec, "seed=6e29393");  // not JSON that fits: kept as the string, refused later by type
  CHECK(spec["seed"].is_string());
}
