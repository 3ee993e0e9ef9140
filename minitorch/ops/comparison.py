"""Comparisons and logic: == < >= ..., and/or/not, isnan, all/any, allclose.

None of these is differentiable: a True/False answer has no slope, so the
results never require grad and no graph node is recorded. Comparisons
promote their operands first, as arithmetic does (`int_tensor == 2.5`
compares in float), then follow IEEE rules: NaN is unequal to everything,
itself included. Read ops/support.py first.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.ops.support import (
    binary_operands,
    broadcast_shapes,
    check_tensor,
    dim_aliases,
    normalize_dims,
)
from minitorch.registry import register
from minitorch.tensor import Tensor

# torch's C++ names for dtypes, as its kernels print them in error messages.
_KERNEL_NAME = {d.name: d.kernel_name for d in dtypes.ALL_DTYPES}


def _bool(arr: Any) -> Tensor:
    """A result of this module: a bool tensor outside any graph."""
    return Tensor._make(np.asarray(arr, dtype=np.bool_), False, None)


def _array(x: Any) -> Any:
    return x.array if isinstance(x, Tensor) else x




# -- comparisons ---------------------------------------------------------------
def _compare(input: Any, other: Any, np_op: Callable, op: str) -> Tensor:
    """Promote both operands to torch's common dtype, then compare elementwise."""
    if not isinstance(input, Tensor):  # torch.lt(2, t) is refused; 2 < t calls t.__gt__(2)
        raise TypeError(
            f"{op}() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), expected (Tensor input, "
            "Tensor other) or (Tensor input, Number other)"
        )
    a, b, _ = binary_operands(input, other, op)
    try:
        return _bool(np_op(_array(a), _array(b)))
    except OverflowError:  # a Python int too big for the tensor's integer dtype
        raise RuntimeError(f"{op}: value {other!r} cannot be converted without overflow") from None


def eq(input: Any, other: Any) -> Tensor:
    """input == other, elementwise (NaN == NaN is False)."""
    return _compare(input, other, np.equal, "eq")
register(eq, method=True, inplace=True, differentiable=False,
         operators={"__eq__": lambda self, other: False if other is None else eq(self, other)})


def ne(input: Any, other: Any) -> Tensor:
    """input != other, elementwise (NaN != NaN is True)."""
    return _compare(input, other, np.not_equal, "ne")
register(ne, method=True, inplace=True, differentiable=False,
         operators={"__ne__": lambda self, other: True if other is None else ne(self, other)})


def lt(input: Any, other: Any) -> Tensor:
    """input < other, elementwise."""
    return _compare(input, other, np.less, "lt")
register(lt, method=True, inplace=True, differentiable=False, operators=("__lt__",))


def le(input: Any, other: Any) -> Tensor:
    """input <= other, elementwise."""
    return _compare(input, other, np.less_equal, "le")
register(le, method=True, inplace=True, differentiable=False, operators=("__le__",))


def gt(input: Any, other: Any) -> Tensor:
    """input > other, elementwise."""
    return _compare(input, other, np.greater, "gt")
register(gt, method=True, inplace=True, differentiable=False, operators=("__gt__",))


def ge(input: Any, other: Any) -> Tensor:
    """input >= other, elementwise."""
    return _compare(input, other, np.greater_equal, "ge")
register(ge, method=True, inplace=True, differentiable=False, operators=("__ge__",))


# torch's longer names for the same functions
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
register(gt, name='greater', method=True, inplace=True, differentiable=False)
register(ge, name='greater_equal', method=True, inplace=True, differentiable=False)
register(lt, name='less', method=True, inplace=True, differentiable=False)
register(le, name='less_equal', method=True, inplace=True, differentiable=False)
register(ne, name='not_equal', method=True, inplace=True, differentiable=False)


# -- logic: any dtype in, bool out (zero is False, anything else True) --------
def _logical(input: Any, other: Any, np_op: Callable, op: str) -> Tensor:
    a, b = check_tensor(input, op).array, check_tensor(other, op, "other").array
    if a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape, op)
    return _bool(np_op(a, b))


def logical_and(input: Any, other: Any) -> Tensor:
    """input and other, elementwise, as truth values."""
    return _logical(input, other, np.logical_and, "logical_and")
register(logical_and, method=True, inplace=True, differentiable=False)


def logical_or(input: Any, other: Any) -> Tensor:
    """input or other, elementwise, as truth values."""
    return _logical(input, other, np.logical_or, "logical_or")
register(logical_or, method=True, inplace=True, differentiable=False)


def logical_xor(input: Any, other: Any) -> Tensor:
    """Exactly one of input and other is true, elementwise."""
    return _logical(input, other, np.logical_xor, "logical_xor")
register(logical_xor, method=True, inplace=True, differentiable=False)


