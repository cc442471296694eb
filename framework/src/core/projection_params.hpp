#pragma once
// Parameters shared by every projection backend (count, estimator, quantiles, directions).
#include "wow/interfaces.hpp"
#include "wow/params.hpp"

namespace wow {

ParamSchema projection_schema();
ProjectionSettings read_projection_settings(const Params& params);

}  // namespace wow
