"""NumPy arguments checked and shaped for the core: labeled datasets, point clouds, weights and plain numbers.

A labeled dataset is either an array (C, n, d) -- C classes of n points in R^d -- or a pair (X, y) of features
(N, d) and labels (N,) or (N, 1) of any hashable kind (integers with gaps, strings, a pandas Categorical or Series)
for classes of unequal sizes. Values may be any real dtype (float32, float64, integers); the core reads them as
C-contiguous float64 (without a copy when they already are). Results come back as the dataset was given: (C, n, d)
for an array, (X, y) in the same row order for a pair.
"""
import numbers

import numpy as np

from ._core import InputError


def _numeric(values, name):
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as e:  # ragged nested lists and the like
        raise InputError(f"{name}: not an array of numbers ({_short(e)})") from None
    if array.dtype.kind not in "fiu":
        raise InputError(f"{name}: dtype {array.dtype} is not a real number type (give float32 or float64)")
    return array


def _short(error, limit=120):
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def _shape_text(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_int(value, name, minimum=None, allow_none=False, maximum=2**63 - 1):
    """An integer argument (bool refused): TypeError for another type, InputError outside [minimum, maximum];
    short messages."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        kind = "an integer or None" if allow_none else "an integer"
        raise TypeError(f"{name}: expected {kind}, got {type(value).__name__} {_value_text(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise InputError(f"{name}: must be at least {minimum}, got {value}")
    if value > maximum:
        raise InputError(f"{name}: must be at most {maximum}, got {value}")
    return value


def check_number(value, name, minimum=None):
    """A real number argument: TypeError for another type, InputError when not finite or below `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name}: expected a number, got {type(value).__name__} {_value_text(value)}")
    value = float(value)
    if not np.isfinite(value) or (minimum is not None and value < minimum):
        raise InputError(f"{name}: must be a finite number{f' at least {minimum}' if minimum is not None else ''}, "
                         f"got {value}")
    return value


def check_threads(threads):
    """None (all cores) or a positive number of worker threads, as the core takes it (0 = all cores)."""
    threads = check_int(threads, "threads", minimum=1, allow_none=True, maximum=65536)
    return 0 if threads is None else threads


def _value_text(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def output_dtype(precision):
    return np.float64 if precision == "float64" else np.float32


class Labels:
    """The labels of an (X, y) pair: the class values (in class order), each row's class index, and y as given."""

    def __init__(self, values, codes, given):
        self.values = values  # one label per class: sorted when the labels sort, else in order of first appearance
        self.codes = codes  # (N,) int64: the class index of each row
        self.given = given  # the user's y (a copy), handed back in every (X, y) output


def _copy_as_given(y):
    copy = getattr(y, "copy", None)
    if callable(copy):
        return copy()
    return list(y) if isinstance(y, (list, tuple)) else y


def as_labels(y, rows, name):
    """y (N,) or (N, 1) of any hashable kind -> Labels; InputError naming `name` and what is wrong."""
    categories = None
    cat = getattr(y, "cat", None)  # a pandas Series of dtype category
    if cat is not None and hasattr(cat, "categories"):
        categories, codes = list(cat.categories), np.asarray(cat.codes, dtype=np.int64)
    elif hasattr(y, "categories") and hasattr(y, "codes"):  # a pandas Categorical
        categories, codes = list(y.categories), np.asarray(y.codes, dtype=np.int64)
    if categories is not None:
        if codes.ndim != 1 or codes.shape[0] != rows:
            raise InputError(f"{name}: X has {rows} rows but y has {codes.shape[0]} labels")
        if np.any(codes < 0):
            raise InputError(f"{name}[1] (y): label of row {int(np.argmax(codes < 0))} is missing (NaN category)")
        present = np.unique(codes)  # categories without rows are no class
        remap = np.full(len(categories), -1, dtype=np.int64)
        remap[present] = np.arange(len(present))
        return Labels([categories[c] for c in present], remap[codes], _copy_as_given(y))
    try:
        array = np.asarray(y)
    except (ValueError, TypeError) as e:
        raise InputError(f"{name}[1] (y): not an array of labels ({_short(e)})") from None
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise InputError(f"{name}[1] (y): expected labels of shape (N,) or (N, 1), got shape "
                         f"{_shape_text(array.shape)}")
    if array.shape[0] != rows:
        raise InputError(f"{name}: X has {rows} rows but y has {array.shape[0]} labels")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise InputError(f"{name}[1] (y): float labels must be whole numbers (give integers or strings)")
    if array.dtype.kind == "c":
        raise InputError(f"{name}[1] (y): complex labels are not supported")
    if array.dtype.kind in "biufUSM":
        values, codes = np.unique(array, return_inverse=True)
        return Labels(values.tolist(), codes.reshape(-1).astype(np.int64), _copy_as_given(y))
    # Objects: any hashable values, sorted when they sort, else in order of first appearance.
    index = {}
    codes = np.empty(rows, dtype=np.int64)
    for i, v in enumerate(array.tolist()):
        try:
            codes[i] = index.setdefault(v, len(index))
        except TypeError:
            raise InputError(f"{name}[1] (y): label of row {i} ({type(v).__name__}) is not hashable") from None
        if v != v:  # NaN
            raise InputError(f"{name}[1] (y): label of row {i} is NaN")
    values = list(index)
    try:
        order = sorted(range(len(values)), key=lambda k: values[k])
    except TypeError:
        order = list(range(len(values)))
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return Labels([values[k] for k in order], rank[codes], _copy_as_given(y))


class Dataset:
    """A labeled dataset as the core takes it (points (N, d) float64 in class blocks, class sizes) and how the user
    gave it, to hand results back the same way."""

    def __init__(self, points, sizes, classes, order=None, labels=None, dtype=np.float64):
        self.points = points
        self.sizes = sizes
        self.classes = classes  # the label value of each class (the y values of an (X, y) pair, else 0..C-1)
        self.order = order  # (N,) pairs only: the user's row of each grouped row
        self.labels = labels  # Labels of an (X, y) pair, else None
        self.dtype = dtype  # the dtype of the features as given

    @property
    def pair(self):
        return self.labels is not None

    def core(self):
        return (self.points, list(self.sizes), [str(v) for v in self.classes])

    def user_rows(self, flat):
        """Grouped rows (N, ...) back in the user's row order."""
        if self.order is None:
            return flat
        out = np.empty_like(flat)
        out[self.order] = flat
        return out

    def grouped_rows(self, flat):
        """The user's rows (N, ...) in class blocks (the core's order)."""
        return flat if self.order is None else flat[self.order]

    def shaped(self, flat):
        """Grouped rows (N, d) as the user gave the dataset: (X, y) for a pair, else (C, n, d)."""
        if self.pair:
            return self.user_rows(flat), _copy_as_given(self.labels.given)
        return by_class(flat, self.sizes)

    def row_labels(self):
        """(N,) the class label of each row, in the user's order (a NumPy array)."""
        if self.pair:
            values = np.asarray(self.labels.given)
            return values.reshape(-1) if values.ndim == 2 else values
        return np.repeat(np.arange(len(self.sizes)), self.sizes)


def by_class(flat, sizes):
    """Rows (N, d) in class blocks of `sizes` as (C, n, d) when every class has n rows, else unchanged."""
    if len(set(sizes)) == 1:
        return flat.reshape(len(sizes), sizes[0], flat.shape[1])
    return flat


def grouped_view(flat, sizes):
    """Rows (N, d) in class blocks: (C, n, d) when every class has n rows, else a list of C arrays (n_c, d)."""
    if len(set(sizes)) == 1:
        return flat.reshape(len(sizes), sizes[0], flat.shape[1])
    bounds = np.cumsum([0] + list(sizes))
    return [flat[bounds[c]:bounds[c + 1]] for c in range(len(sizes))]


def _is_pair(value):
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        return False
    if np.ndim(value[0]) != 2:
        return False
    y_dims = np.ndim(value[1]) if not hasattr(value[1], "cat") else 1
    return y_dims == 1 or (isinstance(value, tuple) and y_dims == 2)


def _float64(array):
    """C-contiguous float64, without a copy when the array already is."""
    return np.ascontiguousarray(array, dtype=np.float64)


def as_dataset(value, name):
    """(C, n, d) array or (X, y) pair -> Dataset; raises InputError naming `name` and what is wrong."""
    if _is_pair(value):
        x = _numeric(value[0], name + "[0] (X)")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise InputError(f"{name}[0] (X): empty array of shape {_shape_text(x.shape)}")
        labels = as_labels(value[1], x.shape[0], name)
        order = np.argsort(labels.codes, kind="stable")
        sizes = np.bincount(labels.codes, minlength=len(labels.values))
        points = _float64(x[order])
        return Dataset(points, [int(s) for s in sizes], labels.values, order, labels, x.dtype)
    array = _numeric(value, name)
    if array.ndim != 3:
        raise InputError(
            f"{name}: expected an array (C, n, d) of C classes of n points, or a pair (X, y) of features (N, d) and "
            f"labels (N,), got an array of shape {_shape_text(array.shape)}")
    if 0 in array.shape:
        raise InputError(f"{name}: empty array of shape {_shape_text(array.shape)}")
    c, n, d = array.shape
    points = _float64(array.reshape(c * n, d))
    return Dataset(points, [n] * c, list(range(c)), dtype=array.dtype)


def as_points(value, name):
    """(n, d) point cloud (a (n,) array is n points on the line) -> C-contiguous float64 (no copy if it is)."""
    array = _numeric(value, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputError(f"{name}: expected points (n, d), got an array of shape {_shape_text(array.shape)}")
    if 0 in array.shape:
        raise InputError(f"{name}: empty array of shape {_shape_text(array.shape)}")
    array = _float64(array)
    bad = ~np.isfinite(array)
    if bad.any():
        i, k = np.argwhere(bad)[0]
        raise InputError(f"{name}: value at point {i}, coordinate {k} is {array[i, k]} (not finite)")
    return array


def as_weights(value, n, name):
    """None (uniform) or n non-negative finite weights with a positive sum (normalised by the core)."""
    if value is None:
        return None
    w = _float64(_numeric(value, name))
    if w.ndim != 1 or w.shape[0] != n:
        raise InputError(f"{name}: expected {n} weights (one per point), got shape {_shape_text(w.shape)}")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise InputError(f"{name}: weights must be finite, non-negative and not all zero")
    return w
