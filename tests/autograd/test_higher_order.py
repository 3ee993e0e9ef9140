"""create_graph=True: gradients of gradients, checked against torch's double backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.autograd.higher_order import TracedArray


@pytest.mark.parametrize("f", [
    lambda lib, x: lib.tanh(x) * x,
    lambda lib, x: lib.exp(x).sum(0) * x[0],
    lambda lib, x: (x @ x.T).sin(),
    lambda lib, x: x[lib.tensor([0, 1, 1])] ** 3,
    lambda lib, x: lib.sqrt(x * x + 1.0) / (x + 3.0),
], ids=["tanh_mul", "sum_broadcast", "matmul_sin", "index_repeats", "sqrt_div"])
def test_second_derivative_matches_torch(f, second_order_matches_torch):
    second_order_matches_torch(f, [np.random.default_rng(0).standard_normal((2, 3))])


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


# -- the tables: each NumPy callable, on a TracedArray, gives NumPy's own value ---------------
def _traced(a):
    from minitorch.autograd.higher_order import traced

    return traced(mt.tensor(a, requires_grad=True))


def _value(r):
    return r.tensor.array if isinstance(r, TracedArray) else np.asarray(r)


@pytest.mark.parametrize("ufunc", sorted(
    __import__("minitorch.autograd.higher_order", fromlist=["UFUNCS"]).UFUNCS,
    key=lambda u: u.__name__), ids=lambda u: u.__name__)
def test_every_mapped_ufunc_gives_numpys_value(ufunc):
    rng = np.random.default_rng(0)
    a = rng.uniform(1.1, 2.0, (3, 4))  # inside every domain (arccosh needs > 1)
    b = rng.uniform(-0.9, 0.9, (3, 4))
    if ufunc.__name__ in ("arcsin", "arccos", "arctanh"):
        a = b
    args = (a,) if ufunc.nin == 1 else (a, b if ufunc.__name__ != "matmul" else b.T)
    want = ufunc(*args)
    got = ufunc(*[_traced(x) for x in args])
    assert isinstance(got, TracedArray) and got.tensor.requires_grad
    np.testing.assert_allclose(_value(got), want, rtol=1e-13, atol=1e-15)
    mixed = ufunc(args[0], *[_traced(x) for x in args[1:]]) if ufunc.nin == 2 else got
    np.testing.assert_allclose(_value(mixed), want, rtol=1e-13, atol=1e-15)


CALLS = [
    lambda np_, x: np_.sum(x, axis=1, keepdims=True),
    lambda np_, x: np_.sum(x),
    lambda np_, x: x.sum(axis=(0, 1)),
    lambda np_, x: np_.mean(x, axis=0),
    lambda np_, x: np_.broadcast_to(x[:1], (3, 4)),
    lambda np_, x: np_.moveaxis(x.reshape(3, 2, 2), 0, -1),
    lambda np_, x: np_.swapaxes(x, 0, 1),
    lambda np_, x: np_.transpose(x),
    lambda np_, x: np_.expand_dims(x, (0, 3)),
    lambda np_, x: np_.squeeze(x.reshape(1, 3, 4, 1), axis=(0, 3)),
    lambda np_, x: np_.where(x > 1.5, x, -x),
    lambda np_, x: np_.concatenate([x, x * 2], axis=1),
    lambda np_, x: np_.stack([x, x], axis=-1),
    lambda np_, x: np_.tril(x[:3, :3], -1) + np_.triu(x[:3, :3], 1),
    lambda np_, x: np_.diagonal(x, 1),
    lambda np_, x: np_.einsum("ij,kj->ik", x, x),
    lambda np_, x: np_.clip(x, 1.3, 1.7),
    lambda np_, x: np_.cumsum(x, axis=1),
    lambda np_, x: np_.flip(x, 0),
    lambda np_, x: np_.take_along_axis(x, np.array([[0, 3], [1, 1], [2, 0]]), 1),
    lambda np_, x: np_.outer(x[0], x[1]),
    lambda np_, x: np_.dot(x, x.T),
    lambda np_, x: np_.amax(x, axis=1, keepdims=True) + np_.amin(x),
    lambda np_, x: np_.linalg.inv(x[:3, :3]) @ np_.linalg.solve(x[:3, :3], x[:3, 0]),
    lambda np_, x: np_.linalg.det(x[:3, :3]) * np_.trace(x),
    lambda np_, x: x[1:, ::2].reshape(-1).astype(np.float32),
    lambda np_, x: x[np.array([2, 0, 2])].T,
]


@pytest.mark.parametrize("call", CALLS, ids=[f"call{i}" for i in range(len(CALLS))])
def test_mapped_functions_and_methods_give_numpys_value(call):
    a = np.random.default_rng(1).uniform(1.1, 2.0, (3, 4))
    want = call(np, a)
    got = call(np, _traced(a))
    assert isinstance(got, TracedArray)
    assert _value(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(_value(got), want, rtol=1e-12)


def test_an_unmapped_numpy_function_or_an_in_place_write_raises():
    x = _traced(np.ones((2, 3)))
    with pytest.raises(TypeError, match="numpy.kron"):
        np.kron(x, x)
    with pytest.raises(TypeError):
        np.add.at(np.zeros((2, 3)), (0, 1), x)
    with pytest.raises(TypeError, match="in place"):
        x[0] = 1.0
    a = np.zeros((2, 3))
    with pytest.raises(TypeError):
        a += x


def test_two_inputs_over_one_array_keep_their_own_roles():
    """g * g.detach(): both inputs hold the same array; only the first carries the graph."""
    results = []
    for lib in (mt, torch):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        out = x.exp().sum()
        for _ in range(3):
            (g,) = lib.autograd.grad(out, x, create_graph=True)
            out = (g * g.detach()).sum()
        results.append(g.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
