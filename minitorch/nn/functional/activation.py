"""Activations: relu, leaky_relu, elu, gelu, silu, softplus, sigmoid, tanh, softmax,
and (issue 12) the hard*, shrink, celu/selu/mish, glu, prelu, rrelu and gumbel_softmax family.

relu, sigmoid, tanh, softmax and log_softmax are core ops (ops/), so here they
are one-line hand-overs, as in torch. The others are small Functions whose
docstrings give the forward math and the adjoint. Read ops/elementwise.py first.

Every backward here also runs under create_graph=True (autograd/higher_order.py). Two
helpers serve that path: _erf_any (the recorded erf for gelu) and first_order_only, which
records an adjoint torch itself refuses to differentiate again (hardsigmoid here; loss.py
and distance.py use it for the margin losses and pdist) as a node raising torch's error.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minitorch import ops
from minitorch._torch_exact import scalar_tail
from minitorch.autograd.function import Function
from minitorch.autograd.higher_order import TracedArray, traced
from minitorch.dtypes import dtype as DType
from minitorch.nn.functional._utils import check_floating, check_tensor
from minitorch.ops.creation import empty_like, zeros_like
from minitorch.ops.special import erf_array as _erf
from minitorch.ops.support import exact_where, normalize_dim, unbroadcast
from minitorch.random import numpy_generator
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = [
    "relu", "relu_", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu", "softplus",
    "sigmoid", "tanh", "softmax", "log_softmax", "softmin",
    "hardtanh", "hardtanh_", "relu6", "hardsigmoid", "hardswish", "softsign", "tanhshrink",
    "celu", "celu_", "selu", "selu_", "mish", "logsigmoid", "glu", "threshold", "threshold_",
    "softshrink", "hardshrink", "prelu", "rrelu", "rrelu_", "gumbel_softmax",
]


# -- differentiating twice (create_graph=True) -------------------------------------------
def _erf_any(x: Any) -> Any:
    """erf(x): the exact kernel on arrays, the recorded op on a recorded gradient's operand."""
    if type(x) is TracedArray:  # create_graph: erf as a recorded op (its own backward)
        return traced(ops.erf(x.tensor))
    return _erf(x)


class _FirstOrderOnly(Function):
    """g = an op's first gradient, recorded (create_graph=True) for an op torch differentiates
    only once;  its inputs: torch's error ("derivative for aten::... is not implemented")."""

    @staticmethod
    def forward(ctx, *operands, value, error):
        ctx.error = error
        return np.array(value)  # a fresh array: not a view of an operand

    @staticmethod
    def backward(ctx, grad):
        cls, message, _ = ctx.error
        raise cls(message)

    def name(self) -> str:
        return self.error[2]


def first_order_only(error: tuple[type, str, str], first: Any, *operands: Any) -> Any:
    """first(*operands), an op's first gradient; under create_graph=True (a recorded operand)
    the value is recorded as a node (named error[2]) whose backward raises error[0](error[1]),
    as torch's does for the adjoints its derivatives.yaml marks not_implemented."""
    if not any(type(a) is TracedArray for a in operands):
        return first(*operands)
    plain = [a.tensor.array if type(a) is TracedArray else a for a in operands]
    recorded = [a.tensor for a in operands if type(a) is TracedArray]
    return traced(_FirstOrderOnly.apply(*recorded, value=first(*plain), error=error))


def not_implemented(aten: str) -> tuple[type, str, str]:
    """torch's error (and node) for an adjoint it does not differentiate again."""
    return (RuntimeError, f"derivative for aten::{aten} is not implemented",
            "torch::autograd::NotImplemented")


# -- the Functions -------------------------------------------------------------
class LeakyRelu(Function):
    """y = x if x > 0 else slope * x;  x: grad if x > 0 else slope * grad.

    At the kink x = 0 we take the left slope, as torch does (`x > 0 ? grad : grad * slope`).
    """

    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        # for 0 < slope <= 1 the larger of x and slope * x is the one the test picks (and
        # for slope >= 1 the smaller): one branch-free pass instead of a select
        if 0 < slope <= 1:
            return np.maximum(x, x * slope)
        if slope >= 1:
            return np.minimum(x, x * slope)
        return exact_where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return exact_where(x > 0, grad, grad * ctx.slope), None


