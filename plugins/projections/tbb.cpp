// Runs the engine's fixed blocks in parallel with oneTBB, inside an arena limited to the requested threads.
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <memory>

#include "core/projection_params.hpp"
#include "wow/plugin_api.hpp"

namespace {

class TbbBackend final : public wow::ProjectionBackend {
 public:
  explicit TbbBackend(const wow::Params& p)
      : settings_(wow::read_projection_settings(p)),
        threads_(static_cast<std::size_t>(oneapi::tbb::info::default_concurrency())),
        arena_(std::make_unique<oneapi::tbb::task_arena>(static_cast<int>(threads_))) {}
  [[nodiscard]] const wow::ProjectionSettings& settings() const override { return settings_; }
  void for_each_block(std::size_t count, const std::function<void(std::size_t)>& body) const override {
    if (count == 0) return;
    arena_->execute([&] {
      oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<std::size_t>(0, count, 1),
                                [&](const oneapi::tbb::blocked_range<std::size_t>& r) {
                                  for (std::size_t i = r.begin(); i != r.end(); ++i) body(i);
                                });
    });
  }
  void set_threads(std::size_t threads) override {
    // More workers than cores cannot help (and oneTBB would warn on stderr): clamp. Results do not depend on it.
    const auto cores = static_cast<std::size_t>(oneapi::tbb::info::default_concurrency());
    threads_ = std::clamp<std::size_t>(threads, 1, cores);
    arena_ = std::make_unique<oneapi::tbb::task_arena>(static_cast<int>(threads_));
  }
  [[nodiscard]] std::size_t threads() const override { return threads_; }

 private:
  wow::ProjectionSettings settings_;
  std::size_t threads_;
  std::unique_ptr<oneapi::tbb::task_arena> arena_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::ProjectionBackend>(
      "tbb", "Sliced projections in parallel with oneTBB (same blocks, same bits as serial)", wow::projection_schema(),
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<TbbBackend>(p); });
}
