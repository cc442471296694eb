#include "data/npy.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "run/files.hpp"
#include "wow/errors.hpp"

namespace wow::npy {

namespace {

[[noreturn]] void corrupt(const std::string& name, const std::string& why) {
  throw InputError(name + ": not a valid .npy file: " + why);
}

std::string header_value(const std::string& header, const std::string& key, const std::string& name) {
  const std::string quoted = "'" + key + "'";
  const auto at = header.find(quoted);
  if (at == std::string::npos) corrupt(name, "header has no " + quoted);
  auto pos = header.find(':', at + quoted.size());
  if (pos == std::string::npos) corrupt(name, "header key " + quoted + " has no value");
  ++pos;
  while (pos < header.size() && header[pos] == ' ') ++pos;
  if (pos >= header.size()) corrupt(name, "header key " + quoted + " has no value");
  std::size_t end = pos;
  if (header[pos] == '(') {
    end = header.find(')', pos);
    if (end == std::string::npos) corrupt(name, "unterminated shape");
    return header.substr(pos, end - pos + 1);
  }
  if (header[pos] == '\'') {
    end = header.find('\'', pos + 1);
    if (end == std::string::npos) corrupt(name, "unterminated string in header");
    return header.substr(pos + 1, end - pos - 1);
  }
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  return header.substr(pos, end - pos);
}

std::vector<std::size_t> parse_shape(const std::string& text, const std::string& name) {
  std::vector<std::size_t> shape;
  std::size_t i = 1;  // after '('
  while (i + 1 < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size() - 1) break;
    std::size_t value = 0;
    bool any = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (value > (std::numeric_limits<std::size_t>::max() - 9) / 10) corrupt(name, "shape dimension too large");
      value = value * 10 + static_cast<std::size_t>(text[i] - '0');
      any = true;
      ++i;
    }
    if (!any) corrupt(name, "bad shape " + text);
    shape.push_back(value);
  }
  return shape;
}

template <class U>
U load_le(const char* p) {
  U v;
  std::memcpy(&v, p, sizeof(U));
  return v;  // x86_64 and aarch64 are little-endian; big-endian dtypes are rejected earlier
}

double half_to_double(std::uint16_t h) {
  const int exponent = (h >> 10U) & 0x1f;
  const int mantissa = h & 0x3ff;
  const double sign = (h & 0x8000U) != 0U ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31)
    return mantissa == 0 ? sign * std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

std::string encode_raw(const void* data, std::size_t item, const std::string& descr,
                       const std::vector<std::size_t>& shape) {
  std::string dims;
  std::size_t count = 1;
  for (auto s : shape) {
    dims += std::to_string(s) + ",";
    count *= s;
  }
  if (shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad so the data starts at a multiple of 64 bytes (magic 6 + version 2 + length 2 + header + '\n').
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  out += static_cast<char>(len & 0xffU);
  out += static_cast<char>(len >> 8U);
  out += header;
  out.append(static_cast<const char*>(data), count * item);
  return out;
}

}  // namespace

std::size_t Array::size() const {
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  return n;
}

Array parse(const std::string& bytes, const std::string& name) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) corrupt(name, "missing the \\x93NUMPY magic");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = load_le<std::uint16_t>(bytes.data() + 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) corrupt(name, "truncated header");
    header_len = load_le<std::uint32_t>(bytes.data() + 8);
    header_start = 12;
  } else {
    corrupt(name, "unsupported format version " + std::to_string(major));
  }
  if (header_len > bytes.size() - header_start) corrupt(name, "truncated header");
  const std::string header = bytes.substr(header_start, header_len);
  Array array;
  array.dtype = header_value(header, "descr", name);
  if (header_value(header, "fortran_order", name).find("False") == std::string::npos)
    corrupt(name, "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
  array.shape = parse_shape(header_value(header, "shape", name), name);
  std::size_t count = 1;
  for (auto s : array.shape) {
    if (s != 0 && count > std::numeric_limits<std::size_t>::max() / 16 / s) corrupt(name, "shape too large");
    count *= s;
  }
  const std::string& d = array.dtype;
  if (d.size() < 3) corrupt(name, "unsupported dtype '" + d + "'");
  if (d[0] == '>') corrupt(name, "big-endian dtype '" + d + "' is not supported");
  const char kind = d[1];
  const std::string width_text = d.substr(2);
  std::size_t item = 0;
  for (char ch : width_text) {
    if (ch < '0' || ch > '9' || item > 16) corrupt(name, "unsupported dtype '" + d + "'");
    item = item * 10 + static_cast<std::size_t>(ch - '0');
  }
  // Check the dtype before trusting sizes: a zero-width dtype ('<f0') would make any count match an empty payload
  // (found by fuzz_npy: a 10^16-element allocation).
  const bool supported = (kind == 'f' && (item == 2 || item == 4 || item == 8)) ||
                         ((kind == 'i' || kind == 'u') && (item == 1 || item == 2 || item == 4 || item == 8)) ||
                         (kind == 'b' && item == 1);
  if (!supported) corrupt(name, "unsupported dtype '" + d + "'");
  const std::size_t data_start = header_start + header_len;
  if (bytes.size() - data_start != count * item)
    corrupt(name, "data holds " + std::to_string(bytes.size() - data_start) + " bytes, shape and dtype need " +
                      std::to_string(count * item) + " (truncated or corrupt)");
  const char* p = bytes.data() + data_start;
  array.values.resize(count);
  auto convert = [&](auto tag) {
    using U = decltype(tag);
    for (std::size_t i = 0; i < count; ++i) array.values[i] = static_cast<double>(load_le<U>(p + i * sizeof(U)));
  };
  if (kind == 'f' && item == 4)
    convert(float{});
  else if (kind == 'f' && item == 8)
    convert(double{});
  else if (kind == 'f' && item == 2) {
    for (std::size_t i = 0; i < count; ++i) array.values[i] = half_to_double(load_le<std::uint16_t>(p + i * 2));
  } else if (kind == 'i' && item == 1)
    convert(std::int8_t{});
  else if (kind == 'i' && item == 2)
    convert(std::int16_t{});
  else if (kind == 'i' && item == 4)
    convert(std::int32_t{});
  else if (kind == 'i' && item == 8)
    convert(std::int64_t{});
  else if ((kind == 'u' || kind == 'b') && item == 1)
    convert(std::uint8_t{});
  else if (kind == 'u' && item == 2)
    convert(std::uint16_t{});
  else if (kind == 'u' && item == 4)
    convert(std::uint32_t{});
  else if (kind == 'u' && item == 8)
    convert(std::uint64_t{});
  else
    corrupt(name, "unsupported dtype '" + d + "'");
  return array;
}

Array read(const std::string& path) { return parse(files::read_all(path), path); }

std::string encode(const float* data, const std::vector<std::size_t>& shape) {
  return encode_raw(data, sizeof(float), "<f4", shape);
}
std::string encode(const double* data, const std::vector<std::size_t>& shape) {
  return encode_raw(data, sizeof(double), "<f8", shape);
}
std::string encode(const std::int64_t* data, const std::vector<std::size_t>& shape) {
  return encode_raw(data, sizeof(std::int64_t), "<i8", shape);
}

}  // namespace wow::npy
