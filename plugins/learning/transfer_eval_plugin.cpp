// Registration of the callback transfer_eval (paper Table 2); its code is transfer_eval.cpp in the learning library,
// opened when a run creates one (lazy_library.hpp).
#include "lazy_library.hpp"
#include "names.hpp"
#include "wow/interfaces.hpp"
#include "wow/plugin_api.hpp"

namespace learning = wow::learning;

WOW_PLUGIN(registry) {
  registry.add<wow::Callback>(
      "transfer_eval",
      "At the end: train classifiers on the target's images plus the matched flowed images, report test accuracy "
      "(<name>_accuracy_mean, _std, _<t>, percent); paper Table 2",
      [] {
        wow::ParamSchema params{
            wow::ParamSpec::component("test", "dataset", wow::Json{{"type", "idx"}, {"params", {{"split", "test"}}}},
                                      "Held-out labelled images to test on; class k must be the target's class k"),
            wow::ParamSpec::boolean("include_target", true, "Train on the target's images"),
            wow::ParamSpec::boolean("include_flowed", true,
                                    "Train on the flowed images too (false: target only, the baseline)"),
            wow::ParamSpec::choice("flowed_labels", "matched", {"matched", "source"},
                                   "Label of a flowed class: its matched target class (exact OT between classes), or "
                                   "its own source class index (dataset distillation)"),
            wow::ParamSpec::string("name", "transfer", "Prefix of the metrics (two of these callbacks need two names)"),
            wow::ParamSpec::integer("trainings", 5, "Networks trained, each from its own seed").at_least(1),
            wow::ParamSpec::boolean("clip", true, "Clip the flowed images to [0, 1] first"),
        };
        for (auto& spec : learning::training_params("lenet5", 50)) params.push_back(std::move(spec));
        return params;
      }(),
      [](const wow::Params& p, const wow::Registry& r) {
        return wow::learning::make_learning_component<wow::Callback>("wow_learning_make_transfer_eval", p, r);
      });
}
