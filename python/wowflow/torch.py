"""wowflow.torch: the engine's sliced distances as differentiable PyTorch functions (CPU tensors).

    import torch, wowflow.torch as wt
    loss = wt.sliced_wasserstein(model(z), target, projections=200)      # SW_2, a 0-d tensor
    loss = wt.mmd(generated, target, kernel="gaussian_sw", kernel_params={"h": 0.5})
    loss.backward()

Values and gradients come from the engine's closed forms (the monotone 1-D coupling for SW, the flow's velocity for
MMD), computed in float64 and returned in the dtype of the input; no autograd graph is built through the engine
(the functions are once differentiable). float64 C-contiguous tensors are read in place (no copy); other dtypes and
layouts are copied once. Tensors on another device (CUDA) are refused: move them with .cpu().

Needs PyTorch (Debian: python3-torch).
"""
try:
    import torch
except ImportError as e:  # pragma: no cover - depends on the machine
    raise ImportError("wowflow.torch needs PyTorch, which is not installed (Debian: apt install python3-torch)") from e

import numpy as np

from . import _core
from ._arrays import as_dataset
from ._distances import _mmd_core, _sliced_core

__all__ = ["sliced_wasserstein", "mmd"]


def _float64(tensor, name):
    """A CPU tensor (or array-like) as a float64 NumPy array: the tensor's own memory when it is float64 and
    C-contiguous (zero-copy), else one copy."""
    if not isinstance(tensor, torch.Tensor):
        return np.asarray(tensor)
    if tensor.device.type != "cpu":
        raise TypeError(f"{name}: wowflow.torch works on CPU tensors, got one on {tensor.device} (use .cpu())")
    if tensor.is_complex() or not (tensor.is_floating_point() or tensor.dtype in (torch.int32, torch.int64)):
        raise _core.InputError(f"{name}: dtype {tensor.dtype} is not a real number type (give float32 or float64)")
    t = tensor.detach()
    if t.dtype != torch.float64 or not t.is_contiguous():
        t = t.to(torch.float64).contiguous()
    return t.numpy()


def _result_dtype(*tensors):
    for t in tensors:
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            return t.dtype
    return torch.float64


def _gradient_like(array, like, dtype):
    """A gradient (NumPy, float64) as a tensor of the shape of `like`, in its dtype when it is a float tensor."""
    out = torch.from_numpy(np.ascontiguousarray(array)).reshape(tuple(np.shape(like)))
    is_float = isinstance(like, torch.Tensor) and like.is_floating_point()
    return out.to(like.dtype if is_float else dtype)


def _no_grad_needed(value, name):
    if isinstance(value, torch.Tensor) and value.requires_grad:
        raise _core.InputError(f"{name}: wowflow.torch gives no gradient with respect to {name}; pass it detached")


class _SlicedWassersteinFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y, options):
        xn, yn = _float64(x, "x"), _float64(y, "y")
        gradient = bool(ctx.needs_input_grad[0] or ctx.needs_input_grad[1])
        out = _sliced_core(xn, yn, gradient=gradient, **options)
        terms = out[0]
        p = float(options["p"])
        value = float(np.mean(terms)) ** (1.0 / p)
        dtype = _result_dtype(x, y)
        if gradient:
            # d SW / d sum_l term_l = SW^(1 - p) / (p L); 0 where SW = 0 (a subgradient).
            scale = 0.0 if value == 0.0 else value ** (1.0 - p) / (p * len(terms))
            ctx.grads = (_gradient_like(out[2] * scale, x, dtype), _gradient_like(out[3] * scale, y, dtype))
        return torch.tensor(value, dtype=dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_value):
        gx, gy = ctx.grads
        return ((grad_value * gx) if ctx.needs_input_grad[0] else None,
                (grad_value * gy) if ctx.needs_input_grad[1] else None, None)


