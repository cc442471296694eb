#include "engine/flow_objective.hpp"

#include <algorithm>
#include <span>

namespace wow {

namespace {

// The core's CPU engine as the sliced step of the serial and tbb backends.
template <class T>
class EngineStep final : public SlicedStep<T> {
 public:
  EngineStep(const SlicedShape& shape, const ProjectionBackend& backend)
      : engine_(shape.source, shape.target, shape.dim, backend.settings(), shape.sw_power), backend_(backend) {}
  double evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, const Functional& functional,
                  T* velocity) override {
    return engine_.evaluate(x, y, seed, step, functional, backend_, velocity).value;
  }
  [[nodiscard]] std::string estimator() const override {
    return engine_.estimator() == Estimator::Sorted ? "sorted" : "quantile";
  }

 private:
  SlicedEngine<T> engine_;
  const ProjectionBackend& backend_;
};

}  // namespace

template <class T>
FlowObjective<T>::FlowObjective(const ClassLayout& source, const ClassLayout& target, std::size_t dim,
                                const Functional& functional, const ProjectionBackend& backend)
    : source_(source), target_(target), dim_(dim), functional_(functional) {
  if (functional.sw_power() == 0) return;
  const SlicedShape shape{source_, target_, dim, functional.sw_power()};
  if constexpr (std::is_same_v<T, float>)
    sliced_ = backend.make_step_f32(shape);
  else
    sliced_ = backend.make_step_f64(shape);
  if (!sliced_) sliced_ = std::make_unique<EngineStep<T>>(shape, backend);
}

template <class T>
double FlowObjective<T>::evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, T* velocity) {
  const std::size_t nx = source_.rows() * dim_, ny = target_.rows() * dim_;
  double value = 0.0;
  if (sliced_)
    value = sliced_->evaluate(x, y, seed, step, functional_, velocity);
  else
    std::fill(velocity, velocity + nx, T(0));
  const ParticleState<T> state{
      std::span<const T>(x, nx), source_, std::span<const T>(y, ny), target_, dim_, seed, step};
  return value + functional_.add_particle_velocity(state, std::span<T>(velocity, nx));
}

template class FlowObjective<float>;
template class FlowObjective<double>;

}  // namespace wow
