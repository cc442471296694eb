#include "run/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace wow {

namespace {
std::string clock_text(double seconds) {
  if (!(seconds >= 0) || seconds > 1e7) return "--:--";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string label, std::int64_t total, std::int64_t start, bool quiet, ProgressObserver* observer)
    : label_(std::move(label)),
      total_(total),
      start_(start),
      quiet_(quiet),
      tty_(::isatty(2) == 1),
      observer_(observer),
      begin_(std::chrono::steady_clock::now()),
      last_print_(begin_) {}

void Progress::update(std::int64_t done, double loss) {
  if (quiet_) return;
  if (observer_ != nullptr) {
    observer_->update(done, total_, loss);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  const double since_print = std::chrono::duration<double>(now - last_print_).count();
  // A terminal is redrawn ~10 times a second; a log file gets a line every 10 s (and the first and last step).
  const bool due = tty_ ? since_print >= 0.1 : (since_print >= 10.0 || last_done_ < 0);
  if (!due && done != total_) return;
  last_print_ = now;
  last_done_ = done;
  const double elapsed = std::chrono::duration<double>(now - begin_).count();
  const double rate = done > start_ ? static_cast<double>(done - start_) / elapsed : 0.0;
  const double eta = rate > 0 ? static_cast<double>(total_ - done) / rate : -1.0;
  const double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  if (tty_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(kWidth - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %3d%% %lld/%lld  loss %.6g  %.1f it/s  eta %s   ", label_.c_str(), bar.c_str(),
                 static_cast<int>(frac * 100), static_cast<long long>(done), static_cast<long long>(total_), loss, rate,
                 clock_text(eta).c_str());
  } else {
    std::fprintf(stderr, "%s: step %lld/%lld (%d%%) loss %.6g, %.1f it/s, eta %s\n", label_.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total_), static_cast<int>(frac * 100), loss, rate,
                 clock_text(eta).c_str());
  }
  std::fflush(stderr);
}

void Progress::finish(const std::string& closing) {
  if (quiet_) return;
  if (observer_ != nullptr) {
    observer_->finish(closing);
    return;
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
  std::fprintf(stderr, "%s%s: %s in %s\n", tty_ ? "\n" : "", label_.c_str(), closing.c_str(),
               clock_text(elapsed).c_str());
}

}  // namespace wow