def logical_not(input: Tensor) -> Tensor:
    """not input, elementwise."""
    return _bool(np.logical_not(check_tensor(input, "logical_not").array))
register(logical_not, method=True, inplace=True, differentiable=False)


# -- bitwise: integers and bools only ----------------------------------------
def _check_integral(d: dtypes.dtype, kernel: str) -> None:
    if d.category == 2:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_KERNEL_NAME[d.name]}'")


def bitwise_not(input: Tensor) -> Tensor:
    """~input: flips every bit of an integer (~5 == -6), negates a bool."""
    x = check_tensor(input, "bitwise_not").array
    _check_integral(dtypes.from_numpy_dtype(x.dtype), "bitwise_not_cpu")
    return Tensor._make(np.asarray(np.invert(x)), False, None)


def _invert(self: Tensor) -> Tensor:
    """~self: torch's operator refuses floats with a TypeError (bitwise_not with its kernel's)."""
    if self.array.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, not {self.dtype}")
    return bitwise_not(self)


register(bitwise_not, method=True, inplace=True, differentiable=False,
         operators={"__invert__": _invert})


def _bitwise(input: Any, other: Any, np_op: Callable, op: str) -> Tensor:
    if not isinstance(other, Tensor):  # a number may stand on either side, not on both
        check_tensor(input, op)
    a, b, result = binary_operands(input, other, op)
    _check_integral(result, f"{op}_cpu")
    return Tensor._make(np.asarray(np_op(_array(a), _array(b)), dtype=result.np), False, None)


def bitwise_and(input: Any, other: Any) -> Tensor:
    """input & other on the bits of integers (logical and for bools)."""
    return _bitwise(input, other, np.bitwise_and, "bitwise_and")
register(bitwise_and, method=True, inplace=True, differentiable=False,
         operators={"__and__": bitwise_and, "__rand__": bitwise_and, "__iand__": None})  # symmetric


def bitwise_or(input: Any, other: Any) -> Tensor:
    """input | other on the bits of integers (logical or for bools)."""
    return _bitwise(input, other, np.bitwise_or, "bitwise_or")
register(bitwise_or, method=True, inplace=True, differentiable=False,
         operators={"__or__": bitwise_or, "__ror__": bitwise_or, "__ior__": None})  # symmetric


def bitwise_xor(input: Any, other: Any) -> Tensor:
    """input ^ other on the bits of integers (logical xor for bools)."""
    return _bitwise(input, other, np.bitwise_xor, "bitwise_xor")
register(bitwise_xor, method=True, inplace=True, differentiable=False,
         operators={"__xor__": bitwise_xor, "__rxor__": bitwise_xor, "__ixor__": None})  # symmetric


def shift_array(x: np.ndarray, s: Any, left: bool) -> np.ndarray:
    """x << s or x >> s as torch's kernels do it: a shift by a negative amount or by the
    width or more gives 0 to the left, and to the right the sign (-1 or 0, unsigned: 0)."""
    x = np.asarray(x)
    s = np.asarray(s, dtype=x.dtype)
    width = 8 * x.dtype.itemsize
    out_of_range = (s < 0) | (s >= width)
    if np.ndim(x) or np.ndim(s):
        # integers select exactly by multiplying with a 0/1 mask (wrapping arithmetic), which
        # never branches, where np.where does on every element
        if not out_of_range.any():
            return np.asarray((np.left_shift if left else np.right_shift)(x, s), dtype=x.dtype)
        keep = ~out_of_range
        shifted = (np.left_shift if left else np.right_shift)(x, s * keep)
        if left or x.dtype.kind == "u":
            shifted *= keep
            return shifted
        sign = np.right_shift(x, np.asarray(width - 1, x.dtype))
        shifted += (sign - shifted) * out_of_range
        return shifted
    safe = np.where(out_of_range, 0, s).astype(x.dtype)
    if left:
        return np.asarray(np.where(out_of_range, 0, np.left_shift(x, safe)), dtype=x.dtype)
    if x.dtype.kind == "u":
        return np.asarray(np.where(out_of_range, 0, np.right_shift(x, safe)), dtype=x.dtype)
    sign = np.right_shift(x, np.asarray(width - 1, x.dtype))
    return np.asarray(np.where(out_of_range, sign, np.right_shift(x, safe)), dtype=x.dtype)


def _shift(input: Any, other: Any, left: bool, op: str) -> Tensor:
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(
            f"{op}() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected (Tensor input, "
            "Tensor other) or (Number self, Tensor other) or (Tensor input, Number other)"
        )
    a, b, result = binary_operands(input, other, op)
    kernel = "lshift_cpu" if left else "rshift_cpu"
    if result.category != 1:  # bools shift only after promotion to int (True << 1 is 2)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{result.kernel_name}'")
    x = np.asarray(_array(a), dtype=result.np)  # a number on the left takes the result dtype
    return Tensor._make(shift_array(x, _array(b), left), False, None)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """input << other: the bits of an integer moved left (x * 2^other, wrapping around)."""
    return _shift(input, other, True, "bitwise_left_shift")
