// The run directory's safety rules: checkpoints validated as a set (newest valid one used, the last two kept),
// --force replacing only what wow wrote, and the one-writer lock.
#include <catch2/catch.hpp>
#include <filesystem>

#include "../common/test_files.hpp"
#include "data/npy.hpp"
#include "run/checkpoint.hpp"
#include "run/files.hpp"
#include "run/run_inventory.hpp"
#include "run/run_lock.hpp"
#include "wow/errors.hpp"

namespace fs = std::filesystem;
using wowtest::TempDir;
using wowtest::write_file;

namespace {

std::vector<wow::CheckpointArray> arrays_for(double value, std::size_t n) {
  const std::vector<double> state(n, value), solver(n, -value);
  return {{"state", wow::npy::encode(state.data(), {n})}, {"solver", wow::npy::encode(solver.data(), {n})}};
}

}  // namespace

TEST_CASE("checkpoints: the newest two are kept and the newest valid one is loaded") {
  TempDir dir;
  fs::create_directories(dir.file("checkpoint"));
  wow::CheckpointStore store(dir.path.string());
  for (int step : {10, 20, 30}) store.write(step, arrays_for(step, 5));
  CHECK(store.steps() == std::vector<std::int64_t>{30, 20});
  CHECK_FALSE(fs::exists(dir.file("checkpoint/state_000010.npy")));

  auto cp = store.load_newest_valid({{"state", 5}});
  CHECK(cp.step == 30);
  CHECK(cp.skipped.empty());
  CHECK(cp.arrays.at("state").values == std::vector<double>(5, 30.0));
  CHECK(cp.arrays.at("solver").values == std::vector<double>(5, -30.0));

  SECTION("a truncated newest state falls back to the one before") {
    fs::resize_file(dir.file("checkpoint/state_000030.npy"), 40);
    cp = store.load_newest_valid({{"state", 5}});
    CHECK(cp.step == 20);
    REQUIRE(cp.skipped.size() == 1);
    CHECK_THAT(cp.skipped[0], Catch::Contains("state_000030.npy is truncated"));
  }
  SECTION("a changed byte is caught by the checksum") {
    std::string bytes = wow::files::read_all(dir.file("checkpoint/solver_000030.npy"));
    bytes.back() ^= 1;
    write_file(dir.file("checkpoint/solver_000030.npy"), bytes);
    cp = store.load_newest_valid({{"state", 5}});
    CHECK(cp.step == 20);
    CHECK_THAT(cp.skipped.at(0), Catch::Contains("checksum"));
  }
  SECTION("a state of the wrong size is not used") {
    cp = store.load_newest_valid({{"state", 6}});
    CHECK(cp.arrays.empty());
    CHECK(cp.any_record);
    CHECK(cp.skipped.size() == 2);
  }
  SECTION("a missing array and a garbled record") {
    fs::remove(dir.file("checkpoint/solver_000030.npy"));
    write_file(dir.file("checkpoint/step_000020.json"), "{\"step\": 20, \"arr");
    cp = store.load_newest_valid({{"state", 5}});
    CHECK(cp.arrays.empty());
    CHECK_THAT(cp.skipped.at(0), Catch::Contains("solver_000030.npy is missing"));
    CHECK_THAT(cp.skipped.at(1), Catch::Contains("not complete JSON"));
  }
  SECTION("writing an older step (a resume from the one before) removes the stale newer one") {
    store.write(25, arrays_for(25, 5));
    CHECK(store.steps() == std::vector<std::int64_t>{25, 20});
  }
}

TEST_CASE("checkpoints: the format without checksums is still read") {
  TempDir dir;
  fs::create_directories(dir.file("checkpoint"));
  const std::vector<double> state(4, 1.5), solver(4, 0.0);
  write_file(dir.file("checkpoint/state_000007.npy"), wow::npy::encode(state.data(), {4}));
  write_file(dir.file("checkpoint/solver_000007.npy"), wow::npy::encode(solver.data(), {4}));
  write_file(dir.file("checkpoint/checkpoint.json"),
             R"({"step": 7, "state": "checkpoint/state_000007.npy", "solver": "checkpoint/solver_000007.npy"})");
  const auto cp = wow::CheckpointStore(dir.path.string()).load_newest_valid({{"state", 4}});
  CHECK(cp.step == 7);
  CHECK(cp.arrays.at("state").values == state);
}

