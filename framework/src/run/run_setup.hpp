#pragma once
// Private to the run loop: every component of one run, built and checked (data, memory) before anything is written.
#include <cstddef>
#include <memory>

#include "wow/cloud.hpp"
#include "wow/interfaces.hpp"
#include "wow/params.hpp"
#include "wow/registry.hpp"

namespace wow {

// Exact OT is O((n m)^1.5) per class pair: beyond ~2 000 x 2 000 points labels.json would take longer than the flow.
inline constexpr std::size_t kLabelMatchingMaxPairs = 4'000'000;

struct Setup {
  Json spec;
  const Registry* registry = nullptr;  // where the components came from: names a failing plugin's file
  std::unique_ptr<Functional> functional;
  std::unique_ptr<ProjectionBackend> backend;
  std::unique_ptr<Solver> solver;
  std::vector<std::unique_ptr<Callback>> callbacks;  // in spec order
  LabeledCloud<double> source, target;
  ClassLayout step_target;  // target layout per step (after batching)
};

// Datasets given in memory (the Python module's arrays) in place of loading the spec's source/target nodes.
struct GivenData {
  const LabeledCloud<double>* source = nullptr;
  const LabeledCloud<double>* target = nullptr;
};

// Components and datasets of a resolved spec; refuses (InputError) bad data and runs that cannot fit in memory.
Setup build_checked(const Json& spec, const Registry& registry, std::size_t threads, GivenData given = {});

}  // namespace wow
