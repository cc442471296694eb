"""Flows from Python: wowflow.run (to the end), wowflow.resume (a run directory), wowflow.Flow (stepped by hand)."""
import io
import json
import os
import tarfile
import tempfile

import numpy as np

from . import _core
from ._arrays import as_dataset, by_class, check_int, check_threads, grouped_view, output_dtype
from ._progress import make_progress
from ._results import RunResult, read_run
from ._spec import resolve


def _in_python_words(error, force_hint):
    """The CLI's words in an InputError's message as Python's (force=True for --force, steps= for --set ...)."""
    text = str(error)
    words = {"(use --force to replace it, or --out DIR)": force_hint, "--resume ": "resume: ",
             "--set solver.params.steps=": "steps="}
    changed = text
    for cli, python in words.items():
        changed = changed.replace(cli, python)
    return error if changed == text else _core.InputError(changed)


def _datasets(source, target):
    s = as_dataset(source, "source") if source is not None else None
    t = as_dataset(target, "target") if target is not None else None
    return s, t


def _precision_of(*datasets):
    """The precision given arrays ask for: float32 when every one is float32, else float64 (None: no arrays)."""
    given = [d for d in datasets if d is not None]
    if not given:
        return None
    return "float32" if all(d.dtype == np.float32 for d in given) else "float64"


def _new_core_flow(resolved, source, target, threads):
    return _core._Flow(json.dumps(resolved), source.core() if source else None, target.core() if target else None,
                       check_threads(threads))


def _moved(run_dir, saved_as):
    """A run directory written at `saved_as` and now at `run_dir`: its spec's paths to its own files follow it."""
    spec_file = os.path.join(run_dir, "resolved_spec.json")
    with open(spec_file, encoding="utf-8") as f:
        spec = json.load(f)
    prefix = saved_as.rstrip("/") + "/"
    for side in ("source", "target"):
        params = spec.get(side, {}).get("params", {})
        for key in ("path", "labels"):
            value = params.get(key)
            if isinstance(value, str) and value.startswith(prefix):
                params[key] = os.path.join(run_dir, value[len(prefix):])
    with open(spec_file, "w", encoding="utf-8") as f:
        json.dump(spec, f)


