// A callback that throws, on purpose (tests: whatever a plugin throws, of any type, when it is built or during the
// run, must end as exit 2 with one line naming the plugin file, the type and the spec path; never exit 1 or an
// abort).
#include <stdexcept>
#include <string>

#include "wow/plugin_api.hpp"

namespace {

[[noreturn]] void throw_kind(const std::string& kind) {
  if (kind == "int") throw 42;  // NOLINT(hicpp-exception-baseclass): the point of the test
  throw std::runtime_error("boom");
}

class Throwing final : public wow::Callback {
 public:
  explicit Throwing(const wow::Params& p) : kind_(p.string("throw")), at_step_(p.integer("at_step")) {
    if (at_step_ == 0) throw_kind(kind_);
  }
  wow::CallbackAction on_step(const wow::FlowView& view, wow::MetricSink& /*sink*/) override {
    if (view.step == at_step_) throw_kind(kind_);
    return wow::CallbackAction::Continue;
  }

 private:
  std::string kind_;
  std::int64_t at_step_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Callback>(
      "throwing", "Test only: throws when built (at_step 0) or at step at_step",
      {
          wow::ParamSpec::choice("throw", "runtime_error", {"runtime_error", "int"}, "What to throw"),
          wow::ParamSpec::integer("at_step", 0, "0: in the constructor; else at this step").at_least(0),
      },
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Throwing>(p); });
}
