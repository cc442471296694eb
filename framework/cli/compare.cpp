// `wow compare RUN_DIR...`: the loss (or a metric) curves of any runs overlaid in one PNG, and a table of where
// each run ended. Run directories of a sweep, of separate `wow run`s, finished or not.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "report/curve_overlay.hpp"
#include "report/plot.hpp"
#include "run/metrics_log.hpp"
#include "sweep/sweep_results.hpp"
#include "wow/errors.hpp"

namespace po = boost::program_options;

namespace wow::cli {

namespace {

// Legend names: the directory's last component, or more of its path where two runs share it.
std::vector<std::string> run_names(const std::vector<std::string>& dirs) {
  std::vector<std::string> names;
  for (const auto& d : dirs) names.push_back(std::filesystem::path(d).lexically_normal().filename().string());
  for (std::size_t i = 0; i < dirs.size(); ++i)
    for (std::size_t j = 0; j < dirs.size(); ++j)
      if (i != j && names[i] == names[j]) names[i] = std::filesystem::path(dirs[i]).lexically_normal().string();
  return names;
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
  po::options_description desc("wow compare RUN_DIR... [--out FILE.png] [--metric NAME]");
  desc.add(common_options());
  desc.add_options()("dirs", po::value<std::vector<std::string>>()->multitoken(), "run directories")(
      "out,o", po::value<std::string>()->default_value("compare.png"), "the PNG to write")(
      "metric", po::value<std::string>()->default_value("loss"), "what to draw: loss, or a metric of metrics.csv")(
      "max-step", po::value<std::int64_t>()->default_value(-1),
      "draw steps up to this one only (-1: all), e.g. a reference curve longer than the runs");
  po::positional_options_description pos;
  pos.add("dirs", -1);
  const auto vm = parse_options(args, desc, pos, "compare");
  if (vm.count("help")) {
    std::cout << desc << "\nExample:\n  wow compare runs/rings runs/rings_gaussian --out rings_vs_gaussian.png\n";
    return kExitOk;
  }
  if (!vm.count("dirs")) throw InputError("wow compare: give one or more run directories; see wow compare --help");
  const auto dirs = vm["dirs"].as<std::vector<std::string>>();
  const std::string out = vm["out"].as<std::string>();
  const std::string metric = vm["metric"].as<std::string>();
  if (!out.ends_with(".png")) throw InputError("--out " + out + ": the picture's name must end in .png");
  const std::int64_t max_step = vm["max-step"].as<std::int64_t>();
  if (max_step < -1) throw InputError("--max-step " + std::to_string(max_step) + ": give a step >= 0, or -1 for all");

  std::vector<PointResult> results;
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(d, ec)) throw InputError(d + ": no such run directory");
    PointResult r = read_point_result(d);
    if (r.status == "pending") throw InputError(d + ": not a wow run directory (no readable status.json)");
    results.push_back(std::move(r));
  }
  const auto names = run_names(dirs);
  std::vector<CurveGroup> groups;
  bool any = false;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    Curve c;
    if (metric == "loss") {
      c = results[i].loss;
    } else {
      for (const auto& row : MetricsLog::read(dirs[i] + "/metrics.csv")) {
        if (row.name != metric) continue;
        c.step.push_back(static_cast<double>(row.step));
        c.value.push_back(row.value);
      }
    }
    if (max_step >= 0) {
      Curve kept;
      for (std::size_t k = 0; k < c.step.size(); ++k)
        if (c.step[k] <= static_cast<double>(max_step)) {
          kept.step.push_back(c.step[k]);
          kept.value.push_back(c.value[k]);
        }
      c = std::move(kept);
    }
    any = any || !c.step.empty();
    groups.push_back(CurveGroup{names[i], {c}});
  }
  if (!any) {
    std::string found;
    for (const auto& m : metric_names(results)) found += " " + m;
    throw InputError("--metric " + metric + ": no run has it; metrics found:" + (found.empty() ? " none" : found));
  }
  try {
    draw_curve_overlay(out, metric + " of " + std::to_string(dirs.size()) + " runs", metric, groups);
  } catch (const plot::PlotError& e) {
    throw IoError(e.what());
  }

  // The table: where each run ended.
  const auto metrics = metric_names(results);
  std::printf("%-28s %-11s %8s %14s", "run", "status", "steps", "final_loss");
  for (const auto& m : metrics) std::printf(" %14s", m.c_str());
  std::printf("\n");
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const auto& r = results[i];
    char loss[32] = "-";
    if (r.final_loss) std::snprintf(loss, sizeof loss, "%.6g", *r.final_loss);
    std::printf("%-28s %-11s %8lld %14s", names[i].c_str(), r.status.c_str(), static_cast<long long>(r.steps), loss);
    for (const auto& m : metrics) {
      const auto it = r.metrics.find(m);
      char buf[32] = "-";
      if (it != r.metrics.end()) std::snprintf(buf, sizeof buf, "%.6g", it->second);
      std::printf(" %14s", buf);
    }
    std::printf("\n");
  }
  std::printf("wrote %s\n", out.c_str());
  return kExitOk;
}

}  // namespace wow::cli
