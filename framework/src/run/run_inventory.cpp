#include "run/run_inventory.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <utility>

#include "core/json_text.hpp"
#include "run/files.hpp"
#include "run/run_lock.hpp"
#include "wow/errors.hpp"
#include "wow/params.hpp"

namespace fs = std::filesystem;

namespace wow {

namespace {

// Every name a run writes, by folder. Extend these when a feature adds a file to the run directory.
// source.npy / target.npy (+ _labels): datasets given in memory (the Python module), saved with the run.
const std::set<std::string> kTopFiles = {"status.json",  "resolved_spec.json", "loss.csv",    "metrics.csv",
                                         "final.npy",    "final_labels.npy",   "labels.json", "flow.png",
                                         "flow_pca.png", "loss.png",           "source.npy",  "source_labels.npy",
                                         "target.npy",   "target_labels.npy",  kRunLockFile};

// "<prefix><digits><suffix>" with at least `min_digits` digits.
bool numbered(const std::string& name, const std::string& prefix, const std::string& suffix, std::size_t min_digits) {
  if (!name.starts_with(prefix) || !name.ends_with(suffix) || name.size() < prefix.size() + suffix.size() + min_digits)
    return false;
  for (std::size_t i = prefix.size(); i < name.size() - suffix.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return false;
  return true;
}

// A role name (a-z, 0-9, _) then a six-digit step: state_000100.npy, solver_000100.npy, callback_0_000100.npy
bool checkpoint_array(const std::string& name) {
  const auto underscore = name.rfind('_');
  if (underscore == std::string::npos || underscore == 0) return false;
  for (std::size_t i = 0; i < underscore; ++i)
    if ((name[i] < 'a' || name[i] > 'z') && (name[i] < '0' || name[i] > '9') && name[i] != '_') return false;
  return numbered(name.substr(underscore), "_", ".npy", 6);
}

bool is_temp(const std::string& name) { return name.starts_with(files::kTempPrefix); }

bool known(const std::string& folder, const std::string& name) {
  if (is_temp(name)) return true;
  if (folder.empty()) return kTopFiles.count(name) > 0 || (name.starts_with("metric_") && name.ends_with(".png"));
  if (folder == "snapshots") return numbered(name, "step_", ".npy", 6) || numbered(name, "step_", "_labels.npy", 6);
  if (folder == "checkpoint")
    return name == "checkpoint.json" || numbered(name, "step_", ".json", 6) || checkpoint_array(name);
  if (folder == "images") return numbered(name, "step_", ".png", 6) || numbered(name, "class_", ".png", 1);
  return false;
}

const std::set<std::string> kFolders = {"snapshots", "checkpoint", "images"};

bool is_status(const Json& j) {
  static const std::set<std::string> states = {"running", "complete", "failed", "diverged", "interrupted"};
  return j.is_object() && j.contains("status") && j["status"].is_string() &&
         states.count(j["status"].get<std::string>()) > 0 && j.contains("step") && j["step"].is_number_integer();
}

bool is_resolved_spec(const Json& j) {
  if (!j.is_object()) return false;
  for (const char* key : {"source", "target", "functional", "projections", "solver", "output"})
    if (!j.contains(key) || !j[key].is_object()) return false;
  return true;
}

}  // namespace

std::string why_not_a_run_directory(const std::string& dir) {
  for (const auto& [name, ours] :
       {std::pair{"status.json", &is_status}, std::pair{"resolved_spec.json", &is_resolved_spec}}) {
    const std::string file = dir + "/" + name;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return std::string(name) + " missing";
    try {
      if (!ours(read_json_file(file))) return std::string(name) + " is not wow's";
    } catch (const InputError& e) {
      return e.what();
    }
  }
  return "";
}

// The home directory, the working directory and its parents, and "/": never replaced, whatever they hold.
std::string protected_directory_reason(const std::string& dir) {
  std::error_code canonical_ec;
  const fs::path canonical = fs::weakly_canonical(dir, canonical_ec);
  if (canonical == canonical.root_path()) return "the filesystem root";
  std::error_code ec;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    const fs::path h = fs::weakly_canonical(home, ec);
    if (!ec && h == canonical) return "the home directory";
  }
  const fs::path cwd = fs::current_path(ec);
  if (!ec) {
    if (cwd == canonical) return "the working directory";
    for (fs::path p = cwd.parent_path(); !p.empty(); p = p.parent_path()) {
      if (p == canonical) return "a parent of the working directory";
      if (p == p.root_path()) break;
    }
  }
  return "";
}

std::string foreign_run_entry(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_symlink(ec)) return name;
    if (entry.is_directory(ec)) {
      if (kFolders.count(name) == 0) return name + "/";
      for (const auto& inner : fs::directory_iterator(entry.path(), ec)) {
        const std::string inner_name = inner.path().filename().string();
        if (inner.is_symlink(ec) || !inner.is_regular_file(ec) || !known(name, inner_name))
          return name + "/" + inner_name;
      }
      if (ec) return name + "/ (unreadable: " + ec.message() + ")";
      continue;
    }
    if (!entry.is_regular_file(ec) || !known("", name)) return name;
  }
  if (ec) return ". (unreadable: " + ec.message() + ")";
  return "";
}

void require_replaceable_run_directory(const std::string& dir, bool check_lock) {
  std::error_code ec;
  const fs::path path(dir);
  const auto status = fs::symlink_status(path, ec);
  if (ec || !fs::exists(status)) return;  // nothing there: nothing to replace
  const std::string refuse = "--force: refusing to replace " + dir + ": ";
  if (fs::is_symlink(status)) throw InputError(refuse + "it is a symbolic link; give the real directory");
  if (!fs::is_directory(status)) throw InputError(refuse + "it is a file, not a wow run directory");
  const fs::path canonical = fs::canonical(path, ec);
  if (ec) throw InputError(refuse + "cannot resolve the path (" + ec.message() + ")");
  if (const std::string why = protected_directory_reason(canonical.string()); !why.empty())
    throw InputError(refuse + "it is " + why);
  if (const auto holder = check_lock ? RunLock::holder(dir) : std::nullopt)
    throw InputError("run directory " + dir + " is in use by another wow process (" + holder->describe() +
                     "); --force never replaces a running run");
  const std::string foreign = foreign_run_entry(dir);
  if (!foreign.empty())
    throw InputError(refuse + "it holds " + foreign +
                     ", which wow did not write (move it away, or choose another --out)");
  bool empty = true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name != kRunLockFile && !is_temp(name)) empty = false;
  }
  if (empty) return;
  if (const std::string why = why_not_a_run_directory(dir); !why.empty())
    throw InputError(refuse + "it is not a wow run directory (" + why + ")");
}

void clear_run_directory(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() == kRunLockFile) continue;
    fs::remove_all(entry.path(), ec);
    if (ec) throw InputError("--force: cannot remove " + entry.path().string() + " (" + ec.message() + ")");
  }
  if (ec) throw InputError("--force: cannot list " + dir + " (" + ec.message() + ")");
}

}  // namespace wow
