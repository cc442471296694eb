#include "run/memory_budget.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

namespace wow {

namespace {

// A whole number from the first line of `file`; false when missing or "max".
bool read_number(const std::string& file, std::uint64_t& out) {
  std::ifstream in(file);
  std::string word;
  if (!(in >> word) || word == "max") return false;
  try {
    out = std::stoull(word);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// A "Key:   123 kB" line of /proc/meminfo or /proc/self/status, in bytes.
bool read_kb_field(const std::string& file, const std::string& key, std::uint64_t& out) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key + ":")) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    std::uint64_t kb = 0;
    if (!(fields >> kb)) return false;
    out = kb * 1024;
    return true;
  }
  return false;
}

void consider(MemoryLimit& best, std::uint64_t bytes, const char* source) {
  if (bytes < best.bytes) best = {bytes, source};
}

}  // namespace

MemoryLimit available_memory() {
  MemoryLimit best{std::numeric_limits<std::uint64_t>::max(), "no limit found"};
  std::uint64_t value = 0;
  if (read_kb_field("/proc/meminfo", "MemAvailable", value)) consider(best, value, "MemAvailable in /proc/meminfo");
  std::uint64_t limit = 0, used = 0;
  if (read_number("/sys/fs/cgroup/memory.max", limit) && read_number("/sys/fs/cgroup/memory.current", used))
    consider(best, limit > used ? limit - used : 0, "the cgroup's memory.max");
  else if (read_number("/sys/fs/cgroup/memory/memory.limit_in_bytes", limit) &&
           read_number("/sys/fs/cgroup/memory/memory.usage_in_bytes", used) && limit < (1ULL << 60))
    consider(best, limit > used ? limit - used : 0, "the cgroup's memory.limit_in_bytes");
  rlimit rl{};
  if (::getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    std::uint64_t mapped = 0;
    read_kb_field("/proc/self/status", "VmSize", mapped);
    consider(best, rl.rlim_cur > mapped ? rl.rlim_cur - mapped : 0, "ulimit -v");
  }
  return best;
}

std::string human_bytes(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 6) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

}  // namespace wow
