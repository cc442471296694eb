"""Flows from Python: wowflow.run (to the end), wowflow.resume (a run directory), wowflow.Flow (stepped by hand)."""
import json
import os

import numpy as np

from . import _core
from ._arrays import as_dataset, by_class
from ._progress import make_progress
from ._results import RunResult, read_run
from ._spec import resolve


def _datasets(source, target):
    s = as_dataset(source, "source") if source is not None else None
    t = as_dataset(target, "target") if target is not None else None
    return s, t


def _new_core_flow(resolved, source, target, threads):
    return _core._Flow(json.dumps(resolved), source.core() if source else None, target.core() if target else None,
                       threads)


class Flow:
    """A WoW gradient flow held in memory, stepped by hand.

    flow = wowflow.Flow("experiments/rings.json")            # or a dict; source=/target= arrays replace datasets
    flow.step(100)                                            # 100 steps of the solver (Ctrl-C: stops between steps)
    flow.state, flow.loss_history, flow.metrics               # copies, as NumPy arrays
    flow.save("runs/mine")                                    # a run directory; `wow run --resume` continues it

    Each step moves every particle x of class c by the solver's rule along the WoW velocity
    -(n_c / w_c) dF/dx, F = 1/2 MMD^2 between the source and target datasets (the spec's functional), with the
    same directions, batches and bits as `wow run` with the same spec.
    """

    def __init__(self, spec=None, source=None, target=None, threads=None, **overrides):
        source, target = _datasets(source, target)
        resolved = resolve(spec, overrides, source is not None, target is not None)
        self._attach(_new_core_flow(resolved, source, target, threads), source)

    def _attach(self, core_flow, source):
        # The core's flow and the source dataset given as an array (None: the spec's), whose labels name the classes.
        self._flow = core_flow
        self._source = source
        self.spec = json.loads(core_flow.spec_json)
        self._sizes = list(core_flow.sizes)

    @classmethod
    def _from_resolved(cls, resolved, source, target, threads):
        flow = cls.__new__(cls)
        flow._attach(_new_core_flow(resolved, source, target, threads), source)
        return flow

    @classmethod
    def load(cls, run_dir, threads=None):
        """A run directory (from `wow run`, wowflow.run(out=...) or Flow.save) continued in memory from its newest
        valid checkpoint: flow.step() goes on with the bits the run would have had. The directory is only read."""
        flow = cls.__new__(cls)
        flow._attach(_core._Flow.load(os.fspath(run_dir), threads), None)
        return flow

    @property
    def step_count(self):
        """Steps done so far."""
        return self._flow.step

    @property
    def steps(self):
        """The solver's schedule length (solver.params.steps)."""
        return self._flow.steps

    @property
    def complete(self):
        """True once the last step of the schedule ran (or a callback stopped the flow)."""
        return self._flow.complete

    def step(self, k=1, progress=False):
        """Runs up to k steps (fewer when the schedule ends); returns F before each step done (an array).
        Raises KeyboardInterrupt between two steps on Ctrl-C (the flow stays usable), DivergedError when F or the
        state stops being finite, InputError when the flow is already complete."""
        if k < 1:
            raise _core.InputError(f"step: k must be at least 1, got {k}")
        before = len(self._flow.loss())
        bar = make_progress(progress, self.spec.get("name", "flow"))
        try:
            self._flow.advance(int(k), bar)
        finally:
            if bar is not None:
                bar.finish("complete" if self.complete else f"at step {self.step_count}")
        return self._flow.loss()[before:, 1].copy()

    def _shaped(self, flat):
        if self.spec.get("precision") == "float32":
            flat = flat.astype(np.float32)  # exact: the state is float32 in the core
        return by_class(flat, self._sizes)

    @property
    def state(self):
        """A copy of the particles: (C, n, d) when every class has n points, else (N, d) with `labels`."""
        return self._shaped(self._flow.state())

    @property
    def labels(self):
        """(N,) the class label of each particle (the y values when the source was given as (X, y))."""
        values = self._source.labels if self._source is not None else list(range(len(self._sizes)))
        return np.repeat(np.asarray(values), self._sizes)

    @property
    def loss_history(self):
        """(steps done,) F(x_k) before each step."""
        return self._flow.loss()[:, 1].copy()

    @property
    def metrics(self):
        """{name: (values,)} reported by the spec's callbacks so far."""
        return self.result().metrics

    def result(self):
        """A RunResult of the flow so far (final = the current state)."""
        table = self._flow.loss()
        return RunResult(self.state, self.labels, table[:, 1], table[:, 2], self._flow.metrics(), self.spec,
                         status="complete" if self.complete else "running")

    def save(self, run_dir):
        """Writes a new run directory: spec, loss.csv, metrics.csv, a checkpoint at this step and status.json
        (arrays given as source/target are saved there too). `wow run --resume DIR` or wowflow.resume(DIR) continues
        it with the same bits as an uninterrupted run; wowflow.read_run(DIR) reads it."""
        self._flow.save(os.fspath(run_dir))
        return os.fspath(run_dir)

    def __repr__(self):
        return f"<Flow {self.spec.get('name')}: step {self.step_count}/{self.steps}>"


def run(spec=None, source=None, target=None, out=None, threads=None, progress=True, force=False, **overrides):
    """Runs a flow to the end of its schedule and returns a RunResult.

    spec:      a dict or the path of a JSON spec (experiments/*.json); `wow describe spec` lists the keys
    source, target: arrays (C, n, d) or pairs (X (N, d), y (N,)) in place of the spec's dataset nodes
    out:       None: the run stays in memory (no files); a path: a run directory as `wow run` writes it (snapshots,
               checkpoints, loss.csv, pictures; given arrays saved as source.npy/target.npy so it resumes alone)
    threads:   worker threads (default: all cores); results are the same bits at any count
    progress:  True (a bar on a terminal, lines in a notebook), False, or an object with update(done, total, loss)
               and finish(text)
    force:     replace an existing run directory at `out` (only one wow wrote)
    overrides: spec keys, dots written as double underscores: seed=3, solver__params__steps=200

    Ctrl-C stops at the next step boundary with KeyboardInterrupt; a run with a directory keeps its checkpoint
    (wowflow.resume continues it).
    """
    s, t = _datasets(source, target)
    if out is not None:
        overrides = dict(overrides)
        overrides["output__dir"] = os.fspath(out)
    resolved = resolve(spec, overrides, s is not None, t is not None)
    label = resolved.get("name", "flow")
    if out is not None:
        bar = make_progress(progress, label)
        _core._run_to_dir(json.dumps(resolved), s.core() if s else None, t.core() if t else None, force, threads, bar)
        return read_run(os.fspath(out))
    flow = Flow._from_resolved(resolved, s, t, threads)
    flow.step(flow.steps - flow.step_count, progress=progress)
    return flow.result()


def resume(run_dir, steps=None, threads=None, progress=True):
    """Continues an interrupted run directory from its newest valid checkpoint (as `wow run --resume`); `steps`
    extends a complete run to a new total. Returns its RunResult."""
    bar = make_progress(progress, os.path.basename(os.path.normpath(os.fspath(run_dir))))
    _core._resume(os.fspath(run_dir), -1 if steps is None else int(steps), threads, bar)
    return read_run(os.fspath(run_dir))
