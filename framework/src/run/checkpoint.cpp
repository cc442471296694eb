#include "run/checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "core/json_text.hpp"
#include "run/files.hpp"
#include "run/run_directory.hpp"
#include "wow/errors.hpp"
#include "wow/params.hpp"

namespace fs = std::filesystem;

namespace wow {

namespace {

constexpr int kRecordFormat = 2;

std::uint32_t crc32_of(const std::string& bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t done = 0;
  while (done < bytes.size()) {  // zlib takes uInt lengths
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(bytes.size() - done, 1U << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), chunk);
    done += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

std::string digits(std::int64_t step) { return step_name(step).substr(5); }

struct Candidate {
  std::int64_t step;
  std::string record;  // relative to the run directory
};

// Validates one record; returns "" when every array checks out (filling `out`), else the reason.
std::string validate(const std::string& dir, const Candidate& c, const std::map<std::string, std::size_t>& expected,
                     LoadedCheckpoint& out) {
  Json j;
  try {
    j = read_json_file(dir + "/" + c.record);
  } catch (const std::exception&) {
    return c.record + " is unreadable or not complete JSON";
  }
  std::vector<std::tuple<std::string, std::string, std::int64_t, std::int64_t>> arrays;  // role, file, bytes, crc
  try {
    if (j.at("step").get<std::int64_t>() != c.step && c.record != "checkpoint/checkpoint.json")
      return c.record + " records step " + json_excerpt(j.at("step"));
    if (j.contains("extra")) out.extra = j.at("extra");
    if (j.contains("arrays")) {
      for (auto it = j.at("arrays").begin(); it != j.at("arrays").end(); ++it)
        arrays.emplace_back(it.key(), it.value().at("file").get<std::string>(),
                            it.value().at("bytes").get<std::int64_t>(), it.value().at("crc32").get<std::int64_t>());
    } else {  // the format before checksums: {"step", "state", "solver"}
      arrays.emplace_back("state", j.at("state").get<std::string>(), -1, -1);
      arrays.emplace_back("solver", j.at("solver").get<std::string>(), -1, -1);
    }
  } catch (const Json::exception& e) {
    return c.record + " is not a checkpoint record (" + e.what() + ")";
  }
  for (const auto& want : expected) {
    const std::string& role = want.first;
    if (std::none_of(arrays.begin(), arrays.end(), [&](const auto& a) { return std::get<0>(a) == role; }))
      return c.record + " has no \"" + role + "\" array";
  }
  for (const auto& [role, file, bytes, crc] : arrays) {
    if (file.find("..") != std::string::npos || file.starts_with("/")) return c.record + " names " + file;
    std::string content;
    try {
      content = files::read_all(dir + "/" + file);
    } catch (const InputError&) {
      return file + " is missing";
    }
    if (bytes >= 0 && static_cast<std::int64_t>(content.size()) != bytes)
      return file + " is truncated or overwritten (" + std::to_string(content.size()) + " bytes, recorded " +
             std::to_string(bytes) + ")";
    if (crc >= 0 && crc32_of(content) != static_cast<std::uint32_t>(crc))
      return file + " does not match its recorded checksum";
    try {
      npy::Array a = npy::parse(content, file);
      const auto want = expected.find(role);
      if (want != expected.end() && a.values.size() != want->second)
        return file + " holds " + std::to_string(a.values.size()) + " values, the run needs " +
               std::to_string(want->second);
      out.arrays[role] = std::move(a);
    } catch (const InputError& e) {
      return e.what();
    }
  }
  return "";
}

}  // namespace

std::int64_t checkpoint_step_of(const std::string& name) {
  const auto dot = name.rfind('.');
  const auto underscore = name.rfind('_', dot);
  if (dot == std::string::npos || underscore == std::string::npos || dot - underscore < 7) return -1;
  std::int64_t step = 0;
  for (std::size_t i = underscore + 1; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    step = step * 10 + (name[i] - '0');
  }
  return step;
}

void CheckpointStore::write(std::int64_t step, const std::vector<CheckpointArray>& arrays, const Json& extra) const {
  Json record{{"format", kRecordFormat}, {"step", step}, {"arrays", Json::object()}, {"extra", extra}};
  for (const auto& a : arrays) {
    const std::string file = "checkpoint/" + a.role + "_" + digits(step) + ".npy";
    files::write_atomic(dir_ + "/" + file, a.npy);
    record["arrays"][a.role] = Json{{"file", file}, {"bytes", a.npy.size()}, {"crc32", crc32_of(a.npy)}};
  }
  const std::string text = record.dump(2) + "\n";
  files::write_atomic(dir_ + "/checkpoint/step_" + digits(step) + ".json", text);
  files::write_atomic(dir_ + "/checkpoint/checkpoint.json", text);
  // Keep this checkpoint and the newest older one; a newer one (left by an earlier life of the run) is stale.
  std::int64_t previous = -1;
  for (const std::int64_t s : steps())
    if (s < step) previous = std::max(previous, s);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ + "/checkpoint", ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "checkpoint.json" || name.starts_with(files::kTempPrefix)) continue;
    const std::int64_t s = checkpoint_step_of(name);
    if (s >= 0 && s != step && s != previous) fs::remove(entry.path(), ec);
  }
}

std::vector<std::int64_t> CheckpointStore::steps() const {
  std::vector<std::int64_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_ + "/checkpoint", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("step_") && name.ends_with(".json")) {
      const std::int64_t s = checkpoint_step_of(name);
      if (s >= 0) out.push_back(s);
    }
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

LoadedCheckpoint CheckpointStore::load_newest_valid(const std::map<std::string, std::size_t>& expected) const {
  std::vector<Candidate> candidates;
  for (const std::int64_t s : steps()) candidates.push_back({s, "checkpoint/step_" + digits(s) + ".json"});
  std::error_code ec;
  if (candidates.empty() && fs::exists(dir_ + "/checkpoint/checkpoint.json", ec)) {
    // A run directory from before per-step records: its one record, step read from inside.
    std::int64_t step = 0;
    try {
      step = read_json_file(dir_ + "/checkpoint/checkpoint.json").at("step").get<std::int64_t>();
    } catch (const std::exception&) {
    }
    candidates.push_back({step, "checkpoint/checkpoint.json"});
  }
  LoadedCheckpoint result;
  result.any_record = !candidates.empty();
  for (const auto& c : candidates) {
    LoadedCheckpoint attempt;
    const std::string why = validate(dir_, c, expected, attempt);
    if (why.empty()) {
      attempt.step = c.step;
      attempt.record = c.record;
      attempt.skipped = std::move(result.skipped);
      attempt.any_record = true;
      return attempt;
    }
    result.skipped.push_back("step " + std::to_string(c.step) + ": " + why);
  }
  return result;
}

}  // namespace wow
