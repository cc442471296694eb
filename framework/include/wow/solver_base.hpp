#pragma once
// Helper base for solvers: write one template `apply(x, velocity, state)` and both precisions work.
// Derived must define `template <class T> void apply(std::span<T> x, std::span<const T> v, std::vector<T>& state)`.
#include <span>
#include <vector>

#include "wow/interfaces.hpp"
#include "wow/params.hpp"

namespace wow {

template <class Derived>
class TypedSolver : public Solver {
 public:
  explicit TypedSolver(const Params& params)
      : steps_(params.integer("steps")),
        target_batch_(params.has("target_batch") ? params.integer("target_batch") : 0) {}

  [[nodiscard]] std::int64_t steps() const override { return steps_; }
  [[nodiscard]] std::int64_t target_batch() const override { return target_batch_; }
  void reset(std::size_t state_size) override {
    state_f_.assign(state_size, 0.0F);
    state_d_.assign(state_size, 0.0);
  }
  void update(std::span<float> x, std::span<const float> v) override {
    static_cast<Derived*>(this)->apply(x, v, state_f_);
    used_float_ = true;
  }
  void update(std::span<double> x, std::span<const double> v) override {
    static_cast<Derived*>(this)->apply(x, v, state_d_);
    used_float_ = false;
  }
  [[nodiscard]] std::vector<double> save_state() const override {
    return used_float_ ? std::vector<double>(state_f_.begin(), state_f_.end()) : state_d_;
  }
  void load_state(const std::vector<double>& state) override {
    state_d_ = state;
    state_f_.assign(state.begin(), state.end());
  }

  // The parameters every solver shares; a solver adds its own to these.
  static ParamSchema common_params() {
    return {
        ParamSpec::number("step_size", 0.1, "Step size tau").greater_than(0),
        ParamSpec::integer("steps", 1000, "Number of steps").at_least(0),
        ParamSpec::integer("target_batch", 0, "Target images per class drawn each step without replacement (0: all)")
            .at_least(0),
    };
  }

 private:
  std::int64_t steps_, target_batch_;
  std::vector<float> state_f_;
  std::vector<double> state_d_;
  bool used_float_ = true;
};

}  // namespace wow
