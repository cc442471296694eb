#include "data/image_data.hpp"

#include <bzlib.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>

#include "engine/rng.hpp"
#include "wow/errors.hpp"

namespace wow::images {

// ---- Reading files, compressed or not ----

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

void append_checked(std::string& out, const char* data, std::size_t n, const std::string& path) {
  if (out.size() + n > kMaxFileBytes)
    throw InputError(path + ": more than " + std::to_string(kMaxFileBytes >> 20U) +
                     " MiB of data (not a data set file?)");
  out.append(data, n);
}

// Reserving the expected size up front: growing a 50 MB string by doubling copied and page-faulted it several
// times, a visible share of a short MNIST run. The hint is only a hint (the size check stays in append_checked).
void reserve_hint(std::string& out, std::uint64_t expected) {
  if (expected > 0 && expected <= kMaxFileBytes) out.reserve(static_cast<std::size_t>(expected));
}

std::string read_plain(std::FILE* f, const std::string& path) {
  std::string out;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) reserve_hint(out, size);
  std::array<char, 1 << 16> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) append_checked(out, buffer.data(), n, path);
  if (std::ferror(f)) throw InputError(path + ": read error (" + std::strerror(errno) + ")");
  return out;
}

// The uncompressed size modulo 2^32 that a gzip member stores in its last four bytes (little endian).
std::uint64_t gzip_size_hint(std::FILE* f) {
  std::array<unsigned char, 4> tail{};
  if (std::fseek(f, -4, SEEK_END) != 0 || std::fread(tail.data(), 1, 4, f) != 4) return 0;
  std::rewind(f);
  return tail[0] | (tail[1] << 8U) | (tail[2] << 16U) | (static_cast<std::uint64_t>(tail[3]) << 24U);
}

std::string read_gzip(std::FILE* f, const std::string& path) {
  std::string out;
  reserve_hint(out, gzip_size_hint(f));
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) throw InputError(path + ": cannot open gzip file");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(gz, gzclose_r);
  std::array<char, 1 << 16> buffer{};
  int n = 0;
  while ((n = gzread(gz, buffer.data(), static_cast<unsigned>(buffer.size()))) > 0)
    append_checked(out, buffer.data(), static_cast<std::size_t>(n), path);
  // gzread reports a truncated stream (Z_BUF_ERROR) only through gzerror, so check it whatever n was.
  int err = Z_OK;
  const char* message = gzerror(gz, &err);
  if (n < 0 || err != Z_OK) {
    std::string detail = message ? message : "zlib error";
    if (detail.rfind(path + ": ", 0) == 0) detail.erase(0, path.size() + 2);  // zlib prefixes the path
    throw InputError(path + ": corrupt or truncated gzip data (" + detail + ")");
  }
  return out;
}

std::string bzip2_error(int code) {
  switch (code) {
    case BZ_DATA_ERROR:
      return "corrupt bzip2 data (checksum or structure)";
    case BZ_DATA_ERROR_MAGIC:
      return "not a bzip2 stream";
    case BZ_UNEXPECTED_EOF:
      return "truncated bzip2 data (unexpected end of file)";
    case BZ_MEM_ERROR:
      return "out of memory decompressing bzip2 data";
    case BZ_IO_ERROR:
      return "read error";
    default:
      return "bzip2 error " + std::to_string(code);
  }
}

// Every bzip2 stream of the file in turn (parallel compressors write several); bytes after the last complete
// stream that are not a bzip2 stream are ignored, as the bzip2 tool does.
std::string read_bzip2(std::FILE* f, const std::string& path) {
  std::string out;
  std::string unused;
  std::array<char, 1 << 16> buffer{};
  for (int streams = 0;; ++streams) {
    int err = BZ_OK;
    BZFILE* bz =
        BZ2_bzReadOpen(&err, f, 0, 0, unused.empty() ? nullptr : unused.data(), static_cast<int>(unused.size()));
    if (err != BZ_OK) {
      BZ2_bzReadClose(&err, bz);
      throw InputError(path + ": cannot start bzip2 decompression (" + bzip2_error(err) + ")");
    }
    while (err == BZ_OK) {
      const int n = BZ2_bzRead(&err, bz, buffer.data(), static_cast<int>(buffer.size()));
      if ((err == BZ_OK || err == BZ_STREAM_END) && n > 0) {
        try {
          append_checked(out, buffer.data(), static_cast<std::size_t>(n), path);
        } catch (...) {
          BZ2_bzReadClose(&err, bz);
          throw;
        }
      }
    }
    if (err != BZ_STREAM_END) {
      const int code = err;
      BZ2_bzReadClose(&err, bz);
      if (code == BZ_DATA_ERROR_MAGIC && streams > 0) return out;  // trailing bytes after a complete stream
      throw InputError(path + ": " + bzip2_error(code));
    }
    void* rest = nullptr;
    int rest_size = 0;
    BZ2_bzReadGetUnused(&err, bz, &rest, &rest_size);
    unused.assign(static_cast<const char*>(rest), static_cast<std::size_t>(std::max(rest_size, 0)));
    BZ2_bzReadClose(&err, bz);
    if (unused.empty()) {
      const int next = std::fgetc(f);
      if (next == EOF) return out;
      std::ungetc(next, f);
    }
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw InputError(path + ": not a regular file");
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) throw InputError(path + ": cannot open file (" + std::strerror(errno) + ")");
  std::array<unsigned char, 3> magic{};
  const std::size_t got = std::fread(magic.data(), 1, magic.size(), f.get());
  std::rewind(f.get());
  if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return read_gzip(f.get(), path);
  if (got == 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') return read_bzip2(f.get(), path);
  return read_plain(f.get(), path);
}

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) v = (v << 8U) | static_cast<unsigned char>(bytes[at + k]);
  return v;
}

