// docs/plugins.md "A callback": a metric, the mean distance of the particles to the origin.
#include <cmath>
#include <wow/plugin_api.hpp>

namespace {

class Spread final : public wow::Callback {
 public:
  explicit Spread(std::int64_t every) : every_(every) {}
  wow::CallbackAction on_step(const wow::FlowView& view, wow::MetricSink& sink) override {
    if (view.step % every_ == 0) {
      const auto x = view.x();
      double total = 0;
      for (std::size_t i = 0; i < x.size(); i += view.dim) {
        double r2 = 0;
        for (std::size_t j = 0; j < view.dim; ++j) r2 += x[i + j] * x[i + j];
        total += std::sqrt(r2);
      }
      sink.report("spread", total / double(x.size() / view.dim));
    }
    return wow::CallbackAction::Continue;
  }

 private:
  std::int64_t every_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Callback>(
      "spread", "Mean distance to the origin",
      {wow::ParamSpec::integer("every", 10, "Report every this many steps").at_least(1)},
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Spread>(p.integer("every")); });
}
