#pragma once
// One writer per run directory (docs/reliability.md): `wow run` and `wow run --resume` hold an exclusive flock on
// DIR/run.lock for their whole life. The kernel drops the lock when the process dies, so a killed run never blocks
// the next one. The file also records who holds it (pid, host, start time) for messages and `wow status`.
// Readers (wow status, pictures, Python readers) never take the lock: holder() only reads.
#include <cstdint>
#include <optional>
#include <string>

namespace wow {

inline constexpr const char* kRunLockFile = "run.lock";

struct LockHolder {
  std::int64_t pid = 0;
  std::string host;
  std::string started;  // UTC, ISO 8601
  std::string command;  // "run" or "resume"
  // "pid 1234 on host h, wow run, since 2026-11-30T19:00:00Z"
  [[nodiscard]] std::string describe() const;
};

class RunLock {
 public:
  RunLock() = default;
  ~RunLock();
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // Takes the lock of run directory `dir` (which must exist) without waiting. Throws InputError naming the
  // directory and the process holding it when another process has it.
  // `file` names the lock file inside `dir` (a sweep directory uses sweep.lock).
  static RunLock acquire(const std::string& dir, const std::string& command, const std::string& file = kRunLockFile);
  // Whether some live process holds the lock of `dir`, and who (read-only: never takes or disturbs the lock).
  static std::optional<LockHolder> holder(const std::string& dir, const std::string& file = kRunLockFile);

  [[nodiscard]] bool held() const { return fd_ >= 0; }
  void release();

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// This machine's host name.
std::string host_name();

}  // namespace wow
