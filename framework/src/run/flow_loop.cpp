#include "run/flow_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <new>
#include <string>

#include "report/pictures.hpp"
#include "run/flow_stepper.hpp"
#include "run/labels_report.hpp"
#include "run/progress.hpp"
#include "wow/errors.hpp"

namespace wow {

std::atomic<int>& stop_signal() {
  static std::atomic<int> signal{0};
  return signal;
}

namespace {

// The run directory's snapshots, written through the callback hooks like any user callback: x_0 at the start,
// x_k every `every` steps, and the last state at the end.
template <class T>
class SnapshotWriter final : public Callback {
 public:
  SnapshotWriter(const RunDirectory& run, const LabeledCloud<T>& x, std::int64_t every)
      : run_(run), x_(x), every_(every) {}
  void on_start(const FlowView& view, MetricSink& /*sink*/) override { write(view.step); }
  CallbackAction on_step(const FlowView& view, MetricSink& /*sink*/) override {
    if (view.step % every_ == 0) write(view.step);
    return CallbackAction::Continue;
  }
  void on_end(const FlowView& view, MetricSink& /*sink*/) override { write(view.step); }

 private:
  void write(std::int64_t step) { run_.write_cloud("snapshots/" + step_name(step) + ".npy", x_); }
  const RunDirectory& run_;
  const LabeledCloud<T>& x_;
  std::int64_t every_;
};

// labels.json at the end of a complete run (exact OT between classes; skipped when a class pair is too large).
template <class T>
class LabelsReport final : public Callback {
 public:
  LabelsReport(const RunDirectory& run, const LabeledCloud<T>& x, const LabeledCloud<T>& target,
               const LabeledCloud<double>& source, bool quiet)
      : run_(run), x_(x), target_(target), source_(source), quiet_(quiet) {}
  void on_end(const FlowView& /*view*/, MetricSink& /*sink*/) override {
    std::size_t largest = 0;
    for (std::size_t c = 0; c < x_.classes(); ++c)
      for (std::size_t t = 0; t < target_.classes(); ++t)
        largest = std::max(largest, x_.layout.size(c) * target_.layout.size(t));
    if (largest <= kLabelMatchingMaxPairs)
      write_labels(run_, x_, source_, target_);
    else if (!quiet_)
      std::fprintf(stderr, "warning: labels.json skipped: classes too large for exact OT (%zu point pairs > %zu)\n",
                   largest, kLabelMatchingMaxPairs);
  }

 private:
  const RunDirectory& run_;
  const LabeledCloud<T>& x_;
  const LabeledCloud<T>& target_;
  const LabeledCloud<double>& source_;
  bool quiet_;
};

// The pictures of a complete run, last of all hooks so every metric is in: loss.png, flow or image grids, one PNG
// per metric. A picture that cannot be drawn is a warning: the run itself is complete.
class PicturesReport final : public Callback {
 public:
  PicturesReport(const RunDirectory& run, const Setup& s, const MetricsLog& metrics)
      : run_(run), s_(s), metrics_(metrics) {}
  void on_end(const FlowView& /*view*/, MetricSink& /*sink*/) override {
    try {
      draw_run_pictures(run_, s_.source, s_.target);
      metrics_.draw(run_.dir());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: pictures not drawn: %s\n", e.what());
    }
  }

