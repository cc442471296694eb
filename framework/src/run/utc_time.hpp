#pragma once
// Time stamps in the files wow writes (lock holders, sweep calls, log headers): UTC, ISO 8601, to the second.
#include <string>

namespace wow {

// "2026-11-30T19:00:00Z"
std::string utc_now_iso8601();

}  // namespace wow
