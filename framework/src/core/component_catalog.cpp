#include "core/component_catalog.hpp"

#include <filesystem>
#include <string_view>
#include <system_error>

namespace wow {

namespace {

enum class Needs { kNothing, kTorch, kCuda };

struct Entry {
  std::string_view kind;
  std::string_view type;
  std::string_view library;  // plugins/<library>.so (the CMake target of plugins/CMakeLists.txt)
  Needs needs;
};

// Keep in step with plugins/CMakeLists.txt (tests/plugin/test_components.cpp checks that every component of a full
// build is listed here, and that every Needs::kNothing entry is built).
constexpr Entry kCatalog[] = {
    {"kernel", "gaussian_sw", "kernel_gaussian_sw", Needs::kNothing},
    {"kernel", "riesz_sw", "kernel_riesz_sw", Needs::kNothing},
    {"kernel", "laplace_sw", "kernel_laplace_sw", Needs::kNothing},
    {"kernel", "imq_sw", "kernel_imq_sw", Needs::kNothing},
    {"functional", "mmd", "functional_mmd", Needs::kNothing},
    {"functional", "potential", "functional_potential", Needs::kNothing},
    {"functional", "interaction", "functional_interaction", Needs::kNothing},
    {"functional", "sum", "functional_sum", Needs::kNothing},
    {"functional", "dm", "functional_dm", Needs::kNothing},
    {"functional", "embedded", "functional_embedded", Needs::kTorch},
    {"solver", "forward_euler", "solver_forward_euler", Needs::kNothing},
    {"solver", "momentum", "solver_momentum", Needs::kNothing},
    {"solver", "adam", "solver_adam", Needs::kNothing},
    {"solver", "heun", "solver_heun", Needs::kNothing},
    {"callback", "sw_to_target", "callback_sw_to_target", Needs::kNothing},
    {"callback", "early_stop", "callback_early_stop", Needs::kNothing},
    {"callback", "transfer_eval", "callback_transfer_eval", Needs::kTorch},
    {"callback", "classifier_accuracy", "callback_classifier_accuracy", Needs::kTorch},
    {"projections", "serial", "projections_serial", Needs::kNothing},
    {"projections", "tbb", "projections_tbb", Needs::kNothing},
    {"projections", "cuda", "projections_cuda", Needs::kCuda},
    {"dataset", "rings", "dataset_rings", Needs::kNothing},
    {"dataset", "rings_source", "dataset_rings", Needs::kNothing},
    {"dataset", "gaussian_blobs", "dataset_gaussian_blobs", Needs::kNothing},
    {"dataset", "npy", "dataset_npy", Needs::kNothing},
    {"dataset", "idx", "dataset_idx", Needs::kNothing},
    {"dataset", "mnist_json", "dataset_mnist_json", Needs::kNothing},
    {"dataset", "cifar10_bin", "dataset_cifar10_bin", Needs::kNothing},
    {"dataset", "usps", "dataset_usps", Needs::kNothing},
    {"dataset", "noise", "dataset_noise", Needs::kNothing},
};

// The build folder to name in commands: the running executable's folder when it is a CMake build tree (build/wow),
// else the README's `build`.
std::string build_dir() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path() / "CMakeCache.txt", ec)) {
    const fs::path relative = exe.parent_path().lexically_proximate(fs::current_path(ec));
    if (!ec && !relative.empty()) return relative.string();
  }
  return "build";
}

}  // namespace

std::string not_built_hint(const std::string& kind, const std::string& type) {
  for (const auto& c : kCatalog) {
    if (c.kind != kind || c.type != type) continue;
    const std::string dir = build_dir();
    const std::string rebuild = "cmake -S . -B " + dir + " && cmake --build " + dir + " -j2";
    switch (c.needs) {
      case Needs::kTorch:
        return type + " is a WoWFlow plugin that needs libtorch, which this build was configured without; add it " +
               "with: apt-get install libtorch-dev && " + rebuild;
      case Needs::kCuda:
        return type + " is a WoWFlow plugin that needs the CUDA toolkit (nvcc, in PATH or /usr/local/cuda; Debian " +
               "nvidia-cuda-toolkit), which this build was configured without; install it, then: " + rebuild;
      case Needs::kNothing:
        break;
    }
    return type + " is a WoWFlow plugin (plugins/" + std::string(c.library) +
           ".so) this build left out (the README's first command builds only what experiments/rings.json loads); " +
           "add every plugin with: cmake --build " + dir + " -j2";
  }
  return "";
}

std::vector<KnownComponent> known_components() {
  std::vector<KnownComponent> out;
  for (const auto& c : kCatalog)
    out.push_back({std::string(c.kind), std::string(c.type), std::string(c.library), c.needs != Needs::kNothing});
  return out;
}

}  // namespace wow
