#include "sweep/sweep_directory.hpp"

#include <filesystem>
#include <set>

#include "core/json_text.hpp"
#include "run/files.hpp"
#include "run/run_inventory.hpp"
#include "run/run_status.hpp"
#include "run/utc_time.hpp"
#include "wow/errors.hpp"

namespace fs = std::filesystem;

namespace wow {

namespace {

constexpr int kSweepFormat = 1;

bool is_sweep_output(const std::string& name) {
  return name == "sweep.json" || name == "sweep.csv" || name == "summary.md" || name == kSweepLockFile ||
         name.ends_with(".png") || name.starts_with(files::kTempPrefix);
}

// Refuses (InputError) unless every entry of sweep directory `dir` is one a sweep writes: its own files, specs/
// and logs/ of wow's, and run directories of the recorded points that `wow run --force` could replace.
void require_replaceable_sweep_directory(const std::string& dir, const Json& record) {
  const std::string refuse = "--force: refusing to replace sweep directory " + dir + ": ";
  if (const std::string why = protected_directory_reason(dir); !why.empty()) throw InputError(refuse + "it is " + why);
  std::set<std::string> points;
  for (const auto& p : record["points"]) points.insert(p.value("name", std::string()));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_symlink(ec)) throw InputError(refuse + "it holds the symbolic link " + name);
    if (entry.is_regular_file(ec) && is_sweep_output(name)) continue;
    if (entry.is_directory(ec) && (name == "specs" || name == "logs")) {
      const std::string suffix = name == "specs" ? ".json" : ".log";
      for (const auto& inner : fs::directory_iterator(entry.path(), ec)) {
        const std::string inner_name = inner.path().filename().string();
        if (!inner.is_regular_file(ec) || inner.is_symlink(ec) ||
            !(inner_name.ends_with(suffix) || inner_name.starts_with(files::kTempPrefix)))
          throw InputError(refuse + "it holds " + name + "/" + inner_name + ", which wow did not write");
      }
      continue;
    }
    if (entry.is_directory(ec) && points.count(name) > 0) {
      require_replaceable_run_directory(entry.path().string());  // throws naming the entry at fault
      continue;
    }
    throw InputError(refuse + "it holds " + name +
                     ", which this sweep did not write (move it away, or choose "
                     "another --out)");
  }
  if (ec) throw InputError(refuse + "cannot list it (" + ec.message() + ")");
}

void clear_sweep_directory(const std::string& dir) {
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename() != kSweepLockFile) entries.push_back(entry.path());
  for (const auto& p : entries) {
    fs::remove_all(p, ec);
    if (ec) throw IoError("cannot remove " + p.string() + ": " + ec.message());
  }
}

}  // namespace

