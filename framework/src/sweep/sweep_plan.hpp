#pragma once
// A sweep (docs/sweeps.md): the spec's "sweep" block expanded into points, each an ordinary resolved spec.
//   "sweep": {"grid": {PATH: [values], ...},   cartesian product, first path varying slowest
//             "zip":  {PATH: [values], ...},   lists of one length, varied together (one factor of the product)
//             "seeds": [0, 1, 2],              innermost factor (default: [the spec's seed])
//             "maximize": [METRIC, ...]}       metrics where higher is better (summary.md ranks by them)
// PATH is a dotted spec path as `--set` writes it, and must exist in the resolved spec (a whole component node
// may be swept). Every point is resolved before anything runs, so bad values are refused naming path and value.
#include <cstdint>
#include <string>
#include <vector>

#include "wow/params.hpp"
#include "wow/registry.hpp"

namespace wow {

struct SweepPoint {
  std::string name;     // directory name: "h=0.05_seed=1" (readable, stable, unique in the sweep)
  std::string setting;  // the same without the seed: "h=0.05" (points differing only by seed share it)
  Json values;          // {PATH: value} in path order
  std::int64_t seed = 0;
  Json spec;  // the resolved spec of this point; output.dir is the point's run directory
};

struct SweepPlan {
  std::string name;                 // the base spec's name
  std::vector<std::string> paths;   // swept paths: grid paths, then zip paths
  std::vector<std::string> labels;  // short name of each path in directory names and tables ("h", "kernel")
  std::vector<std::int64_t> seeds;
  std::vector<std::string> maximize;
  Json block;        // the sweep block as given
  Json base;         // the resolved base spec (no sweep block, output.dir empty)
  std::string hash;  // 16 hex digits over base + block: what a resume must match
  std::vector<SweepPoint> points;
};

// Expands and validates the sweep of `raw` (a spec with a "sweep" block, --set already applied); the points'
// run directories are `out_dir`/<point name>. Throws InputError naming the path and value at fault.
SweepPlan plan_sweep(const Json& raw, const Registry& registry, const std::string& default_name,
                     const std::string& out_dir);

// The value of a dotted path in `spec`, or nullptr when the path does not exist.
const Json* find_path(const Json& spec, const std::string& path);
// A value as directory names and tables show it: 0.05, gaussian_sw(h=0.05), riesz_sw.
std::string value_text(const Json& value);
// 64-bit FNV-1a of `text`, as 16 hex digits (stable across builds and machines).
std::string stable_hash(const std::string& text);
// The first dotted path where `a` and `b` differ ("" when equal), for messages.
std::string first_difference(const Json& a, const Json& b, const std::string& prefix = "");

}  // namespace wow
