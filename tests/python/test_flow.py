"""wowflow.run / Flow / resume: the same bits as `wow run`, arrays in place of datasets, Ctrl-C and resuming."""
import _thread
import json
import os
import signal
import threading
import time

import numpy as np
import pytest
import wowflow
from conftest import SOURCE_DIR, rings_spec, wow, write_spec


def test_rings_in_memory_equals_wow_run_bit_for_bit(tmp_path):
    spec_file = os.path.join(SOURCE_DIR, "experiments", "rings.json")
    wow("run", spec_file, "--quiet", "--set", f"output.dir={tmp_path / 'cli'}")
    result = wowflow.run(spec_file, progress=False)
    expected = np.load(tmp_path / "cli" / "final.npy")
    assert result.final.dtype == np.float32 and result.final.shape == (3, 80, 2)
    assert np.array_equal(result.final, expected)
    assert result.run_dir is None and len(result.loss) == 501
    logged = np.loadtxt(tmp_path / "cli" / "loss.csv", delimiter=",", skiprows=1)[:, 1]
    np.testing.assert_allclose(result.loss, logged, rtol=1e-9)


def test_run_with_a_directory_equals_the_run_in_memory(tmp_path):
    spec = rings_spec()
    in_memory = wowflow.run(spec, progress=False)
    on_disk = wowflow.run(spec, out=tmp_path / "run", progress=False)
    assert on_disk.run_dir == str(tmp_path / "run") and on_disk.status == "complete"
    assert np.array_equal(in_memory.final, on_disk.final)
    assert (tmp_path / "run" / "loss.png").exists() and (tmp_path / "run" / "checkpoint").is_dir()
    with pytest.raises(wowflow.InputError, match=r"exists \(pass force=True to replace it") as raised:
        wowflow.run(spec, out=tmp_path / "run", progress=False)
    assert "--force" not in str(raised.value)
    again = wowflow.run(spec, out=tmp_path / "run", progress=False, force=True)
    assert np.array_equal(again.final, on_disk.final)


def test_overrides_by_keyword(tmp_path):
    spec = rings_spec()
    a = wowflow.run(spec, progress=False, seed=3, solver__params__steps=7)
    assert len(a.loss) == 7 and a.spec["seed"] == 3
    spec_file = write_spec(tmp_path, dict(spec, seed=3))
    wow("run", spec_file, "--quiet", "--set", "solver.params.steps=7", "--set", f"output.dir={tmp_path / 'cli'}")
    assert np.array_equal(a.final, np.load(tmp_path / "cli" / "final.npy"))


def test_arrays_in_place_of_datasets_resume_from_the_run_directory(tmp_path, blobs):
    source, target = blobs
    spec = rings_spec(steps=12)
    del spec["source"], spec["target"]
    memory = wowflow.run(spec, source=source, target=target, progress=False)
    assert memory.final.shape == (3, 30, 4)
    disk = wowflow.run(spec, source=source.astype(np.float32), target=target, out=tmp_path / "run", progress=False)
    # float32 input is exact in float64; the run directory holds the data and reruns on its own.
    saved = json.loads((tmp_path / "run" / "resolved_spec.json").read_text())
    assert saved["source"]["type"] == "npy" and os.path.exists(saved["source"]["params"]["path"])
    rerun_spec = write_spec(tmp_path, saved)
    wow("run", rerun_spec, "--quiet", "--set", f"output.dir={tmp_path / 'rerun'}")
    rerun = np.load(tmp_path / "rerun" / "final.npy")
    assert np.array_equal(rerun, disk.final)
    np.testing.assert_allclose(memory.final, disk.final, rtol=0, atol=1e-6)  # float32 input rounds the source
    # A run directory holding given arrays is wow's own: force replaces it.
    again = wowflow.run(spec, source=source, target=target, out=tmp_path / "run", force=True, progress=False)
    assert np.array_equal(again.final, memory.final)


def test_unequal_classes_as_x_y_pairs(blobs):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(50, 4)) * 0.1
    y = np.array([7] * 20 + [3] * 30)
    rng.shuffle(y)
    _, target = blobs
    spec = rings_spec(steps=5)
    del spec["source"], spec["target"]
    result = wowflow.run(spec, source=(x, y), target=target, progress=False)
    final, labels = result.final  # unequal classes: (X, y) back, in the given row order
    assert final.shape == (50, 4) and np.array_equal(labels, y) and np.array_equal(result.labels, y)
    assert result.classes == [3, 7]  # classes in ascending label order
    assert [g.shape[0] for g in result.grouped()] == [30, 20]
    flow = wowflow.Flow(spec, source=(x, y), target=target)
    flow.step(5)
    assert np.array_equal(flow.state[0], final)


def test_flow_stepping_equals_a_whole_run():
    spec = rings_spec(steps=30)
    whole = wowflow.run(spec, progress=False)
    flow = wowflow.Flow(spec)
    losses = flow.step(10)
    assert len(losses) == 10 and flow.step_count == 10 and not flow.complete
    state = flow.state
    state[:] = 0  # a copy: the flow is not changed through it
    flow.step(100)  # stops at the end of the schedule
    assert flow.complete and flow.step_count == 30
    assert np.array_equal(flow.state, whole.final)
    np.testing.assert_array_equal(flow.loss_history, whole.loss)
    with pytest.raises(wowflow.InputError, match="complete"):
        flow.step()


