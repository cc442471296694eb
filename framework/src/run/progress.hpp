#pragma once
// Progress on stderr: a redrawn bar on a terminal, plain periodic lines otherwise, nothing with --quiet; or, with an
// observer (the Python module's bar), every step handed to it instead.
#include <chrono>
#include <cstdint>
#include <string>

namespace wow {

class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  virtual void update(std::int64_t done, std::int64_t total, double loss) = 0;
  virtual void finish(const std::string& closing) = 0;
};

class Progress {
 public:
  Progress(std::string label, std::int64_t total, std::int64_t start, bool quiet, ProgressObserver* observer = nullptr);
  void update(std::int64_t done, double loss);
  void finish(const std::string& closing);

 private:
  std::string label_;
  std::int64_t total_, start_;
  bool quiet_, tty_;
  ProgressObserver* observer_;
  std::chrono::steady_clock::time_point begin_, last_print_;
  std::int64_t last_done_ = -1;
};

}  // namespace wow
