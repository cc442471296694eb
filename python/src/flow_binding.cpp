#include "flow_binding.hpp"

#include <pybind11/stl.h>

#include <csignal>
#include <optional>
#include <thread>

#include "arrays.hpp"
#include "core/json_text.hpp"
#include "plugins_binding.hpp"
#include "report/label_matching.hpp"
#include "run/flow_loop.hpp"
#include "run/flow_session.hpp"
#include "run/runner.hpp"
#include "wow/errors.hpp"

namespace py = pybind11;

namespace wowpy {

namespace {

// A dataset handed over from Python: (points (N, d) float64, class sizes, class names), or None.
using DatasetArg = std::optional<std::tuple<DoubleArray, std::vector<std::size_t>, std::vector<std::string>>>;

std::optional<wow::LabeledCloud<double>> cloud_of(const DatasetArg& arg) {
  if (!arg) return std::nullopt;
  return cloud_from(std::get<0>(*arg), std::get<1>(*arg), std::get<2>(*arg));
}

std::size_t threads_or_all(std::optional<std::size_t> threads) {
  if (threads && *threads > 0) return *threads;
  return std::max(1U, std::thread::hardware_concurrency());
}

// Hands each step of `wow run`'s loop to a Python progress object (update(done, total, loss), finish(text)), with the
// GIL taken only for that call. An exception raised there (KeyboardInterrupt) stops the loop at the step boundary,
// with a checkpoint, and is raised again once the run has returned.
class PythonProgress final : public wow::ProgressObserver {
 public:
  explicit PythonProgress(py::object bar) : bar_(std::move(bar)) {}
  ~PythonProgress() override {
    py::gil_scoped_acquire gil;
    bar_ = py::object();
    error_.reset();
  }
  PythonProgress(const PythonProgress&) = delete;
  PythonProgress& operator=(const PythonProgress&) = delete;
  void update(std::int64_t done, std::int64_t total, double loss) override { call("update", done, total, loss); }
  void finish(const std::string& closing) override { call("finish", closing); }
  // Raises the exception the progress object raised, if any (GIL held).
  void raise_pending() {
    if (error_) {
      py::error_already_set e = std::move(*error_);
      error_.reset();
      throw e;
    }
  }

