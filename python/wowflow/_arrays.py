"""NumPy arguments checked and shaped for the core: labeled datasets and point clouds.

A labeled dataset is either an array (C, n, d) -- C classes of n points in R^d -- or a pair (X, y) of features
(N, d) and integer labels (N,) for classes of unequal sizes. Values may be any real dtype (float32, float64,
integers); they are copied to C-contiguous float64 once (the flow itself runs in the spec's precision).
"""
import numpy as np

from ._core import InputError


def _numeric(values, name):
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as e:  # ragged nested lists and the like
        raise InputError(f"{name}: not an array of numbers ({e})") from None
    if array.dtype.kind not in "fiu":
        raise InputError(f"{name}: dtype {array.dtype} is not a real number type (give float32 or float64)")
    return array


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


class Dataset:
    """A labeled dataset as the core takes it: points (N, d) float64 in class blocks, class sizes, label values."""

    def __init__(self, points, sizes, labels):
        self.points = points
        self.sizes = sizes
        self.labels = labels  # the label value of each class (the y values of an (X, y) pair, else 0..C-1)

    def core(self):
        return (self.points, list(self.sizes), [str(v) for v in self.labels])

    def shaped(self, flat):
        """`flat` (N, d) as the user gave the dataset: (C, n, d) when all classes have one size, else (N, d)."""
        return by_class(flat, self.sizes)


def by_class(flat, sizes):
    """Rows (N, d) in class blocks of `sizes` as (C, n, d) when every class has n rows, else unchanged."""
    if len(set(sizes)) == 1:
        return flat.reshape(len(sizes), sizes[0], flat.shape[1])
    return flat


def as_dataset(value, name):
    """(C, n, d) array or (X, y) pair -> Dataset; raises InputError naming `name` and what is wrong."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and np.ndim(value[1]) == 1 and np.ndim(value[0]) == 2:
        x = _numeric(value[0], name + "[0] (X)")
        y = _numeric(value[1], name + "[1] (y)")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
                raise InputError(f"{name}[1] (y): labels must be integers")
            y = y.astype(np.int64)
        if y.shape[0] != x.shape[0]:
            raise InputError(f"{name}: X has {x.shape[0]} rows but y has {y.shape[0]} labels")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise InputError(f"{name}[0] (X): empty array of shape {_shape_text(x.shape)}")
        order = np.argsort(y, kind="stable")
        values, sizes = np.unique(y, return_counts=True)
        points = np.ascontiguousarray(x[order], dtype=np.float64)
        return Dataset(points, [int(s) for s in sizes], [int(v) for v in values])
    array = _numeric(value, name)
    if array.ndim != 3:
        raise InputError(
            f"{name}: expected an array (C, n, d) of C classes of n points, or a pair (X, y) of features (N, d) and "
            f"labels (N,), got an array of shape {_shape_text(array.shape)}")
    if 0 in array.shape:
        raise InputError(f"{name}: empty array of shape {_shape_text(array.shape)}")
    c, n, d = array.shape
    points = np.ascontiguousarray(array.reshape(c * n, d), dtype=np.float64)
    return Dataset(points, [n] * c, list(range(c)))


def as_points(value, name):
    """(n, d) point cloud (a (n,) array is n points on the line) -> C-contiguous float64."""
    array = _numeric(value, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputError(f"{name}: expected points (n, d), got an array of shape {_shape_text(array.shape)}")
    if 0 in array.shape:
        raise InputError(f"{name}: empty array of shape {_shape_text(array.shape)}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        i, k = np.argwhere(bad)[0]
        raise InputError(f"{name}: value at point {i}, coordinate {k} is {array[i, k]} (not finite)")
    return array


def as_weights(value, n, name):
    """None (uniform) or n non-negative finite weights with a positive sum (normalised by the core)."""
    if value is None:
        return None
    w = np.ascontiguousarray(_numeric(value, name), dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n:
        raise InputError(f"{name}: expected {n} weights (one per point), got shape {_shape_text(w.shape)}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError(f"{name}: weights must be finite, non-negative and not all zero")
    return w
