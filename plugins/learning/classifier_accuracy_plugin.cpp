// Registration of the callback classifier_accuracy (paper Figure 3); its code is classifier_accuracy.cpp in the
// learning library, opened when a run creates one (lazy_library.hpp).
#include "lazy_library.hpp"
#include "names.hpp"
#include "wow/interfaces.hpp"
#include "wow/plugin_api.hpp"

namespace learning = wow::learning;

WOW_PLUGIN(registry) {
  registry.add<wow::Callback>(
      "classifier_accuracy",
      "Metric classifier_accuracy (percent): a classifier trained on held-out labelled images scores the flowed "
      "images, each class labelled by its matched target class; paper Figure 3",
      [] {
        wow::ParamSchema params{
            wow::ParamSpec::integer("every", 500, "Report every this many steps (and at the first and last)")
                .at_least(1),
            wow::ParamSpec::component(
                "train", "dataset", wow::Json{{"type", "mnist_json"}, {"params", {{"split", "test"}}}},
                "Labelled images the classifier learns from (the flow must not see them); class k = target class k"),
            wow::ParamSpec::integer("seed", 0, "Seed of the classifier's weights and batch order").at_least(0),
            wow::ParamSpec::string("cache_dir", "runs/.classifiers",
                                   "Where trained classifiers are kept, keyed by their settings (empty: no cache)"),
            wow::ParamSpec::boolean("clip", true, "Clip the flowed images to [0, 1] first"),
        };
        for (auto& spec : learning::training_params("da_cnn", 20)) params.push_back(std::move(spec));
        return params;
      }(),
      [](const wow::Params& p, const wow::Registry& r) {
        return wow::learning::make_learning_component<wow::Callback>("wow_learning_make_classifier_accuracy", p, r);
      });
}
