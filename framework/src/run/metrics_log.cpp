#include "run/metrics_log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report/plot.hpp"
#include "run/files.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {
std::string row_text(const MetricRow& r) {
  char value[40];
  std::snprintf(value, sizeof value, "%.17g", r.value);
  return std::to_string(r.step) + "," + r.name + "," + value + "\n";
}
}  // namespace

std::string metric_picture_name(const std::string& metric) {
  std::string name = "metric_";
  for (char c : metric) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    name += ok ? c : '_';
  }
  return name + ".png";
}

MetricsLog::MetricsLog(std::string path, std::vector<MetricRow> previous)
    : path_(std::move(path)), rows_(std::move(previous)) {
  if (path_.empty()) return;  // in memory only
  std::string text = "step,name,value\n";
  for (const auto& r : rows_) text += row_text(r);
  files::write_atomic(path_, text);
  file_.open(path_, std::ios::app);
  if (!file_) throw IoError("cannot open " + path_ + " for appending");
}

std::vector<MetricRow> MetricsLog::read(const std::string& path) {
  std::vector<MetricRow> rows;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto first = line.find(','), last = line.rfind(',');
    if (first == std::string::npos || last == first) continue;  // a row cut by a crash
    try {
      rows.push_back({std::stoll(line.substr(0, first)), line.substr(first + 1, last - first - 1),
                      std::stod(line.substr(last + 1))});
    } catch (const std::exception&) {
      // "nan"/"inf" parse; anything else is a torn row: skipped.
    }
  }
  return rows;
}

void MetricsLog::begin_step(std::int64_t step) {
  step_ = step;
  current_.clear();
}

void MetricsLog::report(const std::string& name, double value) {
  if (name.empty() || name.find_first_of(",\n\r") != std::string::npos)
    throw InputError("metric name \"" + name + "\": must be non-empty without commas or line breaks");
  const MetricRow row{step_, name, value};
  rows_.push_back(row);
  current_[name] = value;
  if (path_.empty()) return;
  file_ << row_text(row);
  file_.flush();
  if (!file_) throw IoError("cannot write " + path_ + " (disk full?)");
}

void MetricsLog::draw(const std::string& dir) const {
  std::map<std::string, plot::Series> by_name;
  for (const auto& r : rows_) {
    auto& s = by_name[r.name];
    s.name = r.name;
    s.x.push_back(static_cast<double>(r.step));
    s.y.push_back(r.value);
  }
  for (const auto& [name, series] : by_name) {
    const bool positive = std::all_of(series.y.begin(), series.y.end(), [](double v) { return v > 0; });
    const double lo = *std::min_element(series.y.begin(), series.y.end());
    const double hi = *std::max_element(series.y.begin(), series.y.end());
    const bool log_y = positive && hi > 100.0 * lo;  // log axis when the values span two decades
    plot::write_line_plot(dir + "/" + metric_picture_name(name), name, "step", name, {series}, log_y);
  }
}

}  // namespace wow
