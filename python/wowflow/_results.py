"""Results of a flow, in memory or read back from a run directory or a sweep directory (docs/python.md)."""
import csv
import json
import os

import numpy as np

try:
    import pandas as _pd
except ImportError:  # pandas is optional: plain dicts of arrays then
    _pd = None


class RunResult:
    """Where a flow ended and how it got there.

    final:    the last state: (C, n, d) when every class has n points, else (N, d) (None if the run is incomplete)
    labels:   (N,) the class label of each row of `final` (flattened to (N, d))
    loss:     (steps,) F(x_k) = 1/2 MMD^2 (or the spec's functional) before step k, one value per step
    elapsed:  (steps,) seconds since the start of the run at each logged loss
    metrics:  {name: (values,)} what the spec's callbacks reported; metric_steps {name: (steps,)} when
    status:   "complete", "interrupted", "diverged", ... (run directories only; in-memory runs: "complete")
    spec:     the resolved spec (dict); run_dir: the run directory, or None for a run kept in memory
    """

    def __init__(self, final, labels, loss, elapsed, metric_rows, spec, run_dir=None, status="complete"):
        self.final = final
        self.labels = labels
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
        shape = None if self.final is None else self.final.shape
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
    """A run directory (wow run, wowflow.run(out=...), Flow.save) as a RunResult."""
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
    return RunResult(final, labels, loss, elapsed, metric_rows, spec, run_dir=run_dir, status=status)


def _number(text):
    try:
        return float(text)
    except ValueError:
        return text


def read_sweep(sweep_dir):
    """sweep.csv of a sweep directory (wow sweep): one row per point (swept values, seed, status, final_loss, the
    last value of each metric, steps, wall_s, run_dir). A pandas DataFrame when pandas is installed, else a dict of
    column arrays."""
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
