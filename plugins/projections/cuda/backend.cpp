// The `cuda` projections backend: the whole sliced step of a flow on an NVIDIA GPU (device_step.cu). Directions and
// quantile levels are drawn here on the host from the same counter-based streams as the CPU backends, so a seed
// gives the same directions on every backend; the functional's arithmetic on the (C+M)^2 SW matrix runs on the
// host too (microseconds). Everything else of the step -- projections, sorts, embeddings, pairwise SW, embedding
// gradient, pull-back -- runs on the device. Built only when the CUDA toolkit is found.
#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>

#include "core/projection_params.hpp"
#include "device_step.hpp"
#include "engine/directions.hpp"
#include "engine/rng.hpp"
#include "engine/sliced_engine.hpp"
#include "wow/errors.hpp"
#include "wow/plugin_api.hpp"

namespace {

// The device half (libwowcuda_device.so in the cuda/ folder beside this plugin), opened on first use: only a run
// that asks for the cuda backend maps cuBLAS and the CUDA runtime.
struct DeviceLibrary {
  int (*device_count)(std::string*) = nullptr;
  wowcuda::DeviceStep<float>* (*make_f32)(const wowcuda::StepShape*, std::string*) = nullptr;
  wowcuda::DeviceStep<double>* (*make_f64)(const wowcuda::StepShape*, std::string*) = nullptr;

  static const DeviceLibrary& get() {
    static const DeviceLibrary library = open();
    return library;
  }

 private:
  static DeviceLibrary open() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&DeviceLibrary::open), &info) == 0 || info.dli_fname == nullptr)
      throw wow::InputError("projections: the cuda backend cannot locate its own plugin file");
    const std::string path =
        (std::filesystem::path(info.dli_fname).parent_path() / "cuda" / "libwowcuda_device.so").string();
    // Never closed: kernels and cuBLAS stay loaded for the process.
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr)
      throw wow::InputError("projections: the cuda backend cannot load " + path + " (" + dlerror() +
                            "); is the CUDA runtime installed?");
    DeviceLibrary library;
    library.device_count = reinterpret_cast<int (*)(std::string*)>(dlsym(handle, "wowcuda_device_count"));
    library.make_f32 = reinterpret_cast<wowcuda::DeviceStep<float>* (*)(const wowcuda::StepShape*, std::string*)>(
        dlsym(handle, "wowcuda_make_step_f32"));
    library.make_f64 = reinterpret_cast<wowcuda::DeviceStep<double>* (*)(const wowcuda::StepShape*, std::string*)>(
        dlsym(handle, "wowcuda_make_step_f64"));
    if (library.device_count == nullptr || library.make_f32 == nullptr || library.make_f64 == nullptr)
      throw wow::InputError("projections: " + path + " is not the cuda backend's device library of this build");
    return library;
  }
};

template <class T>
std::unique_ptr<wowcuda::DeviceStep<T>> make_device_step(const wowcuda::StepShape& shape) {
  const DeviceLibrary& library = DeviceLibrary::get();
  std::string error;
  wowcuda::DeviceStep<T>* step = nullptr;
  if constexpr (std::is_same_v<T, float>)
    step = library.make_f32(&shape, &error);
  else
    step = library.make_f64(&shape, &error);
  if (step == nullptr)
    throw wow::InputError("projections: the cuda backend could not set up device " + std::to_string(shape.device) +
                          ": " + error);
  return std::unique_ptr<wowcuda::DeviceStep<T>>(step);
}

template <class T>
class CudaStep final : public wow::SlicedStep<T> {
 public:
  CudaStep(const wow::SlicedShape& shape, const wow::ProjectionBackend& backend, int device, bool tf32)
      : backend_(backend),
        settings_(backend.settings()),
        source_(shape.source),
        dim_(shape.dim),
        power_(shape.sw_power),
        estimator_(wow::resolve_estimator(settings_.estimator, shape.source, shape.target)) {
    if (power_ != 1 && power_ != 2) throw wow::InputError("functional: sliced power must be 1 or 2");
    wowcuda::StepShape s;
    s.source_offsets = shape.source.offsets;
    s.target_offsets = shape.target.offsets;
    s.dim = shape.dim;
    s.count = settings_.count;
    s.quantiles = settings_.quantiles;
    s.quantile = estimator_ == wow::Estimator::Quantile;
    s.power = power_;
    s.tf32 = tf32;
    s.device = device;
    if (s.quantile) {
      const std::size_t q = settings_.quantiles;
      for (const wow::ClassLayout* layout : {&shape.source, &shape.target})
        for (std::size_t c = 0; c < layout->classes(); ++c) {
          const std::size_t at = s.grid_lo.size();
          s.grid_lo.resize(at + q);
          s.grid_hi.resize(at + q);
          s.grid_frac.resize(at + q);
          wow::percentile_grid_positions(layout->size(c), q, s.grid_lo.data() + at, s.grid_hi.data() + at,
                                         s.grid_frac.data() + at);
        }
    }
    device_ = make_device_step<T>(s);
    theta_.resize(settings_.count * dim_);
    if (s.quantile) {
      level_lo_.resize(settings_.count * settings_.quantiles);
      level_frac_.resize(settings_.count * settings_.quantiles);
    }
    pairwise_.source_classes = shape.source.classes();
    pairwise_.target_classes = shape.target.classes();
  }

