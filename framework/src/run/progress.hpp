#pragma once
// Progress on stderr: a redrawn bar on a terminal, plain periodic lines otherwise, nothing with --quiet.
#include <chrono>
#include <cstdint>
#include <string>

namespace wow {

class Progress {
 public:
  Progress(std::string label, std::int64_t total, std::int64_t start, bool quiet);
  void update(std::int64_t done, double loss);
  void finish(const std::string& closing);

 private:
  std::string label_;
  std::int64_t total_, start_;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point begin_, last_print_;
  std::int64_t last_done_ = -1;
};

}  // namespace wow
