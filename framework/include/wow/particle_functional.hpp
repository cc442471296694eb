#pragma once
// Helper base for functionals over particles (no sliced part): write one template
//   template <class T> double add(const ParticleState<T>& state, std::span<T> velocity) const;
// returning F and adding the WoW velocity (n_c / w_c) dF/dx_i, and both precisions work.
#include <span>

#include "wow/interfaces.hpp"

namespace wow {

template <class Derived>
class ParticleFunctional : public Functional {
 public:
  [[nodiscard]] int sw_power() const override { return 0; }
  void prepare(std::size_t /*source_classes*/, std::size_t /*target_classes*/) override {}
  double add_particle_velocity(const ParticleState<float>& state, std::span<float> velocity) const override {
    return static_cast<const Derived*>(this)->add(state, velocity);
  }
  double add_particle_velocity(const ParticleState<double>& state, std::span<double> velocity) const override {
    return static_cast<const Derived*>(this)->add(state, velocity);
  }
};

}  // namespace wow