// ---- Common options ----

ParamSchema common_params(bool with_split) {
  ParamSchema schema;
  if (with_split)
    schema.push_back(ParamSpec::choice("split", "train", {"train", "test"}, "Which part of the data set"));
  schema.push_back(ParamSpec::number_list("classes",
                                          "Class ids to keep, in this order (class k of the result is classes[k]); "
                                          "default: all")
                       .optional()
                       .at_least(0));
  schema.push_back(
      ParamSpec::integer("per_class", 0, "Images per class, drawn without replacement with the run's seed; 0: all")
          .at_least(0));
  schema.push_back(ParamSpec::choice("scale", "unit", {"unit", "standardize", "raw"},
                                     "unit: stored range mapped onto [0, 1]; standardize: (v - mean) / std per "
                                     "channel over the kept images; raw: as stored"));
  return schema;
}

Options read_options(const Params& p) {
  Options o;
  o.path = p.path();
  if (p.has("split")) o.split = p.string("split");
  if (p.has("classes")) {
    const auto ids = p.number_list("classes");
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const std::string where = p.path_of("classes") + "[" + std::to_string(k) + "]";
      if (ids[k] != std::floor(ids[k]) || ids[k] > 1e9) throw InputError(where + ": must be a class id (whole number)");
      const auto id = static_cast<std::size_t>(ids[k]);
      if (std::find(o.classes.begin(), o.classes.end(), id) != o.classes.end())
        throw InputError(where + ": class " + std::to_string(id) + " is listed twice");
      o.classes.push_back(id);
    }
    if (o.classes.empty()) throw InputError(p.path_of("classes") + ": must list at least one class (or be left out)");
  }
  o.per_class = static_cast<std::size_t>(p.integer("per_class"));
  const std::string scale = p.string("scale");
  o.scale = scale == "standardize" ? Scale::Standardize : scale == "raw" ? Scale::Raw : Scale::Unit;
  return o;
}

std::size_t Images::dim() const {
  std::size_t d = 1;
  for (auto s : image_shape) d *= s;
  return d;
}

// ---- Selection and scaling ----

