// Stops a run when a metric has not improved by more than `min_delta` for `patience` consecutive reports.
// `metric` is "loss" (read after every step) or a metric reported by a callback listed before this one (read at the
// steps it is reported). mode "min" wants it lower, "max" higher. Its state (best value, reports without
// improvement) is checkpointed, so a resumed run stops at the same step as an uninterrupted one.
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "wow/plugin_api.hpp"

namespace {

class EarlyStop final : public wow::Callback {
 public:
  explicit EarlyStop(const wow::Params& p)
      : metric_(p.string("metric")),
        patience_(p.integer("patience")),
        min_delta_(p.number("min_delta")),
        maximise_(p.string("mode") == "max") {}

  wow::CallbackAction on_step(const wow::FlowView& view, wow::MetricSink& /*sink*/) override {
    double value = view.loss;
    if (metric_ != "loss") {
      const auto it = view.metrics->find(metric_);
      if (it == view.metrics->end()) return wow::CallbackAction::Continue;  // not reported at this step
      value = it->second;
    }
    const double gain = maximise_ ? value - best_ : best_ - value;
    if (!seen_ || gain > min_delta_) {
      best_ = value;
      seen_ = true;
      waited_ = 0;
      return wow::CallbackAction::Continue;
    }
    if (++waited_ < patience_) return wow::CallbackAction::Continue;
    std::fprintf(
        stderr, "early_stop: %s has not improved by more than %g for %lld reports (best %.6g); stopping at step %lld\n",
        metric_.c_str(), min_delta_, static_cast<long long>(patience_), best_, static_cast<long long>(view.step));
    return wow::CallbackAction::Stop;
  }

  [[nodiscard]] std::vector<double> save_state() const override {
    return {seen_ ? 1.0 : 0.0, best_, static_cast<double>(waited_)};
  }
  void load_state(const std::vector<double>& state) override {
    if (state.size() != 3) return;
    seen_ = state[0] != 0.0;
    best_ = state[1];
    waited_ = static_cast<std::int64_t>(state[2]);
  }

 private:
  std::string metric_;
  std::int64_t patience_;
  double min_delta_;
  bool maximise_;
  bool seen_ = false;
  double best_ = 0.0;
  std::int64_t waited_ = 0;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Callback>(
      "early_stop", "Stops the run when a metric stops improving (patience reports, min_delta, mode min|max)",
      {
          wow::ParamSpec::string("metric", "loss", "\"loss\" or a metric of a callback listed before this one"),
          wow::ParamSpec::integer("patience", 100, "Reports without improvement before stopping").at_least(1),
          wow::ParamSpec::number("min_delta", 0.0, "Smallest change that counts as an improvement").at_least(0),
          wow::ParamSpec::choice("mode", "min", {"min", "max"}, "Whether lower (min) or higher (max) is better"),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<EarlyStop>(p); });
}