def test_a_run_directory_continues_in_memory(tmp_path):
    spec = rings_spec(steps=30)
    whole = wowflow.run(spec, progress=False)
    # A directory saved at step 12 (checkpoint there), continued by Flow.load: the same bits and history.
    flow = wowflow.Flow(spec)
    flow.step(12)
    flow.save(tmp_path / "half")
    loaded = wowflow.Flow.load(tmp_path / "half")
    assert loaded.step_count == 12 and not loaded.complete
    loaded.step(100)
    assert loaded.complete and np.array_equal(loaded.state, whole.final)
    np.testing.assert_allclose(loaded.loss_history, whole.loss, rtol=1e-9)
    assert not (tmp_path / "half" / "final.npy").exists()  # only read
    # A complete `wow run` directory: its final state, nothing left to step.
    wow("run", write_spec(tmp_path, spec), "--quiet", "--set", f"output.dir={tmp_path / 'cli'}")
    done = wowflow.Flow.load(tmp_path / "cli")
    assert done.complete and np.array_equal(done.state, np.load(tmp_path / "cli" / "final.npy"))
    with pytest.raises(wowflow.InputError, match="not a run directory"):
        wowflow.Flow.load(tmp_path)


def _interrupt_soon(delay, real_signal=False):
    def fire():
        if real_signal:
            os.kill(os.getpid(), signal.SIGINT)
        else:
            _thread.interrupt_main()

    timer = threading.Timer(delay, fire)
    timer.start()
    return timer


def test_an_interrupted_flow_resumes_with_the_same_bits(tmp_path):
    spec = rings_spec(steps=4000)
    spec["projections"]["params"]["count"] = 500
    flow = wowflow.Flow(spec)
    timer = _interrupt_soon(0.5)
    with pytest.raises(KeyboardInterrupt):
        flow.step(4000)
    timer.join()
    stopped = flow.step_count
    assert 0 < stopped < 4000
    # Saved where it stopped, continued by `wow run --resume`; and continued in memory: both end as a whole run.
    flow.save(tmp_path / "saved")
    assert json.loads((tmp_path / "saved" / "status.json").read_text())["status"] == "interrupted"
    flow.step(4000)
    whole = wowflow.run(spec, progress=False)
    assert np.array_equal(flow.state, whole.final)
    wow("run", "--resume", str(tmp_path / "saved"), "--quiet")
    assert np.array_equal(np.load(tmp_path / "saved" / "final.npy"), whole.final)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_during_a_run_keeps_its_checkpoint(tmp_path):
    spec = rings_spec(steps=4000)
    spec["projections"]["params"]["count"] = 500
    timer = _interrupt_soon(0.8, real_signal=True)
    with pytest.raises(KeyboardInterrupt):
        wowflow.run(spec, out=tmp_path / "run", progress=False)
    timer.join()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Python's handler is back
    status = json.loads((tmp_path / "run" / "status.json").read_text())
    assert status["status"] == "interrupted" and 0 < status["checkpoint_step"] < 4000
    resumed = wowflow.resume(tmp_path / "run", progress=False)
    assert resumed.status == "complete"
    assert np.array_equal(resumed.final, wowflow.run(spec, progress=False).final)


def test_progress_lines_outside_a_terminal():
    import io

    stream = io.StringIO()
    wowflow.run(rings_spec(steps=20), progress=wowflow.ProgressBar("rings", stream=stream))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("rings: step 1/20") and "loss" in lines[0]
    assert "step 20/20 (100%)" in lines[-2] and lines[-1].startswith("rings: complete in")


def test_callbacks_report_metrics_in_memory():
    spec = rings_spec(steps=20)
    spec["callbacks"] = [{"type": "sw_to_target", "params": {"every": 5}}]
    result = wowflow.run(spec, progress=False)
    assert "sw2_mean" in result.metrics
    assert list(result.metric_steps["sw2_mean"])[:2] == [0, 5]
    frame = result.frame()
    assert len(frame["loss"]) == 20


def test_the_gil_is_released_while_the_core_computes():
    # One long call into the core. Were the GIL held, this thread could run only before the call started or after
    # it ended (within one switch interval); released, it runs all along. Compared with the call's own duration.
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20000, 50)), rng.normal(size=(20000, 50))
    node = json.dumps({"type": "tbb", "params": {"count": 100}})
    wowflow.plugins()  # the plugins load on first use, with the GIL held: before the measured call
    entering, done = threading.Event(), threading.Event()
    call = {}

    def work():
        entering.set()
        call["start"] = time.monotonic()
        wowflow._core._sliced_wasserstein(x, y, None, None, None, 2.0, 0, node, 1)
        call["end"] = time.monotonic()
        done.set()

    worker = threading.Thread(target=work)
    worker.start()
    entering.wait()
    first = last = time.monotonic()
    while not done.is_set():
        last = time.monotonic()
    worker.join()
    assert last - first > 0.5 * (call["end"] - call["start"])