 private:
  template <class... A>
  void call(const char* method, A... args) {
    py::gil_scoped_acquire gil;
    if (error_) return;
    try {
      bar_.attr(method)(args...);
    } catch (py::error_already_set& e) {
      error_.emplace(std::move(e));
      wow::stop_signal().store(SIGINT);
    }
  }
  py::object bar_;
  std::optional<py::error_already_set> error_;
};

// `wow run`'s exit codes as Python exceptions.
void raise_for_exit(int code, const std::string& dir) {
  switch (code) {
    case wow::kExitOk:
      return;
    case wow::kExitDiverged:
      throw wow::DivergedError("the flow diverged (see " + dir + "/status.json); lower solver.params.step_size");
    case wow::kExitInterrupted:
      PyErr_SetString(PyExc_KeyboardInterrupt, ("interrupted; the checkpoint is kept in " + dir).c_str());
      throw py::error_already_set();
    default:
      throw wow::IoError("the run failed with exit code " + std::to_string(code) + " (see " + dir + "/status.json)");
  }
}

int run_with_progress(wow::RunOptions& options, const py::object& progress, const std::string& dir) {
  std::optional<PythonProgress> observer;
  if (!progress.is_none()) {
    observer.emplace(progress);
    options.progress = &*observer;
  }
  int code = 0;
  {
    py::gil_scoped_release release;
    code = wow::run_flow(options, registry());
  }
  if (observer) observer->raise_pending();
  raise_for_exit(code, dir);
  return code;
}

}  // namespace

void bind_flow(py::module_& m) {
  m.def(
      "_run_to_dir",
      [](const std::string& spec_json, const DatasetArg& source, const DatasetArg& target, bool force,
         std::optional<std::size_t> threads, const py::object& progress) {
        wow::RunOptions options;
        options.spec = wow::parse_json_text(spec_json, "spec");
        options.force = force;
        options.quiet = progress.is_none();
        options.threads = threads_or_all(threads);
        const auto source_cloud = cloud_of(source), target_cloud = cloud_of(target);
        if (source_cloud) options.given.source = &*source_cloud;
        if (target_cloud) options.given.target = &*target_cloud;
        std::string dir = options.spec.at("output").at("dir").get<std::string>();
        run_with_progress(options, progress, dir);
        return dir;
      },
      py::arg("spec_json"), py::arg("source"), py::arg("target"), py::arg("force"), py::arg("threads"),
      py::arg("progress"));
  m.def(
      "_resume",
      [](const std::string& dir, std::int64_t steps, std::optional<std::size_t> threads, const py::object& progress) {
        wow::RunOptions options;
        options.resume_dir = dir;
        options.resume_steps = steps;
        options.quiet = progress.is_none();
        options.threads = threads_or_all(threads);
        run_with_progress(options, progress, dir);
        return dir;
      },
      py::arg("dir"), py::arg("steps"), py::arg("threads"), py::arg("progress"));

  py::class_<wow::FlowSession>(m, "_Flow")
      .def(py::init([](const std::string& spec_json, const DatasetArg& source, const DatasetArg& target,
                       std::optional<std::size_t> threads) {
             const wow::Json spec = wow::parse_json_text(spec_json, "spec");
             const auto source_cloud = cloud_of(source), target_cloud = cloud_of(target);
             wow::GivenData given;
             if (source_cloud) given.source = &*source_cloud;
             if (target_cloud) given.target = &*target_cloud;
             const wow::Registry& reg = registry();
             py::gil_scoped_release release;  // loading datasets can take seconds
             return std::make_unique<wow::FlowSession>(spec, reg, threads_or_all(threads), given);
           }),
           py::arg("spec_json"), py::arg("source"), py::arg("target"), py::arg("threads"))
      .def_static(
          "load",
          [](const std::string& dir, std::optional<std::size_t> threads) {
            const wow::Registry& reg = registry();
            py::gil_scoped_release release;
            return wow::FlowSession::load(dir, reg, threads_or_all(threads));
          },
          py::arg("dir"), py::arg("threads"))
      .def(
          "advance",
          [](wow::FlowSession& flow, std::int64_t k, const py::object& progress) {
            // Ctrl-C is seen between steps: the state stays at a step boundary and the flow can go on.
            std::int64_t done = 0;
            for (; done < k; ++done) {
              if (flow.complete() && done > 0) break;
              double loss = 0.0;
              {
                py::gil_scoped_release release;
                loss = flow.advance();
              }
              if (!progress.is_none()) progress.attr("update")(flow.step(), flow.steps(), loss);
              if (PyErr_CheckSignals() != 0) throw py::error_already_set();
            }
            return done;
          },
          py::arg("k"), py::arg("progress"))
      .def_property_readonly("step", &wow::FlowSession::step)
      .def_property_readonly("steps", &wow::FlowSession::steps)
      .def_property_readonly("complete", &wow::FlowSession::complete)
      .def_property_readonly("stopped_by", &wow::FlowSession::stopped_by)
      .def_property_readonly("spec_json", [](const wow::FlowSession& f) { return f.spec().dump(); })
      .def_property_readonly("sizes",
                             [](const wow::FlowSession& f) {
                               std::vector<std::size_t> sizes;
                               for (std::size_t c = 0; c < f.layout().classes(); ++c)
                                 sizes.push_back(f.layout().size(c));
                               return sizes;
                             })
      .def_property_readonly("target_sizes",
                             [](const wow::FlowSession& f) {
                               std::vector<std::size_t> sizes;
                               for (std::size_t c = 0; c < f.target().classes(); ++c)
                                 sizes.push_back(f.target().layout.size(c));
                               return sizes;
                             })
      .def("state",
           [](const wow::FlowSession& f) {
             return to_numpy(f.state(), {f.layout().rows(), f.dim()});
           })
      .def("loss",
           [](const wow::FlowSession& f) {
             std::vector<double> rows;
             for (const auto& r : f.loss()) rows.insert(rows.end(), {static_cast<double>(r.step), r.loss, r.elapsed_s});
             return to_numpy(rows, {f.loss().size(), 3});
           })
      .def("metrics",
           [](const wow::FlowSession& f) {
             py::list rows;
             for (const auto& r : f.metrics()) rows.append(py::make_tuple(r.step, r.name, r.value));
             return rows;
           })
      .def("matching",
           [](const wow::FlowSession& f) -> py::object {
             // labels.json's class matching at the current state (None where a class pair is too large for exact
             // OT, as `wow run` then skips labels.json).
             const wow::LabeledCloud<double>& target = f.target();
             std::size_t largest = 0;
             for (std::size_t c = 0; c < f.layout().classes(); ++c)
               for (std::size_t t = 0; t < target.classes(); ++t)
                 largest = std::max(largest, f.layout().size(c) * target.layout.size(t));
             if (largest > wow::kLabelMatchingMaxPairs) return py::none();
             wow::LabeledCloud<double> state;
             state.layout = f.layout();
             state.dim = f.dim();
             state.points = f.state();
             wow::LabelMatching match;
             {
               py::gil_scoped_release release;
               // In the run's precision, as labels.json (the flowed state and the target both in it).
               if (f.spec().at("precision") == "float32")
                 match = wow::match_labels(state.cast<float>(), target.cast<float>());
               else
                 match = wow::match_labels(state, target);
             }
             return py::cast(match.assignment);
           })
      .def(
          "save",
          [](const wow::FlowSession& f, const std::string& dir) {
            py::gil_scoped_release release;
            f.save(dir);
          },
          py::arg("dir"));
}

}  // namespace wowpy
