"""Shared fixtures of the wowflow tests (run by ctest as python.pytest: PYTHONPATH=build/python, WOW_BIN=build/wow,
WOW_SOURCE_DIR=the repository)."""
import json
import os
import subprocess

import numpy as np
import pytest

SOURCE_DIR = os.environ.get("WOW_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
WOW_BIN = os.environ.get("WOW_BIN", os.path.join(SOURCE_DIR, "build", "wow"))


def rings_spec(steps=40, **changes):
    """experiments/rings.json, shortened: the flow of Figure 1 in a fraction of a second."""
    with open(os.path.join(SOURCE_DIR, "experiments", "rings.json"), encoding="utf-8") as f:
        spec = json.load(f)
    spec["solver"]["params"]["steps"] = steps
    spec["projections"]["params"]["count"] = 64
    spec["output"].update({"snapshot_every": 10, "checkpoint_every": 10})
    for key, value in changes.items():
        spec[key] = value
    return spec


def wow(*args, check=True):
    """Runs the wow binary; returns the CompletedProcess (text)."""
    result = subprocess.run([WOW_BIN, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"wow {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def write_spec(tmp_path, spec, name="spec.json"):
    path = tmp_path / name
    path.write_text(json.dumps(spec))
    return str(path)


@pytest.fixture
def blobs():
    """Two labeled datasets as arrays: 3 source classes of 30 points, 2 target classes of 25 points, in R^4."""
    rng = np.random.default_rng(7)
    source = rng.normal(size=(3, 30, 4)) * 0.1
    target = rng.normal(size=(2, 25, 4)) * 0.2 + np.array([1.0, 0, 0, 0])
    return source, target
