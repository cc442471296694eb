// A weighted sum of functionals: F = sum_t weight_t F_t. Sliced parts share one pass of the engine (their slopes
// add up; they must read the same SW power and, for the WoW rescaling, the same class weights); particle parts add
// their velocities.
#include <cmath>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

struct Term {
  double weight;
  std::unique_ptr<wow::Functional> functional;
};

class Sum final : public wow::Functional {
 public:
  Sum(std::vector<Term> terms, std::string path) : terms_(std::move(terms)), path_(std::move(path)) {
    for (std::size_t t = 0; t < terms_.size(); ++t) {
      const int p = terms_[t].functional->sw_power();
      if (p == 0) continue;
      if (power_ != 0 && p != power_)
        throw wow::InputError(path_ + "[" + std::to_string(t) + "].functional: its kernel reads SW_" +
                              std::to_string(p) + " but an earlier term reads SW_" + std::to_string(power_) +
                              "; sliced terms of one sum must share the power");
      power_ = p;
    }
  }

  [[nodiscard]] int sw_power() const override { return power_; }
  void prepare(std::size_t source_classes, std::size_t target_classes) override {
    for (auto& t : terms_) t.functional->prepare(source_classes, target_classes);
  }
  void prepare_dimension(std::size_t dim) override {
    for (auto& t : terms_) t.functional->prepare_dimension(dim);
  }

  [[nodiscard]] wow::FunctionalValue evaluate(const wow::PairwiseSW& pairwise) const override {
    wow::FunctionalValue out;
    out.slope.assign(pairwise.sw.size(), 0.0);
    bool first = true;
    for (std::size_t t = 0; t < terms_.size(); ++t) {
      if (terms_[t].functional->sw_power() == 0) continue;
      const wow::FunctionalValue v = terms_[t].functional->evaluate(pairwise);
      if (first) {
        out.source_weights = v.source_weights;
        out.target_weights = v.target_weights;
        first = false;
      } else if (v.source_weights != out.source_weights || v.target_weights != out.target_weights) {
        throw wow::InputError(path_ + "[" + std::to_string(t) +
                              "].functional: sliced terms of one sum must use the same class weights");
      }
      out.value += terms_[t].weight * v.value;
      for (std::size_t i = 0; i < out.slope.size(); ++i) out.slope[i] += terms_[t].weight * v.slope[i];
    }
    return out;
  }

  double add_particle_velocity(const wow::ParticleState<float>& s, std::span<float> v) const override {
    return add(s, v);
  }
  double add_particle_velocity(const wow::ParticleState<double>& s, std::span<double> v) const override {
    return add(s, v);
  }

 private:
  template <class T>
  double add(const wow::ParticleState<T>& s, std::span<T> v) const {
    double value = 0.0;
    std::vector<T>& term = std::get<std::vector<T>>(scratch_);  // reused: no allocation per step
    term.resize(v.size());
    for (const auto& t : terms_) {
      std::fill(term.begin(), term.end(), T(0));
      value += t.weight * t.functional->add_particle_velocity(s, std::span<T>(term));
      const T w = static_cast<T>(t.weight);
      for (std::size_t i = 0; i < v.size(); ++i) v[i] += w * term[i];
    }
    return value;
  }

  std::vector<Term> terms_;
  std::string path_;
  mutable std::tuple<std::vector<float>, std::vector<double>> scratch_;  // one term's velocity
  int power_ = 0;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::Functional>(
      "sum", "Weighted sum of functionals: sum_t weight_t F_t",
      {wow::ParamSpec::weighted_components("terms", "functional",
                                           "The terms: [{\"weight\": w, \"functional\": {...}}, ...]")},
      [](const wow::Params& p, const wow::Registry& r) {
        std::vector<Term> terms;
        const wow::Json& list = p.node("terms");
        for (std::size_t t = 0; t < list.size(); ++t)
          terms.push_back({list[t].at("weight").get<double>(),
                           r.create<wow::Functional>(list[t].at("functional"),
                                                     p.path_of("terms") + "[" + std::to_string(t) + "].functional")});
        return std::make_unique<Sum>(std::move(terms), p.path_of("terms"));
      });
}