Json read_sweep_record(const std::string& dir) {
  const std::string file = dir + "/sweep.json";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw InputError(dir + ": not a sweep directory (no sweep.json)");
  Json j;
  try {
    j = read_json_file(file);
  } catch (const InputError& e) {
    throw InputError(file + ": not a wow sweep record (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("hash") || !j.contains("points") || !j["points"].is_array())
    throw InputError(file + ": not a wow sweep record (no hash or points)");
  return j;
}

std::string recorded_hash_if_same(const std::string& dir, const SweepPlan& plan, const Registry& registry,
                                  const std::string& default_name) {
  std::error_code ec;
  if (!fs::is_regular_file(dir + "/sweep.json", ec)) return "";
  try {
    const Json record = read_sweep_record(dir);
    if (record["hash"] == plan.hash || !record.contains("spec") || !record.contains("sweep")) return "";
    Json raw = record["spec"];
    raw["sweep"] = record["sweep"];
    const SweepPlan then = plan_sweep(raw, registry, default_name, dir);
    return then.hash == plan.hash ? record["hash"].get<std::string>() : "";
  } catch (const std::exception&) {
    return "";  // a record today's plugins cannot read is a different sweep: open() says how it differs
  }
}

SweepDirectory SweepDirectory::open(const std::string& dir, const SweepPlan& plan, const Json& command, bool force,
                                    const std::string& same_sweep_hash) {
  std::error_code ec;
  const auto status = fs::symlink_status(dir, ec);
  Json previous_calls = Json::array();
  if (fs::exists(status)) {
    if (fs::is_symlink(status) || !fs::is_directory(status))
      throw InputError("sweep directory " + dir + " exists and is not a directory; choose another --out");
    const bool empty = fs::is_empty(dir, ec);
    const bool has_record = fs::exists(dir + "/sweep.json", ec);
    if (!empty && !has_record)
      throw InputError("sweep directory " + dir +
                       " exists and is not a wow sweep directory (no sweep.json); "
                       "choose another --out");
  } else {
    fs::create_directories(dir, ec);
    if (ec) throw InputError("sweep directory " + dir + ": cannot create it (" + ec.message() + ")");
  }
  SweepDirectory sweep(dir);
  sweep.lock_ = RunLock::acquire(dir, "sweep", kSweepLockFile);
  if (fs::exists(dir + "/sweep.json", ec)) {
    const Json record = read_sweep_record(dir);
    const bool same = record["hash"] == plan.hash || (!same_sweep_hash.empty() && record["hash"] == same_sweep_hash);
    if (!same && !force) {
      const Json recorded{{"base", record.value("spec", Json())}, {"sweep", record.value("sweep", Json())}};
      const Json now{{"base", plan.base}, {"sweep", plan.block}};
      std::string where = first_difference(recorded, now);
      if (where.starts_with("base.")) where = where.substr(5);
      throw InputError("sweep directory " + dir + " holds a sweep of a different spec (first difference: " + where +
                       "); run the same spec and --set to resume it, or choose another --out, or --force to "
                       "replace it");
    }
    if (force) {
      require_replaceable_sweep_directory(dir, record);
      clear_sweep_directory(dir);
    } else {
      previous_calls = record.value("calls", Json::array());
    }
  }
  for (const char* sub : {"specs", "logs"}) {
    fs::create_directories(dir + "/" + sub, ec);
    if (ec) throw IoError("sweep directory " + dir + ": cannot create " + sub + "/ (" + ec.message() + ")");
  }
  Json points = Json::array();
  for (const auto& p : plan.points) {
    points.push_back(Json{{"name", p.name}, {"setting", p.setting}, {"seed", p.seed}, {"values", p.values}});
    files::write_atomic(sweep.spec_file(p), p.spec.dump(2) + "\n");
  }
  previous_calls.push_back(Json{{"command", command}, {"started", utc_now_iso8601()}});
  const Json record{{"format", kSweepFormat}, {"name", plan.name},   {"hash", plan.hash},         {"paths", plan.paths},
                    {"labels", plan.labels},  {"seeds", plan.seeds}, {"maximize", plan.maximize}, {"sweep", plan.block},
                    {"spec", plan.base},      {"points", points},    {"calls", previous_calls}};
  files::write_atomic(dir + "/sweep.json", record.dump(2) + "\n");
  return sweep;
}

PointDecision SweepDirectory::decide(const SweepPoint& p) const {
  const std::string run_dir = point_dir(p);
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(run_dir, ec))) return {PointAction::Start, ""};
  RunState state;
  try {
    state = read_run_state(run_dir);
  } catch (const InputError&) {
    // Killed between creating the directory and its first status: nothing of value in it, unless a user's file.
    const std::string foreign = fs::is_directory(run_dir, ec) ? foreign_run_entry(run_dir) : "(not a directory)";
    if (!foreign.empty()) return {PointAction::Blocked, run_dir + " holds " + foreign + ", which wow did not write"};
    return {PointAction::StartReplacing, ""};
  }
  if (state.alive) return {PointAction::Blocked, run_dir + " is in use by pid " + std::to_string(state.pid)};
  if (state.status == "complete" || state.status == "diverged") return {PointAction::Done, ""};
  return {PointAction::Resume, ""};
}

}  // namespace wow
