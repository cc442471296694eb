"""(X, y) in gives (X, y) out in the same row order; labels of any hashable kind kept as given; dtype follows the
input unless the spec sets a precision; flow.matching / result.matching name each flowed class's target label."""
import json

import numpy as np
import pytest
import wowflow
from conftest import rings_spec


def spec_without_datasets(steps=5, precision=None):
    spec = rings_spec(steps=steps)
    del spec["source"], spec["target"]
    if precision is None:
        del spec["precision"]
    else:
        spec["precision"] = precision
    return spec


def shuffled_pair(labels_per_class, sizes, dim=3, seed=0):
    """(X, y) with classes of the given sizes around distinct centres, rows shuffled; y as an object list."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for k, (label, n) in enumerate(zip(labels_per_class, sizes)):
        xs.append(rng.normal(size=(n, dim)) * 0.05 + k)
        ys += [label] * n
    x = np.concatenate(xs)
    perm = rng.permutation(len(ys))
    return x[perm], [ys[i] for i in perm]


def test_pair_comes_back_in_the_users_row_order(blobs):
    _, target = blobs
    x, y = shuffled_pair([7, 3, 11], [12, 20, 9], dim=4)
    y = np.asarray(y)
    spec = spec_without_datasets(steps=6, precision="float64")
    flow = wowflow.Flow(spec, source=(x, y), target=target)
    state = flow.state
    assert isinstance(state, tuple) and len(state) == 2
    xs, ys = state
    assert xs.shape == x.shape and np.array_equal(ys, y) and ys is not y
    assert np.array_equal(xs, x)  # step 0: exactly the input, row for row
    flow.step(6)
    xs, ys = flow.state
    # Each row moved from where it was: the flowed row i is nearest its own start among its class.
    grouped = flow.grouped()
    assert isinstance(grouped, list) and [g.shape[0] for g in grouped] == [20, 12, 9]  # classes 3, 7, 11
    assert flow.classes == [3, 7, 11]
    for c, label in enumerate(flow.classes):
        np.testing.assert_array_equal(np.sort(grouped[c], axis=0), np.sort(xs[y == label], axis=0))
    # The same rows as the core's grouped order, put back: scatter(X[:, 0], X[:, 1], c=y) is right.
    np.testing.assert_array_equal(flow.labels, y)
    result = wowflow.run(spec, source=(x, y), target=target, progress=False)
    assert np.array_equal(result.final[0], xs) and np.array_equal(result.final[1], y)
    assert [g.shape for g in result.grouped()] == [g.shape for g in grouped]


def test_pair_order_with_a_run_directory(tmp_path, blobs):
    _, target = blobs
    x, y = shuffled_pair(["b", "a"], [10, 14], dim=4, seed=2)
    spec = spec_without_datasets(steps=4, precision="float32")
    memory = wowflow.run(spec, source=(x, y), target=target, progress=False)
    disk = wowflow.run(spec, source=(x, y), target=target, out=tmp_path / "run", progress=False)
    assert np.array_equal(disk.final[0], memory.final[0]) and disk.final[1] == y
    assert disk.classes == ["a", "b"] and list(disk.labels) == y
    assert disk.matching == memory.matching


@pytest.mark.parametrize("kind", ["ints_with_gaps", "strings", "column", "categorical", "series", "tuples"])
def test_label_kinds_are_kept_as_given(kind, blobs):
    _, target = blobs
    x, base = shuffled_pair([0, 1, 2], [8, 8, 8], dim=4, seed=5)
    base = np.asarray(base)
    if kind == "ints_with_gaps":
        y, classes = base * 10 - 5, [-5, 5, 15]
    elif kind == "strings":
        names = np.array(["cat", "ant", "bee"])
        y, classes = names[base], ["ant", "bee", "cat"]
    elif kind == "column":
        y, classes = base.reshape(-1, 1), [0, 1, 2]
    elif kind == "tuples":
        y = np.empty(len(base), dtype=object)
        y[:] = [("t", int(v)) for v in base]
        classes = [("t", 0), ("t", 1), ("t", 2)]
    else:
        pd = pytest.importorskip("pandas")
        cats = pd.Categorical(np.array(["low", "mid", "high"])[base], categories=["low", "mid", "high", "unused"])
        y = cats if kind == "categorical" else pd.Series(cats)
        classes = ["low", "mid", "high"]  # category order; unused categories are no class
    spec = spec_without_datasets(steps=3, precision="float64")
    flow = wowflow.Flow(spec, source=(x, y), target=target)
    flow.step(3)
    xs, ys = flow.state
    assert flow.classes == classes
    assert type(ys) is type(y)
    if hasattr(y, "shape"):
        assert ys.shape == y.shape
    assert list(np.asarray(ys).reshape(-1)) == list(np.asarray(y).reshape(-1))
    assert list(flow.labels) == list(np.asarray(y).reshape(-1))
    assert set(flow.matching) == set(classes) and set(flow.matching.values()) <= {0, 1}
    # Labels as given also work for the target and in mmd; the velocity comes back in X's row order.
    value, velocity = wowflow.mmd((x, y), (x, y), projections=16, gradient=True)
    assert value == pytest.approx(0.0, abs=1e-12) and velocity.shape == x.shape


def test_bad_labels_say_what_is_wrong(blobs):
    _, target = blobs
    x = np.zeros((4, 4))
    spec = spec_without_datasets()
    with pytest.raises(wowflow.InputError, match=r"shape \(N,\) or \(N, 1\)"):
        wowflow.Flow(spec, source=(x, np.zeros((4, 2))), target=target)
    with pytest.raises(wowflow.InputError, match="NaN"):
        wowflow.Flow(spec, source=(x, np.array([1, None, float("nan"), 2], dtype=object)), target=target)
    with pytest.raises(wowflow.InputError, match="not hashable"):
        wowflow.Flow(spec, source=(x, [{"a": 1}, {"b": 2}, {"a": 1}, {"b": 2}]), target=target)


def test_mmd_velocity_of_a_pair_in_the_users_row_order(blobs):
    source, target = blobs
    rng = np.random.default_rng(3)
    x = source.reshape(-1, source.shape[-1])
    y = np.repeat([10, 20, 30], source.shape[1])
    perm = rng.permutation(len(y))
    _, v_grouped = wowflow.mmd(source, target, projections=32, gradient=True)
    value, v = wowflow.mmd((x[perm], y[perm]), target, projections=32, gradient=True)
    assert v.shape == (len(y), source.shape[-1])
    np.testing.assert_array_equal(v, v_grouped.reshape(-1, source.shape[-1])[perm])


@pytest.mark.parametrize("dtype, precision, expected", [
    (np.float64, None, np.float64), (np.float32, None, np.float32), (np.int64, None, np.float64),
    (np.float64, "float32", np.float32), (np.float32, "float64", np.float64)])
def test_dtype_follows_the_input_unless_the_spec_sets_a_precision(dtype, precision, expected, blobs):
    source, target = blobs
    spec = spec_without_datasets(steps=3, precision=precision)
    src = (source * 100).astype(dtype) if dtype == np.int64 else source.astype(dtype)
    tgt = target.astype(dtype) if dtype != np.int64 else (target * 100).astype(dtype)
    flow = wowflow.Flow(spec, source=src, target=tgt)
    assert flow.state.dtype == expected and flow.precision == np.dtype(expected).name
    flow.step(3)
    assert flow.state.dtype == expected
    assert wowflow.run(spec, source=src, target=tgt, progress=False).final.dtype == expected
    x, y = src.reshape(-1, src.shape[-1]), np.repeat(np.arange(3), src.shape[1])
    assert wowflow.Flow(spec, source=(x, y), target=tgt).state[0].dtype == expected


def test_float64_input_runs_in_float64_and_matches_float32_to_float32s_gap(blobs):
    source, target = blobs
    steps = 20
    spec = spec_without_datasets(steps=steps)
    s32, t32 = source.astype(np.float32), target.astype(np.float32)
    f32 = wowflow.run(spec, source=s32, target=t32, progress=False).final
    # The same (float32-rounded) data given as float64 runs in float64.
    f64 = wowflow.run(spec, source=s32.astype(np.float64), target=t32.astype(np.float64), progress=False).final
    assert f64.dtype == np.float64 and f32.dtype == np.float32
    gap = np.max(np.abs(f32.astype(np.float64) - f64))
    # float32's own gap to float64: not zero (each ran in its type), within a rounding per step at the data's scale.
    eps32 = np.finfo(np.float32).eps
    assert 0 < gap <= steps * eps32 * np.max(np.abs(f64))


def test_matching_equals_labels_json_of_the_same_run(tmp_path):
    spec = rings_spec(steps=30)
    spec["output"]["dir"] = str(tmp_path / "run")
    result = wowflow.run(spec, out=tmp_path / "run", progress=False)
    written = json.loads((tmp_path / "run" / "labels.json").read_text())["assignment"]
    assert result.matching == {c: k for c, k in enumerate(written)}
    flow = wowflow.Flow(spec)
    flow.step(30)
    assert flow.matching == result.matching
    memory = wowflow.run(spec, progress=False)
    assert memory.matching == result.matching


def test_matching_names_target_labels(blobs):
    rng = np.random.default_rng(4)
    # Source classes "p" near 0 and "q" near 5; target classes "far" near 5 and "near" near 0 in R^2.
    x = np.concatenate([rng.normal(size=(15, 2)) * 0.1, rng.normal(size=(15, 2)) * 0.1 + 5])
    y = np.array(["p"] * 15 + ["q"] * 15)
    tx = np.concatenate([rng.normal(size=(12, 2)) * 0.1 + 5, rng.normal(size=(12, 2)) * 0.1])
    ty = np.array(["far"] * 12 + ["near"] * 12)
    spec = spec_without_datasets(steps=1, precision="float64")
    flow = wowflow.Flow(spec, source=(x, y), target=(tx, ty))
    assert flow.target_classes == ["far", "near"]
    assert flow.matching == {"p": "near", "q": "far"}
    flow.step(1)
    assert flow.result().matching == {"p": "near", "q": "far"}
