"""WoWFlow from Python: Wasserstein-over-Wasserstein gradient flows of labeled datasets, with the C++ core.

A labeled dataset is a distribution over distributions: each class is a point cloud in R^d. A flow moves the
particles of a source dataset along the WoW gradient of a functional (1/2 MMD^2 with a sliced-Wasserstein kernel
between classes, by default) towards a target dataset.

    import numpy as np, wowflow
    result = wowflow.run("experiments/rings.json")                 # in memory; out="runs/x" writes a run dir
    result = wowflow.run({"solver": {...}}, source=X, target=Y)    # arrays (C, n, d) or (X, y) pairs
    flow = wowflow.Flow(spec, source=X, target=Y); flow.step(100); flow.state
    wowflow.sliced_wasserstein(x, y, projections=500), wowflow.mmd(X, Y, kernel="riesz_sw")
    wowflow.plugins(), wowflow.describe("riesz_sw"), wowflow.read_run(dir), wowflow.read_sweep(dir)
    import wowflow.torch; wowflow.torch.sliced_wasserstein(model(z), target)   # losses for PyTorch, with gradients

An (X, y) pair comes back as (X, y) in the same row order (flow.state, result.final), labels of any hashable kind
as given; flow.grouped() is the view by class, flow.matching the class -> target label matching.

Bad input raises wowflow.InputError (a ValueError) with the message `wow` prints; a flow whose values stop being
finite raises wowflow.DivergedError (a FloatingPointError); a call too large for the memory left MemoryError.
docs/python.md walks through it.
"""
from ._core import DivergedError, InputError
from ._core import plugin_api as plugin_api_version
from ._core import version as __version__
from ._distances import mmd, sliced_wasserstein
from ._flow import Flow, resume, run
from ._plugins import describe, plugins
from ._progress import ProgressBar
from ._results import RunResult, read_run, read_sweep

__all__ = ["run", "resume", "Flow", "RunResult", "sliced_wasserstein", "mmd", "plugins", "describe", "read_run",
           "read_sweep", "ProgressBar", "InputError", "DivergedError", "plugin_api_version"]
