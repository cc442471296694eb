#pragma once
// File helpers for the run directory. Every file a run writes goes through write_atomic (or commit_file for files
// a library writes itself): a reader, a crash or a power loss sees either the old file or the complete new one,
// never half of it.
#include <string>

namespace wow::files {

// Names beginning with this prefix are wow's own temporary files (a crash can leave them behind).
inline constexpr const char* kTempPrefix = ".wow-";

// A temporary name in the directory of `path`, unique to this process and call: ".wow-tmp-<pid>-<n>-<name>".
std::string temp_name_for(const std::string& path);
// Writes `bytes` to `path` via a unique temporary file in the same directory, fsync, rename, and an fsync of the
// directory so the rename itself survives a power loss. Throws IoError naming `path`.
void write_atomic(const std::string& path, const std::string& bytes);
// Moves a finished temporary file `tmp` (same directory) to `path`: fsync(tmp), rename, fsync(directory).
// Removes `tmp` and throws IoError naming `path` on failure.
void commit_file(const std::string& tmp, const std::string& path);
// fsync of a directory, so that entries created or renamed in it are durable. Throws IoError.
void sync_directory(const std::string& dir);
// Reads a whole file; throws InputError naming the path when it cannot be read.
std::string read_all(const std::string& path);

}  // namespace wow::files