class Elu(Function):
    """y = x if x > 0 else alpha * (exp(x) - 1);  x: grad * alpha * exp(x) if x <= 0 else grad.

    At x = 0 the gradient is alpha (torch's `x <= 0` branch); a NaN takes the `else` branch.
    """

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        with np.errstate(over="ignore"):
            return exact_where(x > 0, x, np.expm1(x) * alpha)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        with np.errstate(over="ignore"):
            return exact_where(x <= 0, grad * (np.exp(x) * ctx.alpha), grad), None


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
        cdf = 0.5 * (1 + _erf_any(x * _SQRT1_2))
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
    # torch negates in the input's dtype first (uint8 wraps, bool raises), then casts
    return ops.softmax(-input, dim, dtype=dtype)
register(softmin, function=False, functional=True)


# -- piecewise-linear activations (issue 12) -----------------------------------------------
# Each kink takes torch's subgradient, checked by running torch on the kink itself; a NaN
# input takes whichever branch torch's kernel condition sends it to (noted per class).
class Hardtanh(Function):
    """y = clamp(x, lo, hi);  x: grad where lo < x < hi, else 0.

    At x = lo and x = hi the gradient is 0 (torch's `x <= lo || x >= hi ? 0 : grad`); a NaN
    passes the gradient through, as in torch.
    """

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        if x.dtype.kind != "f":  # torch clamps integers with the bounds cast to the integer type
            return np.clip(x, int(lo), int(hi)).astype(x.dtype)
        # np.maximum/minimum return their second operand on a tie (-0.0 against a bound of
        # 0.0): the bound goes first, so x itself comes out, as the original select gave.
        # np.clip gives that bit for bit (but for NaN bounds) in one pass, 3x faster
        if math.isnan(lo) or math.isnan(hi):
            return np.minimum(x.dtype.type(hi), np.maximum(x.dtype.type(lo), x))
        return np.clip(x, x.dtype.type(lo), x.dtype.type(hi))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return exact_where((x <= ctx.lo) | (x >= ctx.hi), grad.dtype.type(0), grad), None, None


class Hardsigmoid(Function):
    """y = clamp(x / 6 + 1/2, 0, 1);  x: grad / 6 where -3 < x < 3, else 0 (also at +-3, NaN)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.clip(x + 3, 0, 6) / x.dtype.type(6)  # max-then-min's bits, in one pass

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return first_order_only(not_implemented("hardsigmoid_backward"), _hardsigmoid_grad,
                                   grad, x)


def _hardsigmoid_grad(grad: np.ndarray, x: np.ndarray) -> np.ndarray:
    return exact_where((x > -3) & (x < 3), grad / grad.dtype.type(6), grad.dtype.type(0))


class Hardswish(Function):
    """y = x * clamp(x + 3, 0, 6) / 6;
    x: 0 where x <= -3, grad * (x / 3 + 1/2) where -3 < x < 3, grad where x >= 3 (and NaN)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / x.dtype.type(6)  # max-then-min's bits, one pass

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        middle = grad * (x / x.dtype.type(3) + x.dtype.type(0.5))
        return exact_where(x <= -3, grad.dtype.type(0), exact_where(x < 3, middle, grad))


