"""Small checks every functional op shares: is it a tensor, is it floating, what
reduction was asked for, and turning `3` into `(3, 3)` for 2-d arguments.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.ops.creation import empty, full
from minitorch.ops.support import check_tensor
from minitorch.tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")




def check_optional_tensor(x: Any, op: str, arg: str, position: int) -> Tensor | None:
    return None if x is None else check_tensor(x, op, arg, position)


def check_floating(x: Tensor, op: str, arg: str = "input") -> None:
    """Float-only kernels refuse integer tensors with NotImplementedError, as torch's do."""
    if x.array.dtype.kind != "f":
        raise NotImplementedError(f"{op}: \"{op}_cpu\" not implemented for '{_dtype_name(x)}'")


def _dtype_name(x: Tensor) -> str:
    return x.dtype.kernel_name


def reduction_arg(reduction: str, size_average: Any = None, reduce: Any = None) -> str:
    """torch's reduction string, honouring the deprecated size_average / reduce flags."""
    if size_average is not None or reduce is not None:
        warnings.warn(
            "size_average and reduce args will be deprecated, please use reduction= instead.",
            stacklevel=3,
        )
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "mean" if size_average and reduce else ("sum" if reduce else "none")
    if reduction == "elementwise_mean":
        return "mean"
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def reduce_forward(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply 'none' / 'mean' / 'sum' to an elementwise loss (0-d results stay arrays)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    return np.asarray(loss.mean(), dtype=loss.dtype)


def ntuple(value: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    """`3` -> (3, 3); a tuple or list of n ints as is (one int in a list repeats, as in torch)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        if len(value) == n:
            return tuple(int(v) for v in value)
        if len(value) == 1:
            return (int(value[0]),) * n
    raise RuntimeError(
        f"{op}: expected {name} to be a single integer value or a list of {n} values, "
        f"but got {name}={value!r}"
    )


def default_float(d: Any) -> dtypes.dtype:
    return dtypes.get_default_dtype() if d is None else dtypes.to_dtype(d)


def new_tensor(shape: tuple[int, ...], dtype: dtypes.dtype, fill: Any = None) -> Tensor:
    """A fresh leaf of the given shape and dtype (uninitialised, or filled with `fill`)."""
    return empty(shape, dtype=dtype) if fill is None else full(shape, fill, dtype=dtype)