  double evaluate(const T* x, const T* y, std::uint64_t seed, std::uint64_t step, const wow::Functional& functional,
                  T* velocity) override {
    wow::draw_directions(settings_.directions, seed, step, settings_.count, dim_, theta_.data(), backend_);
    if (estimator_ == wow::Estimator::Quantile) draw_levels(seed, step);
    device_->pairwise(theta_.data(), level_lo_.data(), level_frac_.data(), x, y, pairwise_.sw);
    const wow::FunctionalValue value = functional.evaluate(pairwise_);
    if (velocity != nullptr) {
      // The embedding gradient as weights of embeddings, exactly as the CPU engine forms them.
      const std::size_t classes = source_.classes();
      const std::size_t embed = estimator_ == wow::Estimator::Sorted ? source_.size(0) : settings_.quantiles;
      wow::embedding_gradient_weights(value, classes, pairwise_.size(), power_, settings_.count * embed, weights_);
      mass_.resize(classes);
      for (std::size_t c = 0; c < classes; ++c)
        mass_[c] = static_cast<T>(static_cast<double>(source_.size(c)) / value.source_weights[c]);
      device_->velocity(weights_, mass_, velocity);
    }
    return value.value;
  }

  [[nodiscard]] std::string estimator() const override {
    return estimator_ == wow::Estimator::Sorted ? "sorted" : "quantile";
  }

 private:
  // Each direction's random levels on the percentile grid, from the CPU engine's streams (same values).
  void draw_levels(std::uint64_t seed, std::uint64_t step) {
    const std::size_t q = settings_.quantiles;
    for (std::size_t l = 0; l < settings_.count; ++l)
      wow::draw_level_positions(seed, step, l, q, level_lo_.data() + l * q, level_frac_.data() + l * q);
  }

  const wow::ProjectionBackend& backend_;
  wow::ProjectionSettings settings_;
  wow::ClassLayout source_;
  std::size_t dim_;
  int power_;
  wow::Estimator estimator_;
  std::unique_ptr<wowcuda::DeviceStep<T>> device_;
  std::vector<T> theta_, level_frac_, weights_, mass_;
  std::vector<std::uint32_t> level_lo_;
  wow::PairwiseSW pairwise_;
};

class CudaBackend final : public wow::ProjectionBackend {
 public:
  explicit CudaBackend(const wow::Params& p)
      : settings_(wow::read_projection_settings(p)),
        device_(static_cast<int>(p.integer("device"))),
        tf32_(p.boolean("tf32")) {
    std::string why;
    const int devices = DeviceLibrary::get().device_count(&why);
    if (devices == 0)
      throw wow::InputError("projections: the cuda backend needs a CUDA device (" + why + "); use \"tbb\" here");
    if (device_ >= devices)
      throw wow::InputError(p.path_of("device") + ": device " + std::to_string(device_) + " does not exist (" +
                            std::to_string(devices) + " CUDA device(s))");
  }
  [[nodiscard]] const wow::ProjectionSettings& settings() const override { return settings_; }
  // Host-side blocks (drawing directions): in order on the calling thread.
  void for_each_block(std::size_t count, const std::function<void(std::size_t)>& body) const override {
    for (std::size_t i = 0; i < count; ++i) body(i);
  }
  void set_threads(std::size_t /*threads*/) override {}
  [[nodiscard]] std::size_t threads() const override { return 1; }
  [[nodiscard]] std::unique_ptr<wow::SlicedStep<float>> make_step_f32(const wow::SlicedShape& shape) const override {
    return std::make_unique<CudaStep<float>>(shape, *this, device_, tf32_);
  }
  [[nodiscard]] std::unique_ptr<wow::SlicedStep<double>> make_step_f64(const wow::SlicedShape& shape) const override {
    return std::make_unique<CudaStep<double>>(shape, *this, device_, false);
  }

 private:
  wow::ProjectionSettings settings_;
  int device_;
  bool tf32_;
};

}  // namespace

WOW_PLUGIN(registry) {
  wow::ParamSchema params = wow::projection_schema();
  params.push_back(wow::ParamSpec::integer("device", 0, "CUDA device index").at_least(0));
  params.push_back(
      wow::ParamSpec::boolean("tf32", false, "float32 GEMMs on TF32 tensor cores (faster, 10-bit mantissa products)"));
  registry.add<wow::ProjectionBackend>(
      "cuda", "The whole sliced step on an NVIDIA GPU (cuBLAS, CUB); same directions as the CPU backends", params,
      [](const wow::Params& p, const wow::Registry&) { return std::make_unique<CudaBackend>(p); });
}
