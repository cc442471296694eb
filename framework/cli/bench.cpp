// wow bench: times full flow steps on synthetic data and the GEMM floor of the same shapes; prints one JSON object.
#include <sys/resource.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "core/plugin_loader.hpp"
#include "core/spec.hpp"
#include "engine/blas.hpp"
#include "engine/rng.hpp"
#include "engine/sliced_engine.hpp"
#include "wow/errors.hpp"

namespace po = boost::program_options;

namespace wow::cli {

namespace {

struct BenchShape {
  std::size_t classes, target_classes, points, target_points, dim, projections, steps, threads;
};

template <class T>
std::vector<T> gaussian(std::size_t count, std::uint64_t salt) {
  std::vector<T> v(count);
  auto stream = rng::stream(salt, rng::Purpose::Dataset, 99, 0);
  for (auto& x : v) x = static_cast<T>(stream.normal());
  return v;
}

template <class F>
double best_ms(std::size_t reps, F&& body) {
  double best = 1e300;
  for (std::size_t r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    body();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// Each step timed on its own: the median is the figure (a shared machine's spikes move a mean, not a median); the
// mean and the fastest step are reported beside it. `one_step(k)` runs step k + 1 (after a warm-up step 0).
template <class Step>
Json time_steps(std::size_t steps, Step&& one_step) {
  std::vector<double> times(steps);
  for (std::size_t k = 0; k < steps; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    one_step(k);
    times[k] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  double mean = 0.0;
  for (const double t : times) mean += t / static_cast<double>(steps);
  std::sort(times.begin(), times.end());
  const std::size_t mid = steps / 2;
  Json j;
  j["ms_per_step"] = steps % 2 == 1 ? times[mid] : 0.5 * (times[mid - 1] + times[mid]);
  j["ms_per_step_mean"] = mean;
  j["ms_per_step_min"] = times.front();
  return j;
}

template <class T>
Json bench_typed(const BenchShape& b, const Functional& functional, ProjectionBackend& backend) {
  const ClassLayout src = ClassLayout::uniform(b.classes, b.points);
  const ClassLayout tgt = ClassLayout::uniform(b.target_classes, b.target_points);
  std::vector<T> x = gaussian<T>(src.rows() * b.dim, 1);
  const std::vector<T> y = gaussian<T>(tgt.rows() * b.dim, 2);
  std::vector<T> velocity(x.size());
  // A backend that runs the whole step itself (cuda): its step is timed; the CPU's GEMM floor is no floor for it.
  const SlicedShape shape{src, tgt, b.dim, functional.sw_power()};
  std::unique_ptr<SlicedStep<T>> own_step;
  if constexpr (std::is_same_v<T, float>)
    own_step = backend.make_step_f32(shape);
  else
    own_step = backend.make_step_f64(shape);
  if (own_step) {
    own_step->evaluate(x.data(), y.data(), 0, 0, functional, velocity.data());  // warm-up
    Json j = time_steps(
        b.steps, [&](std::size_t k) { own_step->evaluate(x.data(), y.data(), 0, k + 1, functional, velocity.data()); });
    j["estimator"] = own_step->estimator();
    j["phases_ms"] = Json::object();
    for (const char* key : {"gemm_floor_ms", "gemm_whole_ms", "gemm_blocked_ms", "ratio_to_floor", "engine_mib"})
      j[key] = nullptr;
    return j;
  }
  blas::set_threads(1);
  SlicedEngine<T> engine(src, tgt, b.dim, backend.settings(), functional.sw_power());
  engine.evaluate(x.data(), y.data(), 0, 0, functional, backend, velocity.data());  // warm-up
  engine.reset_phase_times();
  Json j = time_steps(b.steps, [&](std::size_t k) {
    engine.evaluate(x.data(), y.data(), 0, k + 1, functional, backend, velocity.data());
  });

  // The GEMMs a step cannot avoid: project source and target (L x d times d x rows), pull back (rows x L times L x d).
  const std::size_t L = b.projections, d = b.dim, nx = src.rows(), ny = tgt.rows();
  const std::vector<T> theta = gaussian<T>(L * d, 3);
  std::vector<T> px(L * nx), py(L * ny), g = gaussian<T>(L * nx, 4), out(nx * d);
  const std::size_t reps = std::max<std::size_t>(3, b.steps);
  blas::set_threads(static_cast<int>(b.threads));
  const double whole = best_ms(reps, [&] {
    blas::gemm_nt(L, nx, d, theta.data(), d, x.data(), d, px.data(), nx);
    blas::gemm_nt(L, ny, d, theta.data(), d, y.data(), d, py.data(), ny);
    blas::gemm_tn(nx, d, L, g.data(), nx, theta.data(), d, out.data(), d);
  });
  blas::set_threads(1);
  const auto blocked_gemm = [&](std::size_t rows, auto&& one_block) {
    backend.for_each_block((rows + kRowBlock - 1) / kRowBlock, [&](std::size_t blk) {
      const std::size_t r0 = blk * kRowBlock;
      one_block(r0, std::min(kRowBlock, rows - r0));
    });
  };
  const double blocked = best_ms(reps, [&] {
    blocked_gemm(nx, [&](std::size_t r0, std::size_t nb) {
      blas::gemm_nt(L, nb, d, theta.data(), d, x.data() + r0 * d, d, px.data() + r0, nx);
    });
    blocked_gemm(ny, [&](std::size_t r0, std::size_t nb) {
      blas::gemm_nt(L, nb, d, theta.data(), d, y.data() + r0 * d, d, py.data() + r0, ny);
    });
    blocked_gemm(nx, [&](std::size_t r0, std::size_t nb) {
      blas::gemm_tn(nb, d, L, g.data() + r0, nx, theta.data(), d, out.data() + r0 * d, d);
    });
  });
  const PhaseTimes& t = engine.phase_times();
  const double calls = static_cast<double>(std::max<std::size_t>(1, t.calls));
  j["phases_ms"] = Json{{"directions", t.directions / calls}, {"project", t.project / calls},
                        {"sort_embed", t.sort_embed / calls}, {"pairwise", t.pairwise / calls},
                        {"functional", t.functional / calls}, {"gradient", t.gradient / calls},
                        {"pull_back", t.pull_back / calls}};
  j["gemm_floor_ms"] = std::min(whole, blocked);
  j["gemm_whole_ms"] = whole;
  j["gemm_blocked_ms"] = blocked;
  j["ratio_to_floor"] = j["ms_per_step"].get<double>() / std::min(whole, blocked);
  j["estimator"] = engine.estimator() == Estimator::Sorted ? "sorted" : "quantile";
  j["engine_mib"] = SlicedEngine<T>::bytes_needed(src, tgt, b.dim, backend.settings(), 1) / (1024.0 * 1024.0);
  return j;
}

// The CPU this runs on (/proc/cpuinfo's model name): a timing is only meaningful next to it.
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  return "unknown";
}

// Peak resident memory of this process so far (getrusage), MiB.
double peak_rss_mib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

struct NamedShape {
  std::string name;
  BenchShape shape;
};

// The shapes users run (issue 12): the default, Table 2's k-shot targets (quantile path), many classes, large classes.
std::vector<NamedShape> suite_shapes(std::size_t steps, std::size_t threads) {
  return {{"default", {10, 10, 200, 200, 784, 500, steps, threads}},
          {"target_5_per_class", {10, 10, 200, 5, 784, 500, steps, threads}},
          {"target_1_per_class", {10, 10, 200, 1, 784, 500, steps, threads}},
          {"classes_100", {100, 100, 50, 50, 784, 500, steps, threads}},
          {"points_1000", {10, 10, 1000, 1000, 784, 500, steps, threads}}};
}

}  // namespace

int bench_command(const std::vector<std::string>& args) {
  po::options_description o(
      "wow bench [options]: times full flow steps; prints one JSON object on stdout (an array with --suite)");
  o.add_options()("help,h", "show this help")("plugin-dir", po::value<std::string>()->default_value(""),
                                              "plugin directory")(
      "suite",
      "time the shapes users run (default, target 5 and 1 per class, C = M = 100, n = m = 1000), plus "
      "the shape the size flags give when any is given")("classes", po::value<std::size_t>()->default_value(10),
                                                         "source classes C")(
      "target-classes", po::value<std::size_t>()->default_value(10), "target classes M")(
      "points", po::value<std::size_t>()->default_value(200), "points per source class n")(
      "target-points", po::value<std::size_t>()->default_value(200), "points per target class m")(
      "dim", po::value<std::size_t>()->default_value(784), "dimension d")(
      "projections", po::value<std::size_t>()->default_value(500), "directions L")(
      "steps", po::value<std::size_t>()->default_value(10), "timed steps K (after one warm-up step)")(
      "precision", po::value<std::string>()->default_value("float32"), "float32 | float64")(
      "kernel", po::value<std::string>()->default_value("riesz_sw"), "kernel type id")(
      "estimator", po::value<std::string>()->default_value("auto"), "auto | sorted | quantile")(
      "backend", po::value<std::string>()->default_value("tbb"),
      "serial | tbb | cuda (a device backend reports its step time; the CPU GEMM floor fields are null)")(
      "directions", po::value<std::string>()->default_value("gaussian"), "direction kind")(
      "threads", po::value<std::size_t>()->default_value(0), "threads (0: all cores)");
  const auto vm = parse_options(args, o, {}, "bench");
  if (vm.count("help")) {
    std::cout << o;
    return kExitOk;
  }
  BenchShape b{vm["classes"].as<std::size_t>(), vm["target-classes"].as<std::size_t>(),
               vm["points"].as<std::size_t>(),  vm["target-points"].as<std::size_t>(),
               vm["dim"].as<std::size_t>(),     vm["projections"].as<std::size_t>(),
               vm["steps"].as<std::size_t>(),   vm["threads"].as<std::size_t>()};
  if (b.threads == 0) b.threads = std::max(1U, std::thread::hardware_concurrency());
  if (b.classes == 0 || b.target_classes == 0 || b.points == 0 || b.target_points == 0 || b.dim == 0 ||
      b.projections == 0 || b.steps == 0)
    throw InputError("wow bench: every size must be >= 1");
  const std::string precision = vm["precision"].as<std::string>();
  if (precision != "float32" && precision != "float64")
    throw InputError("wow bench: --precision must be float32 or float64");
  std::vector<NamedShape> shapes;
  if (vm.count("suite")) {
    shapes = suite_shapes(b.steps, b.threads);
    bool sized = false;
    for (const char* flag : {"classes", "target-classes", "points", "target-points", "dim", "projections"})
      sized = sized || !vm[flag].defaulted();
    if (sized) shapes.push_back({"given", b});
  } else {
    shapes.push_back({"given", b});
  }
  PluginSet plugins;  // outlives the registry and every component (their code lives in the libraries)
  Registry registry;
  plugins.load_search_path(plugin_search_path(vm["plugin-dir"].as<std::string>()), registry);
  const std::string cpu = cpu_model();
  Json all = Json::array();
  for (const auto& [name, shape] : shapes) {
    const Json functional_node = registry.resolve_node(
        "functional", Json{{"type", "mmd"}, {"params", {{"kernel", {{"type", vm["kernel"].as<std::string>()}}}}}},
        "functional");
    const Json backend_node = registry.resolve_node("projections",
                                                    Json{{"type", vm["backend"].as<std::string>()},
                                                         {"params",
                                                          {{"count", shape.projections},
                                                           {"estimator", vm["estimator"].as<std::string>()},
                                                           {"directions", vm["directions"].as<std::string>()}}}},
                                                    "projections");
    auto functional = registry.create<Functional>(functional_node, "functional");
    functional->prepare(shape.classes, shape.target_classes);
    auto backend = registry.create<ProjectionBackend>(backend_node, "projections");
    backend->set_threads(shape.threads);
    Json j = precision == "float64" ? bench_typed<double>(shape, *functional, *backend)
                                    : bench_typed<float>(shape, *functional, *backend);
    Json out;
    if (vm.count("suite")) out["shape"] = name;
    out["ms_per_step"] = j["ms_per_step"];
    out["ms_per_step_mean"] = j["ms_per_step_mean"];
    out["ms_per_step_min"] = j["ms_per_step_min"];
    out["gemm_floor_ms"] = j["gemm_floor_ms"];
    out["ratio_to_floor"] = j["ratio_to_floor"];
    out["gemm_whole_ms"] = j["gemm_whole_ms"];
    out["gemm_blocked_ms"] = j["gemm_blocked_ms"];
    out["classes"] = shape.classes;
    out["target_classes"] = shape.target_classes;
    out["points"] = shape.points;
    out["target_points"] = shape.target_points;
    out["dim"] = shape.dim;
    out["projections"] = shape.projections;
    out["steps"] = shape.steps;
    out["threads"] = shape.threads;
    out["precision"] = precision;
    out["kernel"] = vm["kernel"].as<std::string>();
    out["estimator"] = j["estimator"];
    out["backend"] = vm["backend"].as<std::string>();
    out["directions"] = vm["directions"].as<std::string>();
    out["phases_ms"] = j["phases_ms"];
    out["engine_mib"] = j["engine_mib"];
    out["peak_rss_mib"] = peak_rss_mib();
    out["cpu"] = cpu;
    out["blas"] = blas::describe();
    all.push_back(out);
  }
  std::printf("%s\n", (vm.count("suite") ? all : all[0]).dump(2).c_str());
  return kExitOk;
}

}  // namespace wow::cli
