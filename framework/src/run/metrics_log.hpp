#pragma once
// metrics.csv of a run directory: `step,name,value`, one row per value a callback reports, appended and flushed
// row by row (values with 17 significant digits, so a resumed run writes the same bytes); one PNG per metric
// (metric_<name>.png) at the end.
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "wow/interfaces.hpp"

namespace wow {

struct MetricRow {
  std::int64_t step;
  std::string name;
  double value;
};

class MetricsLog final : public MetricSink {
 public:
  // `path`: DIR/metrics.csv, or empty to keep the rows in memory only. Starts the file with `previous` rows (those kept
  // on resume) and appends after them.
  MetricsLog(std::string path, std::vector<MetricRow> previous);
  // Rows of an existing metrics.csv (none when missing).
  static std::vector<MetricRow> read(const std::string& path);

  // Subsequent reports belong to this step; clears the values reported so far at the current step.
  void begin_step(std::int64_t step);
  void report(const std::string& name, double value) override;
  // Values reported at the current step (callbacks later in the list read the earlier ones).
  [[nodiscard]] const std::map<std::string, double>& current() const { return current_; }
  [[nodiscard]] const std::vector<MetricRow>& rows() const { return rows_; }
  // metric_<name>.png in `dir` for each metric name.
  void draw(const std::string& dir) const;

 private:
  std::string path_;
  std::ofstream file_;
  std::vector<MetricRow> rows_;
  std::map<std::string, double> current_;
  std::int64_t step_ = 0;
};

// The file name of a metric's picture: characters other than [A-Za-z0-9_.-] become '_'.
std::string metric_picture_name(const std::string& metric);

}  // namespace wow
