// Callback transfer_eval (paper.md, Table 2): at the end of a flow, train a classifier from scratch on the target's
// images (k per class in a k-shot run) plus the flowed images, each flowed class labelled by the target class it is
// matched to (exact OT, as labels.json), clipped to [0, 1]; test it on a held-out dataset (default: the FashionMNIST
// test split). `trainings` networks with different seeds give <name>_accuracy_mean and _std (percent, sample std)
// and <name>_accuracy_<t>. include_flowed = false trains on the target alone: the paper's "train on target only".
// Dataset distillation (Table 1) trains on the flowed images alone (include_target = false), each labelled by its own
// source class (flowed_labels = "source": the distilled images of class c started as real images of class c).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>

#include "engine/rng.hpp"
#include "flowed_images.hpp"
#include "training.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"
#include "wow/registry.hpp"

namespace {

namespace learning = wow::learning;

class TransferEval final : public wow::Callback {
 public:
  TransferEval(const wow::Params& p, std::unique_ptr<wow::Dataset> test)
      : test_data_(std::move(test)),
        name_(p.string("name")),
        include_target_(p.boolean("include_target")),
        include_flowed_(p.boolean("include_flowed")),
        matched_labels_(p.string("flowed_labels") == "matched"),
        clip_(p.boolean("clip")),
        trainings_(p.integer("trainings")),
        threads_(p.integer("threads")),
        settings_(learning::train_settings(p)) {
    if (!include_target_ && !include_flowed_)
      throw wow::InputError(p.path_of("include_flowed") + ": with include_target false there is nothing to train on");
  }

  // The test set is read and checked before the flow starts, so a mismatch costs no flow.
  void on_start(const wow::FlowView& view, wow::MetricSink& /*sink*/) override { load_test(view); }

  void on_end(const wow::FlowView& view, wow::MetricSink& sink) override {
    load_test(view);
    learning::set_threads(threads_);
    const wow::LabeledCloud<double>& target = *view.target;
    learning::LabeledImages train;
    if (include_target_) train = learning::to_images(target, learning::identity_labels(target.classes()), clip_);
    if (include_flowed_) {
      const wow::LabeledCloud<double> flowed = learning::flowed_cloud(view);
      const auto labels =
          matched_labels_ ? learning::matched_labels(flowed, target) : learning::identity_labels(flowed.classes());
      train = learning::concatenate(train, learning::to_images(flowed, labels, clip_));
    }
    const learning::ImageShape shape = learning::image_shape_of(target, "transfer_eval: target");
    settings_.classes = static_cast<std::int64_t>(target.classes());
    std::vector<double> accuracies;
    for (std::int64_t t = 0; t < trainings_; ++t) {
      const auto started = std::chrono::steady_clock::now();
      settings_.seed = wow::rng::mix(wow::rng::mix(view.seed) ^ static_cast<std::uint64_t>(t));
      torch::nn::Sequential net = learning::train_classifier(train, shape, settings_);
      accuracies.push_back(learning::accuracy_percent(net, test_));
      sink.report(name_ + "_accuracy_" + std::to_string(t), accuracies.back());
      std::fprintf(stderr,
                   "transfer_eval %s: training %lld/%lld on %lld images: %.1f %% on %lld test images (%.0f s)\n",
                   name_.c_str(), static_cast<long long>(t + 1), static_cast<long long>(trainings_),
                   static_cast<long long>(train.size()), accuracies.back(), static_cast<long long>(test_.size()),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    double mean = 0.0, var = 0.0;
    for (const double a : accuracies) mean += a / static_cast<double>(accuracies.size());
    for (const double a : accuracies) var += (a - mean) * (a - mean);
    sink.report(name_ + "_accuracy_mean", mean);
    sink.report(name_ + "_accuracy_std",
                accuracies.size() > 1 ? std::sqrt(var / static_cast<double>(accuracies.size() - 1)) : 0.0);
  }

 private:
  void load_test(const wow::FlowView& view) {
    if (test_.size() > 0) return;
    const wow::LabeledCloud<double> test = test_data_->load(view.seed);
    learning::check_matches_target(test, *view.target, "transfer_eval.test");
    const std::size_t classes = view.target->classes();
    if (include_flowed_ && !matched_labels_ && view.layout->classes() != classes)
      throw wow::InputError("callbacks: transfer_eval.flowed_labels \"source\" needs as many source classes (" +
                            std::to_string(view.layout->classes()) + ") as target classes (" + std::to_string(classes) +
                            ")");
    test_ = learning::to_images(test, learning::identity_labels(classes), false);
  }

  std::unique_ptr<wow::Dataset> test_data_;
  learning::LabeledImages test_;
  std::string name_;
  bool include_target_, include_flowed_, matched_labels_, clip_;
  std::int64_t trainings_, threads_;
  learning::TrainSettings settings_;
};

}  // namespace

// The factory the registration half (transfer_eval_plugin.cpp) calls through lazy_library.hpp.
extern "C" __attribute__((visibility("default"))) wow::Callback* wow_learning_make_transfer_eval(
    const wow::Params& p, const wow::Registry& r) {
  return std::make_unique<TransferEval>(p, r.create<wow::Dataset>(p.node("test"), p.path_of("test"))).release();
}
