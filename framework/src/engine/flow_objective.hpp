#pragma once
// F and its WoW velocity at any points, for the flow loop and for solvers' velocity oracles: the functional's
// sliced part on the shared sliced engine (skipped when it has none), plus its particle part.
#include <cstdint>
#include <memory>

#include "engine/sliced_engine.hpp"
#include "wow/cloud.hpp"
#include "wow/interfaces.hpp"

namespace wow {

template <class T>
class FlowObjective {
 public:
  FlowObjective(const ClassLayout& source, const ClassLayout& target, std::size_t dim, const Functional& functional,
                const ProjectionBackend& backend);

  // F(x) against target points y (the step's batch) with the directions of (seed, step); writes the velocity.
  double evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, T* velocity);

  // The sliced step (the backend's own, or the core's engine), or null when the functional has no sliced part.
  [[nodiscard]] const SlicedStep<T>* sliced() const { return sliced_.get(); }

 private:
  ClassLayout source_, target_;
  std::size_t dim_;
  const Functional& functional_;
  std::unique_ptr<SlicedStep<T>> sliced_;
};

extern template class FlowObjective<float>;
extern template class FlowObjective<double>;

}  // namespace wow
