#include "run/flow_stepper.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

#include "engine/rng.hpp"

namespace wow {

namespace {

// Branch-free so it vectorises (two passes over the whole state every step): NaN fails the comparison too.
template <class T>
bool all_finite(const std::vector<T>& v) {
  int bad = 0;
  const T largest = std::numeric_limits<T>::max();
  const T* p = v.data();
#pragma omp simd reduction(| : bad)
  for (std::size_t i = 0; i < v.size(); ++i) bad |= static_cast<int>(!(std::abs(p[i]) <= largest));
  return bad == 0;
}

// Draws target_batch rows per target class without replacement (partial Fisher-Yates), seeded per step.
template <class T>
void draw_target_batch(const LabeledCloud<T>& target, const ClassLayout& batch, std::uint64_t seed, std::uint64_t step,
                       std::vector<std::size_t>& index, std::vector<T>& out) {
  const std::size_t d = target.dim;
  std::size_t row = 0;
  for (std::size_t k = 0; k < target.classes(); ++k) {
    const std::size_t m = target.layout.size(k);
    index.resize(m);
    for (std::size_t i = 0; i < m; ++i) index[i] = i;
    auto stream = rng::stream(seed, rng::Purpose::TargetBatch, step, k);
    for (std::size_t i = 0; i < batch.size(k); ++i, ++row) {
      std::swap(index[i], index[i + stream.below(m - i)]);
      const T* src = target.row(target.layout.offsets[k] + index[i]);
      std::copy(src, src + d, out.data() + row * d);
    }
  }
}

}  // namespace

template <class T>
FlowStepper<T>::FlowStepper(Setup& s, const StartPoint& from, MetricsLog& metrics)
    : s_(s),
      metrics_(metrics),
      seed_(s.spec.at("seed").get<std::uint64_t>()),
      steps_(s.solver->steps()),
      step_(from.step),
      x_(s.source.cast<T>()),
      target_(s.target.cast<T>()),
      objective_(x_.layout, s.step_target, x_.dim, *s.functional, *s.backend),
      batching_(s.step_target.rows() != target_.rows()) {
  if (from.state != nullptr) x_.points.assign(from.state->begin(), from.state->end());
  s_.solver->reset(x_.points.size());
  if (from.step > 0) s_.solver->load_state(from.solver);
  for (std::size_t i = 0; i < s_.callbacks.size() && i < from.callbacks.size(); ++i)
    if (!from.callbacks[i].empty()) s_.callbacks[i]->load_state(from.callbacks[i]);
  batch_.resize(batching_ ? s_.step_target.rows() * x_.dim : 0);
  velocity_.resize(x_.points.size());
  view_.steps = steps_;
  view_.seed = seed_;
  view_.layout = &x_.layout;
  view_.dim = x_.dim;
  if constexpr (std::is_same_v<T, float>)
    view_.x_f32 = std::span<const float>(x_.points);
  else
    view_.x_f64 = std::span<const double>(x_.points);
  view_.source = &s_.source;
  view_.target = &s_.target;
  view_.metrics = &metrics_.current();
}

template <class T>
std::vector<Callback*> FlowStepper<T>::hooks() const {
  std::vector<Callback*> all = first_;
  for (const auto& c : s_.callbacks) all.push_back(c.get());
  all.insert(all.end(), last_.begin(), last_.end());
  return all;
}

template <class T>
const FlowView& FlowStepper<T>::view_at(std::int64_t step, double loss) {
  metrics_.begin_step(step);
  view_.step = step;
  view_.loss = loss;
  return view_;
}

template <class T>
void FlowStepper<T>::start() {
  try {
    for (auto* hook : hooks()) hook->on_start(view_at(step_, std::numeric_limits<double>::quiet_NaN()), metrics_);
  } catch (const InputError& e) {
    throw RefusedAtStart(e.what());
  }
}

template <class T>
StepOutcome FlowStepper<T>::advance() {
  StepOutcome out;
  const auto k = static_cast<std::uint64_t>(step_);
  const T* y = target_.points.data();
  if (batching_) {
    draw_target_batch(target_, s_.step_target, seed_, k, batch_index_, batch_);
    y = batch_.data();
  }
  out.loss = objective_.evaluate(x_.points.data(), y, seed_, k, velocity_.data());
  if (!std::isfinite(out.loss) || !all_finite(velocity_)) {
    out.finite = false;
    return out;
  }
  // A solver may ask for the velocity at other points, with this step's directions and target batch.
  const VelocityOracle<T> oracle = [&](std::span<const T> at_x, std::span<T> v) {
    return objective_.evaluate(at_x.data(), y, seed_, k, v.data());
  };
  guarded("solver", s_.spec.at("solver").at("type").get<std::string>(), "solver",
          [&] { s_.solver->step(std::span<T>(x_.points), std::span<const T>(velocity_), oracle); });
  if (!all_finite(x_.points)) {
    out.state_finite = false;
    return out;
  }
  ++step_;
  const FlowView& now = view_at(step_, out.loss);
  for (auto* hook : first_) hook->on_step(now, metrics_);
  for (std::size_t i = 0; i < s_.callbacks.size(); ++i) {
    const std::string type = s_.spec.at("callbacks").at(i).at("type").get<std::string>();
    const auto action = guarded("callback", type, "callbacks[" + std::to_string(i) + "]",
                                [&] { return s_.callbacks[i]->on_step(now, metrics_); });
    if (action == CallbackAction::Stop && out.stopped_by.empty()) out.stopped_by = type;
  }
  for (auto* hook : last_) hook->on_step(now, metrics_);
  return out;
}

template <class T>
void FlowStepper<T>::finish(double loss) {
  for (auto* hook : hooks()) hook->on_end(view_at(step_, loss), metrics_);
}

template <class T>
std::vector<std::vector<double>> FlowStepper<T>::callback_states() const {
  std::vector<std::vector<double>> states;
  for (const auto& c : s_.callbacks) states.push_back(c->save_state());
  return states;
}

template <class T>
std::string FlowStepper<T>::estimator() const {
  return objective_.sliced() == nullptr ? "none" : objective_.sliced()->estimator();
}

template class FlowStepper<float>;
template class FlowStepper<double>;

}  // namespace wow
