#include "run/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "wow/errors.hpp"

namespace wow::files {

namespace {
[[noreturn]] void io_fail(const std::string& path, const std::string& what) {
  throw IoError("cannot write " + path + ": " + what + " (" + std::strerror(errno) + ")");
}

std::string parent_of(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

// Tests of the failure paths set WOW_TEST_FAIL_WRITE=NAME:N: the N-th write_atomic of a file named NAME (in any
// folder) fails as a full disk would (ENOSPC). Read once; unset, it costs one comparison per write.
bool injected_failure(const std::string& path) {
  static const auto rule = []() -> std::pair<std::string, long> {
    const char* v = std::getenv("WOW_TEST_FAIL_WRITE");
    if (v == nullptr) return {"", 0};
    const std::string s(v);
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return {s, 1};
    return {s.substr(0, colon), std::strtol(s.c_str() + colon + 1, nullptr, 10)};
  }();
  if (rule.first.empty() || std::filesystem::path(path).filename() != rule.first) return false;
  static std::atomic<long> seen{0};
  return seen.fetch_add(1) + 1 == rule.second;
}

// Removes `tmp` without disturbing errno (the caller reports the original failure).
void discard(const std::string& tmp) {
  const int saved = errno;
  ::unlink(tmp.c_str());
  errno = saved;
}
}  // namespace

std::string temp_name_for(const std::string& path) {
  static std::atomic<unsigned long> counter{0};
  const std::filesystem::path p(path);
  const std::string name = std::string(kTempPrefix) + "tmp-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter.fetch_add(1)) + "-" + p.filename().string();
  return (p.parent_path() / name).string();
}

void sync_directory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_fail(dir, "open directory for fsync");
  // Some filesystems (tmpfs variants, FUSE) do not support fsync on directories: nothing more can be done there.
  if (::fsync(fd) != 0 && errno != EINVAL && errno != EROFS) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    io_fail(dir, "fsync directory");
  }
  ::close(fd);
}

void commit_file(const std::string& tmp, const std::string& path) {
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    discard(tmp);
    io_fail(path, "reopen temporary file");
  }
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    discard(tmp);
    io_fail(path, "fsync");
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    discard(tmp);
    io_fail(path, "rename");
  }
  sync_directory(parent_of(path));
}

void write_atomic(const std::string& path, const std::string& bytes) {
  if (injected_failure(path)) {
    errno = ENOSPC;
    io_fail(path, "write (injected by WOW_TEST_FAIL_WRITE)");
  }
  const std::string tmp = temp_name_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) io_fail(path, "open");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      discard(tmp);
      io_fail(path, "write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    discard(tmp);
    io_fail(path, "fsync/close");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    discard(tmp);
    io_fail(path, "rename");
  }
  sync_directory(parent_of(path));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open file (" + std::strerror(errno) + ")");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace wow::files
