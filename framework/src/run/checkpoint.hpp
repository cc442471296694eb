#pragma once
// Checkpoints of a run directory (docs/reliability.md). A checkpoint is a set of named arrays ("state", "solver",
// and whatever later kinds add) written under DIR/checkpoint/ as <role>_NNNNNN.npy, then a record
// step_NNNNNN.json listing each file with its size and CRC-32, then checkpoint.json (a copy of the newest record).
// Only the newest two are kept. Resuming uses the newest checkpoint whose record and files all check out.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/npy.hpp"
#include "wow/params.hpp"

namespace wow {

struct CheckpointArray {
  std::string role;  // "state", "solver", ...
  std::string npy;   // the encoded .npy file
};

struct LoadedCheckpoint {
  std::int64_t step = 0;                     // 0 and no arrays: no usable checkpoint (start from x_0)
  std::string record;                        // e.g. "checkpoint/step_000400.json"; empty when none
  std::map<std::string, npy::Array> arrays;  // by role
  std::vector<std::string> skipped;          // newer checkpoints not used, each with the reason
  bool any_record = false;                   // whether any checkpoint record was found at all
  Json extra = Json::object();               // the record's "extra" (e.g. solver scalars)
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string run_dir) : dir_(std::move(run_dir)) {}

  // Writes the arrays, then the record, then checkpoint.json; then removes every checkpoint but this one and the
  // newest older one. Throws IoError.
  void write(std::int64_t step, const std::vector<CheckpointArray>& arrays, const Json& extra = Json::object()) const;

  // The newest checkpoint whose record parses, whose files exist with the recorded size and CRC-32 and parse as
  // .npy, and whose arrays have the expected number of values (role -> count; roles not listed are not checked).
  // Reads records of the older format (checkpoint.json naming "state" and "solver", no checksums) too.
  [[nodiscard]] LoadedCheckpoint load_newest_valid(const std::map<std::string, std::size_t>& expected_sizes) const;

  // Steps of every checkpoint record present, newest first (records only; not validated).
  [[nodiscard]] std::vector<std::int64_t> steps() const;

 private:
  std::string dir_;
};

// "step_000400": the step of a numbered checkpoint file name, or -1.
std::int64_t checkpoint_step_of(const std::string& file_name);

}  // namespace wow
