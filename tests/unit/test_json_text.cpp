// Every JSON the program reads: the depth limit, repeated keys, short excerpts; and the spec record a checkpoint
// keeps (what --resume compares).
#include <catch2/catch.hpp>
#include <string>

#include "core/json_text.hpp"
#include "run/spec_record.hpp"
#include "wow/errors.hpp"

using wow::Json;

namespace {

std::string error_of(const std::string& text) {
  try {
    wow::parse_json_text(text, "x.json");
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

std::string nested(std::size_t depth, const std::string& inner = "") {
  return std::string(depth, '[') + inner + std::string(depth, ']');
}

}  // namespace

TEST_CASE("JSON nested up to the limit parses; one level more is refused, naming file, place and limit") {
  CHECK(wow::parse_json_text(nested(wow::kMaxJsonDepth, "1"), "x.json").is_array());
  const std::string too_deep = error_of(nested(wow::kMaxJsonDepth + 1, "1"));
  CHECK(too_deep == "x.json:1:" + std::to_string(wow::kMaxJsonDepth + 1) + ": JSON nested deeper than 128 levels");
  // 200 000 levels overflowed the stack before: refused in one pass, whatever the depth.
  CHECK(error_of("{\"notes\":" + nested(200000) + "}").find("nested deeper") != std::string::npos);
  // Brackets inside strings are text, not nesting (escaped quotes included).
  std::string bracketed_text = "{\"a\":\"";
  bracketed_text.append(1000, '[').append("\\\"[[[\"}");
  CHECK(wow::parse_json_text(bracketed_text, "x.json").is_object());
}

TEST_CASE("A key given twice in one object is refused, naming its path; the same key in two objects is fine") {
  CHECK(error_of(R"({"seed": 1, "seed": 2})") ==
        "x.json: key \"seed\" given twice (JSON keeps only one; remove the other)");
  CHECK(error_of(R"({"solver": {"params": {"a": 1, "a": 2}}})").find("key \"solver.params.a\" given twice") !=
        std::string::npos);
  CHECK(error_of(R"([{"a": 1}, {"a": 2}])") == "no error");
  CHECK(error_of(R"({"a": {"b": 1}, "c": {"b": 2}})") == "no error");
  CHECK(error_of(R"({"a": [{"b": 1, "b": 1}]})").find("given twice") != std::string::npos);
}

TEST_CASE("Structure errors are a kind of their own: --set takes malformed text as a string, never a deep value") {
  CHECK_THROWS_AS(wow::parse_json_text(nested(300), "--set x"), wow::JsonStructureError);
  CHECK_THROWS_AS(wow::parse_json_text(R"({"a":1,"a":2})", "--set x"), wow::JsonStructureError);
  try {
    wow::parse_json_text("{oops", "--set x");
    FAIL("malformed text parsed");
  } catch (const wow::JsonStructureError&) {
    FAIL("malformed text reported as a structure error");
  } catch (const wow::InputError& e) {
    CHECK(std::string(e.what()).starts_with("--set x:1:"));
  }
}

TEST_CASE("An excerpt of a value is short and says how long the whole is") {
  CHECK(wow::json_excerpt(Json(0.5)) == "0.5");
  Json big = Json::array();
  for (int i = 0; i < 10000; ++i) big.push_back(i);
  const std::string e = wow::json_excerpt(big, 40);
  CHECK(e.size() < 80);
  CHECK(e.find("... (") != std::string::npos);
  CHECK(e.find(std::to_string(big.dump().size()) + " characters)") != std::string::npos);
}

TEST_CASE("The spec record ignores the run length, the directory and the backend, and names the first change") {
  const Json spec = wow::parse_json_text(R"({
    "seed": 0, "name": "r",
    "solver": {"type": "momentum", "params": {"step_size": 0.1, "momentum": 0.5, "steps": 40}},
    "projections": {"type": "tbb", "params": {"count": 500, "device": 0}},
    "output": {"dir": "runs/r", "snapshot_every": 25}})",
                                         "spec");
  const Json identity = wow::run_identity(spec);
  Json longer = spec;
  longer["solver"]["params"]["steps"] = 400;
  longer["output"]["dir"] = "elsewhere";
  longer["projections"]["type"] = "cuda";
  longer["projections"]["params"]["device"] = 1;
  CHECK(wow::identity_digest(wow::run_identity(longer)) == wow::identity_digest(identity));
  CHECK(wow::first_difference(identity, wow::run_identity(longer)).empty());

  Json edited = spec;
  edited["solver"]["params"]["step_size"] = 0.05;
  CHECK(wow::identity_digest(wow::run_identity(edited)) != wow::identity_digest(identity));
  CHECK(wow::first_difference(identity, wow::run_identity(edited)) ==
        "solver.params.step_size: the run was made with 0.1, resolved_spec.json now says 0.05");
  // Another solver: its type is named, not the parameters that follow from it.
  edited = spec;
  edited["solver"] = Json{{"type", "adam"}, {"params", {{"step_size", 0.1}, {"beta1", 0.9}}}};
  CHECK(wow::first_difference(identity, wow::run_identity(edited)) ==
        "solver.type: the run was made with \"momentum\", resolved_spec.json now says \"adam\"");
  // A key only the new spec has (a newer plugin's default) does not count; one it lost does.
  edited = spec;
  edited["solver"]["params"]["nesterov"] = false;
  CHECK(wow::first_difference(identity, wow::run_identity(edited)).empty());
  edited = spec;
  edited["solver"]["params"].erase("momentum");
  CHECK(wow::first_difference(identity, wow::run_identity(edited)) ==
        "solver.params.momentum: the run was made with 0.5, resolved_spec.json now says nothing");
  // Integers and doubles of equal value are the same setting.
  edited = spec;
  edited["seed"] = 0.0;
  CHECK(wow::first_difference(identity, wow::run_identity(edited)).empty());
}
