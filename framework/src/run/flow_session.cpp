#include "run/flow_session.hpp"

#include <chrono>
#include <filesystem>
#include <variant>

#include "engine/blas.hpp"
#include "run/checkpoint_start.hpp"
#include "run/flow_stepper.hpp"
#include "wow/errors.hpp"

namespace wow {

struct FlowSession::Typed {
  std::variant<std::unique_ptr<FlowStepper<float>>, std::unique_ptr<FlowStepper<double>>> stepper;
  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit([&](const auto& s) -> decltype(auto) { return f(*s); }, stepper);
  }
};

FlowSession::FlowSession(const Json& spec, const Registry& registry, std::size_t threads, GivenData given)
    : given_source_(given.source != nullptr), given_target_(given.target != nullptr) {
  blas::set_threads(1);  // the engine runs BLAS per fixed block (determinism), as in `wow run`
  setup_ = std::make_unique<Setup>(build_checked(spec, registry, threads, given));
  begin(StartPoint{});
}

std::unique_ptr<FlowSession> FlowSession::load(const std::string& dir, const Registry& registry, std::size_t threads) {
  const RunDirectory run(dir);
  const std::string spec_file = run.path("resolved_spec.json");
  std::error_code ec;
  if (!std::filesystem::exists(spec_file, ec)) throw InputError(dir + ": not a run directory (no resolved_spec.json)");
  const Json spec = read_run_spec(run, registry);
  blas::set_threads(1);
  std::unique_ptr<FlowSession> session(new FlowSession());
  session->setup_ = std::make_unique<Setup>(build_checked(spec, registry, threads));
  // Datasets the directory holds itself (given from Python when it was written) count as given: save() writes them
  // into the new directory, which then stands alone.
  const auto held = [&](const char* side) {
    const Json& node = spec.at(side);
    if (node.value("type", "") != "npy" || !node.contains("params")) return false;
    const std::string path = node.at("params").value("path", "");
    std::error_code equal_ec;
    return !path.empty() && std::filesystem::equivalent(path, run.path(std::string(side) + ".npy"), equal_ec);
  };
  session->given_source_ = held("source");
  session->given_target_ = held("target");
  const LoadedCheckpoint cp = run.load_checkpoint(session->setup_->source.points.size());
  const StartPoint from = start_point_from(cp, *session->setup_, run);
  session->loss_ = run.read_loss();
  std::erase_if(session->loss_, [&](const LossRow& r) { return r.step >= from.step; });
  if (!session->loss_.empty()) session->elapsed_s_ = session->loss_.back().elapsed_s;
  session->begin(from);
  session->complete_ = session->step() >= session->steps();
  return session;
}

void FlowSession::begin(const StartPoint& from) {
  metrics_ = std::make_unique<MetricsLog>("", from.metrics);
  typed_ = std::make_unique<Typed>();
  if (setup_->spec.at("precision") == "float64")
    typed_->stepper = std::make_unique<FlowStepper<double>>(*setup_, from, *metrics_);
  else
    typed_->stepper = std::make_unique<FlowStepper<float>>(*setup_, from, *metrics_);
  if (from.step == 0) typed_->visit([](auto& s) { s.start(); });
}

FlowSession::~FlowSession() = default;

std::int64_t FlowSession::step() const {
  return typed_->visit([](const auto& s) { return s.step(); });
}

std::int64_t FlowSession::steps() const {
  return typed_->visit([](const auto& s) { return s.steps(); });
}

double FlowSession::advance() {
  if (complete_)
    throw InputError("the flow is complete at step " + std::to_string(step()) +
                     (stopped_by_.empty() ? " (solver.params.steps)" : " (stopped by " + stopped_by_ + ")") +
                     "; make a new flow with more steps to go further");
  const auto begin = std::chrono::steady_clock::now();
  const std::int64_t at = step();
  const StepOutcome outcome = typed_->visit([](auto& s) { return s.advance(); });
  if (!outcome.finite || !outcome.state_finite)
    throw DivergedError("the flow diverged at step " + std::to_string(at) + " (" +
                        (outcome.finite ? "the state overflowed" : "non-finite loss or gradient") +
                        "): lower solver.params.step_size");
  elapsed_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  loss_.push_back({at, outcome.loss, elapsed_s_});
  stopped_by_ = outcome.stopped_by;
  if (!stopped_by_.empty() || step() >= steps()) {
    typed_->visit([&](auto& s) { s.finish(outcome.loss); });
    complete_ = true;
  }
  return outcome.loss;
}

std::vector<double> FlowSession::state() const {
  return typed_->visit([](const auto& s) {
    const auto& p = s.state().points;
    return std::vector<double>(p.begin(), p.end());
  });
}

void FlowSession::save(const std::string& dir) const {
  RunDirectory::check_new(dir, false);
  RunDirectory run(dir);
  run.create(false);
  try {
    Json spec = setup_->spec;
    spec["output"]["dir"] = dir;
    if (given_source_) spec["source"] = save_given_dataset(run, "source", setup_->source);
    if (given_target_) spec["target"] = save_given_dataset(run, "target", setup_->target);
    run.write_json("resolved_spec.json", spec);
    run.open_loss({});
    for (const auto& row : loss_) run.append_loss(row);
    const MetricsLog metrics(run.path("metrics.csv"), metrics_->rows());
    const std::int64_t at = step();
    typed_->visit([&](const auto& s) {
      run.write_checkpoint(at, s.state(), s.solver_state(), s.callback_states(), metrics_->rows().size());
      if (complete_) run.write_cloud("final.npy", s.state());
    });
    Json extra{{"steps", steps()}, {"checkpoint_step", at}, {"saved_by", "python"}};
    if (!loss_.empty()) extra["loss"] = loss_.back().loss;
    if (complete_) extra["elapsed_s"] = elapsed_s_;
    if (!stopped_by_.empty()) extra["stopped_by"] = stopped_by_;
    run.write_status(complete_ ? "complete" : "interrupted", at, extra);
  } catch (...) {
    run.remove();  // nothing half-written
    throw;
  }
}

}  // namespace wow
