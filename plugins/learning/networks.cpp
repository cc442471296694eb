#include "networks.hpp"

#include "wow/errors.hpp"

namespace wow::learning {

namespace nn = torch::nn;

namespace {

// The number of features a module stack produces for one image: run it once on zeros (no gradient).
std::int64_t flat_features(nn::Sequential& stack, const ImageShape& s) {
  torch::NoGradGuard no_grad;
  return stack->forward(torch::zeros({1, s.channels, s.height, s.width})).numel();
}

void require_size(const std::string& name, const ImageShape& s, std::int64_t least) {
  if (s.height < least || s.width < least)
    throw InputError("network \"" + name + "\" needs images of at least " + std::to_string(least) + " x " +
                     std::to_string(least) + " pixels, got " + std::to_string(s.height) + " x " +
                     std::to_string(s.width));
}

}  // namespace

nn::Sequential make_network(const std::string& name, const ImageShape& shape, std::int64_t classes) {
  nn::Sequential net;
  if (name == "da_cnn") {
    require_size(name, shape, 5);
    net->push_back(nn::Conv2d(nn::Conv2dOptions(shape.channels, 3, 4)));
    net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2).stride(1)));
    net->push_back(nn::ReLU());
    net->push_back(nn::Flatten());
    const std::int64_t features = flat_features(net, shape);
    net->push_back(nn::Linear(features, 512));
    net->push_back(nn::Sigmoid());
    net->push_back(nn::Linear(512, 64));
    net->push_back(nn::ReLU());
    net->push_back(nn::Linear(64, classes));
  } else if (name == "lenet5") {
    require_size(name, shape, 12);
    net->push_back(nn::Conv2d(nn::Conv2dOptions(shape.channels, 6, 1)));
    net->push_back(nn::ReLU());
    net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    net->push_back(nn::Conv2d(nn::Conv2dOptions(6, 16, 5)));
    net->push_back(nn::ReLU());
    net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(2)));
    net->push_back(nn::Flatten());
    const std::int64_t features = flat_features(net, shape);
    net->push_back(nn::Linear(features, 120));
    net->push_back(nn::ReLU());
    net->push_back(nn::Linear(120, 84));
    net->push_back(nn::ReLU());
    net->push_back(nn::Linear(84, classes));
  } else if (name == "convnet") {
    require_size(name, shape, 8);
    std::int64_t in = shape.channels;
    for (int depth = 0; depth < 3; ++depth) {
      net->push_back(nn::Conv2d(nn::Conv2dOptions(in, 128, 3).padding(1)));
      net->push_back(nn::InstanceNorm2d(nn::InstanceNorm2dOptions(128).affine(true)));
      net->push_back(nn::ReLU());
      net->push_back(nn::AvgPool2d(nn::AvgPool2dOptions(2)));
      in = 128;
    }
    net->push_back(nn::Flatten());
    net->push_back(nn::Linear(flat_features(net, shape), classes));
  } else {
    std::string known;
    for (const auto& n : network_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown network \"" + name + "\" (known: " + known + ")");
  }
  return net;
}

}  // namespace wow::learning
