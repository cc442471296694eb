// IDX image data sets (MNIST, FashionMNIST, KMNIST): an images file (magic 0x00000803: unsigned bytes, dims n, rows,
// cols) and a labels file (0x00000801: n unsigned bytes), raw or gzip-compressed. Defaults: FashionMNIST from the
// Debian package dataset-fashion-mnist, the file pair chosen by split.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "data/image_data.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

constexpr const char* kFashionDir = "/usr/share/datasets/fashion-mnist/";

// The dims of an unsigned-byte IDX array with `rank` dims, after checking magic, header and the exact file size.
std::vector<std::size_t> idx_dims(const std::string& bytes, const std::string& path, std::size_t rank) {
  const std::uint32_t expected = 0x0800U | static_cast<std::uint32_t>(rank);
  if (bytes.size() < 4)
    throw wow::InputError(path + ": truncated IDX file (" + std::to_string(bytes.size()) + " bytes)");
  const std::uint32_t magic = wow::images::big_endian_u32(bytes, 0);
  if (magic != expected) {
    char text[64];
    std::snprintf(text, sizeof text, "bad magic 0x%08x, expected 0x%08x", magic, expected);
    throw wow::InputError(path + ": " + text +
                          (rank == 3 ? " (IDX unsigned-byte images)" : " (IDX unsigned-byte labels)"));
  }
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header) throw wow::InputError(path + ": truncated IDX header");
  std::vector<std::size_t> dims;
  std::size_t payload = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    dims.push_back(wow::images::big_endian_u32(bytes, 4 + 4 * k));
    // Dims are < 2^32 each, so checking against the file size before multiplying rules out overflow.
    if (dims.back() != 0 && payload > bytes.size() / dims.back())
      throw wow::InputError(path + ": truncated: the header's dims need more bytes than the file holds");
    payload *= dims.back();
  }
  if (bytes.size() - header < payload)
    throw wow::InputError(path + ": truncated: header says " + std::to_string(payload) + " data bytes, file holds " +
                          std::to_string(bytes.size() - header));
  if (bytes.size() - header > payload)
    throw wow::InputError(path + ": " + std::to_string(bytes.size() - header - payload) +
                          " bytes after the data the header describes");
  return dims;
}

std::vector<std::string> fashion_names() {
  return {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};
}

class IdxDataset final : public wow::Dataset {
 public:
  explicit IdxDataset(const wow::Params& p)
      : images_(p.string("images")),
        labels_(p.string("labels")),
        classes_(static_cast<std::size_t>(p.integer("num_classes"))),
        options_(wow::images::read_options(p)) {
    if (images_.empty() != labels_.empty())
      throw wow::InputError(p.path() + ": give both images and labels, or neither (FashionMNIST by split)");
    fashion_ = images_.empty();
    if (fashion_) {
      const std::string prefix = std::string(kFashionDir) + (options_.split == "test" ? "t10k" : "train");
      images_ = prefix + "-images-idx3-ubyte.gz";
      labels_ = prefix + "-labels-idx1-ubyte.gz";
    }
  }

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    if (std::error_code ec; fashion_ && !std::filesystem::exists(images_, ec))
      throw wow::InputError(images_ + ": FashionMNIST is not installed; add it with: apt-get install " +
                            "dataset-fashion-mnist (or bash scripts/setup.sh --data)");
    auto pixels = std::make_shared<const std::string>(wow::images::read_file(images_));
    const std::string label_bytes = wow::images::read_file(labels_);
    const auto dims = idx_dims(*pixels, images_, 3);
    const auto label_dims = idx_dims(label_bytes, labels_, 1);
    if (dims[0] != label_dims[0])
      throw wow::InputError(images_ + " has " + std::to_string(dims[0]) + " images but " + labels_ + " has " +
                            std::to_string(label_dims[0]) + " labels");
    if (dims[1] == 0 || dims[2] == 0)
      throw wow::InputError(images_ + ": image size " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]));
    wow::images::Images images;
    images.source = images_;
    images.image_shape = {dims[1], dims[2], 1};
    images.stored_lo = 0.0;
    images.stored_hi = 255.0;
    for (std::size_t c = 0; c < classes_; ++c) images.class_names.push_back(std::to_string(c));
    if (fashion_ && classes_ == 10) images.class_names = fashion_names();
    images.labels.reserve(dims[0]);
    for (std::size_t i = 0; i < dims[0]; ++i) {
      const auto label = static_cast<unsigned char>(label_bytes[8 + i]);
      if (label >= classes_)
        throw wow::InputError(labels_ + ": label " + std::to_string(label) + " of item " + std::to_string(i) +
                              " is out of range (num_classes = " + std::to_string(classes_) + ")");
      images.labels.push_back(label);
    }
    const std::size_t dim = dims[1] * dims[2];
    images.read = [pixels, dim](std::size_t i, double* out) {
      const auto* src = reinterpret_cast<const unsigned char*>(pixels->data()) + 16 + i * dim;
      for (std::size_t j = 0; j < dim; ++j) out[j] = src[j];
    };
    return wow::images::assemble(images, options_, seed);
  }

 private:
  std::string images_, labels_;
  std::size_t classes_;
  bool fashion_ = false;
  wow::images::Options options_;
};

}  // namespace

WOW_PLUGIN(registry) {
  wow::ParamSchema schema{
      wow::ParamSpec::string("images", "",
                             "IDX images file (idx3-ubyte, raw or .gz); empty: FashionMNIST from "
                             "/usr/share/datasets/fashion-mnist/{train,t10k}-images-idx3-ubyte.gz by split"),
      wow::ParamSpec::string("labels", "", "IDX labels file (idx1-ubyte, raw or .gz); empty with images empty"),
      wow::ParamSpec::integer("num_classes", 10, "Labels must lie in 0..num_classes-1").at_least(1).at_most(256),
  };
  for (auto& spec : wow::images::common_params(true)) schema.push_back(std::move(spec));
  registry.add<wow::Dataset>(
      "idx", "IDX image files (MNIST, FashionMNIST, KMNIST); default FashionMNIST from dataset-fashion-mnist",
      std::move(schema), [](const wow::Params& p, const wow::Registry&) { return std::make_unique<IdxDataset>(p); });
}
