#pragma once
// How much memory this process may still use, so that a run too large for the machine is refused before anything
// is written (docs/reliability.md) instead of failing with std::bad_alloc halfway.
#include <cstdint>
#include <string>

#include "wow/errors.hpp"

namespace wow {

// A computation refused before it allocates because it would not fit in memory: bad input for the CLI (exit 2),
// MemoryError in Python. The message names the parameters that drive the size.
struct MemoryBudgetError : InputError {
  using InputError::InputError;
};

struct MemoryLimit {
  std::uint64_t bytes = 0;
  std::string source;  // what sets it: "MemAvailable in /proc/meminfo", "the cgroup's memory.max", "ulimit -v"
};

// The smallest of: the kernel's MemAvailable, the room left under a cgroup (v2 or v1) limit, and the room left
// under RLIMIT_AS. `bytes` is UINT64_MAX when none can be read.
MemoryLimit available_memory();

// "1.5 GiB", "320 MiB", "12 KiB".
std::string human_bytes(double bytes);

}  // namespace wow