 private:
  const RunDirectory& run_;
  const Setup& s_;
  const MetricsLog& metrics_;
};

template <class T>
int run_typed(Setup& s, RunDirectory& run, const StartPoint& from, bool quiet, ProgressObserver* observer) {
  const Json& spec = s.spec;
  const auto checkpoint_every = spec.at("output").at("checkpoint_every").get<std::int64_t>();
  run.record_spec(spec);
  MetricsLog metrics(run.path("metrics.csv"), from.metrics);
  FlowStepper<T> flow(s, from, metrics);
  const LabeledCloud<T>& x = flow.state();
  const std::int64_t steps = flow.steps();

  // The run's own duties share the hooks with the spec's callbacks: snapshots first, then the spec's callbacks, then
  // the end-of-run reports (labels.json, pictures). The loss log and checkpoints stay in the loop: they need F and
  // the solver's and callbacks' states.
  SnapshotWriter<T> snapshots(run, x, spec.at("output").at("snapshot_every").get<std::int64_t>());
  LabelsReport<T> labels(run, x, flow.target(), s.source, quiet);
  PicturesReport pictures(run, s, metrics);
  flow.add_first(&snapshots);
  if (spec.at("output").at("label_matching").get<bool>()) flow.add_last(&labels);
  if (spec.at("output").at("pictures").get<bool>()) flow.add_last(&pictures);

  const Json info{{"steps", steps}, {"estimator", flow.estimator()}};
  Progress progress(spec.at("name").get<std::string>(), steps, from.step, quiet, observer);
  const auto begin = std::chrono::steady_clock::now();
  const double elapsed_before = run.loss().empty() ? 0.0 : run.loss().back().elapsed_s;
  const auto elapsed = [&] {
    return elapsed_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  };
  std::int64_t step = from.step;
  // F at the start of the last step done: from loss.csv when resuming (a resume with nothing left to do reports it).
  double loss = run.loss().empty() ? std::numeric_limits<double>::quiet_NaN() : run.loss().back().loss;
  // NaN/Inf: nothing of the bad state is written; the last good checkpoint and snapshots stay.
  const auto diverge = [&](std::int64_t status_step, const std::string& what) {
    progress.finish("diverged");
    run.write_status("diverged", status_step,
                     Json{{"steps", steps}, {"message", what + " at step " + std::to_string(step)}});
    std::fprintf(stderr, "error: the flow diverged at step %lld (%s, loss %g): lower solver.params.step_size; %s\n",
                 static_cast<long long>(step), what.c_str(), loss, run.kept_checkpoint_note().c_str());
    return static_cast<int>(kExitDiverged);
  };
  try {
    if (from.step == 0) flow.start();
    std::string stopped_by;
    for (; step < steps; ++step) {
      const StepOutcome outcome = flow.advance();
      loss = outcome.loss;
      run.append_loss({step, loss, elapsed()});
      if (!outcome.finite) return diverge(step, "non-finite loss or gradient");
      if (!outcome.state_finite) return diverge(step + 1, "the state overflowed");
      const std::int64_t done = step + 1;
      stopped_by = outcome.stopped_by;
      const bool interrupt = stop_signal().load() != 0;
      if ((checkpoint_every > 0 && done % checkpoint_every == 0) || interrupt) {
        run.write_checkpoint(done, x, flow.solver_state(), flow.callback_states(), metrics.rows().size());
        Json extra = info;
        extra["loss"] = loss;
        extra["checkpoint_step"] = done;
        run.write_status(interrupt ? "interrupted" : "running", done, extra);
      }
      progress.update(done, loss);
      if (interrupt) {
        progress.finish("interrupted");
        std::fprintf(stderr, "error: interrupted at step %lld; resume with: wow run --resume %s\n",
                     static_cast<long long>(done), run.dir().c_str());
        return kExitInterrupted;
      }
      if (!stopped_by.empty()) {
        step = done;
        break;
      }
    }
    // The end: a checkpoint (so a complete run can be extended) and final.npy (staged), then the hooks (the last
    // snapshot, final metrics, labels.json, pictures), then status "complete", and only then final.npy under its name.
    run.write_checkpoint(step, x, flow.solver_state(), flow.callback_states(), metrics.rows().size());
    run.stage_final(x);
    flow.finish(loss);
    Json extra = info;
    extra["loss"] = loss;
    extra["elapsed_s"] = elapsed();
    if (!stopped_by.empty()) {
      extra["stopped_by"] = stopped_by;
      extra["message"] = "stopped by " + stopped_by + " at step " + std::to_string(step);
    }
    run.write_status("complete", step, extra);
    run.publish_final();
    progress.finish("complete");
    return kExitOk;
  } catch (const IoError& e) {
    run.discard_final();  // only complete runs have final.npy
    progress.finish("failed");
    try {
      run.write_status("failed", step, Json{{"message", e.what()}});
    } catch (const IoError&) {
      // The disk is full: status.json keeps its last good content.
    }
    std::fprintf(stderr, "error: %s; %s\n", e.what(), run.kept_checkpoint_note().c_str());
    return kExitIoFailure;
  } catch (const std::bad_alloc&) {
    progress.finish("failed");
    const std::string message = "out of memory at step " + std::to_string(step);
    try {
      run.write_status("failed", step, Json{{"message", message}});
    } catch (const IoError&) {
    }
    std::fprintf(stderr, "error: %s; %s\n", message.c_str(), run.kept_checkpoint_note().c_str());
    return kExitIoFailure;
  }
}

}  // namespace

int run_flow_loop(Setup& s, RunDirectory& run, const StartPoint& from, bool quiet, ProgressObserver* observer) {
  return s.spec.at("precision") == "float64" ? run_typed<double>(s, run, from, quiet, observer)
                                             : run_typed<float>(s, run, from, quiet, observer);
}

}  // namespace wow
