#include "run/run_directory.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "data/npy.hpp"
#include "run/files.hpp"
#include "run/run_inventory.hpp"
#include "run/spec_record.hpp"
#include "wow/errors.hpp"

namespace fs = std::filesystem;

namespace wow {

std::string step_name(std::int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step_%06lld", static_cast<long long>(step));
  return buf;
}

void RunDirectory::check_new(const std::string& dir, bool force) {
  std::error_code ec;
  if (fs::exists(fs::symlink_status(dir, ec))) {
    if (!force) {
      if (const auto holder = RunLock::holder(dir))
        throw InputError("run directory " + dir + " is in use by another wow process (" + holder->describe() + ")");
      throw InputError("output directory " + dir + " already exists (use --force to replace it, or --out DIR)");
    }
    require_replaceable_run_directory(dir);
  }
  fs::path parent = fs::absolute(dir, ec).parent_path();
  while (!parent.empty() && !fs::exists(parent, ec)) parent = parent.parent_path();
  if (parent.empty() || !fs::is_directory(parent, ec))
    throw InputError("output directory " + dir + ": no existing parent directory");
  // Probe by creating a file: permission bits do not tell the truth for root or read-only mounts.
  const fs::path probe = parent / (std::string(files::kTempPrefix) + "write-probe-" + std::to_string(::getpid()));
  std::FILE* f = std::fopen(probe.c_str(), "w");
  if (f == nullptr)
    throw InputError("output directory " + dir + ": cannot write in " + parent.string() + " (" + std::strerror(errno) +
                     ")");
  std::fclose(f);
  fs::remove(probe, ec);
}

void RunDirectory::create(bool force) {
  std::error_code ec;
  const fs::path parent = fs::absolute(dir_, ec).parent_path();
  fs::create_directories(parent, ec);
  if (ec)
    throw InputError("output directory " + dir_ + ": cannot create " + parent.string() + " (" + ec.message() + ")");
  // mkdir, not create_directories: of two processes creating the same directory exactly one gets it new.
  if (::mkdir(dir_.c_str(), 0755) == 0) {
    lock_ = RunLock::acquire(dir_, "run");
  } else if (errno == EEXIST) {
    if (!force)
      throw InputError("output directory " + dir_ + " already exists (use --force to replace it, or --out DIR)");
    lock_ = RunLock::acquire(dir_, "run");
    // Checked again under the lock: the directory may have changed since check_new.
    require_replaceable_run_directory(dir_, /*check_lock=*/false);
    clear_run_directory(dir_);
  } else {
    throw InputError("output directory " + dir_ + ": cannot create (" + std::strerror(errno) + ")");
  }
  owns_content_ = true;
  fs::create_directories(dir_ + "/snapshots", ec);
  if (!ec) fs::create_directories(dir_ + "/checkpoint", ec);
  if (ec) throw InputError("output directory " + dir_ + ": cannot create (" + ec.message() + ")");
  try {
    files::sync_directory(dir_);
    files::sync_directory(parent.string());
  } catch (const IoError& e) {
    throw InputError(std::string("output directory ") + e.what());
  }
}

void RunDirectory::lock_existing() { lock_ = RunLock::acquire(dir_, "run --resume"); }

void RunDirectory::remove() {
  loss_file_.close();
  if (!owns_content_) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  lock_.release();
}

void RunDirectory::write_status(const std::string& status, std::int64_t step, const Json& extra) const {
  Json j = Json::object();
  j["status"] = status;
  j["step"] = step;
  j["pid"] = static_cast<std::int64_t>(::getpid());
  j["host"] = host_name();
  for (auto it = extra.begin(); it != extra.end(); ++it) j[it.key()] = it.value();
  write_json("status.json", j);
}

void RunDirectory::write_json(const std::string& name, const Json& value) const {
  files::write_atomic(path(name), value.dump(2) + "\n");
}

template <class T>
void RunDirectory::write_array(const std::string& name, const std::vector<T>& values,
                               const std::vector<std::size_t>& shape) const {
  files::write_atomic(path(name), npy::encode(values.data(), shape));
}

template <class T>
void RunDirectory::write_cloud(const std::string& name, const LabeledCloud<T>& cloud) const {
  if (cloud.layout.equal_sizes() && cloud.classes() > 0) {
    write_array(name, cloud.points, {cloud.classes(), cloud.layout.size(0), cloud.dim});
    return;
  }
  write_array(name, cloud.points, {cloud.rows(), cloud.dim});
  std::vector<std::int64_t> labels;
  for (std::size_t c = 0; c < cloud.classes(); ++c)
    labels.insert(labels.end(), cloud.layout.size(c), static_cast<std::int64_t>(c));
  const std::string stem = name.substr(0, name.size() - 4);  // strip ".npy"
  write_array(stem + "_labels.npy", labels, {labels.size()});
}

namespace {
const char* const kFinalFiles[] = {"final.npy", "final_labels.npy"};
std::string staged(const std::string& name) { return std::string(files::kTempPrefix) + name; }
}  // namespace

template <class T>
void RunDirectory::stage_final(const LabeledCloud<T>& state) const {
  write_cloud(staged("final.npy"), state);  // its labels, if any, go to staged("final_labels.npy")
}

void RunDirectory::publish_final() const {
  std::error_code ec;
  for (const char* name : kFinalFiles) {
    if (!fs::exists(path(staged(name)), ec)) continue;
    if (std::rename(path(staged(name)).c_str(), path(name).c_str()) != 0)
      throw IoError("cannot write " + path(name) + ": rename (" + std::strerror(errno) + ")");
  }
  files::sync_directory(dir_);
}

void RunDirectory::discard_final() const noexcept {
  std::error_code ec;
  for (const char* name : kFinalFiles) {
    fs::remove(path(name), ec);
    fs::remove(path(staged(name)), ec);
  }
}

void RunDirectory::open_loss(std::vector<LossRow> previous) {
  loss_ = std::move(previous);
  std::ostringstream text;
  text.precision(10);
  text << "iteration,loss,elapsed_s\n";
  for (const auto& r : loss_) text << r.step << ',' << r.loss << ',' << r.elapsed_s << '\n';
  files::write_atomic(path("loss.csv"), text.str());
  loss_file_.open(path("loss.csv"), std::ios::app);
  loss_file_.precision(10);
  if (!loss_file_) throw IoError("cannot open " + path("loss.csv") + " for appending");
}

void RunDirectory::append_loss(const LossRow& row) {
  loss_.push_back(row);
  loss_file_ << row.step << ',' << row.loss << ',' << row.elapsed_s << '\n';
  loss_file_.flush();
  if (!loss_file_) throw IoError("cannot write " + path("loss.csv") + " (disk full?)");
}

std::vector<LossRow> RunDirectory::read_loss() const {
  std::vector<LossRow> rows;
  std::ifstream in(path("loss.csv"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    LossRow r{};
    if (std::sscanf(line.c_str(), "%lld,%lf,%lf", reinterpret_cast<long long*>(&r.step), &r.loss, &r.elapsed_s) >= 2)
      rows.push_back(r);
  }
  return rows;
}

template <class T>
void RunDirectory::write_checkpoint(std::int64_t step, const LabeledCloud<T>& state, const SolverState& solver,
                                    const std::vector<std::vector<double>>& callbacks, std::size_t metric_rows) {
  std::vector<CheckpointArray> arrays{{"state", npy::encode(state.points.data(), {state.rows(), state.dim})}};
  for (const auto& [name, buffer] : solver.buffers)
    arrays.push_back({"solver_" + name, npy::encode(buffer.data(), {buffer.size()})});
  for (std::size_t i = 0; i < callbacks.size(); ++i)
    if (!callbacks[i].empty())
      arrays.push_back({"callback_" + std::to_string(i), npy::encode(callbacks[i].data(), {callbacks[i].size()})});
  Json scalars = Json::object();
  for (const auto& [name, value] : solver.scalars) scalars[name] = value;
  Json extra{{"solver_scalars", scalars}, {"metric_rows", metric_rows}};
  if (!identity_.is_null()) {
    extra["spec"] = identity_;
    extra["spec_digest"] = identity_digest(identity_);
  }
  CheckpointStore(dir_).write(step, arrays, extra);
}

void RunDirectory::record_spec(const Json& resolved_spec) { identity_ = run_identity(resolved_spec); }

std::string RunDirectory::kept_checkpoint_note() const {
  const auto steps = CheckpointStore(dir_).steps();
  if (steps.empty()) return "no checkpoint was written yet: wow run --resume " + dir_ + " starts again from step 0";
  return "the last good checkpoint (step " + std::to_string(steps.front()) + ") is kept in " + dir_;
}

LoadedCheckpoint RunDirectory::load_checkpoint(std::size_t state_values) const {
  return CheckpointStore(dir_).load_newest_valid({{"state", state_values}});
}

Json save_given_dataset(const RunDirectory& run, const std::string& side, const LabeledCloud<double>& cloud) {
  run.write_cloud(side + ".npy", cloud);
  const std::string dir = std::filesystem::absolute(run.dir()).lexically_normal().string();
  const std::string labels = cloud.layout.equal_sizes() ? "" : dir + "/" + side + "_labels.npy";
  return Json{{"type", "npy"}, {"params", {{"path", dir + "/" + side + ".npy"}, {"labels", labels}}}};
}

template void RunDirectory::write_cloud(const std::string&, const LabeledCloud<float>&) const;
template void RunDirectory::write_cloud(const std::string&, const LabeledCloud<double>&) const;
template void RunDirectory::stage_final(const LabeledCloud<float>&) const;
template void RunDirectory::stage_final(const LabeledCloud<double>&) const;
template void RunDirectory::write_array(const std::string&, const std::vector<float>&,
                                        const std::vector<std::size_t>&) const;
template void RunDirectory::write_array(const std::string&, const std::vector<double>&,
                                        const std::vector<std::size_t>&) const;
template void RunDirectory::write_array(const std::string&, const std::vector<std::int64_t>&,
                                        const std::vector<std::size_t>&) const;
template void RunDirectory::write_checkpoint(std::int64_t, const LabeledCloud<float>&, const SolverState&,
                                             const std::vector<std::vector<double>>&, std::size_t);
template void RunDirectory::write_checkpoint(std::int64_t, const LabeledCloud<double>&, const SolverState&,
                                             const std::vector<std::vector<double>>&, std::size_t);

}  // namespace wow
