#pragma once
// The run directory (design.md "Run directory"): status.json, resolved_spec.json, loss.csv, snapshots/,
// final.npy, checkpoint/, pictures. Every file is written atomically.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "run/checkpoint.hpp"
#include "run/run_lock.hpp"
#include "wow/cloud.hpp"
#include "wow/interfaces.hpp"
#include "wow/params.hpp"

namespace wow {

struct LossRow {
  std::int64_t step;
  double loss;
  double elapsed_s;
};

class RunDirectory {
 public:
  explicit RunDirectory(std::string dir) : dir_(std::move(dir)) {}

  // Throws InputError when `dir` exists (unless force, and then unless it may be replaced: see run_inventory.hpp),
  // is locked by another process, or its parent cannot hold it. Creates nothing.
  static void check_new(const std::string& dir, bool force);
  // Creates the directory and takes its lock. With force, an existing run directory is re-checked under the lock
  // and its content replaced (the directory itself and its lock stay).
  void create(bool force);
  // Takes the lock of an existing run directory (resume). Throws InputError when another process holds it.
  void lock_existing();
  // Removes the directory this process created or cleared (a run that failed before its first step).
  void remove();

  [[nodiscard]] std::string path(const std::string& name) const { return dir_ + "/" + name; }
  [[nodiscard]] const std::string& dir() const { return dir_; }

  void write_status(const std::string& status, std::int64_t step, const Json& extra = Json::object()) const;
  void write_json(const std::string& name, const Json& value) const;
  // (C, n, d) when classes have equal sizes, else (N, d) plus <stem>_labels.npy.
  template <class T>
  void write_cloud(const std::string& name, const LabeledCloud<T>& cloud) const;
  template <class T>
  void write_array(const std::string& name, const std::vector<T>& values, const std::vector<std::size_t>& shape) const;

  // final.npy (and final_labels.npy) are written under temporary names first and renamed only once status.json says
  // "complete": no failure or kill can leave final.npy beside another status (docs/reliability.md).
  template <class T>
  void stage_final(const LabeledCloud<T>& state) const;
  // Renames the staged files to final.npy / final_labels.npy. Throws IoError.
  void publish_final() const;
  // Removes final.npy, final_labels.npy and their staged copies (a run that failed at the end, or is resumed).
  void discard_final() const noexcept;

  // Loss rows: kept in memory and appended to loss.csv (flushed per row).
  void open_loss(std::vector<LossRow> previous);
  void append_loss(const LossRow& row);
  [[nodiscard]] const std::vector<LossRow>& loss() const { return loss_; }
  [[nodiscard]] std::vector<LossRow> read_loss() const;

  // The resolved spec of the run being written: every checkpoint records its identity (spec_record.hpp), which
  // `--resume` compares with resolved_spec.json.
  void record_spec(const Json& resolved_spec);
  // Checkpoint (checkpoint.hpp): arrays "state", "solver_<buffer>" and "callback_<i>" (non-empty states), the
  // solver's scalars in the record, with sizes and checksums.
  template <class T>
  // `metric_rows`: rows of metrics.csv written so far (a resume keeps exactly those).
  void write_checkpoint(std::int64_t step, const LabeledCloud<T>& state, const SolverState& solver,
                        const std::vector<std::vector<double>>& callbacks, std::size_t metric_rows);
  // What an error message says is left to resume from: "the last good checkpoint (step N) is kept in DIR", or that
  // there is none yet.
  [[nodiscard]] std::string kept_checkpoint_note() const;
  // The newest checkpoint whose files all check out; its "state" must hold `state_values` values.
  [[nodiscard]] LoadedCheckpoint load_checkpoint(std::size_t state_values) const;

 private:
  std::string dir_;
  std::vector<LossRow> loss_;
  std::ofstream loss_file_;
  RunLock lock_;
  Json identity_;              // run_identity of the spec being run; null until record_spec
  bool owns_content_ = false;  // created or cleared by this process: remove() may delete it
};

std::string step_name(std::int64_t step);  // "step_000025"

// A dataset given in memory (not by a spec node), saved in the run directory as <side>.npy (and <side>_labels.npy for
// unequal classes); returns the "npy" spec node that reads it back, so the directory alone reruns and resumes.
Json save_given_dataset(const RunDirectory& run, const std::string& side, const LabeledCloud<double>& cloud);

}  // namespace wow
