"""Sliced distances with the core's engine: SW_p between point clouds, 1/2 MMD^2 between labeled datasets."""
import json
import os

import numpy as np

from . import _core
from ._arrays import as_dataset, as_points, as_weights


def _threads(threads):
    return 0 if threads is None else int(threads)


def sliced_wasserstein(x, y, projections=500, p=2, seed=0, directions=None, a=None, b=None, kind="gaussian",
                       threads=None, return_terms=False):
    """The sliced Wasserstein distance between two weighted point clouds of R^d:

        SW_p(mu, nu) = ( (1/L) sum_l W_p^p(<theta_l, .> # mu, <theta_l, .> # nu) )^(1/p)

    in the units of x (a distance, not a squared one), as POT's ot.sliced_wasserstein_distance. Each 1-D W_p is
    exact for any sizes and weights; with equal sizes and uniform weights it is the engine's sorted estimator.

    x (n, d), y (m, d): the points; a (n,), b (m,): non-negative weights (normalised; default uniform)
    projections: L random directions, drawn on the unit sphere by the engine's generator for `seed` (`kind`:
                 "gaussian", "orthogonal" or "qmc", as projections.params.directions); directions: your own (L, d)
                 array instead, used as given (POT's `projections` transposed)
    p: the order, >= 1.  return_terms: also return (W_p^p per direction (L,), the directions (L, d)).
    """
    x = as_points(x, "x")
    y = as_points(y, "y")
    if x.shape[1] != y.shape[1]:
        raise _core.InputError(f"x has dimension {x.shape[1]} but y has {y.shape[1]}")
    if not p >= 1:
        raise _core.InputError(f"p: the order must be at least 1, got {p}")
    wa = as_weights(a, x.shape[0], "a")
    wb = as_weights(b, y.shape[0], "b")
    theta = None
    if directions is not None:
        theta = as_points(directions, "directions")
        if theta.shape[1] != x.shape[1]:
            raise _core.InputError(f"directions: expected shape (L, {x.shape[1]}), got {theta.shape}")
        projections = theta.shape[0]
    elif int(projections) < 1:
        raise _core.InputError(f"projections: at least 1 direction, got {projections}")
    node = {"type": "tbb", "params": {"count": int(projections), "directions": kind}}
    terms, used = _core._sliced_wasserstein(x, y, wa, wb, theta, float(p), int(seed), json.dumps(node),
                                            _threads(threads))
    value = float(np.mean(terms)) ** (1.0 / p)
    return (value, terms, used) if return_terms else value


def _kernel_node(kernel, kernel_params):
    if isinstance(kernel, dict):
        node = dict(kernel)
    else:
        node = {"type": str(kernel)}
    if kernel_params:
        node["params"] = {**node.get("params", {}), **kernel_params}
    return node


def mmd(X, Y, kernel="riesz_sw", kernel_params=None, projections=500, estimator="auto", quantiles=100,
        directions="gaussian", seed=0, threads=None, gradient=False):
    """1/2 MMD^2_K(P, Q) between two labeled datasets with a sliced-Wasserstein kernel between classes: the
    functional a flow minimises, the value its loss.csv logs at step 0 with the same spec and seed.

        F = 1/2 || (1/C) sum_c delta_{mu_c} - (1/M) sum_k delta_{nu_k} ||^2_K,   K(mu, nu) e.g. -SW_2(mu, nu)^r

    X, Y: (C, n, d) arrays or (X (N, d), y (N,)) pairs; kernel: a type ("riesz_sw", "gaussian_sw", "laplace_sw",
    "imq_sw"; wowflow.plugins("kernel")) or a node {"type", "params"}; kernel_params: its params (e.g. {"r": 1}).
    projections / estimator / quantiles / directions: the engine's projections.params. gradient=True also returns
    the WoW velocity (n_c / w_c) dF/dx at X (shaped like X's points).
    """
    xs = as_dataset(X, "X")
    ys = as_dataset(Y, "Y")
    functional = {"type": "mmd", "params": {"kernel": _kernel_node(kernel, kernel_params)}}
    node = {"type": "tbb", "params": {"count": int(projections), "estimator": estimator, "quantiles": int(quantiles),
                                      "directions": directions}}
    out = _core._functional_value(json.dumps(functional), json.dumps(node), xs.points, list(xs.sizes), ys.points,
                                  list(ys.sizes), int(seed), _threads(threads), bool(gradient))
    if not gradient:
        return out
    value, velocity = out
    return value, xs.shaped(velocity)
