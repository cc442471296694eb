#pragma once
// The results of a sweep, read back from its points' run directories: sweep.csv (one row per point), summary.md
// (mean ± std over seeds per setting, best first per metric) and the PNG plots (loss curves overlaid, each
// metric against each swept numeric path).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "report/curve_overlay.hpp"
#include "sweep/sweep_plan.hpp"

namespace wow {

struct PointResult {
  std::string status;   // complete, diverged, failed, interrupted, pending (not started)
  std::string message;  // failed / diverged: why
  std::optional<double> final_loss;
  std::map<std::string, double> metrics;  // the last value of each metric in metrics.csv
  std::int64_t steps = 0;                 // steps done
  std::optional<double> wall_s;
  std::string run_dir;
  Curve loss;  // loss.csv
};

// Reads one point's run directory (status.json, loss.csv, metrics.csv); a missing directory is "pending".
PointResult read_point_result(const std::string& run_dir);

// The metric names found in any result, sorted.
std::vector<std::string> metric_names(const std::vector<PointResult>& results);

// DIR/sweep.csv: each swept path, seed, status, final_loss, each metric, steps, wall_s, run_dir.
void write_sweep_csv(const std::string& path, const SweepPlan& plan, const std::vector<PointResult>& results);
// DIR/summary.md: counts, failures, one table per metric (final_loss first) ranking the settings.
void write_sweep_summary(const std::string& path, const SweepPlan& plan, const std::vector<PointResult>& results,
                         const std::vector<std::string>& pictures);
// DIR/loss.png and DIR/<metric>_vs_<label>.png; returns the file names written.
std::vector<std::string> draw_sweep_plots(const std::string& dir, const SweepPlan& plan,
                                          const std::vector<PointResult>& results);

}  // namespace wow