class Flow:
    """A WoW gradient flow held in memory, stepped by hand.

    flow = wowflow.Flow("experiments/rings.json")            # or a dict; source=/target= arrays replace datasets
    flow.step(100)                                            # 100 steps of the solver (Ctrl-C: stops between steps)
    flow.state, flow.loss_history, flow.metrics               # copies, as NumPy arrays
    flow.save("runs/mine")                                    # a run directory; `wow run --resume` continues it

    Each step moves every particle x of class c by the solver's rule along the WoW velocity
    -(n_c / w_c) dF/dx, F = 1/2 MMD^2 between the source and target datasets (the spec's functional), with the
    same directions, batches and bits as `wow run` with the same spec.

    spec:      a dict or the path of a JSON spec (experiments/*.json); None: every default
    source, target: arrays (C, n, d) or pairs (X (N, d), y (N,) or (N, 1)) in place of the spec's dataset nodes;
               labels y of any hashable kind (integers with gaps, strings, a pandas Categorical). Results come back
               as the source was given: (X, y) in the same row order, or (C, n, d).
    threads:   worker threads (default: all cores); results are the same bits at any count
    overrides: spec keys, dots written as double underscores: seed=3, solver__params__steps=200

    The flow runs in the spec's "precision"; when the spec sets none and arrays are given, in theirs (float32 when
    every given array is float32, else float64), so results have the dtype of the input.

    A Flow pickles (spec, state, step, solver buffers, loss history, the given arrays): the copy continues with the
    same bits, in this process or another (multiprocessing, joblib).
    """

    def __init__(self, spec=None, source=None, target=None, threads=None, **overrides):
        source, target = _datasets(source, target)
        check_threads(threads)
        resolved = resolve(spec, overrides, source is not None, target is not None, _precision_of(source, target))
        self._attach(_new_core_flow(resolved, source, target, threads), source, target)

    def _attach(self, core_flow, source, target, loss_prefix=None):
        # The core's flow and the datasets given as arrays (None: the spec's), whose labels name the classes.
        self._flow = core_flow
        self._source = source
        self._target = target
        self.spec = json.loads(core_flow.spec_json)
        self._sizes = list(core_flow.sizes)
        # Loss rows carried exactly by pickling (a run directory's loss.csv is text).
        self._loss_prefix = loss_prefix

    @classmethod
    def _from_resolved(cls, resolved, source, target, threads):
        flow = cls.__new__(cls)
        flow._attach(_new_core_flow(resolved, source, target, threads), source, target)
        return flow

    @classmethod
    def load(cls, run_dir, threads=None):
        """A run directory continued in memory from its newest valid checkpoint: flow.step() goes on with the bits
        the run would have had. The directory is only read.

        run_dir: a directory from `wow run`, wowflow.run(out=...) or Flow.save (str or path)
        threads: worker threads (default: all cores)
        """
        flow = cls.__new__(cls)
        flow._attach(_core._Flow.load(os.fspath(run_dir), check_threads(threads)), None, None)
        return flow

    # ---- pickling: the flow saved as a run directory (checkpoint with the solver's buffers), packed in memory ----
    def __getstate__(self):
        with tempfile.TemporaryDirectory(prefix="wowflow_pickle_") as tmp:
            run_dir = os.path.join(tmp, "flow")
            self._flow.save(run_dir)
            packed = io.BytesIO()
            with tarfile.open(fileobj=packed, mode="w") as tar:
                tar.add(run_dir, arcname="flow")
        return {"format": 1, "run_dir": packed.getvalue(), "saved_as": run_dir, "loss": self._loss_table(),
                "source": self._source, "target": self._target}

    def __setstate__(self, state):
        if state.get("format") != 1:
            raise _core.InputError(f"a pickled Flow of format {state.get('format')}; this wowflow reads format 1")
        with tempfile.TemporaryDirectory(prefix="wowflow_pickle_") as tmp:
            with tarfile.open(fileobj=io.BytesIO(state["run_dir"]), mode="r") as tar:
                for member in tar.getmembers():  # only what __getstate__ wrote: plain files and folders in flow/
                    if not (member.isfile() or member.isdir()) or not member.name.startswith("flow"):
                        raise _core.InputError(f"a pickled Flow holds an unexpected entry {member.name!r}")
                    if ".." in member.name.split("/"):
                        raise _core.InputError(f"a pickled Flow holds an unexpected entry {member.name!r}")
                tar.extractall(tmp)
            run_dir = os.path.join(tmp, "flow")
            _moved(run_dir, state["saved_as"])
            core_flow = _core._Flow.load(run_dir, 0)
        self._attach(core_flow, state["source"], state["target"], np.array(state["loss"], dtype=np.float64))

    # ---- where the flow is ----
    @property
    def step_count(self):
        """Steps done so far."""
        return self._flow.step

    @property
    def steps(self):
        """The solver's schedule length (run.steps or solver.params.steps)."""
        return self._flow.steps

    @property
    def complete(self):
        """True once the last step of the schedule ran (or a callback stopped the flow)."""
        return self._flow.complete

    @property
    def precision(self):
        """"float32" or "float64": the type the flow runs in and its results come back in."""
        return self.spec.get("precision", "float32")

    def step(self, k=1, progress=False):
        """Runs up to k steps (fewer when the schedule ends); returns F before each step done (an array).

        k:        the number of steps, at least 1
        progress: False, True (a bar on a terminal, lines in a notebook), a tqdm bar or tqdm.tqdm itself (any
                  object with update(n) and close()), or an object with update(done, total, loss) and finish(text)

        Raises KeyboardInterrupt between two steps on Ctrl-C (the flow stays usable), DivergedError when F or the
        state stops being finite, InputError when the flow is already complete."""
        k = check_int(k, "k", minimum=1)
        before = len(self._flow.loss())
        bar = make_progress(progress, self.spec.get("name", "flow"), total=self.steps)
        try:
            self._flow.advance(k, bar)
        finally:
            if bar is not None:
                bar.finish("complete" if self.complete else f"at step {self.step_count}")
        return self._flow.loss()[before:, 1].copy()

    def _typed(self, flat):
        return flat.astype(output_dtype(self.precision))  # exact: the state is in this type in the core

    def _shaped(self, flat):
        flat = self._typed(flat)
        if self._source is not None:
            return self._source.shaped(flat)
        return by_class(flat, self._sizes)

    @property
    def state(self):
        """A copy of the particles, as the source was given: (X, y) in the same row order for an (X, y) pair,
        (C, n, d) for an array. With the spec's own datasets: (C, n, d) when every class has n points, else (N, d)
        with `labels`. In the flow's precision. `grouped()` gives the view by class."""
        return self._shaped(self._flow.state())

    def grouped(self):
        """A copy of the particles by class, in the order of `classes`: (C, n, d) when every class has n points,
        else a list of C arrays (n_c, d)."""
        return grouped_view(self._typed(self._flow.state()), self._sizes)

    @property
    def classes(self):
        """The class labels in class order (the order of grouped()): the distinct y values of an (X, y) source,
        sorted when they sort; else 0..C-1."""
        return list(self._source.classes) if self._source is not None else list(range(len(self._sizes)))

    @property
    def target_classes(self):
        """The target's class labels, as `classes` for the source."""
        if self._target is not None:
            return list(self._target.classes)
        return list(range(len(self._flow.target_sizes)))

    @property
    def labels(self):
        """(N,) the class label of each row of `state` (the y values when the source was given as (X, y))."""
        if self._source is not None:
            return self._source.row_labels()
        return np.repeat(np.arange(len(self._sizes)), self._sizes)

    @property
    def matching(self):
        """{flowed class label: target class label}: labels.json's matching at the current state (exact W_2^2
        between every pair of classes, then the optimal class-to-class plan); None when the classes are too large
        for exact OT (as `wow run` then skips labels.json)."""
        assignment = self._flow.matching()
        if assignment is None:
            return None
        targets = self.target_classes
        return {c: targets[k] for c, k in zip(self.classes, assignment)}

    def _loss_table(self):
        table = self._flow.loss()
        if self._loss_prefix is not None and len(self._loss_prefix):
            n = min(len(self._loss_prefix), len(table))
            table[:n] = self._loss_prefix[:n]
        return table

    @property
    def loss_history(self):
        """(steps done,) F(x_k) before each step."""
        return self._loss_table()[:, 1].copy()

    @property
    def metrics(self):
        """{name: (values,)} reported by the spec's callbacks so far."""
        return self.result().metrics

    def result(self):
        """A RunResult of the flow so far (final = the current state, as `state`)."""
        table = self._loss_table()
        return RunResult(self.state, self.labels, table[:, 1], table[:, 2], self._flow.metrics(), self.spec,
                         status="complete" if self.complete else "running", matching=self.matching,
                         classes=self.classes, grouped=self.grouped())

    def save(self, run_dir):
        """Writes a new run directory: spec, loss.csv, metrics.csv, a checkpoint at this step and status.json
        (arrays given as source/target are saved there too). `wow run --resume DIR` or wowflow.resume(DIR) continues
        it with the same bits as an uninterrupted run; wowflow.read_run(DIR) reads it.

        run_dir: the directory to create (str or path; must not exist)"""
        try:
            self._flow.save(os.fspath(run_dir))
        except _core.InputError as e:
            raise _in_python_words(e, "(save into a new directory)") from None
        return os.fspath(run_dir)

    def __repr__(self):
        return f"<Flow {self.spec.get('name')}: step {self.step_count}/{self.steps}>"