namespace {

// Indices of the images of class c, drawn as the options ask (all, or per_class of them in file order).
std::vector<std::size_t> choose(std::vector<std::size_t> rows, std::size_t c, const Images& images,
                                const Options& options, std::uint64_t seed) {
  const std::string split = options.split.empty() ? "" : " (split " + options.split + ")";
  if (rows.empty()) throw InputError(images.source + split + ": class " + std::to_string(c) + " has no images");
  if (options.per_class == 0) return rows;
  if (rows.size() < options.per_class)
    throw InputError(images.source + split + ": class " + std::to_string(c) + " has " + std::to_string(rows.size()) +
                     " images, " + std::to_string(options.per_class) + " requested (" + options.path + ".per_class)");
  auto stream = rng::stream(seed, rng::Purpose::Subsample, 0, c);
  for (std::size_t i = 0; i < options.per_class; ++i) {
    const std::size_t j = i + static_cast<std::size_t>(stream.below(rows.size() - i));
    std::swap(rows[i], rows[j]);
  }
  rows.resize(options.per_class);
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Per-channel (v - mean) / std over all kept values; a constant channel keeps std 1 so nothing divides by 0.
void standardize(LabeledCloud<double>& cloud, std::size_t channels, double lo, double hi) {
  cloud.value_lo = std::numeric_limits<double>::infinity();
  cloud.value_hi = -std::numeric_limits<double>::infinity();
  const std::size_t count = cloud.points.size() / channels;
  for (std::size_t ch = 0; ch < channels; ++ch) {
    double sum = 0.0;
    for (std::size_t i = ch; i < cloud.points.size(); i += channels) sum += cloud.points[i];
    const double mean = sum / static_cast<double>(count);
    double sq = 0.0;
    for (std::size_t i = ch; i < cloud.points.size(); i += channels)
      sq += (cloud.points[i] - mean) * (cloud.points[i] - mean);
    double sd = std::sqrt(sq / static_cast<double>(count));
    if (!(sd > 0.0)) sd = 1.0;
    for (std::size_t i = ch; i < cloud.points.size(); i += channels) cloud.points[i] = (cloud.points[i] - mean) / sd;
    cloud.value_lo = std::min(cloud.value_lo, (lo - mean) / sd);
    cloud.value_hi = std::max(cloud.value_hi, (hi - mean) / sd);
  }
}

void apply_scale(LabeledCloud<double>& cloud, const Images& images, Scale scale) {
  const double lo = images.stored_lo, hi = images.stored_hi;
  switch (scale) {
    case Scale::Raw:
      cloud.value_lo = lo;
      cloud.value_hi = hi;
      return;
    case Scale::Unit:
      for (auto& v : cloud.points) v = (v - lo) / (hi - lo);
      cloud.value_lo = 0.0;
      cloud.value_hi = 1.0;
      return;
    case Scale::Standardize:
      standardize(cloud, images.image_shape.empty() ? 1 : images.image_shape.back(), lo, hi);
      return;
  }
}

}  // namespace

LabeledCloud<double> assemble(const Images& images, const Options& options, std::uint64_t seed) {
  const std::size_t formats_classes = images.class_names.size();
  if (formats_classes == 0) throw InputError(images.source + ": the format declares no classes");
  std::vector<std::size_t> kept = options.classes;
  if (kept.empty())
    for (std::size_t c = 0; c < formats_classes; ++c) kept.push_back(c);
  for (std::size_t k = 0; k < kept.size(); ++k)
    if (kept[k] >= formats_classes)
      throw InputError(options.path + ".classes[" + std::to_string(k) + "]: " + std::to_string(kept[k]) +
                       " is not a class of " + images.source + " (classes 0.." + std::to_string(formats_classes - 1) +
                       ")");
  std::vector<std::vector<std::size_t>> rows_of(formats_classes);
  for (std::size_t i = 0; i < images.labels.size(); ++i) {
    if (images.labels[i] >= formats_classes)
      throw InputError(images.source + ": label " + std::to_string(images.labels[i]) + " of image " +
                       std::to_string(i) + " is out of range");
    rows_of[images.labels[i]].push_back(i);
  }
  LabeledCloud<double> cloud;
  cloud.dim = images.dim();
  cloud.image_shape = images.image_shape;
  std::vector<std::vector<std::size_t>> chosen;
  std::vector<std::size_t> sizes;
  for (auto c : kept) {
    chosen.push_back(choose(std::move(rows_of[c]), c, images, options, seed));
    sizes.push_back(chosen.back().size());
    cloud.class_names.push_back(images.class_names[c]);
  }
  cloud.layout = ClassLayout::from_sizes(sizes);
  cloud.points.resize(cloud.rows() * cloud.dim);
  std::size_t row = 0;
  for (const auto& rows : chosen)
    for (auto i : rows) images.read(i, cloud.row(row++));
  apply_scale(cloud, images, options.scale);
  return cloud;
}

// ---- Resizing ----

void resize_bilinear(const double* in, std::size_t h, std::size_t w, std::size_t channels, double* out, std::size_t oh,
                     std::size_t ow) {
  // Source index and weight of output index o along an axis of n input pixels (PyTorch, align_corners=False).
  struct Tap {
    std::size_t i0, i1;
    double t;
  };
  auto taps = [](std::size_t n, std::size_t on) {
    std::vector<Tap> result(on);
    const double scale = static_cast<double>(n) / static_cast<double>(on);
    for (std::size_t o = 0; o < on; ++o) {
      const double src = std::max(0.0, scale * (static_cast<double>(o) + 0.5) - 0.5);
      const auto i0 = std::min(static_cast<std::size_t>(src), n - 1);
      result[o] = {i0, std::min(i0 + 1, n - 1), src - static_cast<double>(i0)};
    }
    return result;
  };
  const auto ty = taps(h, oh), tx = taps(w, ow);
  for (std::size_t y = 0; y < oh; ++y)
    for (std::size_t x = 0; x < ow; ++x)
      for (std::size_t ch = 0; ch < channels; ++ch) {
        auto at = [&](std::size_t iy, std::size_t ix) { return in[(iy * w + ix) * channels + ch]; };
        const double top = (1 - tx[x].t) * at(ty[y].i0, tx[x].i0) + tx[x].t * at(ty[y].i0, tx[x].i1);
        const double bottom = (1 - tx[x].t) * at(ty[y].i1, tx[x].i0) + tx[x].t * at(ty[y].i1, tx[x].i1);
        out[(y * ow + x) * channels + ch] = (1 - ty[y].t) * top + ty[y].t * bottom;
      }
}

}  // namespace wow::images
