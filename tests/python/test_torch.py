"""wowflow.torch: sliced_wasserstein and mmd as autograd functions on CPU tensors (gradcheck in float64, a torch
model's gradient against finite differences, the values of the NumPy functions, zero-copy)."""
import numpy as np
import pytest
import wowflow

torch = pytest.importorskip("torch", reason="PyTorch is not installed (Debian: python3-torch); wowflow.torch untested")
import wowflow.torch as wt  # noqa: E402

KERNELS = [("riesz_sw", {"r": 1}), ("gaussian_sw", {"h": 0.5}), ("laplace_sw", {"h": 0.5}), ("imq_sw", {"h": 0.5})]


def rand(*shape, seed=0, scale=1.0, shift=0.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale + shift)


@pytest.mark.parametrize("n, m, p, weighted", [(12, 12, 2, False), (10, 17, 2, False), (9, 13, 2, True),
                                               (11, 11, 1, False), (8, 14, 3, True)])
def test_sliced_wasserstein_gradcheck(n, m, p, weighted):
    x = rand(n, 3, seed=1).requires_grad_()
    y = rand(m, 3, seed=2, scale=1.5, shift=0.4).requires_grad_()
    a = torch.rand(n, dtype=torch.float64) + 0.1 if weighted else None
    b = torch.rand(m, dtype=torch.float64) + 0.1 if weighted else None
    f = lambda x, y: wt.sliced_wasserstein(x, y, projections=40, p=p, seed=3, a=a, b=b)  # noqa: E731
    assert torch.autograd.gradcheck(f, (x, y), eps=1e-6, atol=1e-6, rtol=1e-4)
    # The value is wowflow.sliced_wasserstein's, to the bit.
    expected = wowflow.sliced_wasserstein(x.detach().numpy(), y.detach().numpy(), projections=40, p=p, seed=3,
                                          a=None if a is None else a.numpy(), b=None if b is None else b.numpy())
    assert f(x, y).item() == expected


@pytest.mark.parametrize("kernel, params", KERNELS)
def test_mmd_gradcheck_for_each_kernel(kernel, params):
    x = rand(2, 6, 3, seed=4).requires_grad_()
    y = rand(3, 6, 3, seed=5, scale=0.8, shift=0.5).requires_grad_()
    f = lambda x, y: wt.mmd(x, y, kernel=kernel, kernel_params=params, projections=30, seed=1)  # noqa: E731
    assert torch.autograd.gradcheck(f, (x, y), eps=1e-6, atol=1e-6, rtol=1e-4)
    value = wowflow.mmd(x.detach().numpy(), y.detach().numpy(), kernel=kernel, kernel_params=params, projections=30,
                        seed=1)
    assert f(x, y).item() == value


def test_mmd_gradcheck_unequal_classes_as_pairs():
    # Classes of unequal sizes (the quantile estimator), rows shuffled, labels given as a tensor and as strings.
    x = rand(17, 2, seed=6).requires_grad_()
    labels = torch.tensor([0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1])
    y = rand(14, 2, seed=7, shift=1.0).requires_grad_()
    y_labels = ["u", "v"] * 7
    f = lambda x, y: wt.mmd((x, labels), (y, y_labels), projections=25, seed=2)  # noqa: E731
    assert torch.autograd.gradcheck(f, (x, y), eps=1e-6, atol=1e-6, rtol=1e-4)
    # dF/dX is the engine's velocity rescaled by w_c / n_c, in the user's row order.
    _, velocity = wowflow.mmd((x.detach().numpy(), labels.numpy()), (y.detach().numpy(), y_labels), projections=25,
                              seed=2, gradient=True)
    x.grad = None
    f(x, y).backward()
    sizes = np.bincount(labels.numpy())
    scale = (1.0 / len(sizes)) / sizes[labels.numpy()]
    np.testing.assert_allclose(x.grad.numpy(), velocity * scale[:, None], rtol=1e-12, atol=1e-15)


def test_a_torch_model_trained_with_it_matches_finite_differences():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    z = rand(64, 3, seed=8)
    target = rand(80, 2, seed=9, scale=0.5, shift=2.0)
    loss_of = lambda: wt.sliced_wasserstein(model(z), target, projections=64, seed=4)  # noqa: E731
    # The gradient of every parameter against central differences of the loss.
    model.zero_grad()
    loss_of().backward()
    h = 1e-6
    with torch.no_grad():
        for param in model.parameters():
            flat, grad = param.view(-1), param.grad.view(-1)
            for i in range(0, flat.numel(), max(1, flat.numel() // 6)):
                keep = flat[i].item()
                flat[i] = keep + h
                up = loss_of().item()
                flat[i] = keep - h
                down = loss_of().item()
                flat[i] = keep
                assert grad[i].item() == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-7)
    # A few steps of plain SGD move the generated cloud towards the target.
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = loss_of()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


def test_mmd_trains_a_model_too():
    torch.manual_seed(1)
    shift = torch.zeros(2, 1, 2, dtype=torch.float64, requires_grad=True)
    base = rand(2, 10, 2, seed=10, scale=0.1)
    target = rand(2, 10, 2, seed=11, scale=0.1, shift=1.0)
    optimizer = torch.optim.SGD([shift], lr=2.0)
    losses = []
    for _ in range(10):
        optimizer.zero_grad()
        loss = wt.mmd(base + shift, target, kernel="gaussian_sw", kernel_params={"h": 1.0}, projections=32)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_dtypes_zero_copy_and_refusals():
    x32 = rand(20, 3, seed=12).float().requires_grad_()
    y = rand(25, 3, seed=13)
    value = wt.sliced_wasserstein(x32, y, projections=30)
    assert value.dtype == torch.float32
    value.backward()
    assert x32.grad.dtype == torch.float32 and x32.grad.shape == x32.shape
    # float32 in: the value is the float64 computation on float32's exact values, rounded once to float32.
    exact = wowflow.sliced_wasserstein(x32.detach().double().numpy(), y.numpy(), projections=30)
    assert value.item() == pytest.approx(exact, rel=np.finfo(np.float32).eps)
    # float64 C-contiguous tensors are read in place; other layouts are copied once.
    from wowflow.torch import _float64
    t = rand(5, 4, seed=14)
    assert np.shares_memory(_float64(t, "t"), t.numpy())
    assert not np.shares_memory(_float64(t.t(), "t"), t.numpy())
    # ... and handed to the core as they are (the binding reads float64 C-contiguous arrays in place).
    from wowflow._arrays import as_dataset, as_points
    cube = rand(2, 5, 3, seed=15)
    assert np.shares_memory(as_dataset(_float64(cube, "X"), "X").points, cube.numpy())
    assert np.shares_memory(as_points(_float64(t, "x"), "x"), t.numpy())
    with pytest.raises(wowflow.InputError, match="no gradient with respect to a"):
        wt.sliced_wasserstein(y, y, a=torch.ones(25, dtype=torch.float64, requires_grad=True))
    with pytest.raises(wowflow.InputError, match="not a real number type"):
        wt.sliced_wasserstein(torch.zeros(3, 2, dtype=torch.complex64), y[:, :2])
    # No gradient asked: no gradient computed, a plain value.
    with torch.no_grad():
        assert wt.mmd(rand(2, 5, 3), rand(2, 5, 3, seed=1), projections=8).requires_grad is False
