// A solver that runs out of memory after `after` steps (tests: std::bad_alloc during a run must end as exit 4,
// status "failed", the last checkpoint kept; never exit 1 and never a directory that still says "running").
#include <new>

#include "wow/plugin_api.hpp"
#include "wow/solver_base.hpp"

namespace {

class OutOfMemoryAfter final : public wow::TypedSolver<OutOfMemoryAfter> {
 public:
  explicit OutOfMemoryAfter(const wow::Params& p)
      : TypedSolver(p), tau_(p.number("step_size")), after_(p.integer("after")) {}
  template <class T>
  void apply(std::span<T> x, std::span<const T> g, const wow::VelocityOracle<T>& /*oracle*/) {
    if (done_++ >= after_) throw std::bad_alloc();
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= static_cast<T>(tau_) * g[i];
  }

 private:
  double tau_;
  std::int64_t after_, done_ = 0;
};

}  // namespace

WOW_PLUGIN(registry) {
  auto params = OutOfMemoryAfter::common_params();
  params.push_back(wow::ParamSpec::integer("after", 10, "Steps before std::bad_alloc").at_least(0));
  registry.add<wow::Solver>(
      "out_of_memory_after", "Test only: forward Euler that throws std::bad_alloc after `after` steps", params,
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<OutOfMemoryAfter>(p); });
}
