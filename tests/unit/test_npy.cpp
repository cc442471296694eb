// .npy encode -> parse round trips, and strict rejection of broken files.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "data/npy.hpp"
#include "run/files.hpp"
#include "wow/errors.hpp"

namespace {

std::size_t product(const std::vector<std::size_t>& shape) {
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

// Header length field of a version 1.0 file.
std::size_t header_len(const std::string& bytes) {
  return static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8U);
}

std::string header_of(const std::string& bytes) { return bytes.substr(10, header_len(bytes)); }

// A version 1.0 file with the given header dictionary text, padded as NumPy pads it.
std::string raw_npy(std::string header, const std::string& payload) {
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xffU);
  out += static_cast<char>(header.size() >> 8U);
  return out + header + payload;
}

// Replaces `from` by `to` (same length) inside the header so every size field stays valid.
std::string patch_header(std::string bytes, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  const auto at = bytes.find(from, 10);
  REQUIRE(at != std::string::npos);
  REQUIRE(at < 10 + header_len(bytes));
  bytes.replace(at, from.size(), to);
  return bytes;
}

template <class T>
void check_round_trip(const std::vector<std::size_t>& shape, const std::string& dtype) {
  std::vector<T> data(product(shape));
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<T>((static_cast<double>(i) - 7.0) * 1.25 + (std::is_integral_v<T> ? 0.0 : 0.0625));
  if constexpr (std::is_integral_v<T>) {
    if (!data.empty()) data[0] = -(std::int64_t{1} << 40);  // exactly representable as double
  }
  const std::string bytes = wow::npy::encode(data.data(), shape);
  REQUIRE(bytes.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(bytes[6] == 1);
  CHECK((10 + header_len(bytes)) % 64 == 0);  // data aligned as NumPy writes it
  CHECK(bytes.size() == 10 + header_len(bytes) + data.size() * sizeof(T));
  const wow::npy::Array a = wow::npy::parse(bytes, "round_trip.npy");
  CHECK(a.shape == shape);
  CHECK(a.dtype == dtype);
  CHECK(a.size() == data.size());
  REQUIRE(a.values.size() == data.size());
  for (std::size_t i = 0; i < data.size(); ++i) CHECK(a.values[i] == static_cast<double>(data[i]));
}

}  // namespace

TEST_CASE("npy: encode then parse round-trips float, double and int64 arrays", "[npy]") {
  SECTION("float (C, n, d)") { check_round_trip<float>({3, 5, 2}, "<f4"); }
  SECTION("float (N,)") { check_round_trip<float>({7}, "<f4"); }
  SECTION("double (C, n, d)") { check_round_trip<double>({2, 4, 3}, "<f8"); }
  SECTION("double (N,)") { check_round_trip<double>({11}, "<f8"); }
  SECTION("int64 (C, n, d)") { check_round_trip<std::int64_t>({3, 2, 2}, "<i8"); }
  SECTION("int64 (N,)") { check_round_trip<std::int64_t>({9}, "<i8"); }
}

TEST_CASE("npy: shape text is what NumPy writes", "[npy]") {
  const std::vector<double> v(6, 1.0);
  CHECK(header_of(wow::npy::encode(v.data(), {6})).find("'shape': (6,)") != std::string::npos);
  CHECK(header_of(wow::npy::encode(v.data(), {1, 2, 3})).find("'shape': (1,2,3)") != std::string::npos);
  CHECK(header_of(wow::npy::encode(v.data(), {1, 2, 3})).find("'fortran_order': False") != std::string::npos);
  CHECK(header_of(wow::npy::encode(v.data(), {6})).back() == '\n');
}

