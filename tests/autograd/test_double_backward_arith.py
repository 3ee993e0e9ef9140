"""Double backward (create_graph=True) of arithmetic and elementwise ops, against torch.

Each case differentiates <w, d<u, f(inputs)>/d inputs> once more, in float64 (the probe in
conftest.py), and compares both the first gradients and the second with torch's own double
backward.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import minitorch as mt

RNG = np.random.default_rng(7)
POS = RNG.uniform(0.3, 2.0, (3, 4))  # where log, sqrt and negative powers are defined
ANY = RNG.standard_normal((3, 4))
ROW = RNG.standard_normal(4)
COL = RNG.uniform(0.3, 2.0, (3, 1))


CASES = {
    "pow(tensor, tensor)": (lambda L, x, y: L.pow(x, y), [POS, ROW]),
    "pow(x, 3)": (lambda L, x: x ** 3, [ANY]),
    "pow(x, 0.5)": (lambda L, x: x ** 0.5, [POS]),
    "pow(x, -0.5)": (lambda L, x: x ** -0.5, [POS]),
    "pow(x, 2.7)": (lambda L, x: L.pow(x, 2.7), [POS]),
    "pow(tensor, tensor) at 0": (lambda L, x, y: L.pow(x, y),
                                 [np.where(ANY > 0, 0.0, POS), np.round(ROW * 2)]),
    "pow(0, y)": (lambda L, y: L.pow(0.0, y), [np.round(ANY * 2)]),
    "pow(2, x)": (lambda L, x: 2.0 ** x, [ANY]),
    "float_power(x, 2)": (lambda L, x: L.float_power(x, 2), [ANY]),
    "remainder": (lambda L, x, y: L.remainder(x * 3, y), [ANY, ROW]),
    "fmod": (lambda L, x, y: L.fmod(x * 3, y), [ANY, ROW]),
    "xlogy": (lambda L, x, y: L.xlogy(x, y), [ANY, np.abs(ROW) + 0.1]),
    "xlogy(number, y)": (lambda L, y: L.xlogy(2.0, y), [POS]),
    "xlogy with zeros": (lambda L, x, y: L.xlogy(x, y),
                         [np.where(ANY > 0, 0.0, ANY), np.where(ROW > 0, 0.0, np.abs(ROW))]),
    "lerp(tensor weight)": (lambda L, x, y, w: L.lerp(x, y, w), [ANY, ROW, COL]),
    "addcmul": (lambda L, x, a, b: L.addcmul(x, a, b, value=0.5), [ANY, ROW, COL]),
    "addcdiv": (lambda L, x, a, b: L.addcdiv(x, a, b, value=-1.5), [ANY, ROW, COL]),
    "clamp(tensor bounds)": (lambda L, x, lo, hi: L.clamp(x * x, lo, hi), [ANY, ROW, COL]),
    "maximum": (lambda L, x, y: L.maximum(x * x, y * y), [ANY, ROW]),
    "logaddexp": (lambda L, x, y: L.logaddexp(x, y), [ANY, ROW]),
    "logaddexp2": (lambda L, x, y: L.logaddexp2(x, y), [ANY, ROW]),
    "atan2": (lambda L, x, y: L.atan2(x, y), [ANY, ROW]),
    "hypot": (lambda L, x, y: L.hypot(x, y), [ANY, ROW]),
    "copysign": (lambda L, x, y: L.copysign(x, y) * x, [ANY, ROW]),
    "erf": (lambda L, x: L.erf(x), [ANY]),
    "gelu (erf_array in its backward)": (lambda L, x: L.nn.functional.gelu(x), [ANY]),
    "logit": (lambda L, x: L.logit(x / 2.5), [POS]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_double_backward_matches_torch(name, second_order_matches_torch):
    f, arrays = CASES[name]
    second_order_matches_torch(f, arrays, first=(1e-12, 1e-14), second=(1e-10, 1e-12))


@pytest.mark.parametrize("exponent", [3, 2.5, -0.5])
def test_third_derivative_of_pow_is_mathematics(exponent):
    x = mt.tensor([1.5, 0.7], dtype=mt.float64, requires_grad=True)
    (g1,) = mt.autograd.grad((x ** exponent).sum(), x, create_graph=True)
    (g2,) = mt.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = mt.autograd.grad(g2.sum(), x)
    p, a = exponent, np.array([1.5, 0.7])
    np.testing.assert_allclose(g2.detach().numpy(), p * (p - 1) * a ** (p - 2), rtol=1e-13)
    np.testing.assert_allclose(g3.numpy(), p * (p - 1) * (p - 2) * a ** (p - 3), rtol=1e-13)


def test_pow_exponent_gradient_at_a_zero_base_is_grad_times_zero_as_in_torch():
    """torch's pow_backward_exponent is grad * where(x == 0 & y >= 0, 0, z log x): -0.0 for a
    negative grad and nan for a nan grad, not a bare 0."""
    grads = []
    for lib in (torch, mt):
        y = lib.tensor([2.0, 0.0, 1.0], dtype=lib.float64, requires_grad=True)
        lib.pow(lib.tensor([0.0, 0.0, 2.0], dtype=lib.float64), y).backward(
            lib.tensor([-1.0, float("nan"), -1.0], dtype=lib.float64))
        grads.append(y.grad.numpy())
    np.testing.assert_array_equal(np.signbit(grads[1]), np.signbit(grads[0]))
    np.testing.assert_array_equal(grads[1], grads[0])


def test_remainder_of_a_number_has_no_derivative_as_in_torch():
    for lib in (torch, mt):
        y = lib.tensor([0.7, 1.3], dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative for aten::remainder"):
            lib.autograd.grad(lib.remainder(2.5, y).sum(), y, create_graph=True)
