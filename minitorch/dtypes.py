"""Dtypes and torch's type-promotion rule, written once.

A minitorch dtype is a thin named wrapper around a NumPy dtype. Promotion
follows torch, not NumPy: operands are ranked in three tiers (tensors with
dimensions, 0-dim tensors, Python scalars) and a lower tier only wins when it
brings a higher *category* (bool < integer < floating). So
`float32 tensor * 2.5` stays float32, `int tensor * 2.5` becomes the default
float dtype, and `float32 tensor + 0-dim float64 tensor` stays float32.
Two dtypes of one tier meet by `promote_types`, torch's table: the wider
wins, except that uint8 and int8 meet at int16 (neither holds the other).
"""

from __future__ import annotations

import builtins

import numpy as np


class dtype:
    """A tensor element type: `minitorch.float32`, `minitorch.int64`, ..."""

    __slots__ = ("name", "np", "rank", "category", "is_floating_point", "itemsize",
                 "is_signed", "kernel_name")

    def __init__(self, name: str, np_dtype: type, rank: int, category: int,
                 kernel_name: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.rank = rank  # position in the order bool < integers by width < floats by width
        self.category = category  # 0 bool, 1 integer, 2 floating
        self.is_floating_point = category == 2
        self.is_signed = self.np.kind in "if"  # as torch.dtype.is_signed
        self.itemsize = self.np.itemsize
        self.kernel_name = kernel_name  # torch's C++ name in kernel errors: 'Float', 'Long'

    def __repr__(self) -> str:
        return f"minitorch.{self.name}"

    def __reduce__(self):  # pickles (and deep-copies) as the singleton it is
        return (_dtype_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0, 0, "Bool")
uint8 = dtype("uint8", np.uint8, 1, 1, "Byte")
int8 = dtype("int8", np.int8, 2, 1, "Char")
int16 = dtype("int16", np.int16, 3, 1, "Short")
int32 = dtype("int32", np.int32, 4, 1, "Int")
int64 = dtype("int64", np.int64, 5, 1, "Long")
float16 = dtype("float16", np.float16, 6, 2, "Half")
float32 = dtype("float32", np.float32, 7, 2, "Float")
float64 = dtype("float64", np.float64, 8, 2, "Double")

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NP = {d.np: d for d in ALL_DTYPES}
_BY_RANK = {d.rank: d for d in ALL_DTYPES}


def _dtype_by_name(name: str) -> dtype:
    return next(d for d in ALL_DTYPES if d.name == name)


# Aliases torch also has.
float = float32
double = float64
long = int64
int = int32
short = int16
half = float16
bool = bool_

_default_float = float32


def get_default_dtype() -> dtype:
    """The dtype of float data given without a dtype (float32 unless changed)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """Set the default float dtype; like torch, only float32 and float64 are allowed."""
    global _default_float
    if d not in (float32, float64):
        raise TypeError(f"set_default_dtype: only floating-point types are supported, got {d}")
    _default_float = d


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The minitorch dtype of a NumPy dtype; raises TypeError for ones we do not support."""
    found = _BY_NP.get(np_dtype)
    if found is None:
        found = _BY_NP.get(np.dtype(np_dtype))
    if found is None:
        raise TypeError(
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        )
    return found


def to_dtype(d) -> dtype:
    """Accept a minitorch dtype, a NumPy dtype or a Python type and return a minitorch dtype."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:  # torch reads Python's float as double
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool_
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"expected a minitorch dtype, got {d!r}") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype that holds both.

    The order is bool < uint8, int8 < int16 < int32 < int64 < float16 < float32 < float64;
    the one exception is uint8 with int8, which meet at int16.
    """
    if {a, b} == {uint8, int8}:
        return int16
    return a if a.rank >= b.rank else b


def scalar_dtype(x) -> dtype:
    """The dtype a Python scalar stands for: bool, int64, or the default float."""
    if isinstance(x, builtins.bool):
        return bool_
    if isinstance(x, builtins.int):
        return int64
    return _default_float


def result_type(*operands) -> dtype:
    """torch.result_type: promote tensors and scalars by torch's three-tier rule."""
    tiers: list[dtype | None] = [None, None, None]  # dim tensors, 0-dim tensors, scalars
    for x in operands:
        data = getattr(x, "array", None)
        if isinstance(data, np.ndarray):
            d, tier = from_numpy_dtype(data.dtype), 0 if data.ndim else 1
        elif isinstance(x, np.ndarray):
            d, tier = from_numpy_dtype(x.dtype), 0 if x.ndim else 1
        else:
            d, tier = scalar_dtype(x), 2
        seen = tiers[tier]
        tiers[tier] = d if seen is None else promote_types(seen, d)
    result = None
    for tier, d in enumerate(tiers):
        if d is None:
            continue
        if result is None:
            result = d
        elif d.category > result.category:
            # A lower tier wins only by bringing a higher category; a scalar
            # float then means the default float dtype, an int means int64.
            result = d if tier < 2 else (int64 if d.category == 1 else _default_float)
    return result


# -- finfo and iinfo: the limits of a dtype ------------------------------------------------------
def _info_dtype(t: object, op: str, python_type: type) -> dtype:
    """A minitorch dtype, or the one Python type torch also takes (float for finfo, int for
    iinfo); anything else is refused as torch's argument parser refuses it."""
    if t is python_type:
        return float64 if python_type is builtins.float else int64
    if t in (builtins.float, builtins.int, builtins.bool):
        return to_dtype(t)  # the wrong kind: refused by the caller with torch's message
    if not isinstance(t, dtype):
        raise TypeError(f"{op}(): argument 'type' (position 1) must be minitorch.dtype, not "
                        f"{type(t).__name__}")
    return t


class finfo:
    """The limits of a floating dtype, as torch.finfo (and NumPy's finfo) give them:
    bits, eps, max, min, tiny (== smallest_normal), resolution, and dtype (its name)."""

    __hash__ = None  # type: ignore[assignment]  # torch's finfo is unhashable too

    def __init__(self, type: object = None) -> None:  # torch's parameter name
        d = get_default_dtype() if type is None else _info_dtype(type, "finfo", builtins.float)
        if not d.is_floating_point:
            raise TypeError(f"minitorch.finfo() requires a floating point input type, got {d}. "
                            "Use minitorch.iinfo to handle integer types")
        info = np.finfo(d.np)
        self.bits: int = d.itemsize * 8
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = builtins.float(f"1e-{info.precision}")  # 10**-digits, exactly
        self.dtype: str = d.name

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """The limits of an integer dtype, as torch.iinfo gives them: bits, max, min, dtype."""

    __hash__ = None  # type: ignore[assignment]

    def __init__(self, type: object) -> None:  # torch's parameter name
        d = _info_dtype(type, "iinfo", builtins.int)
        if d is bool_:
            raise TypeError("minitorch.bool is not supported by minitorch.iinfo")
        if d.category != 1:
            raise TypeError(f"minitorch.iinfo() requires an integer input type, got {d}. "
                            "Use minitorch.finfo to handle floating types")
        info = np.iinfo(d.np)
        self.bits: int = d.itemsize * 8
        self.max: int = builtins.int(info.max)
        self.min: int = builtins.int(info.min)
        self.dtype: str = d.name

    def __eq__(self, other: object) -> builtins.bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
