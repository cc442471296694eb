#pragma once
// NumPy .npy files (format versions 1.0-3.0). Reading is strict: every header field and the file size are checked
// so a truncated or corrupt file gives an InputError naming the file, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wow::npy {

struct Array {
  std::vector<std::size_t> shape;
  std::vector<double> values;  // converted from the file's dtype
  std::string dtype;           // as in the file, e.g. "<f4"
  [[nodiscard]] std::size_t size() const;
};

// Reads a C-order array of a numeric dtype (float16/32/64, signed/unsigned ints, bool).
Array read(const std::string& path);
// Parses the bytes of a whole .npy file; `name` is used in error messages.
Array parse(const std::string& bytes, const std::string& name);

// Encodes a little-endian C-order array (.npy version 1.0).
std::string encode(const float* data, const std::vector<std::size_t>& shape);
std::string encode(const double* data, const std::vector<std::size_t>& shape);
std::string encode(const std::int64_t* data, const std::vector<std::size_t>& shape);

}  // namespace wow::npy
