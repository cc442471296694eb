// Runs the engine's fixed blocks one after another on the calling thread.
#include "core/projection_params.hpp"
#include "wow/plugin_api.hpp"

namespace {

class SerialBackend final : public wow::ProjectionBackend {
 public:
  explicit SerialBackend(const wow::Params& p) : settings_(wow::read_projection_settings(p)) {}
  [[nodiscard]] const wow::ProjectionSettings& settings() const override { return settings_; }
  void for_each_block(std::size_t count, const std::function<void(std::size_t)>& body) const override {
    for (std::size_t i = 0; i < count; ++i) body(i);
  }
  void set_threads(std::size_t /*threads*/) override {}
  [[nodiscard]] std::size_t threads() const override { return 1; }

 private:
  wow::ProjectionSettings settings_;
};

}  // namespace

WOW_PLUGIN(registry) {
  registry.add<wow::ProjectionBackend>(
      "serial", "Sliced projections on one thread (same blocks, same bits as tbb)", wow::projection_schema(),
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<SerialBackend>(p); });
}
