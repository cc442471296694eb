#pragma once
// Error types the CLI maps to exit codes (design.md: 2 bad input, 3 diverged, 4 I/O failure, 130 interrupted).
#include <stdexcept>
#include <string>

namespace wow {

// Bad input: spec, data, plugins, output directory. Message names what and where. Exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An I/O failure during a run (disk full, unwritable file). Exit code 4.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// NaN or Inf in the loss or the state. Exit code 3.
struct DivergedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum ExitCode : int {
  kExitOk = 0,
  kExitBadInput = 2,
  kExitDiverged = 3,
  kExitIoFailure = 4,
  kExitInterrupted = 130,
};

}  // namespace wow
