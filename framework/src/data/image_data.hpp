#pragma once
// Shared pieces of the image dataset plugins (idx, mnist_json, cifar10_bin, usps): reading possibly compressed
// files, the options every image dataset takes (split, classes, per_class, scale), and turning the labelled
// images a loader found into a LabeledCloud with those options applied. Loaders only parse their format.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "wow/cloud.hpp"
#include "wow/params.hpp"

namespace wow::images {

// The largest decompressed file accepted: a guard against decompression bombs (real files are < 200 MB).
inline constexpr std::size_t kMaxFileBytes = std::size_t{1} << 30U;

// The whole content of `path`: gunzipped (zlib) when it starts with the gzip magic 1f 8b, bunzipped (libbz2) when
// it starts with "BZh", else as stored. Throws InputError naming the path: missing, not a regular file,
// unreadable, corrupt or truncated stream, larger than kMaxFileBytes.
std::string read_file(const std::string& path);

// Big-endian unsigned 32-bit integer at bytes[at]; the caller has checked at + 4 <= size.
std::uint32_t big_endian_u32(const std::string& bytes, std::size_t at);

enum class Scale {
  Unit,         // the format's stored range mapped linearly onto [0, 1]
  Standardize,  // (v - mean_ch) / std_ch per channel, over the kept images
  Raw,          // values as stored
};

struct Options {
  std::string split;                 // "train" | "test"; empty for datasets without a split
  std::vector<std::size_t> classes;  // class ids to keep, in this order; empty: all
  std::size_t per_class = 0;         // images drawn per class; 0: all
  Scale scale = Scale::Unit;
  std::string path;  // the params' dotted path, for error messages
};

// Schema entries of the common options ("split" only when `with_split`), to append to a plugin's own.
ParamSchema common_params(bool with_split);
// Reads the common options back (split empty when the schema had none). Throws InputError for bad class ids.
Options read_options(const Params& p);

// Labelled images as a loader found them, before selection and scaling.
struct Images {
  std::string source;                       // file or directory named in errors
  std::vector<std::size_t> image_shape;     // h, w, channels
  std::vector<std::string> class_names;     // one per class of the format
  std::vector<std::uint32_t> labels;        // one per image, each < class_names.size()
  double stored_lo = 0.0, stored_hi = 1.0;  // range of the stored values; "unit" maps it onto [0, 1]
  // Writes the h * w * channels stored values of image i, interleaved HWC, to out.
  std::function<void(std::size_t i, double* out)> read;

  [[nodiscard]] std::size_t dim() const;
};

// Applies the options: keeps the chosen classes in the given order, draws per_class images of each without
// replacement (partial Fisher-Yates on rng stream (seed, Subsample, 0, class id), so a class's draw depends on the
// seed and that class only; the chosen images keep file order), then scales. Throws InputError naming
// images.source for an empty class or one with fewer images than asked.
LabeledCloud<double> assemble(const Images& images, const Options& options, std::uint64_t seed);

// Bilinear resize of an h x w x channels (HWC) image to oh x ow, with PyTorch's align_corners=False convention:
// output pixel centres map to input coordinate (o + 0.5) * in / out - 0.5, clamped to the image.
void resize_bilinear(const double* in, std::size_t h, std::size_t w, std::size_t channels, double* out, std::size_t oh,
                     std::size_t ow);

}  // namespace wow::images
