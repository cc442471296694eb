"""read_run, read_sweep, plugins and describe."""
import json

import numpy as np
import pytest
import wowflow
from conftest import rings_spec, wow, write_spec


def test_read_run_of_a_wow_run(tmp_path):
    spec = rings_spec(steps=20)
    spec["callbacks"] = [{"type": "sw_to_target", "params": {"every": 10}}]
    wow("run", write_spec(tmp_path, spec), "--quiet", "--set", f"output.dir={tmp_path / 'run'}")
    result = wowflow.read_run(tmp_path / "run")
    assert result.status == "complete" and result.final.shape == (3, 80, 2)
    assert np.array_equal(result.final, np.load(tmp_path / "run" / "final.npy"))
    assert len(result.loss) == 20 and list(result.metric_steps["sw2_mean"]) == [0, 10, 20]
    assert list(result.labels[:80]) == [0] * 80
    assert "complete" in repr(result)
    with pytest.raises(wowflow.InputError, match="not a run directory"):
        wowflow.read_run(tmp_path)


def test_read_sweep(tmp_path):
    spec = rings_spec(steps=5)
    spec["output"]["dir"] = str(tmp_path / "sweep")
    spec["sweep"] = {"grid": {"solver.params.momentum": [0.0, 0.5]}, "seeds": [0, 1]}
    wow("sweep", write_spec(tmp_path, spec), "--quiet", "--jobs", "1", "--out", str(tmp_path / "sweep"))
    table = wowflow.read_sweep(tmp_path / "sweep")
    assert len(table["status"]) == 4 and set(table["status"]) == {"complete"}
    assert sorted(set(table["solver.params.momentum"])) == [0.0, 0.5]
    with pytest.raises(wowflow.InputError, match="not a sweep directory"):
        wowflow.read_sweep(tmp_path)


def test_plugins_and_describe():
    kernels = {p["type"] for p in wowflow.plugins("kernel")}
    assert {"riesz_sw", "gaussian_sw", "laplace_sw", "imq_sw"} <= kernels
    riesz = wowflow.describe("riesz_sw")
    assert riesz["kind"] == "kernel" and any(p["name"] == "r" for p in riesz["params"])
    assert any(p["name"] == "seed" for p in wowflow.describe("spec")["spec"])
    with pytest.raises(wowflow.InputError, match="unknown type"):
        wowflow.describe("nope")
    with pytest.raises(wowflow.InputError, match="unknown kind"):
        wowflow.plugins("kernels")
    assert wowflow.__version__ and wowflow.plugin_api_version >= 2
