"""tqdm bars as progress, pickled flows that continue bit-identically, stubs and docstrings, short messages for bad
argument types, MemoryError before a call too large for memory, Ctrl-C inside a long sliced_wasserstein."""
import _thread
import inspect
import io
import os
import pickle
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import wowflow
from conftest import rings_spec


# ---- progress ----
class UpdateClose:
    """The tqdm protocol in miniature: update(n) adds n; close(); total settable."""

    def __init__(self, total=None, desc=None):
        self.n, self.total, self.desc, self.closed, self.postfix = 0, total, desc, 0, None

    def update(self, n=1):
        self.n += n

    def set_postfix(self, refresh=True, **kwargs):
        self.postfix = kwargs

    def refresh(self):
        pass

    def close(self):
        self.closed += 1


def test_any_update_close_object_is_a_progress_bar():
    bar = UpdateClose(total=None)
    wowflow.run(rings_spec(steps=12), progress=bar)
    assert bar.n == 12 and bar.total == 12 and bar.closed == 1 and "loss" in bar.postfix
    # One bar across several step() calls of a flow: it follows the step count and closes at the end.
    flow = wowflow.Flow(rings_spec(steps=10))
    bar = UpdateClose(total=10)
    flow.step(4, progress=bar)
    assert bar.n == 4 and bar.closed == 0
    flow.step(10, progress=bar)
    assert bar.n == 10 and bar.closed == 1
    # A class is called for a bar of its own, closed at the end of the call.
    made = []

    def factory(total=None, desc=None):
        made.append(UpdateClose(total, desc))
        return made[-1]

    wowflow.Flow(rings_spec(steps=10)).step(3, progress=factory)
    assert made[0].total == 10 and made[0].desc == "rings" and made[0].n == 3 and made[0].closed == 1
    with pytest.raises(TypeError, match="progress: True, False, a tqdm bar"):
        wowflow.Flow(rings_spec(steps=3)).step(1, progress=42)


def test_tqdm_itself():
    tqdm = pytest.importorskip("tqdm", reason="tqdm is not installed (Debian: python3-tqdm)")
    stream = io.StringIO()
    bar = tqdm.tqdm(total=15, file=stream)
    result = wowflow.run(rings_spec(steps=15), progress=bar)
    assert bar.n == 15 and len(result.loss) == 15
    assert "15/15" in stream.getvalue() and "loss=" in stream.getvalue()
    stream = io.StringIO()
    wowflow.Flow(rings_spec(steps=8)).step(8, progress=lambda total, desc: tqdm.tqdm(total=total, desc=desc,
                                                                                     file=stream))
    assert "rings" in stream.getvalue() and "8/8" in stream.getvalue()


def test_tqdm_with_a_run_directory(tmp_path):
    bar = UpdateClose()
    wowflow.run(rings_spec(steps=9), out=tmp_path / "run", progress=bar)
    assert bar.n == 9 and bar.closed == 1


# ---- pickling ----
@pytest.mark.parametrize("solver", ["momentum", "adam"])
def test_a_pickled_flow_continues_bit_identically(solver, blobs):
    source, target = blobs
    spec = rings_spec(steps=30)
    del spec["source"], spec["target"]
    spec["solver"] = {"type": solver, "params": {"step_size": 0.05, "steps": 30}}
    if solver == "momentum":
        spec["solver"]["params"]["momentum"] = 0.9  # a solver buffer that matters
    x = source.reshape(-1, 4)
    y = np.array(["a", "b", "c"])[np.repeat(np.arange(3), 30)]
    perm = np.random.default_rng(0).permutation(len(y))
    pair = (x[perm], y[perm])
    whole = wowflow.Flow(spec, source=pair, target=target)
    whole.step(30)
    flow = wowflow.Flow(spec, source=pair, target=target)
    flow.step(11)
    copy = pickle.loads(pickle.dumps(flow))
    assert copy.step_count == 11 and copy.classes == ["a", "b", "c"]
    np.testing.assert_array_equal(copy.loss_history, flow.loss_history)  # exactly, not through text
    assert np.array_equal(copy.state[0], flow.state[0]) and np.array_equal(copy.state[1], y[perm])
    copy.step(30)
    flow.step(30)
    assert copy.complete and np.array_equal(copy.state[0], whole.state[0])
    assert np.array_equal(flow.state[0], whole.state[0])
    np.testing.assert_array_equal(copy.loss_history, whole.loss_history)
    assert copy.matching == whole.matching
    # The unpickled flow stands alone: its own save() holds the data.
    again = pickle.loads(pickle.dumps(copy))
    assert again.complete and np.array_equal(again.state[0], whole.state[0])


