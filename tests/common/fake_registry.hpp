#pragma once
// A registry of stand-in components for unit tests of spec handling: a one-point dataset and the default
// functional, projections and solver types with a few parameters (resolution never calls their factories).
#include <memory>

#include "wow/interfaces.hpp"
#include "wow/registry.hpp"

namespace wow::test {

class PointDataset final : public Dataset {
 public:
  [[nodiscard]] LabeledCloud<double> load(std::uint64_t) const override {
    LabeledCloud<double> c;
    c.layout = ClassLayout::uniform(1, 1);
    c.dim = 1;
    c.points = {0.0};
    return c;
  }
};

inline Registry fake_registry() {
  Registry r;
  r.add<Dataset>("point", "one point", {ParamSpec::integer("n", 3, "n").at_least(1)},
                 [](const Params&, const Registry&) { return std::make_unique<PointDataset>(); });
  r.add<Functional>("mmd", "stand-in", {},
                    [](const Params&, const Registry&) { return std::unique_ptr<Functional>(); });
  r.add<ProjectionBackend>("tbb", "stand-in", {ParamSpec::integer("count", 500, "L").at_least(1)},
                           [](const Params&, const Registry&) { return std::unique_ptr<ProjectionBackend>(); });
  r.add<Solver>(
      "momentum", "stand-in",
      {ParamSpec::number("step_size", 0.1, "tau").greater_than(0.0), ParamSpec::integer("steps", 10, "K").at_least(0)},
      [](const Params&, const Registry&) { return std::unique_ptr<Solver>(); });
  return r;
}

}  // namespace wow::test
