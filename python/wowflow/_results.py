"""Results of a flow, in memory or read back from a run directory or a sweep directory (docs/python.md)."""
import csv
import json
import os

import numpy as np

from ._arrays import grouped_view

try:
    import pandas as _pd
except ImportError:  # pandas is optional: plain dicts of arrays then
    _pd = None


class RunResult:
    """Where a flow ended and how it got there.

    final:    the last state, as the source was given: (X, y) in the same row order for an (X, y) pair, (C, n, d)
              for an array; for the spec's own datasets (C, n, d) when every class has n points, else (N, d) with
              `labels`. None if the run is incomplete. In the run's precision (float32 or float64).
    labels:   (N,) the class label of each row of `final` (flattened to (N, d))
    classes:  the class labels in the core's class order (the order of `grouped()`)
    matching: {flowed class label: target class label}, labels.json's class matching (None when not computed)
    loss:     (steps,) F(x_k) = 1/2 MMD^2 (or the spec's functional) before step k, one value per step
    elapsed:  (steps,) seconds since the start of the run at each logged loss
    metrics:  {name: (values,)} what the spec's callbacks reported; metric_steps {name: (steps,)} when
    status:   "complete", "interrupted", "diverged", ... (run directories only; in-memory runs: "complete")
    spec:     the resolved spec (dict); run_dir: the run directory, or None for a run kept in memory
    """

    def __init__(self, final, labels, loss, elapsed, metric_rows, spec, run_dir=None, status="complete",
                 matching=None, classes=None, grouped=None):
        self.final = final
        self.labels = labels
        self.matching = matching
        self.classes = classes
        self._grouped = grouped
        self.loss = np.asarray(loss, dtype=np.float64)
        self.elapsed = np.asarray(elapsed, dtype=np.float64)
        self.metrics, self.metric_steps = {}, {}
        for step, name, value in metric_rows:
            self.metrics.setdefault(name, []).append(value)
            self.metric_steps.setdefault(name, []).append(step)
        self.metrics = {k: np.asarray(v, dtype=np.float64) for k, v in self.metrics.items()}
        self.metric_steps = {k: np.asarray(v, dtype=np.int64) for k, v in self.metric_steps.items()}
        self.spec = spec
        self.run_dir = run_dir
        self.status = status

    def grouped(self):
        """The final state by class, in the order of `classes`: (C, n, d) when every class has n points, else a
        list of C arrays (n_c, d). None if the run is incomplete."""
        if self._grouped is not None or self.final is None:
            return self._grouped
        final = self.final[0] if isinstance(self.final, tuple) else self.final
        if final.ndim == 3:
            return final
        return grouped_view(final[np.argsort(self.labels, kind="stable")], list(np.unique(self.labels,
                                                                                          return_counts=True)[1]))

    def frame(self):
        """Loss and metrics per step: a pandas DataFrame (columns step, loss, elapsed_s, then one per metric) when
        pandas is installed, else a dict of arrays."""
        table = {"step": np.arange(len(self.loss)), "loss": self.loss, "elapsed_s": self.elapsed}
        for name, values in self.metrics.items():
            column = np.full(len(self.loss) + 1, np.nan)
            column[self.metric_steps[name]] = values
            table[name] = column[: len(self.loss)]
        return _pd.DataFrame(table) if _pd is not None else table

    def __repr__(self):
        final = self.final[0] if isinstance(self.final, tuple) else self.final
        shape = None if final is None else final.shape
        last = f"{self.loss[-1]:.6g}" if len(self.loss) else "-"
        where = self.run_dir or "in memory"
        return f"<RunResult {self.status}: {len(self.loss)} steps, final loss {last}, final {shape}, {where}>"


def _read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _read_cloud(path):
    """A (C, n, d) or (N, d) .npy of a run directory with its labels: ((array), (N,) labels)."""
    array = np.load(path)
    if array.ndim == 3:
        return array, np.repeat(np.arange(array.shape[0]), array.shape[1])
    labels_path = path[: -len(".npy")] + "_labels.npy"
    labels = np.load(labels_path) if os.path.exists(labels_path) else np.zeros(array.shape[0], dtype=np.int64)
    return array, labels


def read_run(run_dir):
    """A run directory (wow run, wowflow.run(out=...), Flow.save) as a RunResult.

    run_dir: the directory (str or path). Classes are numbered 0..C-1 in the file order (the directory does not
    keep Python labels); `matching` comes from labels.json. wowflow.run(out=...) itself returns the result with the
    labels and row order of the arrays it was given."""
    run_dir = os.fspath(run_dir)
    from ._core import InputError

    if not os.path.exists(os.path.join(run_dir, "resolved_spec.json")):
        raise InputError(f"{run_dir}: not a run directory (no resolved_spec.json)")
    with open(os.path.join(run_dir, "resolved_spec.json"), encoding="utf-8") as f:
        spec = json.load(f)
    status = "unknown"
    if os.path.exists(os.path.join(run_dir, "status.json")):
        with open(os.path.join(run_dir, "status.json"), encoding="utf-8") as f:
            status = json.load(f).get("status", "unknown")
    rows = _read_csv(os.path.join(run_dir, "loss.csv"))
    loss = [float(r["loss"]) for r in rows]
    elapsed = [float(r["elapsed_s"]) for r in rows]
    metric_rows = [(int(r["step"]), r["name"], float(r["value"])) for r in _read_csv(os.path.join(run_dir, "metrics.csv"))]
    final, labels = None, None
    if os.path.exists(os.path.join(run_dir, "final.npy")):
        final, labels = _read_cloud(os.path.join(run_dir, "final.npy"))
    matching, classes = None, None
    if final is not None:
        classes = list(range(final.shape[0])) if final.ndim == 3 else np.unique(labels).tolist()
    labels_json = os.path.join(run_dir, "labels.json")
    if os.path.exists(labels_json):
        with open(labels_json, encoding="utf-8") as f:
            assignment = json.load(f).get("assignment")
        if assignment is not None:
            matching = {c: int(k) for c, k in enumerate(assignment)}
    return RunResult(final, labels, loss, elapsed, metric_rows, spec, run_dir=run_dir, status=status,
                     matching=matching, classes=classes)


def _number(text):
    try:
        return float(text)
    except ValueError:
        return text


def read_sweep(sweep_dir):
    """sweep.csv of a sweep directory (wow sweep): one row per point (swept values, seed, status, final_loss, the
    last value of each metric, steps, wall_s, run_dir). A pandas DataFrame when pandas is installed, else a dict of
    column arrays.

    sweep_dir: the sweep's output directory (str or path)."""
    sweep_dir = os.fspath(sweep_dir)
    from ._core import InputError

    path = os.path.join(sweep_dir, "sweep.csv")
    if not os.path.exists(path):
        raise InputError(f"{sweep_dir}: not a sweep directory with results (no sweep.csv; run wow sweep first)")
    if _pd is not None:
        return _pd.read_csv(path)
    rows = _read_csv(path)
    columns = {}
    for key in rows[0].keys() if rows else []:
        values = [_number(r[key]) for r in rows]
        numeric = all(isinstance(v, float) for v in values)
        columns[key] = np.asarray(values, dtype=np.float64 if numeric else object)
    return columns
