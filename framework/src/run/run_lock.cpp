#include "run/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/json_text.hpp"
#include "run/utc_time.hpp"
#include "wow/errors.hpp"
#include "wow/params.hpp"

namespace wow {

namespace {

LockHolder read_holder(const std::string& file) {
  LockHolder h;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  try {
    const Json j = parse_json_text(text.str(), file);
    h.pid = j.value("pid", std::int64_t{0});
    h.host = j.value("host", std::string());
    h.started = j.value("started", std::string());
    h.command = j.value("command", std::string());
  } catch (const std::exception&) {
    // Written right after the lock is taken: a reader may see it empty for an instant.
  }
  return h;
}

// Whether /proc/locks lists an flock on (device, inode); nullopt when /proc/locks cannot be read.
// Format per line: "1: FLOCK  ADVISORY  WRITE 1234 08:01:1311 0 EOF" (device numbers in hex).
std::optional<std::int64_t> flock_owner(dev_t dev, ino_t ino) {
  std::ifstream in("/proc/locks");
  if (!in) return std::nullopt;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string ordinal, type, advisory, mode, pid, where;
    if (!(fields >> ordinal >> type)) continue;
    if (type == "->") fields >> type;  // a waiter: "1: -> FLOCK ..."
    if (!(fields >> advisory >> mode >> pid >> where) || type != "FLOCK") continue;
    unsigned major_no = 0, minor_no = 0;
    unsigned long long inode = 0;
    if (std::sscanf(where.c_str(), "%x:%x:%llu", &major_no, &minor_no, &inode) != 3) continue;
    if (inode == ino && major_no == major(dev) && minor_no == minor(dev)) return std::stoll(pid);
  }
  return std::int64_t{0};
}

}  // namespace

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string LockHolder::describe() const {
  std::string s = "pid " + std::to_string(pid);
  if (!host.empty()) s += " on host " + host;
  if (!command.empty()) s += ", wow " + command;
  if (!started.empty()) s += ", since " + started;
  return s;
}

RunLock::~RunLock() { release(); }

RunLock::RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void RunLock::release() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor drops the flock
  fd_ = -1;
}

RunLock RunLock::acquire(const std::string& dir, const std::string& command, const std::string& lock_file) {
  const std::string file = dir + "/" + lock_file;
  const std::string what = lock_file == kRunLockFile ? "run directory " : "sweep directory ";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw InputError(what + dir + ": cannot open " + file + " (" + std::strerror(errno) + ")");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      // Who holds it by the kernel's lock table, not by the file alone: the file may still name an earlier,
      // dead holder for the instant before the new one writes its pid.
      const LockHolder h = holder(dir, lock_file).value_or(LockHolder{});
      throw InputError(what + dir + " is in use by another wow process (" +
                       (h.pid > 0 ? h.describe() : std::string("its pid is not yet recorded")) +
                       "); wait for it to finish, or stop it, or choose another --out");
    }
    throw InputError(what + dir + ": cannot lock " + file + " (" + std::strerror(err) + ")");
  }
  Json j{{"pid", static_cast<std::int64_t>(::getpid())},
         {"host", host_name()},
         {"started", utc_now_iso8601()},
         {"command", command}};
  const std::string text = j.dump() + "\n";
  // In place (not renamed: the lock lives on this inode). A failure here only costs the holder's name in messages.
  if (::ftruncate(fd, 0) == 0) {
    const ssize_t written = ::pwrite(fd, text.data(), text.size(), 0);
    (void)written;
  }
  return RunLock(fd);
}

std::optional<LockHolder> RunLock::holder(const std::string& dir, const std::string& lock_file) {
  const std::string file = dir + "/" + lock_file;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  LockHolder h = read_holder(file);
  const auto owner = flock_owner(st.st_dev, st.st_ino);
  if (owner.has_value()) {
    if (*owner == 0) return std::nullopt;
    if (h.pid != *owner) h = LockHolder{*owner, "", "", ""};  // the file still names an earlier holder
    return h;
  }
  // No /proc/locks: fall back to whether the recorded process still exists on this host.
  if (h.pid <= 0 || h.host != host_name()) return std::nullopt;
  if (::kill(static_cast<pid_t>(h.pid), 0) == 0 || errno == EPERM) return h;
  return std::nullopt;
}

}  // namespace wow
