// Registration of the functional embedded (paper Table 1, emb+aug); its code is embedded.cpp in the learning library,
// opened when a run creates one (lazy_library.hpp).
#include "lazy_library.hpp"
#include "names.hpp"
#include "wow/interfaces.hpp"
#include "wow/plugin_api.hpp"

namespace learning = wow::learning;

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>(
      "embedded",
      "A functional on features of the images: each step a random ConvNet (width, depth; instance norm, ReLU, average "
      "pooling) and one random augmentation embed source and target alike, the inner functional runs on the "
      "features, and its velocity returns to pixels through libtorch autograd (paper Table 1, emb+aug)",
      {
          wow::ParamSpec::component(
              "functional", "functional",
              wow::Json{{"type", "mmd"}, {"params", {{"kernel", {{"type", "riesz_sw"}, {"params", {{"r", 1.0}}}}}}}},
              "The functional evaluated on the features (mmd with any kernel, dm, sum, ...)"),
          wow::ParamSpec::component("projections", "projections",
                                    wow::Json{{"type", "tbb"}, {"params", {{"count", 500}}}},
                                    "Directions of the inner functional's sliced part (the run's own projections "
                                    "node is not used: the pixels are never sliced)"),
          wow::ParamSpec::integer("width", 128, "Channels of each random conv layer").at_least(1),
          wow::ParamSpec::integer("depth", 3, "Conv blocks (each halves the image side)").at_least(1),
          wow::ParamSpec::integer("channels", 0, "Image channels (0: 1 when the dimension is a square, else 3)")
              .at_least(0),
          wow::ParamSpec::choice("augment", "dsa", wow::learning::augmentation_names(),
                                 "Augmentation per step, alike on both sides: dsa (one of crop, scale, rotate, "
                                 "cutout, colour at random), one of those every step, or none"),
      },
      [](const wow::Params& p, const wow::Registry& r) {
        return wow::learning::make_learning_component<wow::Functional>("wow_learning_make_embedded", p, r);
      });
}
