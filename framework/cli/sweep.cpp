// `wow sweep SPEC`: every point of the spec's sweep block as an ordinary run in DIR/<point>, N at a time, resumable,
// and shared among the ranks of `mpirun -np R wow sweep SPEC` (docs/sweeps.md).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "core/spec.hpp"
#include "mpi_ranks.hpp"
#include "report/plot.hpp"
#include "sweep/point_processes.hpp"
#include "sweep/sweep_directory.hpp"
#include "sweep/sweep_results.hpp"
#include "wow/errors.hpp"

namespace po = boost::program_options;

namespace wow::cli {

namespace {

struct SweepOptions {
  std::string spec_path, out, plugin_dir;
  std::vector<std::string> sets;
  int jobs = 1;
  int threads = 0;
  bool force = false;
  bool quiet = false;
  bool dry_run = false;
};

// What rank 0 tells every rank: the points still to run and how, or the error that stops all of them.
struct Work {
  std::string error;             // non-empty: bad input, every rank exits 2
  Json todo = Json::array();     // [{"point": i, "name", "args": [...], "log", "loss", "steps"}]
  Json blocked = Json::array();  // [{"point": i, "why"}]
};

// The last "error: ..." line of a point's log (what the child said when it failed), or "".
std::string last_error_line(const std::string& log_file) {
  std::ifstream in(log_file);
  std::string line, last;
  while (std::getline(in, line))
    if (line.rfind("error: ", 0) == 0) last = line.substr(7);
  return last;
}

std::string exit_text(int code) {
  if (code > 128 && code < 160) return "killed by signal " + std::to_string(code - 128);
  return "exited with code " + std::to_string(code);
}

Json plan_work(const SweepOptions& o, const std::vector<std::string>& args, SweepPlan& plan,
               std::optional<SweepDirectory>& directory) {
  LoadedPlugins loaded(o.plugin_dir);
  Json raw = read_spec_file(o.spec_path);
  for (const auto& assignment : o.sets) apply_override(raw, assignment);
  const std::string name = std::filesystem::path(o.spec_path).stem().string();
  try {
    // Default directory: runs/<name>_sweep, with the name the spec gives itself.
    std::string out = o.out;
    if (out.empty()) {
      const std::string spec_name =
          raw.contains("name") && raw["name"].is_string() && !raw["name"].get<std::string>().empty()
              ? raw["name"].get<std::string>()
              : name;
      out = "runs/" + spec_name + "_sweep";
    }
    plan = plan_sweep(raw, loaded.registry, name, out);
    if (o.dry_run) {
      std::printf("sweep %s: %zu points (nothing run, nothing written)\n", out.c_str(), plan.points.size());
      for (const auto& p : plan.points) std::printf("  %s/%s\n", out.c_str(), p.name.c_str());
      return Json{{"dry_run", true}};
    }
    Json command = Json::array({"wow", "sweep"});
    for (const auto& a : args) command.push_back(a);
    const std::string same_sweep = o.force ? "" : recorded_hash_if_same(out, plan, loaded.registry, name);
    directory.emplace(SweepDirectory::open(out, plan, command, o.force, same_sweep));
  } catch (const InputError& e) {
    throw InputError(o.spec_path + ": " + e.what());
  }
  const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  const int total_threads = o.threads > 0 ? o.threads : static_cast<int>(cores);
  const int per_job = std::max(1, total_threads / o.jobs);
  Json todo = Json::array(), blocked = Json::array();
  int done = 0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const SweepPoint& p = plan.points[i];
    const PointDecision d = directory->decide(p);
    std::vector<std::string> run_args{"run"};
    switch (d.action) {
      case PointAction::Done:
        ++done;
        continue;
      case PointAction::Blocked:
        blocked.push_back(Json{{"point", i}, {"why", d.why}});
        continue;
      case PointAction::Resume:
        run_args.insert(run_args.end(), {"--resume", directory->point_dir(p)});
        break;
      case PointAction::Start:
      case PointAction::StartReplacing:
        run_args.push_back(directory->spec_file(p));
        if (d.action == PointAction::StartReplacing) run_args.push_back("--force");
        break;
    }
    run_args.insert(run_args.end(), {"--quiet", "--threads", std::to_string(per_job)});
    if (!o.plugin_dir.empty()) run_args.insert(run_args.end(), {"--plugin-dir", o.plugin_dir});
    todo.push_back(Json{{"point", i},
                        {"name", p.name},
                        {"args", run_args},
                        {"log", directory->log_file(p)},
                        {"loss", directory->point_dir(p) + "/loss.csv"},
                        {"steps", p.spec["solver"]["params"]["steps"]},
                        {"resume", d.action == PointAction::Resume}});
  }
  if (!o.quiet)
    std::fprintf(stderr, "sweep %s: %zu points, %d done before, %zu to run (%d at a time, %d threads each)\n",
                 directory->dir().c_str(), plan.points.size(), done, todo.size(), o.jobs, per_job);
  return Json{{"todo", todo}, {"blocked", blocked}};
}

// Runs this rank's share of the points; returns {"ended": [{"point", "exit"}], "stopped": bool}.
Json run_share(const Json& todo, const Ranks& ranks, const SweepOptions& o) {
  std::vector<PointJob> jobs;
  std::vector<std::size_t> points;
  for (std::size_t k = 0; k < todo.size(); ++k) {
    if (static_cast<int>(k % static_cast<std::size_t>(ranks.size())) != ranks.rank()) continue;  // round robin
    const Json& t = todo[k];
    PointJob job;
    job.name = t["name"].get<std::string>();
    job.args = t["args"].get<std::vector<std::string>>();
    job.log_file = t["log"].get<std::string>();
    job.loss_file = t["loss"].get<std::string>();
    job.steps = t["steps"].get<std::int64_t>();
    jobs.push_back(std::move(job));
    points.push_back(t["point"].get<std::size_t>());
  }
  Json ended = Json::array();
  std::size_t count = 0;
  const std::string who = ranks.size() > 1 ? "rank " + std::to_string(ranks.rank()) + " " : "";
  // Whatever goes wrong here is reported, never thrown past the ranks' meeting point (the others would wait).
  std::string error;
  bool stopped = false;
  try {
    stopped = !run_point_jobs(self_executable(), jobs, o.jobs, o.quiet, "sweep", [&](const JobEnd& end) {
      ended.push_back(Json{{"point", points[end.job]}, {"exit", end.exit_code}});
      ++count;
      if (o.quiet) return;
      const PointJob& job = jobs[end.job];
      std::string what;
      switch (end.exit_code) {
        case 0:
          what = "complete";
          break;
        case kExitDiverged:
          what = "diverged";
          break;
        case kExitInterrupted:
          what = "interrupted";
          break;
        default: {
          const std::string why = last_error_line(job.log_file);
          what = "failed: " + (why.empty() ? exit_text(end.exit_code) : why);
        }
      }
      std::fprintf(stderr, "%s[%zu/%zu] %s: %s (%.1f s)\n", who.c_str(), count, jobs.size(), job.name.c_str(),
                   what.c_str(), end.wall_s);
    });
  } catch (const std::exception& e) {
    error = who + e.what();
  }
  return Json{{"ended", ended}, {"stopped", stopped}, {"error", error}};
}

int finish(const SweepPlan& plan, const SweepDirectory& directory, const Json& work,
           const std::vector<std::string>& shares) {
  std::vector<PointResult> results;
  for (const auto& p : plan.points) results.push_back(read_point_result(directory.point_dir(p)));
  bool stopped = false, errored = false;
  for (const auto& text : shares) {
    const Json share = Json::parse(text);
    stopped = stopped || share["stopped"].get<bool>();
    if (!share["error"].get<std::string>().empty()) {
      std::fprintf(stderr, "error: sweep: %s\n", share["error"].get<std::string>().c_str());
      errored = true;
    }
    for (const auto& e : share["ended"]) {
      const std::size_t i = e["point"].get<std::size_t>();
      const int code = e["exit"].get<int>();
      PointResult& r = results[i];
      const bool settled = r.status == "complete" || r.status == "diverged" || r.status == "failed";
      if (code == kExitInterrupted && !settled) r.status = "interrupted";
      if (code != 0 && code != kExitDiverged && code != kExitInterrupted && r.status != "failed") {
        r.status = "failed";
        const std::string why = last_error_line(directory.log_file(plan.points[i]));
        r.message = why.empty() ? exit_text(code) : why;
      }
    }
  }
  for (const auto& b : work["blocked"]) {
    PointResult& r = results[b["point"].get<std::size_t>()];
    r.status = "failed";
    r.message = b["why"].get<std::string>();
  }
  write_sweep_csv(directory.dir() + "/sweep.csv", plan, results);
  std::vector<std::string> pictures;
  try {
    pictures = draw_sweep_plots(directory.dir(), plan, results);
  } catch (const plot::PlotError& e) {
    std::fprintf(stderr, "warning: sweep plots: %s\n", e.what());
  }
  write_sweep_summary(directory.dir() + "/summary.md", plan, results, pictures);

  std::map<std::string, std::vector<std::string>> by_status;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& r = results[i];
    by_status[r.status].push_back(plan.points[i].name + (r.message.empty() ? "" : " (" + r.message + ")"));
  }
  std::string counts;
  for (const auto& [status, names] : by_status)
    counts.append(counts.empty() ? "" : ", ").append(std::to_string(names.size()) + " " + status);
  std::printf("sweep %s: %zu points: %s; results in sweep.csv, summary.md\n", directory.dir().c_str(),
              plan.points.size(), counts.c_str());
  for (const char* status : {"failed", "diverged", "interrupted", "pending"})
    for (const auto& line : by_status[status]) std::fprintf(stderr, "sweep: %s: %s\n", status, line.c_str());
  if (stopped) return kExitInterrupted;
  if (errored || !by_status["failed"].empty()) return kExitIoFailure;
  if (!by_status["diverged"].empty()) return kExitDiverged;
  if (!by_status["interrupted"].empty() || !by_status["pending"].empty()) return kExitInterrupted;
  return kExitOk;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  po::options_description desc("wow sweep SPEC.json [options]   (also: mpirun -np R wow sweep SPEC.json ...)");
  desc.add(common_options());
  desc.add_options()("spec", po::value<std::string>(), "the experiment spec, with a \"sweep\" block (JSON)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a spec value before expanding the sweep (also sweep.* keys)")(
      "out", po::value<std::string>(), "sweep directory (default runs/<name>_sweep)")(
      "jobs,j", po::value<int>()->default_value(1), "points run at a time (per rank under mpirun)")(
      "threads", po::value<int>()->default_value(0), "threads shared by the jobs (0: all cores)")(
      "force", "replace a sweep directory made by a different spec (only what wow wrote)")(
      "quiet,q", "no progress output")("dry-run", "check the sweep and list its points; run and write nothing");
  po::positional_options_description pos;
  pos.add("spec", 1);
  const auto vm = parse_options(args, desc, pos, "sweep");
  if (vm.count("help")) {
    std::cout << desc
              << "\nExamples:\n  wow sweep experiments/rings_gaussian_bandwidth_sweep.json --jobs 2\n"
                 "  wow sweep experiments/rings_gaussian_bandwidth_sweep.json --set sweep.seeds=[0] --out runs/quick\n"
                 "  mpirun -np 4 wow sweep experiments/rings_riesz_r_sweep.json\n"
                 "Calling the same command again resumes: complete points are kept, interrupted ones resumed.\n";
    return kExitOk;
  }
  SweepOptions o;
  if (!vm.count("spec")) throw InputError("wow sweep: give a spec file with a \"sweep\" block; see wow sweep --help");
  o.spec_path = vm["spec"].as<std::string>();
  if (vm.count("set")) o.sets = vm["set"].as<std::vector<std::string>>();
  if (vm.count("out")) o.out = vm["out"].as<std::string>();
  o.plugin_dir = vm["plugin-dir"].as<std::string>();
  o.jobs = vm["jobs"].as<int>();
  o.threads = vm["threads"].as<int>();
  o.force = vm.count("force") > 0;
  o.quiet = vm.count("quiet") > 0;
  o.dry_run = vm.count("dry-run") > 0;
  if (o.jobs < 1) throw InputError("--jobs: must be >= 1");
  if (o.threads < 0) throw InputError("--threads: must be >= 0");

  Ranks ranks;
  SweepPlan plan;
  std::optional<SweepDirectory> directory;
  std::string message;
  if (ranks.rank() == 0) {
    try {
      message = plan_work(o, args, plan, directory).dump();
    } catch (const InputError& e) {
      message = Json{{"error", e.what()}}.dump();
    } catch (const IoError& e) {
      message = Json{{"error", e.what()}, {"io", true}}.dump();
    }
  }
  const Json work = Json::parse(ranks.broadcast(message));
  if (work.contains("dry_run")) return kExitOk;
  if (work.contains("error")) {
    if (ranks.rank() != 0) return kExitBadInput;
    if (work.contains("io")) throw IoError(work["error"].get<std::string>());
    throw InputError(work["error"].get<std::string>());
  }
  const Json share = run_share(work["todo"], ranks, o);
  ranks.wait_for_all();
  const auto shares = ranks.gather(share.dump());
  if (ranks.rank() != 0) return share["stopped"].get<bool>() ? kExitInterrupted : kExitOk;
  return finish(plan, *directory, work, shares);
}

}  // namespace wow::cli