def _as_given(result, source, target):
    """A result read from a run directory, with the labels, classes, matching and row order of the given arrays."""
    if result.final is None or source is None:
        if target is not None and result.matching is not None:
            result.matching = {c: target.classes[k] for c, k in result.matching.items()}
        return result
    flat = result.final.reshape(-1, result.final.shape[-1])
    result._grouped = grouped_view(flat, source.sizes)
    result.final = source.shaped(flat)
    result.labels = source.row_labels()
    result.classes = list(source.classes)
    if result.matching is not None:
        targets = target.classes if target is not None else None
        result.matching = {source.classes[c]: (targets[k] if targets is not None else k)
                           for c, k in result.matching.items()}
    return result


def run(spec=None, source=None, target=None, out=None, threads=None, progress=True, force=False, **overrides):
    """Runs a flow to the end of its schedule and returns a RunResult.

    spec:      a dict or the path of a JSON spec (experiments/*.json); `wow describe spec` lists the keys
    source, target: arrays (C, n, d) or pairs (X (N, d), y (N,) or (N, 1)) in place of the spec's dataset nodes;
               labels of any hashable kind. result.final comes back as the source was given ((X, y) in the same
               row order); result.grouped() by class. Without "precision" in the spec, the dtype of the arrays.
    out:       None: the run stays in memory (no files); a path: a run directory as `wow run` writes it (snapshots,
               checkpoints, loss.csv, pictures; given arrays saved as source.npy/target.npy so it resumes alone)
    threads:   worker threads (default: all cores); results are the same bits at any count
    progress:  True (a bar on a terminal, lines in a notebook), False, a tqdm bar or tqdm.tqdm itself (any object
               with update(n) and close()), or an object with update(done, total, loss) and finish(text)
    force:     replace an existing run directory at `out` (only one wow wrote)
    overrides: spec keys, dots written as double underscores: seed=3, solver__params__steps=200

    Ctrl-C stops at the next step boundary with KeyboardInterrupt; a run with a directory keeps its checkpoint
    (wowflow.resume continues it). A run too large for the memory left raises MemoryError before it starts.
    """
    s, t = _datasets(source, target)
    check_threads(threads)
    if out is not None:
        overrides = dict(overrides)
        overrides["output__dir"] = os.fspath(out)
    resolved = resolve(spec, overrides, s is not None, t is not None, _precision_of(s, t))
    label = resolved.get("name", "flow")
    if out is not None:
        run_length = resolved.get("run", {}).get("steps") or resolved["solver"]["params"].get("steps")
        bar = make_progress(progress, label, total=run_length)
        try:
            _core._run_to_dir(json.dumps(resolved), s.core() if s else None, t.core() if t else None, bool(force),
                              check_threads(threads) or None, bar)
        except _core.InputError as e:
            raise _in_python_words(e, "(pass force=True to replace it, or another out=)") from None
        return _as_given(read_run(os.fspath(out)), s, t)
    flow = Flow._from_resolved(resolved, s, t, threads)
    flow.step(flow.steps - flow.step_count, progress=progress)
    return flow.result()


def resume(run_dir, steps=None, threads=None, progress=True):
    """Continues an interrupted run directory from its newest valid checkpoint (as `wow run --resume`); returns its
    RunResult.

    run_dir:  the run directory (str or path)
    steps:    None: the run's own length; a number: a new total (extends a complete run)
    threads:  worker threads (default: all cores)
    progress: as for run()
    """
    steps = check_int(steps, "steps", minimum=1, allow_none=True)
    bar = make_progress(progress, os.path.basename(os.path.normpath(os.fspath(run_dir))), total=steps)
    try:
        _core._resume(os.fspath(run_dir), -1 if steps is None else steps, check_threads(threads) or None, bar)
    except _core.InputError as e:
        raise _in_python_words(e, "") from None
    return read_run(os.fspath(run_dir))
