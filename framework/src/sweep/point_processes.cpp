#include "sweep/point_processes.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "run/utc_time.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {

std::atomic<int> sweep_stop{0};
extern "C" void on_sweep_signal(int sig) { sweep_stop.store(sig); }

// SIGINT/SIGTERM set the stop flag for the life of this object, interrupting waits (no SA_RESTART).
class StopSignals {
 public:
  StopSignals() {
    sweep_stop.store(0);
    struct sigaction sa {};
    sa.sa_handler = on_sweep_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {
  }, old_term_{};
};

struct Running {
  pid_t pid;
  std::size_t job;
  std::chrono::steady_clock::time_point start;
};

std::int64_t steps_logged(const std::string& loss_file) {
  std::ifstream in(loss_file);
  if (!in) return 0;
  std::int64_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  return std::max<std::int64_t>(0, lines - 1);  // minus the header
}

pid_t start_child(const std::string& program, const PointJob& job) {
  std::vector<std::string> words{program};
  words.insert(words.end(), job.args.begin(), job.args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const int log = ::open(job.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) throw IoError("cannot open " + job.log_file + ": " + std::strerror(errno));
  std::string header = "== " + utc_now_iso8601() + " wow";
  for (std::size_t i = 1; i < words.size(); ++i) header.append(" ").append(words[i]);
  header += "\n";
  if (::write(log, header.data(), header.size()) < 0) {
    // The header is a courtesy; the child's own output will report a full disk.
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    throw IoError(std::string("cannot start a point (fork: ") + std::strerror(errno) + ")");
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(130);  // the sweep died before prctl took effect
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execv(program.c_str(), argv.data());
    const char msg[] = "error: cannot execute wow for this sweep point\n";
    if (::write(2, msg, sizeof msg - 1) < 0) ::_exit(127);
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

}  // namespace

std::string self_executable() {
  std::vector<char> buf(4096);
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) throw IoError("cannot find the wow executable (/proc/self/exe)");
  std::string path(buf.data(), static_cast<std::size_t>(n));
  // A rebuilt binary replaces the file this process runs from: its points run the new one at the same path.
  const std::string deleted = " (deleted)";
  if (path.ends_with(deleted)) path.resize(path.size() - deleted.size());
  return path;
}

bool run_point_jobs(const std::string& program, const std::vector<PointJob>& jobs, int parallel, bool quiet,
                    const std::string& label, const std::function<void(const JobEnd&)>& on_end) {
  StopSignals signals;
  const bool tty = !quiet && ::isatty(2) == 1;
  std::vector<Running> running;
  std::size_t next = 0, ended = 0;
  bool forwarded = false;
  auto last_draw = std::chrono::steady_clock::now() - std::chrono::hours(1);
  bool drawn = false;
  auto clear_line = [&] {
    if (drawn) std::fprintf(stderr, "\r\033[K");
    drawn = false;
  };
  while (true) {
    while (sweep_stop.load() == 0 && static_cast<int>(running.size()) < parallel && next < jobs.size()) {
      running.push_back({start_child(program, jobs[next]), next, std::chrono::steady_clock::now()});
      ++next;
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      const auto it = std::find_if(running.begin(), running.end(), [&](const Running& r) { return r.pid == pid; });
      if (it == running.end()) continue;
      JobEnd end;
      end.job = it->job;
      end.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      end.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->start).count();
      running.erase(it);
      ++ended;
      clear_line();
      on_end(end);
      continue;
    }
    if (sweep_stop.load() != 0 && !forwarded) {
      for (const auto& r : running) ::kill(r.pid, SIGTERM);  // each checkpoints at its next step boundary
      forwarded = true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (tty && now - last_draw > std::chrono::milliseconds(250)) {
      last_draw = now;
      std::string line = label + ": " + std::to_string(ended) + "/" + std::to_string(jobs.size()) + " ended; running";
      for (const auto& r : running) {
        const PointJob& job = jobs[r.job];
        line.append(" ").append(job.name).append(" ").append(std::to_string(steps_logged(job.loss_file)));
        line.append("/").append(std::to_string(job.steps));
      }
      if (sweep_stop.load() != 0) line += "  (stopping)";
      constexpr std::size_t kMaxLine = 150;
      if (line.size() > kMaxLine) line = line.substr(0, kMaxLine - 3) + "...";
      std::fprintf(stderr, "\r\033[K%s", line.c_str());
      std::fflush(stderr);
      drawn = true;
    }
    struct timespec pause {
      0, 50'000'000
    };
    ::nanosleep(&pause, nullptr);
  }
  clear_line();
  return sweep_stop.load() == 0;
}

}  // namespace wow
