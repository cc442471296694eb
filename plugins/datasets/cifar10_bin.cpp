// CIFAR-10 binary batches (cifar-10-batches-bin): split train reads data_batch_1.bin .. data_batch_5.bin, test
// reads test_batch.bin. Each record is 1 label byte (0..9) and 3072 pixel bytes stored channel-planar (1024 red,
// 1024 green, 1024 blue, each 32x32 row-major); images come out interleaved HWC, 32 x 32 x 3.
#include <memory>

#include "data/image_data.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

constexpr std::size_t kSide = 32, kPlane = kSide * kSide, kRecord = 1 + 3 * kPlane;

class Cifar10Bin final : public wow::Dataset {
 public:
  explicit Cifar10Bin(const wow::Params& p) : dir_(p.string("dir")), options_(wow::images::read_options(p)) {}

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    std::vector<std::string> files;
    if (options_.split == "test")
      files.emplace_back("test_batch.bin");
    else
      for (int b = 1; b <= 5; ++b) files.push_back("data_batch_" + std::to_string(b) + ".bin");
    auto records = std::make_shared<std::string>();  // every record of every batch, in file order
    wow::images::Images images;
    images.source = dir_;
    images.image_shape = {kSide, kSide, 3};
    images.stored_lo = 0.0;
    images.stored_hi = 255.0;
    images.class_names = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
    for (const auto& name : files) {
      const std::string path = dir_ + "/" + name;
      const std::string bytes = wow::images::read_file(path);
      if (bytes.empty() || bytes.size() % kRecord != 0)
        throw wow::InputError(path + ": " + std::to_string(bytes.size()) +
                              " bytes, not a positive multiple of the 3073-byte CIFAR-10 record (truncated?)");
      for (std::size_t r = 0; r < bytes.size() / kRecord; ++r) {
        const auto label = static_cast<unsigned char>(bytes[r * kRecord]);
        if (label >= 10)
          throw wow::InputError(path + ": label " + std::to_string(label) + " of record " + std::to_string(r) +
                                " is out of range 0..9");
        images.labels.push_back(label);
      }
      records->append(bytes);
    }
    images.read = [records](std::size_t i, double* out) {
      const auto* rec = reinterpret_cast<const unsigned char*>(records->data()) + i * kRecord + 1;
      for (std::size_t px = 0; px < kPlane; ++px)
        for (std::size_t ch = 0; ch < 3; ++ch) out[px * 3 + ch] = rec[ch * kPlane + px];
    };
    return wow::images::assemble(images, options_, seed);
  }

 private:
  std::string dir_;
  wow::images::Options options_;
};

}  // namespace

WOW_PLUGIN(registry) {
  wow::ParamSchema schema{
      wow::ParamSpec::string("dir", "data/cifar-10-batches-bin",
                             "Directory of data_batch_1..5.bin and test_batch.bin (relative: from the working "
                             "directory)"),
  };
  for (auto& spec : wow::images::common_params(true)) schema.push_back(std::move(spec));
  registry.add<wow::Dataset>(
      "cifar10_bin", "CIFAR-10 binary batches; 32x32x3 images, interleaved HWC", std::move(schema),
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Cifar10Bin>(p); });
}