def test_a_pickled_flow_continues_in_another_process(tmp_path):
    spec = rings_spec(steps=20)
    flow = wowflow.Flow(spec)
    flow.step(7)
    blob = tmp_path / "flow.pickle"
    blob.write_bytes(pickle.dumps(flow))
    script = ("import pickle, sys, numpy as np, wowflow\n"
              "f = pickle.loads(open(sys.argv[1], 'rb').read()); f.step(100)\n"
              "np.save(sys.argv[2], f.state)\n")
    subprocess.run([sys.executable, "-c", script, str(blob), str(tmp_path / "out.npy")], check=True,
                   env=dict(os.environ))
    whole = wowflow.run(spec, progress=False)
    assert np.array_equal(np.load(tmp_path / "out.npy"), whole.final)


# ---- stubs and docstrings ----
def test_stubs_and_py_typed_are_in_the_package():
    folder = os.path.dirname(wowflow.__file__)
    assert os.path.exists(os.path.join(folder, "py.typed"))
    stub = open(os.path.join(folder, "__init__.pyi"), encoding="utf-8").read()
    for name in wowflow.__all__:
        assert name in stub, name
    compile(stub, "__init__.pyi", "exec")
    compile(open(os.path.join(folder, "torch.pyi"), encoding="utf-8").read(), "torch.pyi", "exec")


def _public_callables():
    items = [wowflow.run, wowflow.resume, wowflow.sliced_wasserstein, wowflow.mmd, wowflow.plugins,
             wowflow.describe, wowflow.read_run, wowflow.read_sweep, wowflow.Flow, wowflow.Flow.load,
             wowflow.Flow.step, wowflow.Flow.save, wowflow.ProgressBar]
    try:
        import wowflow.torch as wt
        items += [wt.sliced_wasserstein, wt.mmd]
    except ImportError:
        pass
    return items


@pytest.mark.parametrize("function", _public_callables(), ids=lambda f: f.__qualname__)
def test_docstrings_list_every_parameter(function):
    doc = inspect.getdoc(function) or ""
    for name, param in inspect.signature(function).parameters.items():
        if name in ("self", "cls"):
            continue
        shown = name if param.kind != param.VAR_KEYWORD else name
        assert shown in doc, f"{function.__qualname__}: parameter {name} is not in the docstring"


# ---- bad argument types: short messages ----
X = np.random.default_rng(0).normal(size=(300, 40))


