"""create_graph=True: gradients of gradients, checked against torch's double backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.autograd.higher_order import TracedArray


def _second(lib, f, a):
    """d/dx sum(w * d f(x)/dx) for a fixed w: one Hessian-vector product."""
    x = lib.tensor(a, requires_grad=True)
    (g,) = lib.autograd.grad(f(lib, x).sum(), x, create_graph=True)
    w = lib.tensor(np.linspace(-1.0, 1.0, a.size).reshape(a.shape))
    (h,) = lib.autograd.grad((g * w).sum(), x)
    return g.detach().numpy(), h.detach().numpy()


@pytest.mark.parametrize("f", [
    lambda lib, x: lib.tanh(x) * x,
    lambda lib, x: lib.exp(x).sum(0) * x[0],
    lambda lib, x: (x @ x.T).sin(),
    lambda lib, x: x[lib.tensor([0, 1, 1])] ** 3,
    lambda lib, x: lib.sqrt(x * x + 1.0) / (x + 3.0),
], ids=["tanh_mul", "sum_broadcast", "matmul_sin", "index_repeats", "sqrt_div"])
def test_second_derivative_matches_torch(f):
    a = np.random.default_rng(0).standard_normal((2, 3))
    g_m, h_m = _second(mt, f, a)
    g_t, h_t = _second(torch, f, a)
    np.testing.assert_allclose(g_m, g_t, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h_m, h_t, rtol=1e-10, atol=1e-12)


def test_third_order_of_a_polynomial_is_mathematics():
    x = mt.tensor([2.0], dtype=mt.float64, requires_grad=True)
    y = x ** 4  # y' = 4x^3, y'' = 12x^2, y''' = 24x
    (g1,) = mt.autograd.grad(y, x, create_graph=True)
    (g2,) = mt.autograd.grad(g1, x, create_graph=True)
    (g3,) = mt.autograd.grad(g2, x)
    assert (g1.item(), g2.item(), g3.item()) == (32.0, 48.0, 48.0)


def test_backward_create_graph_leaves_a_grad_with_a_graph():
    x = mt.tensor([1.0, 2.0], dtype=mt.float64, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):  # torch's warning, as torch
        (x ** 3).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None  # 3x^2, recorded
    (hx,) = mt.autograd.grad(x.grad.sum(), x)
    np.testing.assert_array_equal(hx.numpy(), [6.0, 12.0])  # 6x


def test_first_order_path_never_sees_a_traced_array(monkeypatch):
    seen = []
    monkeypatch.setattr(TracedArray, "__init__", lambda self, t: seen.append(t))
    x = mt.tensor([1.0, 2.0], requires_grad=True)
    (mt.tanh(x) * x).sum().backward()
    assert seen == []


def test_a_backward_that_escapes_the_graph_raises():
    class Leaky(mt.autograd.function.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return np.asarray(grad) * 2  # would silently detach the recorded gradient

    x = mt.tensor([1.0], dtype=mt.float64, requires_grad=True)
    y = Leaky.apply(x * x)
    with pytest.raises(TypeError, match="cut the graph"):
        mt.autograd.grad((y * y).sum(), x, create_graph=True)  # grad reaching Leaky: 2y


def test_an_untraceable_saved_array_is_refused_by_name():
    class SavesDerived(mt.autograd.function.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x * 3.0)  # computed from x: not x, not the output
            return x * 3.0 + 1.0

        @staticmethod
        def backward(ctx, grad):
            (d,) = ctx.saved
            return grad * d / d * 3.0

    x = mt.tensor([1.0], dtype=mt.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="SavesDerivedBackward0"):
        mt.autograd.grad(SavesDerived.apply(x * x).sum(), x, create_graph=True)


def test_retain_graph_defaults_to_create_graph():
    x = mt.tensor([1.5], dtype=mt.float64, requires_grad=True)
    y = mt.exp(x)
    mt.autograd.grad(y, x, create_graph=True)
    (g,) = mt.autograd.grad(y, x)  # the graph is still there
    assert g.item() == pytest.approx(np.exp(1.5))