class Threshold(Function):
    """y = x if x > threshold else value;  x: grad if x > threshold else 0 (NaN: grad)."""

    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        return exact_where(x <= threshold, np.asarray(value).astype(x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return exact_where(x <= ctx.threshold, grad.dtype.type(0), grad), None, None


class Softshrink(Function):
    """y = x - l if x > l, x + l if x < -l, else 0 * x;
    x: 0 where -l <= x <= l (the kinks too), grad elsewhere and at NaN.

    In the band torch's vectorised kernel writes +0.0 and its scalar kernel (the rest of
    each inner loop) 0 * x, -0.0 for x < 0; _torch_exact.scalar_tail says which is which.
    """

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        if x.ndim == 0 or not np.isfinite(x.dtype.type(lambd)):
            return exact_where(x > lambd, x - lambd, exact_where(x < -lambd, x + lambd, x * 0))
        # x - clip(x, -l, l) is x - l above l, x + l below -l and +0.0 between: torch's
        # vectorized kernel. Its scalar kernel, which finishes each inner loop, writes 0 * x
        # there, -0.0 for negative x: copysign gives that sign back on those elements.
        y = np.clip(x, -lambd, lambd)
        np.subtract(x, y, out=y)
        tail = scalar_tail(x)
        if tail is not None:
            np.copysign(y, x, out=y, where=tail)
        return y

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        inside = np.abs(x) <= ctx.lambd  # -l <= x <= l, in one test
        return exact_where(inside, grad.dtype.type(0), grad), None


class Hardshrink(Function):
    """y = 0 if -l <= x <= l else x;  x: 0 where -l <= x <= l (the kinks too), else grad."""

    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return exact_where(np.abs(x) <= lambd, x.dtype.type(0), x)  # -l <= x <= l

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return exact_where(np.abs(x) <= ctx.lambd, grad.dtype.type(0), grad), None


# -- smooth activations -----------------------------------------------------------------------
class Celu(Function):
    """y = x if x > 0 else alpha * (exp(x / alpha) - 1);  x: grad * exp(x / alpha) if x <= 0
    else grad (at 0 both give grad; NaN takes grad)."""

    @staticmethod
    def forward(ctx, x, alpha):
        ctx.save_for_backward(x)
        ctx.alpha = alpha
        with np.errstate(over="ignore"):
            return exact_where(x > 0, x, np.expm1(x / alpha) * alpha).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        with np.errstate(over="ignore"):
            gx = exact_where(x <= 0, grad * np.exp(x / ctx.alpha), grad)
            return gx.astype(grad.dtype), None


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class Selu(Function):
    """y = scale * (x if x > 0 else alpha * (exp(x) - 1));
    x: grad * scale * alpha * exp(x) if x <= 0 else grad * scale (torch's constants)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            y = exact_where(x > 0, x, np.expm1(x) * _SELU_ALPHA) * _SELU_SCALE
        return y.astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        with np.errstate(over="ignore"):
            g = exact_where(x <= 0, grad * (np.exp(x) * (_SELU_ALPHA * _SELU_SCALE)),
                            grad * _SELU_SCALE)
        return g.astype(grad.dtype)


class Mish(Function):
    """y = x * tanh(softplus(x));
    x: grad * (t + x * sigmoid(x) * (1 - t^2)), t = tanh(softplus(x))."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * np.tanh(np.logaddexp(x.dtype.type(0), x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        t = np.tanh(np.logaddexp(np.zeros_like(x), x))  # an array 0: a recorded x needs one
        with np.errstate(over="ignore"):
            s = 1 / (1 + np.exp(-x))
        return (grad * (t + x * s * (1 - t * t))).astype(grad.dtype)


class LogSigmoid(Function):
    """y = log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for any x;
    x: grad * (1 - sigmoid(x)), computed as grad * ([x < 0] -+ z / (1 + z)), z = exp(-|x|)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        z = np.exp(-np.abs(x))
        negative = x < 0
        deriv = np.where(negative, 1 - z / (1 + z), z / (1 + z))
        return (grad * deriv).astype(grad.dtype)


class Glu(Function):
    """y = a * sigmoid(b), (a, b) the two halves of x along dim;
    a: grad * sigmoid(b);  b: grad * a * sigmoid(b) * (1 - sigmoid(b)); x: both, concatenated."""

    derived_saved_recomputed = True  # sigmoid(b): a recorded x recomputes it

    @staticmethod
    def forward(ctx, x, axis):
        a, s = _glu_halves(x, axis)
        ctx.save_for_backward(x, s)
        ctx.axis = axis
        return a * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved
        if type(x) is TracedArray:  # create_graph: both halves again from x, recorded
            a, s = _glu_halves(x, ctx.axis)
        else:
            a = x[(slice(None),) * ctx.axis + (slice(0, x.shape[ctx.axis] // 2),)]
        return np.concatenate([grad * s, grad * a * s * (1 - s)], axis=ctx.axis), None


def _glu_halves(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """a, the first half of x along axis, and sigmoid(b), b the second."""
    half = x.shape[axis] // 2
    before = (slice(None),) * axis
    a, b = x[before + (slice(0, half),)], x[before + (slice(half, None),)]
    with np.errstate(over="ignore"):
        return a, 1 / (1 + np.exp(-b))


class Prelu(Function):
    """y = x if x > 0 else w * x, w one slope per channel (dim 1) or one for all;
    x: grad if x > 0 else w * grad;  w: sum over all but the channel of (x if x <= 0) * grad.

    At x = 0 torch takes the slope w (its `x > 0` test), and w's gradient there is 0 * grad.
    """

    @staticmethod
    def forward(ctx, x, w):
        shape = [1] * x.ndim
        if x.ndim >= 2 and w.size > 1:
            shape[1] = w.size
        wb = w.reshape(shape) if x.ndim else w.reshape(())
        ctx.save_for_backward(x, w)
        ctx.w_shape, ctx.wb_shape = w.shape, wb.shape
        if w.size and x.dtype.kind == "f" and ((0 < w) & (w <= 1)).all():
            return np.maximum(x, wb * x)  # as leaky_relu: the larger is the one picked
        if w.size and x.dtype.kind == "f" and (w >= 1).all():
            return np.minimum(x, wb * x)
        return exact_where(x > 0, x, wb * x)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved
        wb = w.reshape(ctx.wb_shape)
        gx = exact_where(x > 0, grad, wb * grad) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            xg = x * grad
            per = exact_where(x > 0, xg.dtype.type(0), xg)
            gw = unbroadcast(per, wb.shape).reshape(ctx.w_shape)
        return gx, gw


class RreluWithNoise(Function):
    """y = x * noise, noise = 1 where x > 0 and a random slope drawn in [lower, upper] where
    x <= 0 (training mode);  x: grad * noise."""

    @staticmethod
    def forward(ctx, x, noise):
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.noise, None


# -- the public functions (issue 12) -----------------------------------------------------------
def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val) with a zero gradient at and beyond the bounds."""
    check_tensor(input, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.array.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if inplace:
        return ops.inplace(input, hardtanh, min_val, max_val)
    return Hardtanh.apply(input, min_val, max_val)
register(hardtanh, function=False, functional=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)
register(hardtanh_, function=False, functional=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6): hardtanh(x, 0, 6), so relu6'(0) = relu6'(6) = 0 as in torch."""
    return hardtanh(input, 0.0, 6.0, inplace)
register(relu6, function=False, functional=True)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    _float_only(input, "hardsigmoid")
    if inplace:
        return ops.inplace(input, hardsigmoid)
    return Hardsigmoid.apply(input)
register(hardsigmoid, function=False, functional=True)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    _float_only(input, "hardswish")
    if inplace:
        return ops.inplace(input, hardswish)
    return Hardswish.apply(input)
register(hardswish, function=False, functional=True)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|), composed as torch composes it (abs'(0) = 0)."""
    return input / (input.abs() + 1)
register(softsign, function=False, functional=True)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x), composed as torch composes it."""
    return input - input.tanh()
register(tanhshrink, function=False, functional=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    _float_only(input, "elu")  # torch runs celu through its elu kernel
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return ops.inplace(input, celu, alpha)
    return Celu.apply(input, alpha)
register(celu, function=False, functional=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)
register(celu_, function=False, functional=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    _float_only(input, "elu")  # torch runs selu through its elu kernel
    if inplace:
        return ops.inplace(input, selu)
    return Selu.apply(input)
register(selu, function=False, functional=True)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)
register(selu_, function=False, functional=True)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    _float_only(input, "mish")
    if inplace:
        return ops.inplace(input, mish)
    return Mish.apply(input)
register(mish, function=False, functional=True)


def logsigmoid(input: Tensor) -> Tensor:
    _float_only(input, "log_sigmoid")
    return LogSigmoid.apply(input)
register(logsigmoid, function=False, functional=True)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: the first half of x along dim, gated by sigmoid of the second."""
    check_tensor(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    _float_only(input, "glu")
    axis = normalize_dim(dim, input.ndim, "glu")
    if input.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                           f"{input.shape[axis]}")
    return Glu.apply(input, axis)
register(glu, function=False, functional=True)


def _threshold_op(input: Tensor, threshold: float, value: float) -> Tensor:
    return Threshold.apply(input, threshold, value)


_threshold_op.__name__ = "threshold"  # names the in-place form in errors: threshold_


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, value elsewhere."""
    check_tensor(input, "threshold")
    if input.array.dtype == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    if inplace:
        return ops.inplace(input, _threshold_op, threshold, value)
    return _threshold_op(input, threshold, value)
register(threshold, function=False, functional=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    check_tensor(input, "threshold_")
    if input.array.dtype == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return ops.inplace(input, _threshold_op, threshold, value)
register(threshold_, function=False, functional=True)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _float_only(input, "softshrink_check")
    if not lambd >= 0:
        name = {"float32": "Float", "float64": "Double"}[input.dtype.name]
        bound = "3.40282e+38" if name == "Float" else "1.79769e+308"
        raise RuntimeError(f"lambda must be in range [0, {bound}] for input dtype {name}, "
                           f"but found {lambd:g}")
    return Softshrink.apply(input, lambd)
register(softshrink, function=False, functional=True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    _float_only(input, "hardshrink")
    return Hardshrink.apply(input, lambd)
register(hardshrink, function=False, functional=True)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """leaky_relu with a learned slope: one for every channel (dim 1), or one for all."""
    check_tensor(input, "prelu")
    check_tensor(weight, "prelu", "weight", 2)
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    if input.array.dtype != weight.array.dtype:
        names = {"float32": "Float", "float64": "Double", "int64": "Long"}
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{names.get(input.dtype.name)} and {names.get(weight.dtype.name)}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.numel()} and channel size = {channels}.")
    _float_only(input, "prelu")
    return Prelu.apply(input, weight)
register(prelu, function=False, functional=True)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: in training each x <= 0 gets its own slope drawn uniformly in
    [lower, upper] from minitorch's generator; in eval the slope is (lower + upper) / 2."""
    check_tensor(input, "rrelu")
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    _float_only(input, "rrelu_with_noise")
    if inplace:
        return ops.inplace(input, _rrelu_training, lower, upper)
    return _rrelu_training(input, lower, upper)
register(rrelu, function=False, functional=True)


def _rrelu_training(input: Tensor, lower: float, upper: float) -> Tensor:
    x = input.array
    slopes = numpy_generator().uniform(lower, upper, x.shape).astype(x.dtype)
    return RreluWithNoise.apply(input, exact_where(x <= 0, slopes, x.dtype.type(1)))


_rrelu_training.__name__ = "rrelu"


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)
register(rrelu_, function=False, functional=True)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau), g = -log(Exp(1) draws) from minitorch's generator; with
    hard=True the forward is one-hot of the argmax and the gradient is the soft sample's
    (y_hard - y_soft.detach() + y_soft: the straight-through estimator)."""
    check_tensor(logits, "gumbel_softmax")
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    noise = empty_like(logits).exponential_()
    gumbels = (logits - noise.log()) / tau
    y_soft = gumbels.softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
register(gumbel_softmax, function=False, functional=True)