register(bitwise_left_shift, method=True, inplace=True, differentiable=False,
         operators=("__lshift__", "__rlshift__", "__ilshift__"))


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """input >> other: the bits of an integer moved right, the sign copied in (floor of
    x / 2^other)."""
    return _shift(input, other, False, "bitwise_right_shift")
register(bitwise_right_shift, method=True, inplace=True, differentiable=False,
         operators=("__rshift__", "__rrshift__", "__irshift__"))


# -- tests on values -----------------------------------------------------------
def isnan(input: Tensor) -> Tensor:
    """True where input is NaN (never for integers)."""
    return _bool(np.isnan(check_tensor(input, "isnan").array))
register(isnan, method=True, differentiable=False)


def isinf(input: Tensor) -> Tensor:
    """True where input is +inf or -inf."""
    return _bool(np.isinf(check_tensor(input, "isinf").array))
register(isinf, method=True, differentiable=False)


def isposinf(input: Tensor) -> Tensor:
    """True where input is +inf."""
    return _bool(np.isposinf(check_tensor(input, "isposinf").array))
register(isposinf, method=True, differentiable=False)


def isneginf(input: Tensor) -> Tensor:
    """True where input is -inf."""
    return _bool(np.isneginf(check_tensor(input, "isneginf").array))
register(isneginf, method=True, differentiable=False)


def isfinite(input: Tensor) -> Tensor:
    """True where input is neither infinite nor NaN."""
    return _bool(np.isfinite(check_tensor(input, "isfinite").array))
register(isfinite, method=True, differentiable=False)


# -- reductions to a truth value ----------------------------------------------
def _reduce(input: Tensor, dim: Any, keepdim: bool, np_op: Callable, op: str) -> Tensor:
    x = check_tensor(input, op).array
    dims = normalize_dims(dim, x.ndim, op)
    out = np_op(x, axis=dims, keepdims=keepdim)
    if x.dtype == np.uint8:  # torch keeps uint8 (0 or 1) for a uint8 input
        return Tensor._make(np.asarray(out, dtype=np.uint8), False, None)
    return _bool(out)


@dim_aliases
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where every element along dim (int, tuple, or all dims) is non-zero."""
    return _reduce(input, dim, keepdim, np.all, "all")
register(all, method=True, differentiable=False)


@dim_aliases
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """True where some element along dim (int, tuple, or all dims) is non-zero."""
    return _reduce(input, dim, keepdim, np.any, "any")
register(any, method=True, differentiable=False)


# -- closeness -----------------------------------------------------------------
def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other|, elementwise (torch's formula, not symmetric).

    Equal values are always close (inf == inf), NaNs only with equal_nan.
    """
    a, b = check_tensor(input, "isclose").array, check_tensor(other, "isclose", "other").array
    if a.dtype != b.dtype:
        da, db = dtypes.from_numpy_dtype(a.dtype), dtypes.from_numpy_dtype(b.dtype)
        raise RuntimeError(f"{_KERNEL_NAME[da.name]} did not match {_KERNEL_NAME[db.name]}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol:g}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol:g}")
    if a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape, "isclose")
    close = a == b
    if equal_nan and a.dtype.kind == "f":
        close |= np.isnan(a) & np.isnan(b)
    if rtol == 0 and atol == 0:
        return _bool(close)
    if a.dtype == np.bool_:  # torch measures bools in the default float dtype
        a, b = (v.astype(dtypes.get_default_dtype().np) for v in (a, b))
    with np.errstate(invalid="ignore", over="ignore"):
        allowed = atol + np.abs(_times(rtol, b))
        actual = np.abs(a - b)
        close |= np.isfinite(actual) & (actual <= allowed)
    return _bool(close)
register(isclose, method=True, differentiable=False)


def _times(rtol: float, b: np.ndarray) -> np.ndarray:
    """rtol * b in b's float dtype (an int b computes in the default float dtype, as torch)."""
    if b.dtype.kind != "f":
        b = b.astype(dtypes.get_default_dtype().np)
    return rtol * b


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element is close (see isclose); a Python bool."""
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan).array))
register(allclose, method=True, differentiable=False)


def equal(input: Tensor, other: Tensor) -> bool:
    """Same shape and equal values (compared in the promoted dtype); a Python bool."""
    a, b = check_tensor(input, "equal"), check_tensor(other, "equal", "other")
    if a.array.shape != b.array.shape:
        return False
    return builtins.bool(np.all(eq(a, b).array))
register(equal, method=True, differentiable=False)

