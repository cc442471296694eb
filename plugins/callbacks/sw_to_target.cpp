// Metric callback: every `every` steps (and at steps 0 and the last), SW_2 between each flowed class and its
// matched target class over 1 000 fixed directions (the evaluator's, as in labels.json), and their mean.
// Classes are matched by the optimal class-to-class plan on the SW_2^2 matrix (an assignment when C = M; otherwise
// each class goes to the target class receiving most of its mass). Metrics: sw2_class_<i>, sw2_mean.
#include <cmath>
#include <string>

#include "report/label_matching.hpp"
#include "wow/plugin_api.hpp"

namespace {

class SwToTarget final : public wow::Callback {
 public:
  explicit SwToTarget(const wow::Params& p) : every_(p.integer("every")), count_(p.integer("directions")) {}

  void on_start(const wow::FlowView& view, wow::MetricSink& sink) override { report(view, sink); }
  wow::CallbackAction on_step(const wow::FlowView& view, wow::MetricSink& sink) override {
    if (view.step % every_ == 0) report(view, sink);
    return wow::CallbackAction::Continue;
  }
  void on_end(const wow::FlowView& view, wow::MetricSink& sink) override {
    if (view.step % every_ != 0) report(view, sink);  // the last state, unless just reported
  }

 private:
  void report(const wow::FlowView& view, wow::MetricSink& sink) {
    if (directions_.empty()) directions_ = wow::evaluator_directions(static_cast<std::size_t>(count_), view.dim);
    wow::LabeledCloud<double> flowed;
    flowed.layout = *view.layout;
    flowed.dim = view.dim;
    flowed.points = view.x();
    const auto& target = *view.target;
    const std::vector<double> cost = wow::class_sliced_w2_squared(flowed, target, directions_);
    const std::size_t c = flowed.classes(), m = target.classes();
    const wow::TransportPlan plan = wow::exact_transport(cost, std::vector<double>(c, 1.0 / static_cast<double>(c)),
                                                         std::vector<double>(m, 1.0 / static_cast<double>(m)));
    double mean = 0.0;
    for (std::size_t i = 0; i < c; ++i) {
      std::size_t best = 0;
      for (std::size_t k = 1; k < m; ++k)
        if (plan.plan[i * m + k] > plan.plan[i * m + best]) best = k;
      const double sw2 = std::sqrt(std::max(0.0, cost[i * m + best]));
      sink.report("sw2_class_" + std::to_string(i), sw2);
      mean += sw2 / static_cast<double>(c);
    }
    sink.report("sw2_mean", mean);
  }

  std::int64_t every_, count_;
  std::vector<double> directions_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Callback>(
      "sw_to_target", "Metrics sw2_class_<i> and sw2_mean: SW_2 of each class to its matched target class",
      {
          wow::ParamSpec::integer("every", 50, "Report every this many steps (and at the first and last)").at_least(1),
          wow::ParamSpec::integer("directions", 1000, "Fixed evaluator directions").at_least(1),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<SwToTarget>(p); });
}
