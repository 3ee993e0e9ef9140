"""Double backward (create_graph=True) of reductions, softmax, cumulative ops and sorting,
against torch.

Each case differentiates <w, d<u, f(x)>/dx> once more, in float64, with u a tensor that
requires grad too (the probe in conftest.py): so both the second derivative in x and the
derivative of the first gradient in the output's gradient are compared with torch's own
double backward.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt

RNG = np.random.default_rng(11)
ANY = RNG.standard_normal((3, 4))
POS = RNG.uniform(0.3, 2.0, (3, 4))
CUBE = RNG.standard_normal((2, 3, 4))
TIES = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, 2.0, 2.0], [0.0, -1.0, 5.0, -1.0]])
# one zero in row 0, two in row 1, none in row 2: every branch of prod's and cumprod's adjoint
ZEROS = np.array([[1.5, 0.0, 3.0, 2.0], [0.0, 2.0, 0.0, 0.7], [1.1, -1.5, 0.8, 1.3]])
ONE_ZERO = np.array([[1.5, 0.0, 3.0, 2.0], [0.9, 2.0, -0.5, 0.7], [1.1, -1.5, 0.8, 1.3]])
CONST_ROW = np.vstack([np.full(4, 0.25), ANY[1:]])  # std's kink at 0 on row 0
ZERO_ROW = np.vstack([np.zeros(4), ANY[1:]])  # norm's kink at 0 on row 0


CASES = {
    "sum(dim)": (lambda L, x: (x * x).sum(1), ANY),
    "mean(dims)": (lambda L, x: (x * x).mean((0, 1), keepdim=True), ANY),
    "prod": (lambda L, x: x.prod(), ANY),
    "prod(dim)": (lambda L, x: x.prod(1), ANY),
    "prod(dim) with zeros": (lambda L, x: x.prod(1), ZEROS),
    "prod with one zero": (lambda L, x: x.prod(), ONE_ZERO),
    "prod with two zeros": (lambda L, x: x.prod(), ZEROS[:, :2]),
    "max": (lambda L, x: x.max() * x.sum(), ANY),
    "max(dim)": (lambda L, x: L.max(x * x, 1).values, ANY),
    "min(dim, keepdim)": (lambda L, x: (lambda m: m * m * m)(x.min(0, keepdim=True)[0]), CUBE),
    "amax(dims) with ties": (lambda L, x: (x * x).amax((0, 1)), TIES),
    "amin(dim) with ties": (lambda L, x: (x * x).amin(1), TIES),
    "aminmax": (lambda L, x: (lambda r: r[0] * r[1])(L.aminmax(x * x, dim=1)), ANY),
    "median": (lambda L, x: x.median() * x, ANY),
    "median(dim)": (lambda L, x: (x * x).median(1).values, ANY),
    "nanmedian(dim)": (lambda L, x: (x * x).nanmedian(0).values, ANY),
    "var(dim)": (lambda L, x: x.var(1), ANY),
    "var(correction=0)": (lambda L, x: L.var(x, correction=0), ANY),
    "std(dim)": (lambda L, x: x.std(1), ANY),
    "std": (lambda L, x: x.std(), CUBE),
    "var_mean": (lambda L, x: (lambda r: r[0] * r[1])(L.var_mean(x, 1)), ANY),
    "std_mean": (lambda L, x: (lambda r: r[0] * r[1])(L.std_mean(x, (0, 2))), CUBE),
    "logsumexp(dim)": (lambda L, x: x.logsumexp(1), ANY),
    "logsumexp(dims, keepdim)": (lambda L, x: x.logsumexp((0, 2), keepdim=True), CUBE),
    "softmax": (lambda L, x: x.softmax(1), ANY),
    "log_softmax": (lambda L, x: x.log_softmax(0), CUBE),
    "F.softmin": (lambda L, x: L.nn.functional.softmin(x, 1), ANY),
    "norm": (lambda L, x: x.norm(), ANY),
    "norm(p=1, dim)": (lambda L, x: x.norm(p=1, dim=1), ANY),
    "norm(p=3, dim)": (lambda L, x: x.norm(p=3, dim=1), ANY),
    "norm(p=0.5)": (lambda L, x: x.norm(p=0.5), POS),
    "norm(p=inf, dim)": (lambda L, x: (x * x).norm(p=float("inf"), dim=0), ANY),
    "norm(dim) at a zero slice": (lambda L, x: x.norm(dim=1), ZERO_ROW),
    "norm(p=3, dim) at a zero slice": (lambda L, x: x.norm(p=3, dim=1), ZERO_ROW),
    "dist": (lambda L, x: L.dist(x, x.flip(0) * 0.5, p=3), ANY),
    "cumsum": (lambda L, x: (x * x).cumsum(1), ANY),
    "cumprod": (lambda L, x: x.cumprod(1), ANY),
    "cumprod with zeros": (lambda L, x: x.cumprod(1), ZEROS),
    "cumprod(dim=0) with zeros": (lambda L, x: x.cumprod(0), ZEROS.T),
    "logcumsumexp": (lambda L, x: x.logcumsumexp(1), ANY),
    "cummax": (lambda L, x: (x * x).cummax(1).values, ANY),
    "nansum": (lambda L, x: L.nansum(x * x, 0), ANY),
    "nanmean": (lambda L, x: L.nanmean(x * x, 1), ANY),
    "sort": (lambda L, x: (x * x).sort(1).values, ANY),
    "topk": (lambda L, x: (x * x).topk(2, 1).values, ANY),
    "kthvalue": (lambda L, x: (x * x).kthvalue(2, 0).values, ANY),
    "msort": (lambda L, x: L.msort(x * x), CUBE),
    "masked_select": (lambda L, x: L.masked_select(x * x, x > 0), ANY),
}


@pytest.mark.parametrize("name", list(CASES))
def test_double_backward_matches_torch(name: str, second_order_matches_torch) -> None:
    f, x = CASES[name]
    second_order_matches_torch(f, [x], first=(1e-10, 1e-12), second=(1e-10, 1e-12))


def test_std_at_a_constant_slice_matches_torch(second_order_matches_torch) -> None:
    """std's kink at 0: torch takes the zero subgradient, and so zero second derivatives."""
    second_order_matches_torch(CASES["std(dim)"][0], [CONST_ROW], first=(1e-10, 1e-12),
                               second=(1e-10, 1e-12))


