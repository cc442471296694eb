"""Sliced distances with the core's engine: SW_p between point clouds, 1/2 MMD^2 between labeled datasets."""
import json

import numpy as np

from . import _core
from ._arrays import as_dataset, as_points, as_weights, check_int, check_number, check_threads

DIRECTION_KINDS = ("gaussian", "orthogonal", "qmc")
ESTIMATORS = ("auto", "sorted", "quantile")


def _choice(value, name, choices):
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {', '.join(choices)}, got {type(value).__name__}")
    return value


def _sliced_core(x, y, projections, p, seed, directions, a, b, kind, threads, gradient):
    """Checked arguments -> the core's (terms, directions[, d sum(terms)/dx, d sum(terms)/dy]), x and y float64."""
    x = as_points(x, "x")
    y = as_points(y, "y")
    if x.shape[1] != y.shape[1]:
        raise _core.InputError(f"x has dimension {x.shape[1]} but y has {y.shape[1]}")
    p = check_number(p, "p")
    if not p >= 1:
        raise _core.InputError(f"p: the order must be at least 1, got {p}")
    seed = check_int(seed, "seed", minimum=0, maximum=2**64 - 1)
    threads = check_threads(threads)
    kind = _choice(kind, "kind", DIRECTION_KINDS)
    wa = as_weights(a, x.shape[0], "a")
    wb = as_weights(b, y.shape[0], "b")
    theta = None
    if directions is not None:
        theta = as_points(directions, "directions")
        if theta.shape[1] != x.shape[1]:
            raise _core.InputError(f"directions: expected shape (L, {x.shape[1]}), got {theta.shape}")
        projections = theta.shape[0]
    else:
        projections = check_int(projections, "projections", minimum=1)
    node = {"type": "tbb", "params": {"count": int(projections), "directions": kind}}
    return _core._sliced_wasserstein(x, y, wa, wb, theta, p, seed, json.dumps(node), threads, gradient)


def sliced_wasserstein(x, y, projections=500, p=2, seed=0, directions=None, a=None, b=None, kind="gaussian",
                       threads=None, return_terms=False):
    """The sliced Wasserstein distance between two weighted point clouds of R^d:

        SW_p(mu, nu) = ( (1/L) sum_l W_p^p(<theta_l, .> # mu, <theta_l, .> # nu) )^(1/p)

    in the units of x (a distance, not a squared one), as POT's ot.sliced_wasserstein_distance. Each 1-D W_p is
    exact for any sizes and weights; with equal sizes and uniform weights it is the engine's sorted estimator.

    x (n, d), y (m, d): the points (a (n,) array is n points on the line); any real dtype
    projections:  L random directions, drawn on the unit sphere by the engine's generator for `seed`
    p:            the order, >= 1
    seed:         the seed of the directions (a non-negative integer)
    directions:   your own (L, d) array instead of drawn directions, used as given (POT's `projections`
                  transposed); `projections` is then ignored
    a (n,), b (m,): non-negative weights (normalised; default uniform)
    kind:         how directions are drawn: "gaussian", "orthogonal" or "qmc" (as projections.params.directions)
    threads:      worker threads (default: all cores); the same bits at any count
    return_terms: also return W_p^p per direction (L,) and the directions (L, d)

    Ctrl-C is seen between blocks of directions (KeyboardInterrupt). A call whose directions would not fit in the
    memory left raises MemoryError naming `projections`. wowflow.torch.sliced_wasserstein is the same distance
    with gradients for PyTorch.
    """
    terms, used = _sliced_core(x, y, projections, p, seed, directions, a, b, kind, threads, False)
    value = float(np.mean(terms)) ** (1.0 / float(p))
    return (value, terms, used) if return_terms else value


def _kernel_node(kernel, kernel_params):
    if isinstance(kernel, dict):
        node = dict(kernel)
    elif isinstance(kernel, str):
        node = {"type": kernel}
    else:
        raise TypeError(f"kernel: expected a kernel type (str) or a node {{\"type\", \"params\"}}, got "
                        f"{type(kernel).__name__}")
    if kernel_params is not None:
        if not isinstance(kernel_params, dict):
            raise TypeError(f"kernel_params: expected a dict, got {type(kernel_params).__name__}")
        node["params"] = {**node.get("params", {}), **kernel_params}
    return node


def _mmd_core(xs, ys, kernel, kernel_params, projections, estimator, quantiles, directions, seed, threads, gradient):
    """Checked arguments and two Datasets -> the core's value (and gradients, by `gradient`: "", "velocity", "x",
    "xy"), in the datasets' class-block row order."""
    functional = {"type": "mmd", "params": {"kernel": _kernel_node(kernel, kernel_params)}}
    node = {"type": "tbb", "params": {"count": check_int(projections, "projections", minimum=1),
                                      "estimator": _choice(estimator, "estimator", ESTIMATORS),
                                      "quantiles": check_int(quantiles, "quantiles", minimum=2),
                                      "directions": _choice(directions, "directions", DIRECTION_KINDS)}}
    return _core._functional_value(json.dumps(functional), json.dumps(node), xs.points, list(xs.sizes), ys.points,
                                   list(ys.sizes), check_int(seed, "seed", minimum=0, maximum=2**64 - 1),
                                   check_threads(threads),
                                   gradient)


def mmd(X, Y, kernel="riesz_sw", kernel_params=None, projections=500, estimator="auto", quantiles=100,
        directions="gaussian", seed=0, threads=None, gradient=False):
    """1/2 MMD^2_K(P, Q) between two labeled datasets with a sliced-Wasserstein kernel between classes: the
    functional a flow minimises, the value its loss.csv logs at step 0 with the same spec and seed.

        F = 1/2 || (1/C) sum_c delta_{mu_c} - (1/M) sum_k delta_{nu_k} ||^2_K,   K(mu, nu) e.g. -SW_2(mu, nu)^r

    X, Y:          (C, n, d) arrays or (X (N, d), y (N,)) pairs, labels of any hashable kind
    kernel:        a type ("riesz_sw", "gaussian_sw", "laplace_sw", "imq_sw"; wowflow.plugins("kernel")) or a node
                   {"type", "params"}
    kernel_params: its params (e.g. {"r": 1} for riesz_sw, {"h": 0.5} for gaussian_sw)
    projections:   L directions per evaluation (projections.params.count)
    estimator:     "auto", "sorted" (equal class sizes) or "quantile" (projections.params.estimator)
    quantiles:     points of the quantile estimator's grid (projections.params.quantiles)
    directions:    how directions are drawn: "gaussian", "orthogonal" or "qmc"
    seed:          the seed of the directions (the spec's seed: the same value as a flow's first loss)
    threads:       worker threads (default: all cores); the same bits at any count
    gradient:      also return the WoW velocity (n_c / w_c) dF/dx at X, shaped like X's points ((C, n, d), or
                   (N, d) in X's row order for a pair; float32 when X is float32)

    A call too large for the memory left raises MemoryError naming `projections`. wowflow.torch.mmd is the same
    value with gradients for PyTorch.
    """
    xs = as_dataset(X, "X")
    ys = as_dataset(Y, "Y")
    out = _mmd_core(xs, ys, kernel, kernel_params, projections, estimator, quantiles, directions, seed, threads,
                    "velocity" if gradient else "")
    if not gradient:
        return out
    value, velocity = out
    velocity = velocity.astype(np.float32) if xs.dtype == np.float32 else velocity
    return value, (xs.user_rows(velocity) if xs.pair else xs.shaped(velocity))
