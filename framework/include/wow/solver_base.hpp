#pragma once
// Helper base for solvers: write one template `apply` and both precisions work, with named state buffers and
// scalars that the core checkpoints.
// Derived defines
//   template <class T> void apply(std::span<T> x, std::span<const T> v, const VelocityOracle<T>& oracle);
// and keeps its state in buffer<T>("name") (zero-initialised, the size of x) and scalar("name").
#include <map>
#include <span>
#include <string>
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
    size_ = state_size;
    buffers_f_.clear();
    buffers_d_.clear();
    scalars_.clear();
  }
  void step(std::span<float> x, std::span<const float> v, const VelocityOracle<float>& oracle) override {
    used_float_ = true;
    static_cast<Derived*>(this)->apply(x, v, oracle);
  }
  void step(std::span<double> x, std::span<const double> v, const VelocityOracle<double>& oracle) override {
    used_float_ = false;
    static_cast<Derived*>(this)->apply(x, v, oracle);
  }
  [[nodiscard]] SolverState save_state() const override {
    SolverState s;
    s.scalars = scalars_;
    if (used_float_)
      for (const auto& [name, b] : buffers_f_) s.buffers[name] = std::vector<double>(b.begin(), b.end());
    else
      s.buffers = buffers_d_;
    return s;
  }
  void load_state(const SolverState& state) override {
    scalars_ = state.scalars;
    buffers_d_ = state.buffers;
    buffers_f_.clear();
    for (const auto& [name, b] : state.buffers) buffers_f_[name] = std::vector<float>(b.begin(), b.end());
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

 protected:
  // A named state buffer of the size of x, zero at the first use; checkpointed.
  template <class T>
  std::vector<T>& buffer(const std::string& name) {
    auto& map = buffers<T>();
    auto& b = map[name];
    if (b.size() != size_) b.assign(size_, T(0));
    return b;
  }
  // A named scalar, zero at the first use; checkpointed.
  double& scalar(const std::string& name) { return scalars_[name]; }

 private:
  template <class T>
  std::map<std::string, std::vector<T>>& buffers() {
    if constexpr (std::is_same_v<T, float>)
      return buffers_f_;
    else
      return buffers_d_;
  }

  std::int64_t steps_, target_batch_;
  std::size_t size_ = 0;
  std::map<std::string, std::vector<float>> buffers_f_;
  std::map<std::string, std::vector<double>> buffers_d_;
  std::map<std::string, double> scalars_;
  bool used_float_ = true;
};

}  // namespace wow
