// F = 1/2 MMD^2_K(P, Q) with a sliced kernel between classes (V-statistic, constant target term included):
// F = 1/2 sum_ab W_a W_b K(S_ab) with signed class weights W = (w, -v). So dF/dS_ab = 1/2 W_a W_b K'(S_ab).
#include <cmath>
#include <memory>

#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

class Mmd final : public wow::Functional {
 public:
  Mmd(std::unique_ptr<wow::Kernel> kernel, const wow::Params& params) : kernel_(std::move(kernel)), params_(params) {}

  [[nodiscard]] int sw_power() const override { return kernel_->sw_power(); }

  void prepare(std::size_t source_classes, std::size_t target_classes) override {
    source_weights_ = weights("source_weights", source_classes);
    target_weights_ = weights("target_weights", target_classes);
  }

  [[nodiscard]] wow::FunctionalValue evaluate(const wow::PairwiseSW& pairwise) const override {
    const std::size_t k = pairwise.size();
    std::vector<double> signed_weights(source_weights_);
    for (double v : target_weights_) signed_weights.push_back(-v);
    std::vector<double> value(k * k), slope(k * k);
    kernel_->evaluate(pairwise.sw, value, slope);
    wow::FunctionalValue out;
    out.slope.assign(k * k, 0.0);
    for (std::size_t a = 0; a < k; ++a) {
      for (std::size_t b = 0; b < k; ++b) {
        const double ww = signed_weights[a] * signed_weights[b];
        out.value += 0.5 * ww * value[a * k + b];
        out.slope[a * k + b] = 0.5 * ww * slope[a * k + b];
      }
    }
    out.source_weights = source_weights_;
    out.target_weights = target_weights_;
    return out;
  }

 private:
  std::vector<double> weights(const std::string& name, std::size_t classes) const {
    if (!params_.has(name)) return std::vector<double>(classes, 1.0 / static_cast<double>(classes));
    auto w = params_.number_list(name);
    if (w.size() != classes)
      throw wow::InputError(params_.path_of(name) + ": has " + std::to_string(w.size()) + " entries, the dataset has " +
                            std::to_string(classes) + " classes");
    double total = 0.0;
    for (double x : w) {
      if (x <= 0.0) throw wow::InputError(params_.path_of(name) + ": every weight must be > 0");
      total += x;
    }
    if (std::fabs(total - 1.0) > 1e-6)
      throw wow::InputError(params_.path_of(name) + ": weights must sum to 1 (sum is " + std::to_string(total) + ")");
    return w;
  }

  std::unique_ptr<wow::Kernel> kernel_;
  wow::Params params_;
  std::vector<double> source_weights_, target_weights_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>(
      "mmd", "1/2 MMD^2 between labeled datasets with a sliced-Wasserstein kernel between classes",
      {
          wow::ParamSpec::component("kernel", "kernel", wow::Json{{"type", "riesz_sw"}, {"params", {{"r", 1.0}}}},
                                    "Kernel between classes"),
          wow::ParamSpec::number_list("source_weights", "Class weights of the source (sum 1; default uniform)")
              .optional(),
          wow::ParamSpec::number_list("target_weights", "Class weights of the target (sum 1; default uniform)")
              .optional(),
      },
      [](const wow::Params& p, const wow::Registry& r) {
        return std::make_unique<Mmd>(r.create<wow::Kernel>(p.node("kernel"), p.path_of("kernel")), p);
      });
}
