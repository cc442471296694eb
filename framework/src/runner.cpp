#include "wow/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "wow/blas.hpp"
#include "wow/errors.hpp"
#include "wow/files.hpp"
#include "wow/interfaces.hpp"
#include "wow/label_matching.hpp"
#include "wow/memory_budget.hpp"
#include "wow/npy.hpp"
#include "wow/pictures.hpp"
#include "wow/progress.hpp"
#include "wow/rng.hpp"
#include "wow/run_directory.hpp"
#include "wow/sliced_engine.hpp"
#include "wow/spec.hpp"

namespace wow {

namespace {

std::atomic<int> g_signal{0};
extern "C" void on_stop_signal(int sig) { g_signal.store(sig); }

struct SignalGuard {
  SignalGuard() {
    g_signal.store(0);
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
  }
  ~SignalGuard() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
};

template <class T>
bool all_finite(const std::vector<T>& v) {
  for (T x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

// Every component of one run, created and checked before anything is written.
struct Setup {
  Json spec;
  std::unique_ptr<Functional> functional;
  std::unique_ptr<ProjectionBackend> backend;
  std::unique_ptr<Solver> solver;
  LabeledCloud<double> source, target;
  ClassLayout step_target;  // target layout per step (after batching)
};

Setup build(const Json& spec, const Registry& registry, std::size_t threads) {
  Setup s;
  s.spec = spec;
  const auto seed = spec.at("seed").get<std::uint64_t>();
  s.functional = registry.create<Functional>(spec.at("functional"), "functional");
  s.backend = registry.create<ProjectionBackend>(spec.at("projections"), "projections");
  s.backend->set_threads(threads);
  s.solver = registry.create<Solver>(spec.at("solver"), "solver");
  // Source and target draw from distinct keys of the run's seed, so identical specs still differ.
  s.source = registry.create<Dataset>(spec.at("source"), "source")->load(rng::key(seed, rng::Purpose::Dataset, 1, 0));
  s.target = registry.create<Dataset>(spec.at("target"), "target")->load(rng::key(seed, rng::Purpose::Dataset, 2, 0));
  for (const auto* side : {"source", "target"}) {
    const auto& cloud = std::string(side) == "source" ? s.source : s.target;
    if (cloud.classes() == 0 || cloud.dim == 0) throw InputError(std::string(side) + ": the dataset is empty");
    for (std::size_t c = 0; c < cloud.classes(); ++c)
      if (cloud.layout.size(c) == 0) throw InputError(std::string(side) + ": class " + std::to_string(c) + " is empty");
    require_finite(cloud, side);
  }
  // Data finite in double can overflow float32 (e.g. 1e39): refuse it here rather than "diverge" at step 0.
  if (spec.at("precision") == "float32") {
    require_finite(s.source.cast<float>(), "source (as float32; use \"precision\": \"float64\")");
    require_finite(s.target.cast<float>(), "target (as float32; use \"precision\": \"float64\")");
  }
  if (s.source.dim != s.target.dim)
    throw InputError("source has dimension " + std::to_string(s.source.dim) + " but target has " +
                     std::to_string(s.target.dim));
  s.functional->prepare(s.source.classes(), s.target.classes());
  const auto batch = static_cast<std::size_t>(s.solver->target_batch());
  s.step_target = s.target.layout;
  if (batch > 0) {
    for (std::size_t k = 0; k < s.target.classes(); ++k)
      if (s.target.layout.size(k) < batch)
        throw InputError("solver.params.target_batch: " + std::to_string(batch) + " exceeds the " +
                         std::to_string(s.target.layout.size(k)) + " points of target class " + std::to_string(k));
    s.step_target = ClassLayout::uniform(s.target.classes(), batch);
  }
  return s;
}

// Draws target_batch rows per target class without replacement (partial Fisher-Yates), seeded per step.
template <class T>
void draw_target_batch(const LabeledCloud<T>& target, const ClassLayout& batch, std::uint64_t seed, std::uint64_t step,
                       std::vector<std::size_t>& index, std::vector<T>& out) {
  const std::size_t d = target.dim;
  std::size_t row = 0;
  for (std::size_t k = 0; k < target.classes(); ++k) {
    const std::size_t m = target.layout.size(k);
    index.resize(m);
    for (std::size_t i = 0; i < m; ++i) index[i] = i;
    auto stream = rng::stream(seed, rng::Purpose::TargetBatch, step, k);
    for (std::size_t i = 0; i < batch.size(k); ++i, ++row) {
      std::swap(index[i], index[i + stream.below(m - i)]);
      const T* src = target.row(target.layout.offsets[k] + index[i]);
      std::copy(src, src + d, out.data() + row * d);
    }
  }
}

constexpr std::size_t kLabelMatchingMaxPairs = 4'000'000;

// labels.json: exact OT costs between every flowed class and every target class, the class matching, and the
// sliced W_2 (1 000 fixed directions) between each class and its matched target class at x_0 and at the end.
template <class T>
void write_labels(const RunDirectory& run, const LabeledCloud<T>& flowed, const LabeledCloud<double>& initial,
                  const LabeledCloud<T>& target) {
  const LabelMatching match = match_labels(flowed, target);
  const std::size_t m = target.classes(), d = flowed.dim;
  constexpr std::size_t kReportDirections = 1000;
  std::vector<double> theta(kReportDirections * d);
  for (std::size_t l = 0; l < kReportDirections; ++l) {
    auto stream = rng::stream(0, rng::Purpose::Evaluator, 0, l);
    double norm = 0.0;
    for (std::size_t j = 0; j < d; ++j) norm += (theta[l * d + j] = stream.normal()) * theta[l * d + j];
    for (std::size_t j = 0; j < d; ++j) theta[l * d + j] /= std::sqrt(norm);
  }
  const LabeledCloud<double> final_state = flowed.template cast<double>();
  const LabeledCloud<double> goal = target.template cast<double>();
  Json cost = Json::array(), sw_initial = Json::array(), sw_final = Json::array();
  double matched = 0.0;
  for (std::size_t i = 0; i < flowed.classes(); ++i) {
    cost.push_back(std::vector<double>(match.cost.begin() + static_cast<std::ptrdiff_t>(i * m),
                                       match.cost.begin() + static_cast<std::ptrdiff_t>((i + 1) * m)));
    const std::size_t k = match.assignment[i];
    matched += match.cost[i * m + k] / static_cast<double>(flowed.classes());
    const auto& src = flowed.layout;
    const auto& tgt = target.layout;
    sw_initial.push_back(
        sliced_w2(initial.row(src.offsets[i]), src.size(i), goal.row(tgt.offsets[k]), tgt.size(k), d, theta));
    sw_final.push_back(
        sliced_w2(final_state.row(src.offsets[i]), src.size(i), goal.row(tgt.offsets[k]), tgt.size(k), d, theta));
  }
  Json j = Json::object();
  j["assignment"] = match.assignment;
  j["cost"] = cost;
  j["mean_matched_cost"] = matched;
  j["sw2_initial"] = sw_initial;
  j["sw2_final"] = sw_final;
  j["sw2_directions"] = kReportDirections;
  run.write_json("labels.json", j);
}

template <class T>
int run_typed(Setup& s, RunDirectory& run, std::int64_t start_step, const std::vector<double>* resume_state,
              const std::vector<double>* resume_solver, bool quiet) {
  const Json& spec = s.spec;
  const auto seed = spec.at("seed").get<std::uint64_t>();
  const auto steps = s.solver->steps();
  const auto snapshot_every = spec.at("output").at("snapshot_every").get<std::int64_t>();
  const auto checkpoint_every = spec.at("output").at("checkpoint_every").get<std::int64_t>();
  const bool pictures = spec.at("output").at("pictures").get<bool>();

  LabeledCloud<T> x = s.source.cast<T>();
  const LabeledCloud<T> target = s.target.cast<T>();
  if (resume_state != nullptr) x.points.assign(resume_state->begin(), resume_state->end());
  SlicedEngine<T> engine(x.layout, s.step_target, x.dim, s.backend->settings(), s.functional->sw_power());
  s.solver->reset(x.points.size());
  if (resume_solver != nullptr) s.solver->load_state(*resume_solver);

  const bool batching = s.step_target.rows() != target.rows();
  std::vector<T> batch(batching ? s.step_target.rows() * x.dim : 0);
  std::vector<std::size_t> batch_index;
  std::vector<T> velocity(x.points.size());

  const Json info{{"steps", steps}, {"estimator", engine.estimator() == Estimator::Sorted ? "sorted" : "quantile"}};
  Progress progress(spec.at("name").get<std::string>(), steps, start_step, quiet);
  const auto begin = std::chrono::steady_clock::now();
  const double elapsed_before = run.loss().empty() ? 0.0 : run.loss().back().elapsed_s;
  std::int64_t step = start_step;
  double loss = 0.0;
  // NaN/Inf: nothing of the bad state is written; the last good checkpoint and snapshots stay.
  const auto diverge = [&](std::int64_t status_step, const std::string& what) {
    progress.finish("diverged");
    run.write_status("diverged", status_step,
                     Json{{"steps", steps}, {"message", what + " at step " + std::to_string(step)}});
    std::fprintf(stderr,
                 "error: the flow diverged at step %lld (%s, loss %g): lower solver.params.step_size; "
                 "the last good checkpoint and snapshots are kept in %s\n",
                 static_cast<long long>(step), what.c_str(), loss, run.dir().c_str());
    return static_cast<int>(kExitDiverged);
  };
  try {
    for (; step < steps; ++step) {
      if (step % snapshot_every == 0) run.write_cloud("snapshots/" + step_name(step) + ".npy", x);
      const T* y = target.points.data();
      if (batching) {
        draw_target_batch(target, s.step_target, seed, static_cast<std::uint64_t>(step), batch_index, batch);
        y = batch.data();
      }
      loss = engine
                 .evaluate(x.points.data(), y, seed, static_cast<std::uint64_t>(step), *s.functional, *s.backend,
                           velocity.data())
                 .value;
      const double elapsed =
          elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      run.append_loss({step, loss, elapsed});
      if (!std::isfinite(loss) || !all_finite(velocity)) return diverge(step, "non-finite loss or gradient");
      s.solver->update(std::span<T>(x.points), std::span<const T>(velocity));
      if (!all_finite(x.points)) return diverge(step + 1, "the state overflowed");
      const std::int64_t done = step + 1;
      const bool stop = g_signal.load() != 0;
      if ((checkpoint_every > 0 && done % checkpoint_every == 0) || stop) {
        run.write_checkpoint(done, x, s.solver->save_state());
        Json extra = info;
        extra["loss"] = loss;
        extra["checkpoint_step"] = done;
        run.write_status(stop ? "interrupted" : "running", done, extra);
      }
      progress.update(done, loss);
      if (stop) {
        progress.finish("interrupted");
        std::fprintf(stderr, "error: interrupted at step %lld; resume with: wow run --resume %s\n",
                     static_cast<long long>(done), run.dir().c_str());
        return kExitInterrupted;
      }
    }
    run.write_cloud("snapshots/" + step_name(steps) + ".npy", x);
    // A checkpoint at the end too, so `--resume DIR --set solver.params.steps=N` can extend a complete run.
    run.write_checkpoint(steps, x, s.solver->save_state());
    run.write_cloud("final.npy", x);
    if (spec.at("output").at("label_matching").get<bool>()) {
      // Exact OT is O((n m)^1.5) per class pair: beyond ~2 000 x 2 000 points it would take longer than the flow.
      std::size_t largest = 0;
      for (std::size_t c = 0; c < x.classes(); ++c)
        for (std::size_t k = 0; k < target.classes(); ++k)
          largest = std::max(largest, x.layout.size(c) * target.layout.size(k));
      if (largest <= kLabelMatchingMaxPairs)
        write_labels(run, x, s.source, target);
      else if (!quiet)
        std::fprintf(stderr, "warning: labels.json skipped: classes too large for exact OT (%zu point pairs > %zu)\n",
                     largest, kLabelMatchingMaxPairs);
    }
    if (pictures) {
      try {
        draw_run_pictures(run, s.source, s.target);
      } catch (const std::exception& e) {  // pictures are a convenience: the run itself is complete
        std::fprintf(stderr, "warning: pictures not drawn: %s\n", e.what());
      }
    }
    Json extra = info;
    extra["loss"] = loss;
    extra["elapsed_s"] =
        elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    run.write_status("complete", steps, extra);
    progress.finish("complete");
    return kExitOk;
  } catch (const IoError& e) {
    progress.finish("failed");
    try {
      run.write_status("failed", step, Json{{"message", e.what()}});
    } catch (const IoError&) {
      // The disk is full: status.json keeps its last good content.
    }
    std::fprintf(stderr, "error: %s; the last good checkpoint is kept in %s\n", e.what(), run.dir().c_str());
    return kExitIoFailure;
  } catch (const std::bad_alloc&) {
    progress.finish("failed");
    const std::string message = "out of memory at step " + std::to_string(step);
    try {
      run.write_status("failed", step, Json{{"message", message}});
    } catch (const IoError&) {
    }
    std::fprintf(stderr, "error: %s; the last good checkpoint is kept in %s\n", message.c_str(), run.dir().c_str());
    return kExitIoFailure;
  }
}

// Memory a run will allocate beyond the datasets already loaded: the engine's buffers, the flow state in the
// working precision, solver state, encoded files, pictures and label matching. Refuses (InputError) when it does
// not fit what this process may still use, naming the parameters that drive it.
void require_memory(const Setup& s) {
  const bool f64 = s.spec.at("precision") == "float64";
  const ProjectionSettings& settings = s.backend->settings();
  const double engine = f64 ? SlicedEngine<double>::bytes_needed(s.source.layout, s.step_target, s.source.dim, settings)
                            : SlicedEngine<float>::bytes_needed(s.source.layout, s.step_target, s.source.dim, settings);
  const double t = f64 ? 8.0 : 4.0;
  const auto nx = static_cast<double>(s.source.points.size()), ny = static_cast<double>(s.target.points.size());
  const double state = t * (4.0 * nx + ny) + 8.0 * 2.0 * nx  // x, velocity, batch, encoded copy; target; solver
                       + 8.0 * 12.0 * nx;                    // snapshots held while drawing pictures
  const double labels = 8.0 * 3.0 * static_cast<double>(kLabelMatchingMaxPairs);
  const double needed = engine + state + labels + 64.0 * 1024 * 1024;  // + code, thread scratch, allocator slack
  const MemoryLimit available = available_memory();
  if (needed <= static_cast<double>(available.bytes)) return;
  auto shape = [](const LabeledCloud<double>& c) {
    return std::to_string(c.classes()) + " classes, " + std::to_string(c.rows()) + " points of dimension " +
           std::to_string(c.dim);
  };
  throw InputError("the run needs about " + human_bytes(needed) + " of memory but " +
                   human_bytes(static_cast<double>(available.bytes)) + " is available (" + available.source +
                   "): the sliced engine's buffers take " + human_bytes(engine) +
                   ", growing with projections.params.count (" + std::to_string(settings.count) +
                   ") times the points of both datasets (source: " + shape(s.source) + "; target: " + shape(s.target) +
                   "); lower projections.params.count or the dataset sizes");
}

// Components and datasets, with running out of memory while loading reported as bad input (nothing written yet).
Setup build_checked(const Json& spec, const Registry& registry, std::size_t threads) {
  try {
    Setup s = build(spec, registry, threads);
    resolve_estimator(s.backend->settings().estimator, s.source.layout, s.step_target);
    require_memory(s);
    return s;
  } catch (const std::bad_alloc&) {
    throw InputError(
        "not enough memory to load the datasets of this run; lower their sizes (source.params, "
        "target.params)");
  }
}

// Runs the flow loop; anything it throws still leaves status.json saying what happened (never "running").
int guarded_run(Setup& s, RunDirectory& run, std::int64_t start_step, const std::vector<double>* state,
                const std::vector<double>* solver, bool quiet) {
  const auto mark_failed = [&](const std::string& message) {
    try {
      run.write_status("failed", start_step, Json{{"message", message}});
    } catch (const std::exception&) {
      // The disk is full: status.json keeps its last good content.
    }
  };
  try {
    return s.spec.at("precision") == "float64" ? run_typed<double>(s, run, start_step, state, solver, quiet)
                                               : run_typed<float>(s, run, start_step, state, solver, quiet);
  } catch (const std::bad_alloc&) {
    mark_failed("out of memory");
    std::fprintf(stderr, "error: out of memory during the run; the last good checkpoint is kept in %s\n",
                 run.dir().c_str());
    return kExitIoFailure;
  } catch (const std::exception& e) {
    mark_failed(std::string("internal error: ") + e.what());
    throw;
  }
}

int resume_flow(const RunOptions& options, const Registry& registry, std::size_t threads) {
  RunDirectory run(options.resume_dir);
  std::error_code ec;
  if (!std::filesystem::is_directory(options.resume_dir, ec))
    throw InputError("--resume " + options.resume_dir + ": no such run directory");
  const std::string spec_file = run.path("resolved_spec.json");
  if (!std::filesystem::exists(spec_file, ec))
    throw InputError("--resume " + options.resume_dir + ": not a run directory (no resolved_spec.json)");
  run.lock_existing();  // before reading anything another writer could be changing
  Json spec;
  try {
    spec = Json::parse(files::read_all(spec_file));
  } catch (const Json::exception& e) {
    throw InputError(spec_file + ": cannot read the run's spec (" + e.what() + ")");
  }
  if (!spec.is_object()) throw InputError(spec_file + ": the run's spec is not a JSON object");
  // Re-resolve: the file may have been edited by hand, and its components must exist in this build.
  spec = resolve_spec(spec, registry, spec.value("name", std::string("run")));
  Setup s = build_checked(spec, registry, threads);
  const LoadedCheckpoint cp = run.load_checkpoint(s.source.points.size());
  for (const auto& why : cp.skipped) std::fprintf(stderr, "warning: resume: skipped checkpoint %s\n", why.c_str());
  if (cp.arrays.empty()) {
    if (cp.any_record || !options.quiet)
      std::fprintf(stderr, "%s: %s; starting again from step 0 (same seed, same result)\n",
                   cp.any_record ? "warning: resume" : "resume",
                   cp.any_record ? "no valid checkpoint" : "no checkpoint written yet");
  } else if (!cp.skipped.empty() || !options.quiet) {
    std::fprintf(stderr, "resume: continuing from step %lld (%s)\n", static_cast<long long>(cp.step),
                 cp.record.c_str());
  }
  if (options.resume_steps >= 0) {
    if (options.resume_steps < cp.step)
      throw InputError("--set solver.params.steps=" + std::to_string(options.resume_steps) +
                       ": the run's checkpoint is already at step " + std::to_string(cp.step));
    spec["solver"]["params"]["steps"] = options.resume_steps;
    s.spec = spec;
    s.solver = registry.create<Solver>(spec.at("solver"), "solver");
    run.write_json("resolved_spec.json", spec);
  }
  std::filesystem::remove(run.path("final.npy"), ec);  // only complete runs have final.npy
  std::vector<LossRow> rows = run.read_loss();
  rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const LossRow& r) { return r.step >= cp.step; }), rows.end());
  run.open_loss(rows);
  run.write_status("running", cp.step, Json{{"steps", s.solver->steps()}, {"resumed_from", cp.step}});
  if (cp.arrays.empty()) return guarded_run(s, run, 0, nullptr, nullptr, options.quiet);
  return guarded_run(s, run, cp.step, &cp.arrays.at("state").values, &cp.arrays.at("solver").values, options.quiet);
}

}  // namespace

int run_flow(const RunOptions& options, const Registry& registry) {
  const std::size_t threads = options.threads > 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
  blas::set_threads(1);  // the engine runs BLAS per fixed block (determinism)
  SignalGuard signals;
  if (!options.resume_dir.empty()) return resume_flow(options, registry, threads);
  const Json& spec = options.spec;
  const std::string dir = spec.at("output").at("dir").get<std::string>();
  RunDirectory::check_new(dir, options.force);
  Setup s = build_checked(spec, registry, threads);
  RunDirectory run(dir);
  run.create(options.force);
  try {
    run.write_json("resolved_spec.json", spec);
    run.write_status("running", 0, Json{{"steps", s.solver->steps()}});
    run.open_loss({});
  } catch (const IoError& e) {
    run.remove();
    throw InputError(std::string("output directory ") + dir + ": " + e.what());
  }
  return guarded_run(s, run, 0, nullptr, nullptr, options.quiet);
}

}  // namespace wow
