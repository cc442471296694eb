#pragma once
// File helpers for the run directory. Every file a run writes goes through write_atomic: a reader (or a crash)
// sees either the old file or the complete new one, never half of it.
#include <string>

namespace wow::files {

// Writes `bytes` to `path` via a temporary file in the same directory, fsync, then rename. Throws IoError.
void write_atomic(const std::string& path, const std::string& bytes);
// Reads a whole file; throws InputError naming the path when it cannot be read.
std::string read_all(const std::string& path);

}  // namespace wow::files
