// USPS digits in the LIBSVM text format the usual distribution uses (usps.bz2 = train, usps.t.bz2 = test; bzip2,
// gzip or plain): one image per line, "label idx:value ...", labels 1..10, 256 features (16x16 row-major) in
// [-1, 1], indices ascending from 1, omitted features 0. Class k is label k + 1 (LIBSVM stores digit d as d + 1; the
// same rule torchvision uses). Images are resized 16x16 -> size x size bilinearly (PyTorch align_corners=False).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>

#include "data/image_data.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

constexpr std::size_t kSide = 16, kFeatures = kSide * kSide;
// Tolerance on the [-1, 1] range for values printed with rounding; such values are clamped.
constexpr double kRangeSlack = 1e-6;

// Images kept sparse as in the file (memory in proportion to the text, whatever the file holds); densified on read.
struct Parsed {
  std::vector<std::uint32_t> labels;
  std::vector<std::size_t> starts{0};  // image i's features: [starts[i], starts[i + 1])
  std::vector<std::uint16_t> index;    // 0-based feature index
  std::vector<double> value;

  void dense(std::size_t i, double* image) const {
    std::fill(image, image + kFeatures, 0.0);
    for (std::size_t k = starts[i]; k < starts[i + 1]; ++k) image[index[k]] = value[k];
  }
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Parses one line of `text` [begin, end) into one image; `where` names file and line in errors.
void parse_line(const char* p, const char* end, const std::string& where, Parsed& out) {
  auto skip = [&] {
    while (p < end && is_space(*p)) ++p;
  };
  auto token_end = [&] {
    const char* q = p;
    while (q < end && !is_space(*q)) ++q;
    return q;
  };
  skip();
  const char* label_end = token_end();
  double label = 0;
  auto [lp, lerr] = std::from_chars(p, label_end, label);
  if (lerr != std::errc() || lp != label_end || label != std::floor(label) || label < 1 || label > 10)
    throw wow::InputError(where + ": label \"" + std::string(p, label_end) + "\" is not an integer in 1..10");
  out.labels.push_back(static_cast<std::uint32_t>(label) - 1);
  p = label_end;
  std::size_t last = 0;
  for (skip(); p < end; skip()) {
    const char* tok_end = token_end();
    const std::string token(p, tok_end);
    std::size_t index = 0;
    auto [ip, ierr] = std::from_chars(p, tok_end, index);
    if (ierr != std::errc() || ip == tok_end || *ip != ':')
      throw wow::InputError(where + ": feature \"" + token + "\" is not index:value");
    if (index < 1 || index > kFeatures)
      throw wow::InputError(where + ": feature index " + std::to_string(index) + " is out of range 1..256");
    if (index <= last) throw wow::InputError(where + ": feature indices are not ascending at " + std::to_string(index));
    last = index;
    double v = 0;
    auto [vp, verr] = std::from_chars(ip + 1, tok_end, v);
    if (verr != std::errc() || vp != tok_end || !std::isfinite(v))
      throw wow::InputError(where + ": feature \"" + token + "\" has no finite value");
    if (std::fabs(v) > 1.0 + kRangeSlack) throw wow::InputError(where + ": value " + token + " is outside [-1, 1]");
    out.index.push_back(static_cast<std::uint16_t>(index - 1));
    out.value.push_back(std::clamp(v, -1.0, 1.0));
    p = tok_end;
  }
  out.starts.push_back(out.index.size());
}

Parsed parse(const std::string& text, const std::string& path) {
  Parsed out;
  std::size_t line = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t stop = text.find('\n', at);
    if (stop == std::string::npos) stop = text.size();
    ++line;
    const char* begin = text.data() + at;
    const char* end = text.data() + stop;
    bool blank = true;
    for (const char* c = begin; c < end; ++c) blank = blank && is_space(*c);
    if (!blank) parse_line(begin, end, path + ": line " + std::to_string(line), out);
    at = stop + 1;
  }
  if (out.labels.empty()) throw wow::InputError(path + ": no images in the file");
  return out;
}

class Usps final : public wow::Dataset {
 public:
  explicit Usps(const wow::Params& p)
      : path_(p.string("path")),
        size_(static_cast<std::size_t>(p.integer("size"))),
        options_(wow::images::read_options(p)) {
    if (path_.empty()) throw wow::InputError(p.path_of("path") + ": required (a LIBSVM usps file, e.g. usps.bz2)");
  }

  [[nodiscard]] wow::LabeledCloud<double> load(std::uint64_t seed) const override {
    auto parsed = std::make_shared<const Parsed>(parse(wow::images::read_file(path_), path_));
    wow::images::Images images;
    images.source = path_;
    images.image_shape = {size_, size_, 1};
    images.stored_lo = -1.0;
    images.stored_hi = 1.0;
    for (int d = 0; d < 10; ++d) images.class_names.push_back(std::to_string(d));
    images.labels = parsed->labels;
    images.read = [parsed, size = size_](std::size_t i, double* out) {
      std::vector<double> image(kFeatures);
      parsed->dense(i, image.data());
      wow::images::resize_bilinear(image.data(), kSide, kSide, 1, out, size, size);
    };
    return wow::images::assemble(images, options_, seed);
  }

 private:
  std::string path_;
  std::size_t size_;
  wow::images::Options options_;
};

}  // namespace

WOW_PLUGIN(registry) {
  wow::ParamSchema schema{
      wow::ParamSpec::string("path", "",
                             "LIBSVM usps file: usps.bz2 (train) or usps.t.bz2 (test); bzip2, gzip or plain"),
      wow::ParamSpec::integer("size", 28,
                              "Output side: 16x16 images are resized bilinearly to size x size (16: as stored)")
          .at_least(1)
          .at_most(1024),
  };
  for (auto& spec : wow::images::common_params(false)) schema.push_back(std::move(spec));
  registry.add<wow::Dataset>(
      "usps", "USPS digits (LIBSVM format, labels 1..10 -> classes 0..9), resized to size x size, stored range [-1, 1]",
      std::move(schema), [](const wow::Params& p, const wow::Registry&) { return std::make_unique<Usps>(p); });
}
