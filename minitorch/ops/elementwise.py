"""Elementwise math: one input, one output, one line of calculus each.

Each class states y = f(x) and its adjoint x: grad * f'(x), computing f'
from whatever is cheapest to keep (often the output y itself). At kinks we
pick torch's subgradient and say so. Functions that make no sense on
integers (exp, log, sin, ...) first turn an integer tensor into the default
float dtype, as torch does.
"""

from __future__ import annotations

import math

import numpy as np

from minitorch.autograd.function import Function
from minitorch.ops.special import erf_array
from minitorch.ops.support import check_tensor, exact_where, float_operand, keep_where
from minitorch.registry import _inplace, register
from minitorch.tensor import Tensor
from minitorch.views import bump_version, check_inplace_allowed

LN2, LN10 = math.log(2.0), math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class Abs(Function):
    """y = |x|;  x: grad * sign(x)  (abs'(0) = 0 and abs'(nan) = 0, as torch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * sign_array(x)


class Reciprocal(Function):
    """y = 1 / x;  x: -grad * y^2, and we saved y."""

    @staticmethod
    def forward(ctx, x):
        y = np.reciprocal(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return -grad * (y * y)


class Square(Function):
    """y = x^2;  x: grad * 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.square(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * (2 * x)


class Sqrt(Function):
    """y = sqrt(x);  x: grad / (2y)  (inf at 0, nan below, as torch)."""

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad / (2 * y)


class Rsqrt(Function):
    """y = 1 / sqrt(x);  x: -0.5 * grad * y^3."""

    @staticmethod
    def forward(ctx, x):
        y = np.reciprocal(np.sqrt(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return -0.5 * grad * (y * y * y)


class Exp(Function):
    """y = e^x;  x: grad * y, and we saved y."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad * y


class Exp2(Function):
    """y = 2^x;  x: grad * y * ln 2."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp2(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad * (y * LN2)


class Expm1(Function):
    """y = e^x - 1 (exact near 0);  x: grad * (y + 1)."""

    @staticmethod
    def forward(ctx, x):
        y = np.expm1(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad * (y + 1)


class Log(Function):
    """y = ln x  (ln 0 = -inf, no epsilon);  x: grad / x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / x


class Log2(Function):
    """y = log2 x;  x: grad / (x ln 2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log2(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / (x * LN2)


class Log10(Function):
    """y = log10 x;  x: grad / (x ln 10)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log10(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / (x * LN10)


class Log1p(Function):
    """y = ln(1 + x) (exact near 0);  x: grad / (1 + x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / (x + 1)


class Sin(Function):
    """y = sin x;  x: grad * cos x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * np.cos(x)


class Cos(Function):
    """y = cos x;  x: grad * -sin x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * -np.sin(x)


class Tan(Function):
    """y = tan x;  x: grad * (1 + y^2), and we saved y."""

    @staticmethod
    def forward(ctx, x):
        y = np.tan(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad * (1 + y * y)


class Asin(Function):
    """y = asin x;  x: grad / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / np.sqrt(1 - x * x)


class Acos(Function):
    """y = acos x;  x: -grad / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return -grad / np.sqrt(1 - x * x)


class Atan(Function):
    """y = atan x;  x: grad / (1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / (x * x + 1)


class Sinh(Function):
    """y = sinh x;  x: grad * cosh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * np.cosh(x)


class Cosh(Function):
    """y = cosh x;  x: grad * sinh x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * np.sinh(x)


class Asinh(Function):
    """y = asinh x;  x: grad / sqrt(x^2 + 1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsinh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / np.sqrt(x * x + 1)


class Acosh(Function):
    """y = acosh x;  x: grad / sqrt(x^2 - 1)  (inf at 1, nan below, as torch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccosh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / np.sqrt(x * x - 1)


class Atanh(Function):
    """y = atanh x;  x: grad / (1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctanh(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad / (1 - x * x)


class Tanh(Function):
    """y = tanh x;  x: grad * (1 - y^2), and we saved y."""

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad * (1 - y * y)


class Sigmoid(Function):
    """y = 1 / (1 + e^-x);  x: grad * (1 - y) * y, and we saved y."""

    @staticmethod
    def forward(ctx, x):
        y = np.reciprocal(1 + np.exp(-x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        return grad * (1 - y) * y


class Relu(Function):
    """y = max(x, 0);  x: grad where not y <= 0  (relu'(0) = 0, as torch)."""

    @staticmethod
    def forward(ctx, x):
        # np.maximum(0, x): on a tie NumPy returns the 2nd operand, so -0.0 and NaN pass, as
        # torch. Written as max(zeros, x) into the zeros, the same bits: NumPy's loop with a
        # scalar operand is ~2.3x slower than its array-array one (0.45 ms vs 0.20 ms, 1M).
        y = np.empty_like(x)
        y.fill(0)
        np.maximum(y, x, out=y)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        # torch's threshold_backward zeroes grad where y <= 0; y = max(0, x) is never
        # below 0, so that is y == 0 (either zero), and NaN (!= 0) passes grad
        return keep_where(grad, y != 0)


class Erf(Function):
    """y = erf x;  x: grad * 2/sqrt(pi) * e^(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return grad * (TWO_OVER_SQRT_PI * np.exp(-(x * x)))


class Frac(Function):
    """y = x - trunc(x), with the sign of x;  x: grad."""

    @staticmethod
    def forward(ctx, x):
        return np.asarray(x - np.trunc(x))

    @staticmethod
    def backward(ctx, grad):
        return grad


class Scale(Function):
    """y = c * x for a constant c (deg2rad, rad2deg);  x: grad * c."""

    @staticmethod
    def forward(ctx, x, c):
        ctx.c = c
        return np.asarray(x * np.asarray(c, x.dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad * np.asarray(ctx.c, grad.dtype), None


class Logit(Function):
    """y = log(z / (1 - z)), z = x clamped to [eps, 1 - eps] when eps is given;
    x: grad / (x (1 - x)), and outside [0, 1] nan (no eps) or 0 (outside [eps, 1 - eps]).

    At x = -0.0 that is grad / -0.0, the sign torch's vectorised kernel gives (its scalar
    loop, below 8 float64 or 16 float32 elements, takes grad * inf instead).
    """

    @staticmethod
    def forward(ctx, x, eps):
        ctx.save_for_backward(x)
        ctx.eps = eps
        z = x if eps is None else np.clip(x, eps, 1 - eps)
        return np.asarray(np.log(z / (1 - z)))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        g = grad / (x * (1 - x))
        if ctx.eps is None:
            outside, fill = (x < 0) | (x > 1), np.nan
        else:
            outside, fill = (x < ctx.eps) | (x > 1 - ctx.eps), 0.0
        return np.where(outside, np.asarray(fill, g.dtype), g), None


class NanToNum(Function):
    """y = x with nan, +inf and -inf replaced by finite numbers;  x: grad where x is finite."""

    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.save_for_backward(x)
        if np.isfinite(x).all():  # nothing to replace: np.nan_to_num's copy, without its masks
            return np.array(x, copy=True)  # the copy np.nan_to_num makes (order K)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return keep_where(grad, np.isfinite(x)), None, None, None


class Step(Function):
    """sign, floor, ceil, round, trunc: piecewise constant, so x: 0 everywhere (as torch)."""

    @staticmethod
    def forward(ctx, x, f):
        return np.asarray(f(x))

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


def sign_array(x: np.ndarray) -> np.ndarray:
    """torch's sign: -1, 0 or +1, and 0 (not NaN) for NaN."""
    s = np.sign(x)
    if s.dtype.kind == "f":
        nan = s != s  # only for NaN
        if nan.any():
            s = exact_where(nan, np.zeros((), s.dtype), s)
    return np.asarray(s)




def _float_unary(fn: type[Function]):
    name = fn.__name__.lower()

    def op(input: Tensor) -> Tensor:
        check_tensor(input, name)
        return fn.apply(float_operand(input))

    op.__name__ = name
    op.__doc__ = fn.__doc__
    return op


def _reject_bool(input: Tensor, op: str) -> None:
    check_tensor(input, op)
    if input.array.dtype == np.bool_:
        raise NotImplementedError(f"{op}: not implemented for 'Bool' tensors")


exp, exp2, expm1 = _float_unary(Exp), _float_unary(Exp2), _float_unary(Expm1)
register(exp, method=True, inplace=True)
register(exp2, method=True, inplace=True)
register(expm1, method=True, inplace=True)
log, log2, log10 = _float_unary(Log), _float_unary(Log2), _float_unary(Log10)
register(log, method=True, inplace=True)
register(log2, method=True, inplace=True)
register(log10, method=True, inplace=True)
log1p = _float_unary(Log1p)
register(log1p, method=True, inplace=True)
sin, cos, tan = _float_unary(Sin), _float_unary(Cos), _float_unary(Tan)
register(sin, method=True, inplace=True)
register(cos, method=True, inplace=True)
register(tan, method=True, inplace=True)
asin, acos, atan = _float_unary(Asin), _float_unary(Acos), _float_unary(Atan)
register(asin, method=True, inplace=True)
register(acos, method=True, inplace=True)
register(atan, method=True, inplace=True)
asinh, acosh, atanh = _float_unary(Asinh), _float_unary(Acosh), _float_unary(Atanh)
register(asinh, method=True, inplace=True)
register(acosh, method=True, inplace=True)
register(atanh, method=True, inplace=True)
arcsinh, arccosh, arctanh = asinh, acosh, atanh
register(asinh, name="arcsinh", method=True, inplace=True)
register(acosh, name="arccosh", method=True, inplace=True)
register(atanh, name="arctanh", method=True, inplace=True)
sinh, cosh, tanh = _float_unary(Sinh), _float_unary(Cosh), _float_unary(Tanh)
register(sinh, method=True, inplace=True)
register(cosh, method=True, inplace=True)
register(tanh, method=True, inplace=True)
sqrt, rsqrt, reciprocal = _float_unary(Sqrt), _float_unary(Rsqrt), _float_unary(Reciprocal)
register(reciprocal, method=True, inplace=True)
register(sqrt, method=True, inplace=True)
register(rsqrt, method=True, inplace=True)
sigmoid, erf = _float_unary(Sigmoid), _float_unary(Erf)
register(sigmoid, method=True, inplace=True)
register(erf, method=True, inplace=True)


def abs(input: Tensor) -> Tensor:
    """|input|; integers stay integers."""
    _reject_bool(input, "abs")
    return Abs.apply(input)
register(abs, method=True, inplace=True, operators=("__abs__",))


def square(input: Tensor) -> Tensor:
    """input * input; integers stay integers (bool becomes int64, as torch)."""
    if input.array.dtype == np.bool_:
        input = Tensor._make(input.array.astype(np.int64), False, None)
    return Square.apply(input)
register(square, method=True, inplace=True)


def relu(input: Tensor) -> Tensor:
    """max(input, 0)."""
    check_tensor(input, "relu")
    if input.array.dtype == np.bool_:
        raise RuntimeError("relu: Boolean inputs not supported for relu")
    return Relu.apply(input)
register(relu, method=True, inplace=True)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or +1 (0 for -0.0, 0.0 and nan, as torch)."""
    if input.array.dtype == np.bool_:
        return Step.apply(input, np.copy)
    return Step.apply(input, sign_array)
register(sign, method=True, inplace=True)


def floor(input: Tensor) -> Tensor:
    """Round down; integer tensors come back unchanged."""
    _reject_bool(input, "floor")
    return Step.apply(input, np.floor if input.array.dtype.kind == "f" else np.copy)
register(floor, method=True, inplace=True)


def ceil(input: Tensor) -> Tensor:
    """Round up; integer tensors come back unchanged."""
    _reject_bool(input, "ceil")
    return Step.apply(input, np.ceil if input.array.dtype.kind == "f" else np.copy)
register(ceil, method=True, inplace=True)


def trunc(input: Tensor) -> Tensor:
    """Round toward zero; integer tensors come back unchanged."""
    _reject_bool(input, "trunc")
    return Step.apply(input, np.trunc if input.array.dtype.kind == "f" else np.copy)
register(trunc, method=True, inplace=True)


def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even, like torch (and NumPy); `decimals` scales by 10**decimals first."""
    _reject_bool(input, "round")
    if input.array.dtype.kind != "f":
        return Step.apply(input, np.copy)
    if decimals == 0:
        return Step.apply(input, np.rint)
    scale = 10.0 ** abs_int(decimals)
    if decimals > 0:
        return Step.apply(input, lambda x: np.rint(x * scale) / scale)
    return Step.apply(input, lambda x: np.rint(x / scale) * scale)
register(round, method=True, inplace=True)


def abs_int(n: int) -> int:
    return n if n >= 0 else -n


absolute = abs
register(abs, name='absolute', method=True, inplace=True)



def frac(input: Tensor) -> Tensor:
    """The fractional part, input - trunc(input); floating tensors only, as in torch."""
    check_tensor(input, "frac")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{input.dtype.kernel_name}'")
    return Frac.apply(input)
register(frac, method=True, inplace=True)


def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians (times pi / 180); integers compute in the default float dtype."""
    check_tensor(input, "deg2rad")
    return Scale.apply(float_operand(input), math.pi / 180.0)
register(deg2rad, method=True, inplace=True)


def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees (times 180 / pi); integers compute in the default float dtype."""
    check_tensor(input, "rad2deg")
    return Scale.apply(float_operand(input), 180.0 / math.pi)
register(rad2deg, method=True, inplace=True)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)); with eps, p is first clamped to [eps, 1 - eps]."""
    check_tensor(input, "logit")
    no_eps = eps is None or eps < 0  # torch reads a negative eps as none
    return Logit.apply(float_operand(input), None if no_eps else float(eps))
register(logit, method=True, inplace=True)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """nan -> nan, +inf -> posinf, -inf -> neginf (default: the dtype's largest finite
    values); integer and bool tensors come back as copies."""
    check_tensor(input, "nan_to_num")
    if input.array.dtype.kind != "f":
        return Tensor._make(input.array.copy(), False, None)
    return NanToNum.apply(input, nan, posinf, neginf)


def nan_to_num_(self: Tensor, nan: float = 0.0, posinf: float | None = None,
                neginf: float | None = None) -> Tensor:
    """In place. An integer or bool tensor has nothing to replace: torch copies it onto
    itself (a no-op, so even an expanded one is accepted) and only its version moves on."""
    check_tensor(self, "nan_to_num_")
    if self.array.dtype.kind != "f":
        check_inplace_allowed(self, "nan_to_num_")
        bump_version(self)
        return self
    return _inplace[0](self, nan_to_num, nan, posinf, neginf)
register(nan_to_num, method=True, inplace=nan_to_num_)


def signbit(input: Tensor) -> Tensor:
    """True where the sign bit is set: negatives, -0.0 and a negative nan (bool, no grad)."""
    check_tensor(input, "signbit")
    x = input.array
    bits = np.signbit(x) if x.dtype.kind in "fi" else np.zeros(x.shape, bool)
    return Tensor._make(np.asarray(bits), False, None)
register(signbit, method=True, differentiable=False)