@pytest.mark.parametrize("op", ["softmax", "logsumexp", "cumprod", "cumprod with zeros"])
def test_third_derivative_matches_torch(op: str) -> None:
    """The recorded backward is itself recorded: a third derivative."""
    def third(lib):
        data = ZEROS if op == "cumprod with zeros" else ANY
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        y = {"softmax": lambda: x.softmax(1), "logsumexp": lambda: x.logsumexp(1),
             "cumprod": lambda: x.cumprod(1), "cumprod with zeros": lambda: x.cumprod(1)}[op]()
        out = (y * lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))).sum()
        for _ in range(3):
            (g,) = lib.autograd.grad(out, (x,), create_graph=True)
            out = (g * g + g).sum()
        return g.detach().numpy()

    np.testing.assert_allclose(third(mt), third(torch), rtol=1e-10, atol=1e-12)


def test_first_order_put_along_still_writes_in_place() -> None:
    """max(dim)'s first-order adjoint is a plain array with the gradient at the argmax only."""
    x = mt.tensor(TIES, requires_grad=True)
    x.max(1).values.sum().backward()
    want = torch.tensor(TIES, requires_grad=True)
    want.max(1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), want.grad.numpy())


def test_var_adjoint_with_an_infinite_first_element_matches_torch() -> None:
    """x - mean where the mean is +-inf: torch's +-inf and NaN, not NaN everywhere."""
    data = np.array([[-np.inf, -np.inf, 0.2], [np.inf, 1.0, -3.0], [1.0, np.inf, 2.0]])
    grads = []
    for lib in (mt, torch):
        x = lib.tensor(data, requires_grad=True)
        lib.var(x, 1, correction=2).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])
