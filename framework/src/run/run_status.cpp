#include "run/run_status.hpp"

#include <cstdio>
#include <filesystem>

#include "core/json_text.hpp"
#include "run/checkpoint.hpp"
#include "run/files.hpp"
#include "run/run_directory.hpp"
#include "run/run_inventory.hpp"
#include "run/run_lock.hpp"
#include "wow/errors.hpp"

namespace wow {

namespace {
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

RunState read_run_state(const std::string& dir) {
  if (const std::string why = why_not_a_run_directory(dir); !why.empty())
    throw InputError(dir + ": not a wow run directory (" + why + ")");
  const std::string file = dir + "/status.json";
  Json j;
  try {
    j = parse_json_text(files::read_all(file), file);
  } catch (const InputError& e) {
    throw InputError(dir + ": not a wow run directory (status.json: " + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("status") || !j["status"].is_string())
    throw InputError(file + ": not a wow status file (no \"status\")");
  RunState s;
  s.dir = dir;
  s.status = j["status"].get<std::string>();
  s.step = j.value("step", std::int64_t{0});
  s.steps = j.value("steps", std::int64_t{-1});
  s.pid = j.value("pid", std::int64_t{0});
  s.host = j.value("host", std::string());
  s.message = j.value("message", std::string());
  if (j.contains("loss") && j["loss"].is_number()) s.loss = j["loss"].get<double>();
  if (j.contains("elapsed_s") && j["elapsed_s"].is_number()) s.elapsed_s = j["elapsed_s"].get<double>();
  if (s.steps < 0) {  // older status files: the spec knows
    try {
      s.steps = read_json_file(dir + "/resolved_spec.json")["solver"]["params"].value("steps", -1);
    } catch (const std::exception&) {
    }
  }
  if (const auto holder = RunLock::holder(dir)) {
    s.alive = true;
    s.pid = holder->pid;
    if (!holder->host.empty()) s.host = holder->host;
  }
  // loss.csv is appended row by row: more current than status.json, which is written at checkpoints.
  RunDirectory run(dir);
  const auto rows = run.read_loss();
  if (!rows.empty() && s.status != "complete") {
    s.step = std::max(s.step, rows.back().step + (s.status == "running" ? 1 : 0));
    s.loss = rows.back().loss;
  }
  const auto steps = CheckpointStore(dir).steps();
  if (!steps.empty()) {
    s.checkpoint_step = steps.front();
  } else {
    try {
      s.checkpoint_step = read_json_file(dir + "/checkpoint/checkpoint.json").at("step").get<std::int64_t>();
    } catch (const std::exception&) {
    }
  }
  return s;
}

Json to_json(const RunState& s) {
  Json j{{"dir", s.dir}, {"status", s.status}, {"step", s.step}};
  if (s.status == "running") j["alive"] = s.alive;
  if (s.steps >= 0) j["steps"] = s.steps;
  if (s.pid > 0) j["pid"] = s.pid;
  if (!s.host.empty()) j["host"] = s.host;
  j["loss"] = s.loss ? Json(*s.loss) : Json(nullptr);
  j["checkpoint_step"] = s.checkpoint_step ? Json(*s.checkpoint_step) : Json(nullptr);
  if (!s.message.empty()) j["message"] = s.message;
  if (s.elapsed_s) j["elapsed_s"] = *s.elapsed_s;
  return j;
}

std::string one_line(const RunState& s) {
  std::string line = s.dir + ": " + s.status;
  if (s.status == "running") {
    line += " (pid ";
    line += std::to_string(s.pid);
    if (!s.host.empty()) line.append(" on ").append(s.host);
    if (s.alive)
      line += ", alive)";
    else
      line.append(" is gone: killed or crashed; resume with wow run --resume ").append(s.dir).append(")");
  }
  line.append(", step ").append(std::to_string(s.step));
  if (s.steps >= 0) line.append("/").append(std::to_string(s.steps));
  if (s.loss) line.append(", loss ").append(number(*s.loss));
  if (s.checkpoint_step)
    line.append(", checkpoint at step ").append(std::to_string(*s.checkpoint_step));
  else
    line.append(", no checkpoint");
  if (s.elapsed_s) line.append(", ").append(number(*s.elapsed_s)).append(" s");
  if (!s.message.empty()) line.append(" (").append(s.message).append(")");
  if (s.status == "interrupted" || s.status == "failed") line += "; resume with wow run --resume " + s.dir;
  return line;
}

}  // namespace wow