TEST_CASE("checkpoint_step_of reads the step from numbered names") {
  CHECK(wow::checkpoint_step_of("state_000120.npy") == 120);
  CHECK(wow::checkpoint_step_of("step_001000.json") == 1000);
  CHECK(wow::checkpoint_step_of("checkpoint.json") == -1);
  CHECK(wow::checkpoint_step_of("state_12.npy") == -1);
}

TEST_CASE("force: only a directory wow wrote may be replaced") {
  TempDir dir;
  const std::string run = dir.file("run");
  fs::create_directories(run + "/snapshots");
  fs::create_directories(run + "/checkpoint");
  write_file(run + "/status.json", R"({"status": "complete", "step": 3})");
  write_file(run + "/resolved_spec.json",
             R"({"source": {}, "target": {}, "functional": {}, "projections": {}, "solver": {}, "output": {}})");
  write_file(run + "/snapshots/step_000000.npy", "x");
  write_file(run + "/checkpoint/state_000003.npy", "x");
  write_file(run + "/checkpoint/step_000003.json", "x");
  write_file(run + "/loss.png", "x");
  write_file(run + "/.wow-tmp-123-0-loss.csv", "x");  // a temporary file left by a crash
  CHECK(wow::foreign_run_entry(run).empty());
  CHECK_NOTHROW(wow::require_replaceable_run_directory(run));

  SECTION("a user's file inside") {
    write_file(run + "/notes.md", "mine");
    CHECK(wow::foreign_run_entry(run) == "notes.md");
    CHECK_THROWS_AS(wow::require_replaceable_run_directory(run), wow::InputError);
  }
  SECTION("a user's file in a folder wow writes") {
    write_file(run + "/snapshots/figure.pdf", "mine");
    CHECK(wow::foreign_run_entry(run) == "snapshots/figure.pdf");
  }
  SECTION("a symbolic link inside") {
    fs::create_symlink(dir.path, run + "/final.npy");
    CHECK(wow::foreign_run_entry(run) == "final.npy");
  }
  SECTION("a status.json that is not wow's") {
    write_file(run + "/status.json", R"({"status": "happy"})");
    CHECK_THROWS_WITH(wow::require_replaceable_run_directory(run), Catch::Contains("not a wow run directory"));
  }
  SECTION("clearing keeps the lock file only") {
    write_file(run + "/run.lock", "{}");
    wow::clear_run_directory(run);
    CHECK(fs::exists(run + "/run.lock"));
    CHECK(std::distance(fs::directory_iterator(run), fs::directory_iterator{}) == 1);
  }
}

TEST_CASE("the run lock admits one writer and names it") {
  TempDir dir;
  const std::string run = dir.path.string();
  CHECK_FALSE(wow::RunLock::holder(run).has_value());
  {
    wow::RunLock lock = wow::RunLock::acquire(run, "run");
    CHECK(lock.held());
    const auto holder = wow::RunLock::holder(run);
    REQUIRE(holder.has_value());
    CHECK(holder->pid == ::getpid());
    CHECK(holder->host == wow::host_name());
    CHECK_THROWS_WITH(wow::RunLock::acquire(run, "run"), Catch::Contains("in use by another wow process"));
    CHECK_THROWS_WITH(wow::require_replaceable_run_directory(run), Catch::Contains("in use"));
  }
  // Released with its owner: the file stays, the lock does not.
  CHECK(fs::exists(dir.file("run.lock")));
  CHECK_FALSE(wow::RunLock::holder(run).has_value());
  CHECK_NOTHROW(wow::RunLock::acquire(run, "run"));
}

TEST_CASE("write_atomic leaves no temporary file behind") {
  TempDir dir;
  wow::files::write_atomic(dir.file("a.json"), "{}");
  wow::files::write_atomic(dir.file("a.json"), "{\"b\": 1}");
  CHECK(wow::files::read_all(dir.file("a.json")) == "{\"b\": 1}");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);
  CHECK_THROWS_AS(wow::files::write_atomic(dir.file("no_such_dir/a.json"), "{}"), wow::IoError);
}
