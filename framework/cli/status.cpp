// `wow status DIR... [--json]`: one line per run directory (or a JSON object each), read without the run's lock.
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "run/run_lock.hpp"
#include "run/run_status.hpp"
#include "sweep/sweep_directory.hpp"
#include "wow/errors.hpp"

namespace po = boost::program_options;

namespace wow::cli {

namespace {

// A sweep directory: its points' states, and whether a sweep process holds it.
Json sweep_state(const std::string& dir, bool print) {
  const Json record = read_sweep_record(dir);
  const auto holder = RunLock::holder(dir, kSweepLockFile);
  Json points = Json::array();
  std::map<std::string, int> counts;
  std::vector<std::string> lines;
  for (const auto& p : record["points"]) {
    const std::string point_dir = dir + "/" + p.value("name", std::string());
    std::error_code ec;
    Json j;
    if (std::filesystem::exists(point_dir + "/status.json", ec)) {
      const RunState state = read_run_state(point_dir);
      j = to_json(state);
      lines.push_back("  " + one_line(state));
      ++counts[state.status == "running" && !state.alive ? "stopped" : state.status];
    } else {
      j = Json{{"dir", point_dir}, {"status", "pending"}};
      lines.push_back("  " + point_dir + ": pending");
      ++counts["pending"];
    }
    points.push_back(j);
  }
  std::string summary;
  for (const auto& [status, n] : counts)
    summary.append(summary.empty() ? "" : ", ").append(std::to_string(n) + " " + status);
  if (print) {
    std::printf("sweep %s: %zu points: %s; %s\n", dir.c_str(), points.size(), summary.c_str(),
                holder ? ("running (" + holder->describe() + ")").c_str()
                       : "no sweep process (the same wow sweep command resumes it)");
    for (const auto& line : lines) std::printf("%s\n", line.c_str());
  }
  return Json{{"sweep", dir}, {"alive", holder.has_value()}, {"points", points}};
}

}  // namespace

int status_command(const std::vector<std::string>& args) {
  po::options_description o("wow status RUN_DIR|SWEEP_DIR... [--json]");
  o.add_options()("help,h", "show this help")("json", "print a JSON object per run (an array for several)")(
      "dir", po::value<std::vector<std::string>>(), "run directories");
  po::positional_options_description pos;
  pos.add("dir", -1);
  const auto vm = parse_options(args, o, pos, "status");
  if (vm.count("help")) {
    std::cout << o
              << "\nStates: complete, running (its process alive, or gone: then resume it), interrupted, failed, "
                 "diverged.\n";
    return kExitOk;
  }
  if (!vm.count("dir")) throw InputError("wow status: give a run directory (see wow status --help)");
  const auto dirs = vm["dir"].as<std::vector<std::string>>();
  Json all = Json::array();
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (std::filesystem::exists(dir + "/sweep.json", ec)) {
      all.push_back(sweep_state(dir, !vm.count("json")));
      continue;
    }
    const RunState state = read_run_state(dir);
    if (vm.count("json"))
      all.push_back(to_json(state));
    else
      std::printf("%s\n", one_line(state).c_str());
  }
  if (vm.count("json")) std::printf("%s\n", (dirs.size() == 1 ? all[0] : all).dump(2).c_str());
  return kExitOk;
}

}  // namespace wow::cli