@pytest.mark.parametrize("call, error, match", [
    (lambda: wowflow.sliced_wasserstein(X, X, threads=-1), wowflow.InputError, "threads: must be at least 1"),
    (lambda: wowflow.sliced_wasserstein(X, X, threads="4"), TypeError, "threads: expected an integer or None"),
    (lambda: wowflow.sliced_wasserstein(X, X, projections="many"), TypeError, "projections: expected an integer"),
    (lambda: wowflow.sliced_wasserstein(X, X, projections=2.5), TypeError, "projections: expected an integer"),
    (lambda: wowflow.sliced_wasserstein(X, X, p="2"), TypeError, "p: expected a number"),
    (lambda: wowflow.sliced_wasserstein(X, X, seed=-3), wowflow.InputError, "seed: must be at least 0"),
    (lambda: wowflow.sliced_wasserstein(X, X, seed=2**70), wowflow.InputError, "seed: must be at most"),
    (lambda: wowflow.sliced_wasserstein(X, X, threads=2**40), wowflow.InputError, "threads: must be at most"),
    (lambda: wowflow.sliced_wasserstein(X, X, a="heavy"), wowflow.InputError, "a: dtype <U5 is not a real"),
    (lambda: wowflow.sliced_wasserstein(X, X, directions="up"), wowflow.InputError, "directions: dtype"),
    (lambda: wowflow.mmd(X[None], X[None], seed=2**64), wowflow.InputError, "seed: must be at most"),
    (lambda: wowflow.mmd(X[None], X[None], estimator="fast"), wowflow.InputError, "estimator"),
    (lambda: wowflow.sliced_wasserstein(X, X, kind=3), TypeError, "kind: expected one of"),
    (lambda: wowflow.mmd(X[None], X[None], threads=-1), wowflow.InputError, "threads: must be at least 1"),
    (lambda: wowflow.mmd(X[None], X[None], projections=None), TypeError, "projections: expected an integer"),
    (lambda: wowflow.mmd(X[None], X[None], kernel=5), TypeError, "kernel: expected a kernel type"),
    (lambda: wowflow.mmd(X[None], X[None], kernel_params=[1]), TypeError, "kernel_params: expected a dict"),
    (lambda: wowflow.Flow(rings_spec(steps=3), threads=-1), wowflow.InputError, "threads: must be at least 1"),
    (lambda: wowflow.Flow(rings_spec(steps=3)).step("5"), TypeError, "k: expected an integer"),
    (lambda: wowflow.run(rings_spec(steps=3), threads=1.5), TypeError, "threads: expected an integer"),
    (lambda: wowflow.resume("nowhere", steps="x"), TypeError, "steps: expected an integer"),
])
def test_bad_argument_types_give_a_short_message(call, error, match):
    with pytest.raises(error, match=match) as raised:
        call()
    assert len(str(raised.value)) < 200, str(raised.value)


# ---- memory ----
def test_mmd_too_large_for_memory_raises_memory_error_naming_projections():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 120, 5)), rng.normal(size=(2, 120, 5))
    with pytest.raises(MemoryError, match=r"projections \(1000000000\)") as raised:
        wowflow.mmd(x, y, projections=1_000_000_000)
    assert "lower projections" in str(raised.value)
    with pytest.raises(MemoryError, match="projections"):
        wowflow.sliced_wasserstein(x[0], y[0], projections=10**12)
    spec = rings_spec(steps=3)
    spec["projections"]["params"]["count"] = 10**9
    with pytest.raises(MemoryError, match="projections.params.count"):
        wowflow.Flow(spec)


def test_the_issues_call_under_a_memory_limit_raises_instead_of_being_killed():
    # wowflow.mmd(x, y, projections=2_000_000) on 240 points, in a process limited to 3 GiB of address space: the
    # check sees the limit (ulimit -v) and refuses before allocating.
    script = ("import resource, numpy as np, wowflow\n"
              "resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))\n"
              "rng = np.random.default_rng(0)\n"
              "x, y = rng.normal(size=(2, 120, 10)), rng.normal(size=(2, 120, 10))\n"
              "try:\n"
              "    wowflow.mmd(x, y, projections=2_000_000)\n"
              "except MemoryError as e:\n"
              "    print('MemoryError:', e)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("MemoryError: mmd needs about") and "projections (2000000)" in out.stdout


# ---- Ctrl-C inside one long call ----
def test_ctrl_c_stops_a_long_sliced_wasserstein():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(2000, 50)), rng.normal(size=(2000, 50))
    start = time.monotonic()
    wowflow.sliced_wasserstein(x, y, projections=200, threads=1)
    per_direction = (time.monotonic() - start) / 200
    count = int(20.0 / per_direction)  # a call of about 20 s
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        wowflow.sliced_wasserstein(x, y, projections=count, threads=1)
    timer.join()
    assert time.monotonic() - start < 5.0
    # Chunks change nothing: the same terms as one call per chunk would give, at any thread count.
    a = wowflow.sliced_wasserstein(x[:300], y[:300], projections=3000, return_terms=True)
    b = wowflow.sliced_wasserstein(x[:300], y[:300], projections=3000, threads=2, return_terms=True)
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    theta = a[2]
    c = wowflow.sliced_wasserstein(x[:300], y[:300], directions=theta[:1000], return_terms=True)
    assert np.array_equal(c[1], a[1][:1000])
