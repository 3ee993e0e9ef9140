"""Activations: relu, leaky_relu, elu, gelu, silu, softplus, sigmoid, tanh, softmax.

relu, sigmoid, tanh, softmax and log_softmax are core ops (ops/), so here they
are one-line hand-overs, as in torch. The others are small Functions whose
docstrings give the forward math and the adjoint. Read ops/elementwise.py first.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minitorch import ops
from minitorch.autograd.function import Function
from minitorch.dtypes import dtype as DType
from minitorch.nn.functional._utils import check_floating, check_tensor
from minitorch.ops.special import erf_array as _erf
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = [
    "relu", "relu_", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu", "softplus",
    "sigmoid", "tanh", "softmax", "log_softmax", "softmin",
]


# -- the Functions -------------------------------------------------------------
class LeakyRelu(Function):
    """y = x if x > 0 else slope * x;  x: grad if x > 0 else slope * grad.

    At the kink x = 0 we take the left slope, as torch does (`x > 0 ? grad : grad * slope`).
    """

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return np.where(x > 0, grad, grad * ctx.slope), None


class Elu(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1);  x: grad * alpha * exp(x) if x <= 0 else grad.

    At x = 0 the gradient is alpha (torch's `x <= 0` branch); a NaN takes the `else` branch.
    """

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        with np.errstate(over="ignore"):
            return np.where(x > 0, x, np.expm1(x) * alpha)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        with np.errstate(over="ignore"):
            return np.where(x <= 0, grad * (np.exp(x) * ctx.alpha), grad), None


_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 0.5 * (2.0 / math.sqrt(math.pi)) * math.sqrt(0.5)  # 1/sqrt(2 pi)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715


class Gelu(Function):
    """y = x * Phi(x), Phi(x) = (1 + erf(x / sqrt 2)) / 2;  x: grad * (Phi(x) + x * phi(x)).

    approximate='tanh': y = x/2 * (1 + tanh(u)), u = sqrt(2/pi) * (x + 0.044715 x^3);
    x: grad * ((1 + tanh u)/2 + x/2 * (1 - tanh^2 u) * sqrt(2/pi) * (1 + 3 * 0.044715 x^2)).
    """

    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = _SQRT_2_PI * (x + _KAPPA * (x * x * x))
            return 0.5 * x * (1 + np.tanh(inner))
        return x * 0.5 * (1 + _erf(x * _SQRT1_2))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        if ctx.approximate == "tanh":
            x_sq = x * x
            t = np.tanh(_SQRT_2_PI * (x + _KAPPA * (x_sq * x)))
            left_derivative = 0.5 * (1 + t)
            right_derivative = (0.5 * x) * (1 - t * t) * (_SQRT_2_PI * (1 + 3 * _KAPPA * x_sq))
            return grad * (left_derivative + right_derivative), None
        cdf = 0.5 * (1 + _erf(x * _SQRT1_2))
        pdf = np.exp(-0.5 * x * x) * _GELU_PDF
        return grad * (cdf + x * pdf), None


class Silu(Function):
    """y = x * sigmoid(x);  x: grad * s * (1 + x * (1 - s)), s = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return x / (1 + np.exp(-x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        with np.errstate(over="ignore"):
            s = 1 / (1 + np.exp(-x))
        return grad * s * (1 + x * (1 - s))


class Softplus(Function):
    """y = log(1 + exp(beta x)) / beta, or x where beta x > threshold (torch's linear regime);
    x: grad * z / (z + 1), z = exp(beta x), or grad where beta x > threshold."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * beta
        with np.errstate(over="ignore"):
            return np.where(bx > threshold, x, np.log1p(np.exp(bx)) / beta)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        bx = x * ctx.beta
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.exp(bx)
            return np.where(bx > ctx.threshold, grad, grad * z / (z + 1)), None, None


# -- the public functions --------------------------------------------------------
def _float_only(input: Any, op: str) -> Tensor:
    check_tensor(input, op)
    check_floating(input, op)
    return input


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); relu'(0) = 0 as in torch (core op)."""
    check_tensor(input, "relu")
    return input.relu_() if inplace else ops.relu(input)
register(relu, function=False, functional=True)


def relu_(input: Tensor) -> Tensor:
    return check_tensor(input, "relu_").relu_()
register(relu_, function=False, functional=True)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    _float_only(input, "leaky_relu")
    if inplace:
        return ops.inplace(input, leaky_relu, negative_slope)
    return LeakyRelu.apply(input, negative_slope)
register(leaky_relu, function=False, functional=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)
register(leaky_relu_, function=False, functional=True)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    _float_only(input, "elu")
    if inplace:
        return ops.inplace(input, elu, alpha)
    return Elu.apply(input, alpha)
register(elu, function=False, functional=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)
register(elu_, function=False, functional=True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, exact (erf) or the tanh approximation."""
    _float_only(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu: approximate argument must be either none or tanh, got {approximate!r}"
        )
    return Gelu.apply(input, approximate)
register(gelu, function=False, functional=True)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    _float_only(input, "silu")
    if inplace:
        return ops.inplace(input, silu)
    return Silu.apply(input)
register(silu, function=False, functional=True)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    _float_only(input, "softplus")
    return Softplus.apply(input, beta, threshold)
register(softplus, function=False, functional=True)


def sigmoid(input: Tensor) -> Tensor:
    return ops.sigmoid(input)
register(sigmoid, function=False, functional=True)


def tanh(input: Tensor) -> Tensor:
    return ops.tanh(input)
register(tanh, function=False, functional=True)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: DType | None = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along dim (core op, stable for large logits)."""
    check_tensor(input, "softmax")
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return ops.softmax(input, dim, dtype=dtype)
register(softmax, function=False, functional=True)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: DType | None = None
) -> Tensor:
    """x - logsumexp(x) along dim (core op)."""
    check_tensor(input, "log_softmax")
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return ops.log_softmax(input, dim, dtype=dtype)
register(log_softmax, function=False, functional=True)


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: DType | None = None
) -> Tensor:
    check_tensor(input, "softmin")
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return ops.softmax(-input, dim)
register(softmin, function=False, functional=True)