TEST_CASE("npy: special float values survive the round trip", "[npy]") {
  const std::vector<double> v{0.0, -0.0, std::numeric_limits<double>::infinity(), -1e300, 5e-324};
  const auto a = wow::npy::parse(wow::npy::encode(v.data(), {v.size()}), "special.npy");
  REQUIRE(a.values.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(std::memcmp(&a.values[i], &v[i], sizeof(double)) == 0);
}

TEST_CASE("npy: parse rejects broken files with InputError naming the file", "[npy]") {
  const std::vector<float> v{1, 2, 3, 4, 5, 6};
  const std::string good = wow::npy::encode(v.data(), {2, 3});
  REQUIRE_NOTHROW(wow::npy::parse(good, "good.npy"));

  SECTION("truncated data") {
    CHECK_THROWS_AS(wow::npy::parse(good.substr(0, good.size() - 1), "t.npy"), wow::InputError);
    CHECK_THROWS_WITH(wow::npy::parse(good.substr(0, good.size() - 1), "t.npy"), Catch::Contains("t.npy"));
  }
  SECTION("extra trailing bytes") { CHECK_THROWS_AS(wow::npy::parse(good + "xxxx", "t.npy"), wow::InputError); }
  SECTION("truncated header") {
    CHECK_THROWS_AS(wow::npy::parse(good.substr(0, 40), "t.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(good.substr(0, 9), "t.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(std::string(), "t.npy"), wow::InputError);
  }
  SECTION("bad magic") {
    std::string bad = good;
    bad[1] = 'M';
    CHECK_THROWS_AS(wow::npy::parse(bad, "m.npy"), wow::InputError);
    CHECK_THROWS_WITH(wow::npy::parse(bad, "m.npy"), Catch::Contains("m.npy"));
    CHECK_THROWS_AS(wow::npy::parse("PK\x03\x04 this is a zip file, not an npy file", "z.npy"), wow::InputError);
  }
  SECTION("unsupported version") {
    std::string bad = good;
    bad[6] = 9;
    CHECK_THROWS_AS(wow::npy::parse(bad, "v.npy"), wow::InputError);
  }
  SECTION("bad header") {
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "'shape'", "'shap3'"), "h.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "'descr'", "'dascr'"), "h.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "(2,3)", "(2,x)"), "h.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "(2,3)", "(2,3 "), "h.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "<f4", "<c8"), "h.npy"), wow::InputError);  // complex
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "<f4", "<f3"), "h.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "'<f4'", "'<f4 "), "h.npy"), wow::InputError);
    // A header length that points past the end of the file.
    std::string bad = good;
    bad[8] = '\xff';
    bad[9] = '\x7f';
    CHECK_THROWS_AS(wow::npy::parse(bad, "h.npy"), wow::InputError);
  }
  SECTION("shape and dtype disagree with the data size") {
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "(2,3)", "(3,3)"), "s.npy"), wow::InputError);
    CHECK_THROWS_AS(wow::npy::parse(patch_header(good, "<f4", "<f8"), "s.npy"), wow::InputError);
  }
  SECTION("fortran order") {
    const std::string bad = patch_header(good, "False", "True ");
    CHECK_THROWS_AS(wow::npy::parse(bad, "f.npy"), wow::InputError);
    CHECK_THROWS_WITH(wow::npy::parse(bad, "f.npy"), Catch::Contains("f.npy") && Catch::Contains("ortran"));
  }
  SECTION("big-endian") {
    const std::string bad = patch_header(good, "<f4", ">f4");
    CHECK_THROWS_AS(wow::npy::parse(bad, "b.npy"), wow::InputError);
    CHECK_THROWS_WITH(wow::npy::parse(bad, "b.npy"), Catch::Contains("b.npy") && Catch::Contains("big-endian"));
  }
}

TEST_CASE("npy: parse reads other numeric dtypes", "[npy]") {
  const std::vector<float> v{1, 2, 3, 4};
  const std::string f4 = wow::npy::encode(v.data(), {4});
  // The same 16 bytes read as int32 (the header change keeps all sizes).
  const auto as_int = wow::npy::parse(patch_header(f4, "<f4", "<i4"), "i.npy");
  CHECK(as_int.dtype == "<i4");
  CHECK(as_int.values[0] == 1065353216.0);  // bits of 1.0f
  // Hand-written headers, as NumPy writes them for other dtypes.
  const std::string u8("\x01\x02\xff\x00", 4);
  const auto u = wow::npy::parse(raw_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", u8), "u.npy");
  CHECK(u.shape == std::vector<std::size_t>{2, 2});
  CHECK(u.values == std::vector<double>{1, 2, 255, 0});
  const auto b = wow::npy::parse(raw_npy("{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", u8), "b.npy");
  CHECK(b.values[2] == 255.0);
  const std::string h("\x00\x3c\x00\xc0", 4);  // float16 1.0 and -2.0
  const auto half = wow::npy::parse(raw_npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", h), "h.npy");
  CHECK(half.values == std::vector<double>{1.0, -2.0});
  // A 0-d array holds one value.
  const double one = 3.5;
  const auto scalar = wow::npy::parse(raw_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                              std::string(reinterpret_cast<const char*>(&one), 8)),
                                      "s.npy");
  CHECK(scalar.shape.empty());
  CHECK(scalar.values == std::vector<double>{3.5});
  // Keys in another order (NumPy always sorts them, other writers may not).
  const auto reordered =
      wow::npy::parse(raw_npy("{'shape': (2,), 'fortran_order': False, 'descr': '|u1'}", u8.substr(0, 2)), "r.npy");
  CHECK(reordered.values == std::vector<double>{1, 2});
}

TEST_CASE("npy: read names a missing file", "[npy]") {
  CHECK_THROWS_AS(wow::npy::read("/nonexistent/dir/x.npy"), wow::InputError);
  CHECK_THROWS_WITH(wow::npy::read("/nonexistent/dir/x.npy"), Catch::Contains("/nonexistent/dir/x.npy"));
}

TEST_CASE("npy: a zero-width dtype with a huge shape is refused before allocating (found by fuzz_npy)", "[npy]") {
  std::string header = "{'descr': '<f0', 'fortran_order': False, 'shape': (2, 7333333333333333), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xffU);
  bytes += static_cast<char>(header.size() >> 8U);
  bytes += header;
  CHECK_THROWS_AS(wow::npy::parse(bytes, "zero.npy"), wow::InputError);
  CHECK_THROWS_WITH(wow::npy::parse(bytes, "zero.npy"), Catch::Contains("zero.npy"));
  CHECK_THROWS_AS(
      wow::npy::parse(wow::files::read_all(WOW_TEST_SOURCE_DIR "/tests/fuzz/corpus/npy/crash_zero_width_dtype.npy"),
                      "crash.npy"),
      wow::InputError);
}
