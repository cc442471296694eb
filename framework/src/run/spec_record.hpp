#pragma once
// What a checkpoint records of the spec that made it, so that `--resume` continues the same run or refuses
// (docs/reliability.md). The record is the resolved spec less what a resume may change: the run length
// (solver.params.steps), where the run lives (output.dir) and which backend computes the projections
// (projections.type, projections.params.device): every backend draws the same directions.
#include <string>

#include "wow/params.hpp"

namespace wow {

// The resolved spec less the parts a resume may change.
Json run_identity(const Json& resolved_spec);

// A short, stable digest of a run identity (FNV-1a over its compact JSON text), recorded beside it.
std::string identity_digest(const Json& identity);

// The first path where `now` no longer describes the run `recorded` made, as one sentence naming the dotted path
// and both values; "" when none. A node's "type" is compared before its "params". Keys only `now` has are new
// defaults of newer plugins and do not count.
std::string first_difference(const Json& recorded, const Json& now);

}  // namespace wow