def sliced_wasserstein(x, y, projections=500, p=2, seed=0, directions=None, a=None, b=None, kind="gaussian",
                       threads=None):
    """SW_p between two weighted point clouds, as wowflow.sliced_wasserstein, differentiable in x and y.

    x (n, d), y (m, d): CPU tensors (either may be a NumPy array or not require grad)
    projections:  L random directions drawn on the unit sphere by the engine's generator for `seed`
    p:            the order, >= 1
    seed:         the seed of the directions (fixed directions: the same function at every call)
    directions:   your own (L, d) directions (tensor or array) instead; `projections` is then ignored
    a (n,), b (m,): non-negative weights (normalised; default uniform); no gradient flows to them
    kind:         "gaussian", "orthogonal" or "qmc"
    threads:      worker threads (default: all cores)

    Returns a 0-d tensor in the dtype of x. The gradient of W_p^p on each direction is the closed form of the
    monotone coupling (each piece of mass w between u and v adds w p |u - v|^(p-1) sign(u - v) to u), pulled back
    along the direction; at SW = 0 the gradient is 0.
    """
    for value, name in ((a, "a"), (b, "b"), (directions, "directions")):
        _no_grad_needed(value, name)
    options = {"projections": projections, "p": p, "seed": seed, "kind": kind, "threads": threads,
               "directions": None if directions is None else _float64(directions, "directions"),
               "a": None if a is None else _float64(a, "a"), "b": None if b is None else _float64(b, "b")}
    return _SlicedWassersteinFunction.apply(x, y, options)


def _dataset_parts(value, name):
    """(points tensor, labels or None) of a dataset given as a tensor (C, n, d) or a pair (X, y)."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and not isinstance(value[0], (int, float)):
        points, labels = value
        if isinstance(labels, torch.Tensor):
            labels = labels.detach().cpu().numpy()
        if not isinstance(points, torch.Tensor):
            points = torch.as_tensor(np.asarray(points))
        return points, labels
    if not isinstance(value, torch.Tensor):
        value = torch.as_tensor(np.asarray(value))
    return value, None


class _MMDFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y, x_labels, y_labels, options):
        xn, yn = _float64(x, "X"), _float64(y, "Y")
        xs = as_dataset(xn if x_labels is None else (xn, x_labels), "X")
        ys = as_dataset(yn if y_labels is None else (yn, y_labels), "Y")
        mode = "xy" if ctx.needs_input_grad[1] else ("x" if ctx.needs_input_grad[0] else "")
        out = _mmd_core(xs, ys, gradient=mode, **options)
        dtype = _result_dtype(x, y)
        if not mode:
            return torch.tensor(out, dtype=dtype)

        def back(grad, dataset, like):
            return _gradient_like(dataset.user_rows(grad) if dataset.pair else grad, like, dtype)

        ctx.grads = (back(out[1], xs, x), back(out[2], ys, y) if mode == "xy" else None)
        return torch.tensor(out[0], dtype=dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_value):
        gx, gy = ctx.grads
        return ((grad_value * gx) if ctx.needs_input_grad[0] else None,
                (grad_value * gy) if ctx.needs_input_grad[1] and gy is not None else None, None, None, None)


def mmd(X, Y, kernel="riesz_sw", kernel_params=None, projections=500, estimator="auto", quantiles=100,
        directions="gaussian", seed=0, threads=None):
    """1/2 MMD^2 between two labeled datasets, as wowflow.mmd, differentiable in the points of X and Y.

    X, Y:          CPU tensors (C, n, d), or pairs (points (N, d) tensor, labels (N,): a tensor, array or list of
                   any hashable kind)
    kernel:        "riesz_sw", "gaussian_sw", "laplace_sw", "imq_sw" (or a node {"type", "params"})
    kernel_params: its params, e.g. {"r": 1} (riesz_sw), {"h": 0.5} (gaussian_sw, laplace_sw, imq_sw)
    projections:   L directions (projections.params.count)
    estimator:     "auto", "sorted" (equal class sizes) or "quantile"
    quantiles:     points of the quantile estimator's grid
    directions:    "gaussian", "orthogonal" or "qmc"
    seed:          the seed of the directions (fixed: the same function at every call)
    threads:       worker threads (default: all cores)

    Returns a 0-d tensor in the dtype of X. dF/dX is the engine's WoW velocity divided by n_c / w_c; dF/dY is the
    same for F(Y, X) (F is symmetric in its datasets), computed only when Y requires a gradient.
    """
    x, x_labels = _dataset_parts(X, "X")
    y, y_labels = _dataset_parts(Y, "Y")
    options = {"kernel": kernel, "kernel_params": kernel_params, "projections": projections, "estimator": estimator,
               "quantiles": quantiles, "directions": directions, "seed": seed, "threads": threads}
    return _MMDFunction.apply(x, y, x_labels, y_labels, options)
