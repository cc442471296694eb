#pragma once
// The run directory (design.md "Run directory"): status.json, resolved_spec.json, loss.csv, snapshots/,
// final.npy, checkpoint/, pictures. Every file is written atomically.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "wow/cloud.hpp"
#include "wow/params.hpp"

namespace wow {

struct LossRow {
  std::int64_t step;
  double loss;
  double elapsed_s;
};

struct CheckpointInfo {
  std::int64_t step = 0;
  std::string state_file, solver_file;
};

class RunDirectory {
 public:
  explicit RunDirectory(std::string dir) : dir_(std::move(dir)) {}

  // Throws InputError when `dir` exists (unless force) or its parent cannot hold it. Creates nothing.
  static void check_new(const std::string& dir, bool force);
  // Creates the directory tree (removing an existing one when force).
  void create(bool force);
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

  // Loss rows: kept in memory and appended to loss.csv (flushed per row).
  void open_loss(std::vector<LossRow> previous);
  void append_loss(const LossRow& row);
  [[nodiscard]] const std::vector<LossRow>& loss() const { return loss_; }
  [[nodiscard]] std::vector<LossRow> read_loss() const;

  // Checkpoint: state and solver arrays first, then checkpoint/checkpoint.json points at them.
  template <class T>
  void write_checkpoint(std::int64_t step, const LabeledCloud<T>& state, const std::vector<double>& solver_state);
  [[nodiscard]] CheckpointInfo read_checkpoint() const;

 private:
  std::string dir_;
  std::vector<LossRow> loss_;
  std::ofstream loss_file_;
  CheckpointInfo last_checkpoint_;
};

std::string step_name(std::int64_t step);  // "step_000025"

}  // namespace wow
