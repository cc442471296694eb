#include "engine/flow_objective.hpp"

#include <algorithm>
#include <span>

namespace wow {

template <class T>
FlowObjective<T>::FlowObjective(const ClassLayout& source, const ClassLayout& target, std::size_t dim,
                                const Functional& functional, const ProjectionBackend& backend)
    : source_(source), target_(target), dim_(dim), functional_(functional), backend_(backend) {
  if (functional.sw_power() != 0)
    engine_ = std::make_unique<SlicedEngine<T>>(source, target, dim, backend.settings(), functional.sw_power());
}

template <class T>
double FlowObjective<T>::evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, T* velocity) {
  const std::size_t nx = source_.rows() * dim_, ny = target_.rows() * dim_;
  double value = 0.0;
  if (engine_)
    value = engine_->evaluate(x, y, seed, step, functional_, backend_, velocity).value;
  else
    std::fill(velocity, velocity + nx, T(0));
  const ParticleState<T> state{
      std::span<const T>(x, nx), source_, std::span<const T>(y, ny), target_, dim_, seed, step};
  return value + functional_.add_particle_velocity(state, std::span<T>(velocity, nx));
}

template class FlowObjective<float>;
template class FlowObjective<double>;

}  // namespace wow
