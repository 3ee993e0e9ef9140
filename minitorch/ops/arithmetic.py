"""Arithmetic: + - * / // % ** and their friends, forward and backward side by side.

Every binary op starts with `binary_operands` (torch's dtype promotion and a
broadcast check) and every backward ends with `unbroadcast`, which folds the
gradient back onto each input's shape. Read support.py first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch._torch_exact import fma
from minitorch.autograd.function import Function
from minitorch.autograd.higher_order import TracedArray, as_tensor, traced
from minitorch.ops.support import (
    _scalar_as,
    as_operand,
    binary_operands,
    broadcast_shapes,
    cast,
    check_tensor,
    exact_where,
    float_operand,
    keep_where,
    shape_of,
    unbroadcast,
)
from minitorch.registry import _inplace, register
from minitorch.tensor import Tensor

LN2 = math.log(2.0)


def _alpha_in(alpha: Any, y: Any) -> Any:
    """alpha as the kernel sees it: cast to an unsigned y's type, wrapping as C++ does
    (uint8: -3 -> 253), where NumPy would refuse the negative Python int."""
    if isinstance(alpha, int) and alpha < 0 and getattr(y, "dtype", None) is not None \
            and y.dtype.kind == "u":
        return np.array(alpha, dtype=np.int64).astype(y.dtype)
    return alpha


class Add(Function):
    """z = x + alpha * y;  x: grad,  y: alpha * grad."""

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.shapes, ctx.alpha = (shape_of(x), shape_of(y)), alpha
        return x + y if alpha == 1 else x + _alpha_in(alpha, y) * y

    @staticmethod
    def backward(ctx, grad):
        (sx, sy), (need_x, need_y) = ctx.shapes, ctx.needs_input_grad
        gx = unbroadcast(grad, sx) if need_x else None
        gy = unbroadcast(grad if ctx.alpha == 1 else grad * ctx.alpha, sy) if need_y else None
        return gx, gy


class Sub(Function):
    """z = x - alpha * y;  x: grad,  y: -alpha * grad."""

    @staticmethod
    def forward(ctx, x, y, alpha=1):
        ctx.shapes, ctx.alpha = (shape_of(x), shape_of(y)), alpha
        return x - y if alpha == 1 else x - _alpha_in(alpha, y) * y

    @staticmethod
    def backward(ctx, grad):
        (sx, sy), (need_x, need_y) = ctx.shapes, ctx.needs_input_grad
        gx = unbroadcast(grad, sx) if need_x else None
        gy = unbroadcast(-grad if ctx.alpha == 1 else grad * -ctx.alpha, sy) if need_y else None
        return gx, gy


class Mul(Function):
    """z = x * y;  x: grad * y,  y: grad * x."""

    watch_when = ((1,), (0,))  # x is needed only for y's gradient, and y only for x's

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        need_x, need_y = ctx.needs_input_grad
        gx = unbroadcast(grad * y, shape_of(x)) if need_x else None
        gy = unbroadcast(grad * x, shape_of(y)) if need_y else None
        return gx, gy


class Div(Function):
    """z = x / y;  x: grad / y,  y: -grad * (x / y) / y  (torch's order of operations)."""

    watch_when = ((1,), (0, 1))  # x is needed only for y's gradient

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.true_divide(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        need_x, need_y = ctx.needs_input_grad
        gx = unbroadcast(grad / y, shape_of(x)) if need_x else None
        gy = unbroadcast(-grad * ((x / y) / y), shape_of(y)) if need_y else None
        return gx, gy


def floor_divide_array(x: Any, y: Any) -> np.ndarray:
    """Floor division as torch (and Python) do it for floats: from fmod, so that
    1e-3 // -inf is -1 and the sign of a zero quotient follows x / y."""
    if np.result_type(x, y).kind in "iub":
        return np.asarray(np.floor_divide(x, y))
    mod = np.fmod(x, y)
    div = (x - mod) / y
    # exact_where: np.where bit for bit, without a branch per element
    div = exact_where((mod != 0) & ((y < 0) != (mod < 0)), div - 1, div)
    floor = np.floor(div)
    floor = exact_where(div - floor > 0.5, floor + 1, floor)
    floor = exact_where(div == 0, np.copysign(0, x / y), floor)
    return np.asarray(exact_where(y == 0, x / y, floor), dtype=floor.dtype)


def remainder_array(x: Any, y: Any) -> np.ndarray:
    """x - floor(x / y) * y as torch computes it: fmod, then shift by y when the signs differ."""
    if np.result_type(x, y).kind in "iub":
        return np.asarray(np.remainder(x, y))
    mod = np.fmod(x, y)
    return np.asarray(exact_where((mod != 0) & ((y < 0) != (mod < 0)), mod + y, mod))


class RoundedDiv(Function):
    """z = floor(x / y) or trunc(x / y);  x: 0,  y: 0 (a step function, as in torch)."""

    @staticmethod
    def forward(ctx, x, y, mode):
        ctx.shapes = (shape_of(x), shape_of(y))
        if np.result_type(x, y).kind in "iub":
            _check_integer_divisor(y, "div")
            q = np.floor_divide(x, y)
            if mode == "trunc":  # floor and trunc differ when the signs differ and r != 0
                # r = x - q * y: exact even where the product wraps (|r| < |y|), and three
                # times faster than np.remainder, whose integer loop has no fast division
                q = q + (((x - q * y) != 0) & ((x < 0) != (y < 0)))
            return np.asarray(q)
        return floor_divide_array(x, y) if mode == "floor" else np.trunc(np.true_divide(x, y))

    @staticmethod
    def backward(ctx, grad):
        sx, sy = ctx.shapes
        return np.zeros(sx, grad.dtype), np.zeros(sy, grad.dtype), None


class FloorDivide(Function):
    """z = x // y (floor);  torch implements no derivative, and neither do we."""

    @staticmethod
    def forward(ctx, x, y):
        if np.result_type(x, y).kind in "iub":
            _check_integer_divisor(y, "floor_divide")
        return floor_divide_array(x, y)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class Remainder(Function):
    """z = x - floor(x / y) * y  (the sign of y, Python's %);  x: grad,  y: -grad * floor(x / y)."""

    @staticmethod
    def forward(ctx, x, y):
        if np.result_type(x, y).kind in "iub":
            _check_integer_divisor(y, "remainder")
        ctx.save_for_backward(x, y)
        return remainder_array(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        if not hasattr(x, "shape"):  # scalar % tensor: torch has no derivative either
            raise RuntimeError("derivative for aten::remainder is not implemented")
        # floor(x / y) is a step function: a constant of x and y under create_graph too
        gy = -grad * floor_divide_array(_data(x), _data(y)) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, shape_of(x)), None if gy is None else unbroadcast(gy, shape_of(y))


class Fmod(Function):
    """z = x - trunc(x / y) * y  (the sign of x, C's fmod);  x: grad,  y: -grad * trunc(x / y)."""

    @staticmethod
    def forward(ctx, x, y):
        if np.result_type(x, y).kind in "iub":
            _check_integer_divisor(y, "fmod")
        ctx.save_for_backward(x, y)
        return np.asarray(np.fmod(x, y))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        gy = -grad * np.trunc(np.true_divide(x, y)) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, shape_of(x)), None if gy is None else unbroadcast(gy, shape_of(y))


def power_array(x: Any, y: Any) -> np.ndarray:
    """x ** y with torch's kernel choices: a Python exponent of 0.5, -0.5, 2, 3, -1, -2 uses
    sqrt, rsqrt, x*x, x*x*x, 1/x, 1/(x*x) (so (-0.0) ** -0.5 is -inf, as in torch);
    integers to negative tensor powers give 1, +-1 or 0 instead of NumPy's error."""
    if not isinstance(y, np.ndarray) and isinstance(x, np.ndarray) and x.dtype.kind == "f":
        special = _SPECIAL_EXPONENTS.get(y)
        if special is not None:
            return np.asarray(special(x))
    if isinstance(y, np.ndarray) and y.dtype.kind in "iu" and np.result_type(x, y).kind in "iu":
        negative = y < 0
        if np.any(negative):
            z = np.power(x, np.where(negative, 0, y))
            flip = np.where(y % 2 == 0, 1, -1)
            z = np.where(negative, np.where(x == 1, 1, np.where(x == -1, flip, 0)), z)
            return np.asarray(z, dtype=np.result_type(x, y))
    z = np.power(x, y)  # on a TracedArray (create_graph): the recorded pow, same kernels
    return z if type(z) is TracedArray else np.asarray(z)


_SPECIAL_EXPONENTS = {  # 2 == 2.0 as a dict key, so ints and floats both hit these
    0.5: np.sqrt,
    -0.5: lambda x: np.reciprocal(np.sqrt(x)),
    2: np.square,
    3: lambda x: x * x * x,
    -1: np.reciprocal,
    -2: lambda x: np.reciprocal(x * x),
}


class Pow(Function):
    """z = x ** y;  x: grad * y * x ** (y - 1) (0 where y == 0),
    y: grad * z * log(x) (0 where x == 0 and y >= 0), as torch's pow_backward."""

    @staticmethod
    def forward(ctx, x, y):
        z = power_array(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.saved
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            if np.ndim(y) == 0 and not isinstance(y, np.ndarray):  # a Python exponent
                gx = np.zeros_like(grad) if y == 0 else grad * (y * power_array(x, y - 1))
            else:
                with np.errstate(all="ignore"):
                    gx = np.where(y == 0, 0.0, grad * (y * np.power(x, y - 1))).astype(grad.dtype)
            gx = unbroadcast(gx, shape_of(x))
        if need_y:
            with np.errstate(all="ignore"):
                # grad outside the select, as torch: grad * 0 keeps -0.0 and nan, and under
                # create_graph a nan reaching z through log(0) is not masked away
                gy = (grad * np.where((x == 0) & (y >= 0), 0.0, z * np.log(x))).astype(grad.dtype)
            gy = unbroadcast(gy, shape_of(y))
        return gx, gy


class Neg(Function):
    """y = -x;  x: -grad."""

    @staticmethod
    def forward(ctx, x):
        return np.negative(x)

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Maximum(Function):
    """z = max(x, y), NaN-propagating;  x: grad where x > y,  y: grad where y > x (tie: half)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.maximum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        g = np.where(x == y, grad / 2, grad)
        return (unbroadcast(np.where(x < y, 0, g).astype(grad.dtype), shape_of(x)),
                unbroadcast(np.where(x > y, 0, g).astype(grad.dtype), shape_of(y)))


class Minimum(Function):
    """z = min(x, y), NaN-propagating;  x: grad where x < y,  y: grad where y < x (tie: half)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.minimum(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        g = np.where(x == y, grad / 2, grad)
        return (unbroadcast(np.where(x > y, 0, g).astype(grad.dtype), shape_of(x)),
                unbroadcast(np.where(x < y, 0, g).astype(grad.dtype), shape_of(y)))


def _clip_exact(x: np.ndarray, lo: Any, hi: Any) -> bool:
    """Whether np.clip(x, lo, hi) is np.minimum(hi, np.maximum(lo, x)) bit for bit: two
    number bounds, neither NaN (with two NaN bounds the NaN's sign differs), in x's float
    dtype; or two integer bounds within x's integer dtype."""
    if type(lo) is float and type(hi) is float:  # the common call: a NaN is the one refusal
        return x.dtype.kind == "f" and lo == lo and hi == hi  # (Python floats never promote)
    if type(lo) is int and type(hi) is int and x.dtype.kind in "iu":  # integers: always exact
        info = np.iinfo(x.dtype)  # ... once both bounds are numbers of x's own dtype
        return info.min <= lo <= info.max and info.min <= hi <= info.max
    if lo is None or hi is None or np.ndim(lo) or np.ndim(hi) or x.dtype.kind != "f":
        return False
    if np.isnan(lo) or np.isnan(hi):
        return False
    return bool(np.result_type(x, lo, hi) == x.dtype)


class Clamp(Function):
    """y = min(max(x, lo), hi);  x: grad where lo <= x <= hi (bounds included, as torch),
    lo: grad where x < lo < hi,  hi: grad where x > hi or hi < lo."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x, lo, hi)
        y = x  # on a tie np.maximum returns its 2nd operand: -0.0 survives clamp(min=0.0)
        if _clip_exact(x, lo, hi):  # the same bits in one pass
            return np.asarray(np.clip(x, lo, hi))
        if lo is not None:
            y = np.maximum(lo, y)
        if hi is not None:
            if lo is not None and np.ndim(hi) == 0 and not np.isnan(hi) and isinstance(
                    y, np.ndarray) and np.result_type(hi, y) == y.dtype:
                y = np.minimum(hi, y, out=y)  # y is fresh from np.maximum: no second array
            else:
                y = np.minimum(hi, y)
        return np.asarray(y, dtype=np.result_type(x, *(b for b in (lo, hi) if b is not None)))

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved
        inside = np.ones(grad.shape, bool)  # the output's shape: tensor bounds may broadcast x
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        if isinstance(lo, np.ndarray) and isinstance(hi, np.ndarray):
            _check_clamp_masks(x, lo, hi, grad.shape, ctx.needs_input_grad)
        g_lo = g_hi = None
        if ctx.needs_input_grad[1]:
            pick = (x < lo) & (lo < hi) if hi is not None else x < lo
            g_lo = unbroadcast(keep_where(grad, pick), shape_of(lo))
        if ctx.needs_input_grad[2]:
            pick = (x > hi) | (hi < lo) if lo is not None else x > hi
            g_hi = unbroadcast(keep_where(grad, pick), shape_of(hi))
        return unbroadcast(keep_where(grad, inside), shape_of(x)), g_lo, g_hi


def _check_clamp_masks(x: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                       shape: tuple[int, ...], needs: tuple[bool, ...]) -> None:
    """torch's clamp backward with two tensor bounds builds each mask in place on
    broadcast(x, bound); where that is smaller than the output it raises, and so do we."""
    need_x, need_lo, need_hi = needs[:3]
    for needed, bound in ((need_x or need_lo, lo), (need_hi, hi)):
        partial = np.broadcast_shapes(x.shape, bound.shape)
        if needed and partial != shape:
            raise RuntimeError(
                f"clamp backward: output with shape {list(partial)} doesn't match the "
                f"broadcast shape {list(shape)}"
            )


class Lerp(Function):
    """z = x + w * (y - x) (torch's two-sided form);  x: grad * (1 - w),  y: grad * w,
    w: grad * (y - x)."""

    @staticmethod
    def forward(ctx, x, y, w):
        ctx.save_for_backward(x, y, w)
        diff = y - x
        near_x = np.abs(w) < 0.5
        if np.ndim(near_x) == 0:  # one weight: one of the two forms, for every element
            both = np.broadcast_shapes(np.shape(x), np.shape(y), np.shape(w))
            form = x + w * diff if near_x else y - diff * (1 - w)
            return form if np.shape(form) == both else np.array(np.broadcast_to(form, both))
        return np.asarray(exact_where(near_x, x + w * diff, y - diff * (1 - w)))

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.saved
        gw = unbroadcast(grad * (y - x), shape_of(w)) if ctx.needs_input_grad[2] else None
        return unbroadcast(grad * (1 - w), shape_of(x)), unbroadcast(grad * w, shape_of(y)), gw


class Addcmul(Function):
    """z = x + value * a * b;  x: grad,  a: grad * (b * value),  b: grad * (a * value).

    torch's CPU kernel fuses the last multiply and the add (fma(value * a, b, x)),
    so we call the same fused multiply-add (_torch_exact.fma) to round as it does."""

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.save_for_backward(a, b)
        ctx.shape_x, ctx.value = shape_of(x), value
        if x.dtype.kind != "f":
            return x + value * a * b
        return fma(value * a, b, x)  # torch's kernel: one fused multiply-add, x last

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        _, need_a, need_b, _ = ctx.needs_input_grad
        ga = unbroadcast(grad * (b * ctx.value), shape_of(a)) if need_a else None
        gb = unbroadcast(grad * (a * ctx.value), shape_of(b)) if need_b else None
        return unbroadcast(grad, ctx.shape_x), ga, gb, None


class Addcdiv(Function):
    """z = x + value * a / b;  x: grad,  a: grad * (value / b),
    b: -grad * (value * a / (b * b))."""

    @staticmethod
    def forward(ctx, x, a, b, value):
        ctx.save_for_backward(a, b)
        ctx.shape_x, ctx.value = shape_of(x), value
        return x + value * a / b  # torch's kernel: (value * a) / b, then the add

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        _, need_a, need_b, _ = ctx.needs_input_grad
        ga = unbroadcast(grad * (ctx.value / b), shape_of(a)) if need_a else None
        gb = unbroadcast(-grad * (ctx.value * a / (b * b)), shape_of(b)) if need_b else None
        return unbroadcast(grad, ctx.shape_x), ga, gb, None


def _reject_bool_kernel(d: dtypes.dtype, kernel: str) -> None:
    """torch has no bool kernel for //, %, fmod and rounded division."""
    if d.category == 0:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _check_integer_divisor(y: Any, op: str) -> None:
    if np.any(np.asarray(y) == 0):
        raise RuntimeError(f"{op}: ZeroDivisionError (integer division by zero)")


# -- the public functions: promotion, then the Function -----------------------


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input + alpha * other, with torch's type promotion and broadcasting."""
    a, b, _ = binary_operands(input, other, "add")
    return Add.apply(a, b, alpha=alpha) if alpha != 1 else Add.apply(a, b)
register(add, method=True, inplace=True, operators=("__add__", "__radd__", "__iadd__"))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """input - alpha * other."""
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "sub: Subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    a, b, _ = binary_operands(input, other, "sub")
    return Sub.apply(a, b, alpha=alpha) if alpha != 1 else Sub.apply(a, b)
register(sub, method=True, inplace=True, operators=("__sub__", "__rsub__", "__isub__"))


def mul(input: Any, other: Any) -> Tensor:
    """input * other, elementwise."""
    a, b, _ = binary_operands(input, other, "mul")
    return Mul.apply(a, b)
register(mul, method=True, inplace=True, operators=("__mul__", "__rmul__", "__imul__"))


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """True division (ints become the default float), or rounded: 'trunc' / 'floor'."""
    a, b, d = binary_operands(input, other, "div")
    if rounding_mode is None:
        if d.category < 2:
            a = float_operand(a) if isinstance(a, Tensor) else float(a)
            b = float_operand(b) if isinstance(b, Tensor) else float(b)
        return Div.apply(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    _reject_bool_kernel(d, f"div_{rounding_mode}_cpu")
    return RoundedDiv.apply(a, b, rounding_mode)
register(div, method=True, inplace=True, operators=("__truediv__", "__rtruediv__", "__itruediv__"))


def floor_divide(input: Any, other: Any) -> Tensor:
    """input // other, rounding toward minus infinity."""
    a, b, d = binary_operands(input, other, "floor_divide")
    _reject_bool_kernel(d, "div_floor_cpu")
    return FloorDivide.apply(a, b)
register(floor_divide, method=True, inplace=True,
         operators=("__floordiv__", "__rfloordiv__", "__ifloordiv__"))


def remainder(input: Any, other: Any) -> Tensor:
    """input % other with the sign of other (Python's and torch's %)."""
    _no_two_numbers("remainder", input, other, "(Tensor input, Tensor other)")
    a, b, d = binary_operands(input, other, "remainder")
    _reject_bool_kernel(d, "remainder_cpu")
    return Remainder.apply(a, b)
register(remainder, method=True, inplace=True, operators=("__mod__", "__rmod__", "__imod__"))


def fmod(input: Any, other: Any) -> Tensor:
    """The C remainder, with the sign of input."""
    if not isinstance(input, Tensor):  # torch.fmod takes no number as its first argument
        _invalid_combination("fmod", input, other, "(Tensor input, Tensor other)")
    a, b, d = binary_operands(input, other, "fmod")
    _reject_bool_kernel(d, "fmod_cpu")
    return Fmod.apply(a, b)
register(fmod, method=True, inplace=True)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent; an integer tensor to a negative integer power raises, as in torch."""
    _no_two_numbers("pow", input, exponent, "(Tensor input, Tensor exponent)")
    a, b, d = binary_operands(input, exponent, "pow")
    if d.category == 1 and not isinstance(b, Tensor) and b < 0:
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    return Pow.apply(a, b)
register(pow, method=True, inplace=True, operators=("__pow__", "__rpow__", "__ipow__"))


def neg(input: Tensor) -> Tensor:
    """-input."""
    if input.array.dtype == np.bool_:
        raise RuntimeError(
            "neg: Negation, the `-` operator, on a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)
register(neg, method=True, inplace=True, operators=("__neg__",))


def positive(input: Tensor) -> Tensor:
    """+input: the tensor itself (torch refuses it on bool tensors)."""
    _require_tensors("positive", input)
    if input.array.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input
register(positive, method=True, operators=("__pos__",))


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise max of two tensors (NaN wins)."""
    _require_tensors("maximum", input, other)
    a, b, _ = binary_operands(input, other, "maximum")
    return Maximum.apply(a, b)
register(maximum, method=True)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise min of two tensors (NaN wins)."""
    _require_tensors("minimum", input, other)
    a, b, _ = binary_operands(input, other, "minimum")
    return Minimum.apply(a, b)
register(minimum, method=True)


_PLAIN_BOUNDS = (float, int, type(None))  # not bool: True is an int to Python, not to torch


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Limit input to [min, max]; min and max may be numbers or tensors."""
    if min is None and max is None:
        raise RuntimeError("clamp: At least one of 'min' or 'max' must not be None")
    if (input.array.dtype.kind == "f" and type(min) in _PLAIN_BOUNDS
            and type(max) in _PLAIN_BOUNDS):  # numbers on a float tensor: its dtype stays
        return Clamp.apply(input, None if min is None else float(min),
                           None if max is None else float(max))
    bounds = [b for b in (min, max) if b is not None]
    d = dtypes.result_type(input, *bounds)
    args = []
    for b in (input, min, max):
        if isinstance(b, Tensor):
            args.append(cast(b, d))
        elif b is None:
            args.append(None)
        else:
            args.append(float(b) if d.category == 2 else int(b) if d.category == 1 else b)
    return Clamp.apply(*args)
register(clamp, method=True, inplace=True)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """input + weight * (end - input)."""
    if not isinstance(end, Tensor) or input.array.dtype != end.array.dtype:
        raise RuntimeError(
            f"lerp: expected dtype {input.dtype} for `end` but got dtype "
            f"{getattr(end, 'dtype', type(end).__name__)}"
        )
    if isinstance(weight, Tensor) and weight.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"lerp: expected dtype {input.dtype} for `weight` but got dtype {weight.dtype}"
        )
    return Lerp.apply(input, end, weight if isinstance(weight, Tensor) else float(weight))
register(lerp, method=True, inplace=True)


def _pointwise_operands(op: str, input: Any, tensor1: Any, tensor2: Any,
                        value: Any) -> tuple[Tensor, Tensor, Tensor, Any]:
    """addcmul / addcdiv: three tensors promoted to one dtype and checked to broadcast
    together; value as a number of that dtype (torch casts it: 0.5 is 0 for int64)."""
    for i, (name, t) in enumerate((("input", input), ("tensor1", tensor1),
                                   ("tensor2", tensor2))):
        check_tensor(t, op, name, i + 1)
    # Only checked here: NumPy broadcasts in forward, and unbroadcast undoes it in backward.
    broadcast_shapes(broadcast_shapes(input.array.shape, tensor1.array.shape, op),
                     tensor2.array.shape, op)
    d = dtypes.result_type(input, tensor1, tensor2)
    num = _scalar_as(value, d) if d.category else bool(value)
    return cast(input, d), cast(tensor1, d), cast(tensor2, d), num


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 * tensor2, elementwise, with broadcasting."""
    x, a, b, num = _pointwise_operands("addcmul", input, tensor1, tensor2, value)
    return Addcmul.apply(x, a, b, num)
register(addcmul, method=True, inplace=True)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    """input + value * tensor1 / tensor2, elementwise, with broadcasting (floats only)."""
    x, a, b, num = _pointwise_operands("addcdiv", input, tensor1, tensor2, value)
    if x.array.dtype.kind != "f":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
            "for float inputs. The future addcdiv behavior is just the latter implementation: "
            f"(input + value * tensor1 / tensor2), for all dtypes. (addcdiv got {x.dtype})")
    return Addcdiv.apply(x, a, b, num)
register(addcdiv, method=True, inplace=True)


def _no_two_numbers(op: str, a: Any, b: Any, expected: str) -> None:
    """torch refuses an op on two Python numbers where it has no (Scalar, Scalar) overload."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        _invalid_combination(op, a, b, expected)


def _invalid_combination(op: str, a: Any, b: Any, expected: str) -> None:
    raise TypeError(
        f"{op}() received an invalid combination of arguments - got "
        f"({type(a).__name__}, {type(b).__name__}), but expected {expected}"
    )




def _data(x: Any) -> Any:
    """The values of an operand, without any recorded graph (for step functions' results)."""
    return x.tensor.array if type(x) is TracedArray else x


def _is_bool(x: Any) -> bool:
    return isinstance(x, bool) or (isinstance(x, Tensor) and x.array.dtype == np.bool_)


def _require_tensors(op: str, *xs: Any) -> None:
    for x in xs:
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument 'other' must be Tensor, not {type(x).__name__}")


subtract, multiply, divide, true_divide, negative, clip = sub, mul, div, div, neg, clamp
register(sub, name='subtract', method=True, inplace=True)
register(mul, name='multiply', method=True, inplace=True)
register(div, name='divide', method=True, inplace=True)
register(div, name='true_divide', method=True, inplace=True)
register(neg, name='negative', method=True, inplace=True)
register(clamp, name='clip', method=True, inplace=True)



# -- more binary math (issue 11): angles, norms, signs, log-sum-exp, x log y ------------------
class Atan2(Function):
    """z = atan2(x, y), the angle of the point (y, x);  x: grad * y / (x^2 + y^2),
    y: grad * -x / (x^2 + y^2)  (where x^2 + y^2 is 0, as at the origin, torch takes
    1 / (x^2 + y^2) as 0, so both gradients are signed zeros)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return np.arctan2(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        denominator = x * x + y * y
        recip = np.where(denominator == 0, 0, np.reciprocal(denominator)).astype(grad.dtype)
        need_x, need_y = ctx.needs_input_grad
        gx = unbroadcast(grad * y * recip, shape_of(x)) if need_x else None
        gy = unbroadcast(grad * -x * recip, shape_of(y)) if need_y else None
        return gx, gy


class Hypot(Function):
    """z = sqrt(x^2 + y^2) without overflow;  x: grad * x / z,  y: grad * y / z."""

    @staticmethod
    def forward(ctx, x, y):
        z = np.hypot(x, y)
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.saved
        need_x, need_y = ctx.needs_input_grad
        gx = unbroadcast(grad * x / z, shape_of(x)) if need_x else None
        gy = unbroadcast(grad * y / z, shape_of(y)) if need_y else None
        return gx, gy


class Copysign(Function):
    """z = |x| with the sign of y;  x: grad * z / x (0 where x == 0),  y: 0 (as torch)."""

    @staticmethod
    def forward(ctx, x, y):
        z = np.asarray(np.copysign(x, y))
        ctx.save_for_backward(x, y, z)
        return z

    @staticmethod
    def backward(ctx, grad):
        x, y, z = ctx.saved
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            ratio = np.where(x == 0, np.zeros((), z.dtype), z / x)
            gx = unbroadcast(grad * ratio, shape_of(x))
        if need_y:
            gy = np.zeros(shape_of(y), grad.dtype)
        return gx, gy


class LogAddExp(Function):
    """z = log(e^x + e^y), computed as max + log1p(e^-|x - y|);
    x: grad / (1 + e^(y - x)),  y: grad / (1 + e^(x - y))."""

    @staticmethod
    def forward(ctx, x, y, base2=False):
        ctx.save_for_backward(x, y)
        ctx.base2 = base2
        m = np.maximum(x, y)
        gap = -np.abs(x - y)
        tail = np.log1p(np.exp2(gap)) / LN2 if base2 else np.log1p(np.exp(gap))
        same_inf = np.isinf(x) & (x == y)  # inf - inf would be nan: torch returns x itself
        return np.asarray(np.where(same_inf, x, m + tail))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        power = np.exp2 if ctx.base2 else np.exp
        need_x, need_y = ctx.needs_input_grad[:2]
        gx = unbroadcast(grad / (1 + power(y - x)), shape_of(x)) if need_x else None
        gy = unbroadcast(grad / (1 + power(x - y)), shape_of(y)) if need_y else None
        return gx, gy, None


def xlogy_array(x: Any, y: Any) -> np.ndarray:
    """x * log(y), 0 where x == 0 (log 0 included), nan where y is nan: torch's kernel."""
    if type(x) is TracedArray or type(y) is TracedArray:  # create_graph: the recorded op
        return traced(xlogy(*(as_tensor(v) if hasattr(v, "shape") else v for v in (x, y))))
    z = np.where(x == 0, 0, x * np.log(y))
    return np.asarray(np.where(np.isnan(y), np.nan, z), dtype=np.result_type(x, y))


class Xlogy(Function):
    """z = x * log(y) (0 where x == 0);  x: xlogy(grad, y) (0 where x == 0 and y <= 0),
    y: grad * x / y."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return xlogy_array(x, y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        need_x, need_y = ctx.needs_input_grad
        gx = gy = None
        if need_x:
            gx = np.where((x == 0) & (y <= 0), 0, xlogy_array(grad, y)).astype(grad.dtype)
            gx = unbroadcast(gx, shape_of(x))
        if need_y:
            gy = unbroadcast(grad * x / y, shape_of(y))
        return gx, gy


def _float_pair(input: Any, other: Any, op: str) -> tuple[Any, Any]:
    """Promote, then compute integers in the default float dtype (atan2(int, int) is float)."""
    a, b, d = binary_operands(input, other, op)
    if d.category < 2:
        a = float_operand(a) if isinstance(a, Tensor) else float(a)
        b = float_operand(b) if isinstance(b, Tensor) else float(b)
    return a, b


def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point (other, input) in (-pi, pi]; integers compute in float."""
    check_tensor(input, "atan2", "input", 1)
    check_tensor(other, "atan2", "other", 2)
    return Atan2.apply(*_float_pair(input, other, "atan2"))
register(atan2, method=True, inplace=True)


arctan2 = atan2
register(atan2, name="arctan2", method=True, inplace=True)


def hypot(input: Tensor, other: Tensor) -> Tensor:
    """sqrt(input^2 + other^2), elementwise; floating tensors only, as in torch."""
    check_tensor(input, "hypot", "input", 1)
    check_tensor(other, "hypot", "other", 2)
    a, b, d = binary_operands(input, other, "hypot")
    if d.category < 2:
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{d.kernel_name}'")
    return Hypot.apply(a, b)
register(hypot, method=True, inplace=True)


def copysign(input: Tensor, other: Any) -> Tensor:
    """|input| with the sign of other (a tensor or a number); integers compute in float."""
    if not isinstance(input, Tensor):
        _invalid_combination("copysign", input, other,
                             "(Tensor input, Tensor other) or (Tensor input, Number other)")
    return Copysign.apply(*_float_pair(input, other, "copysign"))
register(copysign, method=True, inplace=True)


def _logaddexp(input: Tensor, other: Tensor, op: str, base2: bool) -> Tensor:
    check_tensor(input, op, "input", 1)
    check_tensor(other, op, "other", 2)
    a, b, d = binary_operands(input, other, op)
    if d.category < 2:
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{d.kernel_name}'")
    return LogAddExp.apply(a, b, base2)


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)) without overflow; floating tensors only."""
    return _logaddexp(input, other, "logaddexp", False)
register(logaddexp, method=True)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2^input + 2^other) without overflow; floating tensors only."""
    return _logaddexp(input, other, "logaddexp2", True)
register(logaddexp2, method=True)


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), 0 where input is 0; either (not both) may be a number."""
    _no_two_numbers("xlogy", input, other, "(Tensor input, Tensor other) or "
                    "(Number self, Tensor other) or (Tensor input, Number other)")
    return Xlogy.apply(*_float_pair(input, other, "xlogy"))
register(xlogy, method=True, inplace=True)


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64, whatever the operands' dtypes."""
    _no_two_numbers("float_power", input, exponent,
                    "(Tensor input, Tensor exponent) or (Number self, Tensor exponent) or "
                    "(Tensor input, Number exponent)")
    a, b = (as_operand(v, "float_power") for v in (input, exponent))
    a, b = (cast(v, dtypes.float64) if isinstance(v, Tensor) else float(v) for v in (a, b))
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a.shape != b.shape:
        broadcast_shapes(a.array.shape, b.array.shape, "float_power")
    return Pow.apply(a, b)


def float_power_(self: Tensor, exponent: Any) -> Tensor:
    """In place: only a float64 tensor can hold float_power's float64 result (torch's rule)."""
    if self.array.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {self.dtype.kernel_name} but the "
            "operation's result requires dtype Double"
        )
    return _inplace[0](self, float_power, exponent)
register(float_power, method=True, inplace=float_power_)


def clamp_min(input: Tensor, min: Any) -> Tensor:
    """max(input, min): clamp with a lower bound only (a number or a tensor)."""
    check_tensor(input, "clamp_min")
    return clamp(input, min=min)
register(clamp_min, method=True, inplace=True)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    """min(input, max): clamp with an upper bound only (a number or a tensor)."""
    check_tensor(input, "clamp_max")
    return clamp(input, max=max)
register(clamp_max, method=True, inplace=True)
