"""sliced_wasserstein against POT with the same projections; mmd against the loss a flow logs."""
import numpy as np
import pytest
import wowflow
from conftest import rings_spec

ot = pytest.importorskip("ot")  # Debian python3-pot


def unit_directions(count, dim, seed):
    theta = np.random.default_rng(seed).normal(size=(count, dim))
    return theta / np.linalg.norm(theta, axis=1, keepdims=True)


@pytest.mark.parametrize("n, m, weighted, p", [(60, 60, False, 2), (40, 75, False, 2), (33, 57, True, 2),
                                               (50, 50, True, 1), (20, 31, True, 3)])
def test_sliced_wasserstein_equals_pot(n, m, weighted, p):
    rng = np.random.default_rng(n * m)
    x = rng.normal(size=(n, 5))
    y = rng.normal(size=(m, 5)) * 1.5 + 0.3
    a = rng.random(n) if weighted else None
    b = rng.random(m) if weighted else None
    theta = unit_directions(64, 5, 1)
    ours = wowflow.sliced_wasserstein(x, y, directions=theta, a=a, b=b, p=p)
    # POT 0.8 divides by n_projections even when projections are given: pass both.
    pot = ot.sliced_wasserstein_distance(x, y, a=None if a is None else a / a.sum(), b=None if b is None else b / b.sum(),
                                         n_projections=64, projections=theta.T, p=p)
    assert ours == pytest.approx(pot, rel=1e-6)


def test_sliced_wasserstein_directions_by_seed():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(100, 8)), rng.normal(size=(90, 8)) + 1
    a = wowflow.sliced_wasserstein(x, y, projections=200, seed=5)
    assert a == wowflow.sliced_wasserstein(x, y, projections=200, seed=5, threads=1)
    assert a != wowflow.sliced_wasserstein(x, y, projections=200, seed=6)
    value, terms, theta = wowflow.sliced_wasserstein(x, y, projections=200, seed=5, return_terms=True)
    assert value == a and terms.shape == (200,) and theta.shape == (200, 8)
    np.testing.assert_allclose(np.linalg.norm(theta, axis=1), 1.0, rtol=1e-12)
    pot = ot.sliced_wasserstein_distance(x, y, n_projections=200, projections=theta.T)
    assert a == pytest.approx(pot, rel=1e-6)
    # The true SW_2 between these clouds is about 1 (a shift of 1 along each of 8 axes, sliced): the estimate is near.
    assert 0.7 < a < 1.3
    for kind in ("orthogonal", "qmc"):
        assert wowflow.sliced_wasserstein(x, y, projections=200, kind=kind) == pytest.approx(a, rel=0.15)


def test_sliced_wasserstein_bad_input():
    x = np.zeros((5, 3))
    with pytest.raises(wowflow.InputError, match="x has dimension 3 but y has 2"):
        wowflow.sliced_wasserstein(x, np.zeros((4, 2)))
    with pytest.raises(wowflow.InputError, match=r"a: expected 5 weights"):
        wowflow.sliced_wasserstein(x, x, a=np.ones(4))
    with pytest.raises(wowflow.InputError, match=r"b: weights must be finite, non-negative"):
        wowflow.sliced_wasserstein(x, x, b=-np.ones(5))
    with pytest.raises(wowflow.InputError, match=r"directions: expected shape \(L, 3\)"):
        wowflow.sliced_wasserstein(x, x, directions=np.ones((4, 2)))
    with pytest.raises(wowflow.InputError, match=r"y: value at point 1, coordinate 2 is nan"):
        y = x.copy()
        y[1, 2] = np.nan
        wowflow.sliced_wasserstein(x, y)
    with pytest.raises(wowflow.InputError, match=r"projections.params.directions"):
        wowflow.sliced_wasserstein(x, x, kind="sobol")


def test_mmd_is_the_loss_a_flow_logs_first(blobs):
    source, target = blobs
    spec = rings_spec(steps=1)
    spec["precision"] = "float64"
    spec["solver"] = {"type": "forward_euler", "params": {"step_size": 0.5, "steps": 1}}
    del spec["source"], spec["target"]
    flow = wowflow.Flow(spec, source=source, target=target)
    loss = flow.step(1)[0]
    value, velocity = wowflow.mmd(source, target, kernel="riesz_sw", kernel_params={"r": 1}, projections=64,
                                  seed=spec["seed"], gradient=True)
    assert value == pytest.approx(loss, rel=1e-12)
    assert velocity.shape == source.shape
    # Forward Euler: x_1 = x_0 - tau * v(x_0).
    np.testing.assert_allclose(flow.state, source - 0.5 * velocity, rtol=1e-12, atol=1e-14)
    assert wowflow.mmd(source, source, projections=64) == pytest.approx(0.0, abs=1e-12)
    assert wowflow.mmd(source, target, kernel={"type": "gaussian_sw", "params": {"h": 0.5}}) > 0
    with pytest.raises(wowflow.InputError, match="no_such_kernel"):
        wowflow.mmd(source, target, kernel="no_such_kernel")
