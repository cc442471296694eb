// plugins/learning (libtorch): the networks' shapes, images from clouds, seeded training that learns, and errors.
// libtorch defines its own CHECK macros (c10 logging), so Catch's are used with their CATCH_ prefix here.
#define CATCH_CONFIG_PREFIX_ALL
#include <catch2/catch.hpp>

#include "networks.hpp"
#include "training.hpp"
#include "wow/errors.hpp"

namespace learning = wow::learning;

namespace {

// Two classes of n 28 x 28 images: class 0 dark with a bright left half, class 1 with a bright right half, plus
// noise from the seed. A classifier must learn it perfectly.
wow::LabeledCloud<double> halves(std::size_t n, std::uint64_t seed) {
  wow::LabeledCloud<double> cloud;
  cloud.layout = wow::ClassLayout::uniform(2, n);
  cloud.dim = 784;
  cloud.image_shape = {28, 28, 1};
  cloud.points.resize(2 * n * 784);
  torch::manual_seed(seed);
  const torch::Tensor noise = torch::rand({static_cast<std::int64_t>(2 * n * 784)}, torch::kFloat64);
  for (std::size_t i = 0; i < 2 * n; ++i)
    for (std::size_t y = 0; y < 28; ++y)
      for (std::size_t x = 0; x < 28; ++x) {
        const bool bright = (i < n) == (x < 14);
        const std::size_t at = i * 784 + y * 28 + x;
        cloud.points[at] = (bright ? 0.6 : 0.0) + 0.4 * noise[static_cast<std::int64_t>(at)].item<double>();
      }
  return cloud;
}

}  // namespace

CATCH_TEST_CASE("learning: each network maps N x 1 x 28 x 28 to N x classes", "[learning]") {
  for (const auto& name : learning::network_names()) {
    CATCH_INFO(name);
    auto net = learning::make_network(name, {1, 28, 28}, 7);
    torch::NoGradGuard no_grad;
    const torch::Tensor out = net->forward(torch::zeros({3, 1, 28, 28}));
    CATCH_CHECK(out.sizes() == torch::IntArrayRef({3, 7}));
  }
  // The paper's layer sizes: 1728 features into the domain-adaptation CNN's first linear layer, 400 into LeNet's.
  auto da = learning::make_network("da_cnn", {1, 28, 28}, 10);
  auto lenet = learning::make_network("lenet5", {1, 28, 28}, 10);
  const auto first_linear_inputs = [](torch::nn::Sequential& net) {
    for (const auto& m : net->modules(false))
      if (const auto* linear = m->as<torch::nn::Linear>()) return linear->options.in_features();
    return std::int64_t{-1};
  };
  CATCH_CHECK(first_linear_inputs(da) == 1728);
  CATCH_CHECK(first_linear_inputs(lenet) == 400);
}

CATCH_TEST_CASE("learning: unknown networks and too small images are input errors", "[learning]") {
  CATCH_CHECK_THROWS_WITH(learning::make_network("resnet", {1, 28, 28}, 10),
                          Catch::Contains("unknown network \"resnet\"") && Catch::Contains("lenet5"));
  CATCH_CHECK_THROWS_AS(learning::make_network("lenet5", {1, 8, 8}, 10), wow::InputError);
}

CATCH_TEST_CASE("learning: clouds become channel-first image tensors with their class labels", "[learning]") {
  wow::LabeledCloud<double> cloud;
  cloud.layout = wow::ClassLayout::uniform(2, 2);
  cloud.dim = 12;
  cloud.image_shape = {2, 2, 3};  // height 2, width 2, 3 channels, stored pixel by pixel
  for (int i = 0; i < 48; ++i) cloud.points.push_back(i / 10.0 - 1.0);
  const auto images = learning::to_images(cloud, {5, 3}, true);
  CATCH_CHECK(images.images.sizes() == torch::IntArrayRef({4, 3, 2, 2}));
  CATCH_CHECK(images.labels.equal(torch::tensor({5, 5, 3, 3}, torch::kInt64)));
  // Image 3, channel 2, pixel (1, 0): stored at 3 * 12 + (1 * 2 + 0) * 3 + 2 = 44 -> 3.4, clipped to 1.
  CATCH_CHECK(images.images[3][2][1][0].item<float>() == 1.0F);
  // Image 1, channel 1, pixel (0, 1): stored at 12 + 1 * 3 + 1 = 16 -> 0.6.
  CATCH_CHECK(images.images[1][1][0][1].item<float>() == Approx(0.6));
  CATCH_CHECK(learning::to_images(cloud, {5, 3}, false).images.max().item<float>() == Approx(3.7));
  cloud.image_shape.clear();
  CATCH_CHECK_THROWS_WITH(learning::to_images(cloud, {0, 1}, true), Catch::Contains("not images"));
}

CATCH_TEST_CASE("learning: training learns a separable task, and the same seed gives the same network", "[learning]") {
  learning::set_threads(1);
  const auto train = learning::to_images(halves(40, 1), {0, 1}, false);
  const auto test = learning::to_images(halves(50, 2), {0, 1}, false);
  learning::TrainSettings s;
  s.network = "lenet5";
  s.epochs = 8;
  s.batch = 16;
  s.classes = 2;
  s.learning_rate = 3e-3;
  s.seed = 4;
  auto a = learning::train_classifier(train, {1, 28, 28}, s);
  CATCH_CHECK(learning::accuracy_percent(a, test) == 100.0);
  auto b = learning::train_classifier(train, {1, 28, 28}, s);
  const auto pa = a->parameters(), pb = b->parameters();
  CATCH_REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) CATCH_CHECK(pa[i].equal(pb[i]));
  s.seed = 5;
  auto c = learning::train_classifier(train, {1, 28, 28}, s);
  CATCH_CHECK_FALSE(c->parameters()[0].equal(pa[0]));
  CATCH_CHECK_THROWS_AS(learning::train_classifier(learning::LabeledImages{}, {1, 28, 28}, s), wow::InputError);
}
