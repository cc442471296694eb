#include "training.hpp"

#include <algorithm>
#include <numeric>
#include <thread>

#include "engine/rng.hpp"
#include "wow/errors.hpp"

namespace wow::learning {

ImageShape image_shape_of(const LabeledCloud<double>& cloud, const std::string& what) {
  if (cloud.image_shape.size() != 3)
    throw InputError(what + ": the data are not images (its dataset gives no image shape)");
  const ImageShape s{static_cast<std::int64_t>(cloud.image_shape[2]), static_cast<std::int64_t>(cloud.image_shape[0]),
                     static_cast<std::int64_t>(cloud.image_shape[1])};
  if (static_cast<std::size_t>(s.channels * s.height * s.width) != cloud.dim)
    throw InputError(what + ": image shape does not match the dimension " + std::to_string(cloud.dim));
  return s;
}

LabeledImages to_images(const LabeledCloud<double>& cloud, const std::vector<std::int64_t>& label_of_class, bool clip) {
  const ImageShape s = image_shape_of(cloud, "classifier input");
  const auto n = static_cast<std::int64_t>(cloud.rows());
  std::vector<float> pixels(cloud.points.begin(), cloud.points.end());
  if (clip)
    for (float& v : pixels) v = std::clamp(v, 0.0F, 1.0F);
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  for (std::size_t c = 0; c < cloud.classes(); ++c)
    std::fill(labels.begin() + static_cast<std::ptrdiff_t>(cloud.layout.offsets[c]),
              labels.begin() + static_cast<std::ptrdiff_t>(cloud.layout.offsets[c + 1]), label_of_class.at(c));
  LabeledImages out;
  // Stored height x width x channels; the networks want channels first. clone, not contiguous(): with one channel
  // the permuted view already counts as contiguous, and would keep pointing into `pixels`.
  out.images = torch::from_blob(pixels.data(), {n, s.height, s.width, s.channels}, torch::kFloat32)
                   .permute({0, 3, 1, 2})
                   .clone(torch::MemoryFormat::Contiguous);
  out.labels = torch::from_blob(labels.data(), {n}, torch::kInt64).clone();
  return out;
}

LabeledImages concatenate(const LabeledImages& a, const LabeledImages& b) {
  if (a.size() == 0) return b;
  if (b.size() == 0) return a;
  return {torch::cat({a.images, b.images}), torch::cat({a.labels, b.labels})};
}

TrainSettings train_settings(const wow::Params& p) {
  TrainSettings s;
  s.network = p.string("network");
  s.epochs = p.integer("epochs");
  s.batch = p.integer("batch");
  s.learning_rate = p.number("learning_rate");
  s.weight_decay = p.number("weight_decay");
  return s;
}

void check_matches_target(const LabeledCloud<double>& data, const LabeledCloud<double>& target,
                          const std::string& what) {
  if (data.classes() != target.classes())
    throw InputError("callbacks: " + what + " has " + std::to_string(data.classes()) + " classes, the target " +
                     std::to_string(target.classes()) + " (class k of both must be the same label)");
  if (data.dim != target.dim)
    throw InputError("callbacks: " + what + " has dimension " + std::to_string(data.dim) + ", the target " +
                     std::to_string(target.dim));
}

void set_threads(std::int64_t threads) {
  const auto all = static_cast<std::int64_t>(std::max(1U, std::thread::hardware_concurrency()));
  torch::set_num_threads(static_cast<int>(threads > 0 ? threads : all));
}

torch::nn::Sequential train_classifier(const LabeledImages& data, const ImageShape& shape, const TrainSettings& s,
                                       const std::function<void(std::int64_t, double)>& progress) {
  if (data.size() == 0) throw InputError("classifier training: no images to train on");
  torch::manual_seed(s.seed);
  torch::nn::Sequential net = make_network(s.network, shape, s.classes);
  net->train();
  torch::optim::AdamW optimizer(net->parameters(),
                                torch::optim::AdamWOptions(s.learning_rate).weight_decay(s.weight_decay));
  const std::int64_t n = data.size();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t epoch = 0; epoch < s.epochs; ++epoch) {
    // The batch order: a Fisher-Yates shuffle from the project's counter-based stream (seed, epoch).
    std::iota(order.begin(), order.end(), 0);
    auto stream = rng::stream(s.seed, rng::Purpose::Subsample, static_cast<std::uint64_t>(epoch), 0x7261696eULL);
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[stream.below(i)]);
    const torch::Tensor index = torch::from_blob(order.data(), {n}, torch::kInt64);
    double total = 0.0;
    for (std::int64_t first = 0; first < n; first += s.batch) {
      const torch::Tensor rows = index.slice(0, first, std::min(n, first + s.batch));
      const torch::Tensor images = data.images.index_select(0, rows);
      const torch::Tensor labels = data.labels.index_select(0, rows);
      optimizer.zero_grad();
      torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(images), labels);
      loss.backward();
      optimizer.step();
      total += loss.item<double>() * static_cast<double>(rows.size(0));
    }
    if (progress) progress(epoch + 1, total / static_cast<double>(n));
  }
  net->eval();
  return net;
}

torch::Tensor predict(torch::nn::Sequential& net, const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  net->eval();
  constexpr std::int64_t kBatch = 1024;
  std::vector<torch::Tensor> parts;
  for (std::int64_t first = 0; first < images.size(0); first += kBatch)
    parts.push_back(net->forward(images.slice(0, first, std::min(images.size(0), first + kBatch))).argmax(1));
  return parts.empty() ? torch::empty({0}, torch::kInt64) : torch::cat(parts);
}

double accuracy_percent(torch::nn::Sequential& net, const LabeledImages& data) {
  if (data.size() == 0) return 0.0;
  const torch::Tensor correct = predict(net, data.images).eq(data.labels).sum();
  return 100.0 * correct.item<double>() / static_cast<double>(data.size());
}

}  // namespace wow::learning
