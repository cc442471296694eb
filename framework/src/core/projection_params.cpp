#include "core/projection_params.hpp"

#include "engine/directions.hpp"

namespace wow {

ParamSchema projection_schema() {
  return {
      ParamSpec::integer("count", 500, "Number L of random directions drawn each step").at_least(1),
      ParamSpec::choice("estimator", "auto", {"auto", "sorted", "quantile"},
                        "1-D W_p estimator: sorted (exact matching, equal sizes), quantile (percentile grid read at "
                        "random levels shared per direction), auto (sorted when all class sizes are equal)"),
      ParamSpec::integer("quantiles", 100, "Quantile estimator: grid points and random levels per direction")
          .at_least(2),
      ParamSpec::choice("directions", "gaussian", {"gaussian", "orthogonal", "qmc"},
                        "How directions are drawn: gaussian (i.i.d. uniform on the sphere), orthogonal (orthonormal "
                        "blocks of min(d, L), Haar-random), qmc (scrambled Halton set through the inverse normal CDF)"),
  };
}

ProjectionSettings read_projection_settings(const Params& params) {
  ProjectionSettings s;
  s.count = static_cast<std::size_t>(params.integer("count"));
  const auto estimator = params.string("estimator");
  s.estimator = estimator == "sorted"     ? Estimator::Sorted
                : estimator == "quantile" ? Estimator::Quantile
                                          : Estimator::Auto;
  s.quantiles = static_cast<std::size_t>(params.integer("quantiles"));
  s.directions = parse_direction_kind(params.string("directions"));
  return s;
}

}  // namespace wow
