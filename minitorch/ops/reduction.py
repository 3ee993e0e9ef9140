"""Reductions: sum, mean, prod, max, var, norm, logsumexp, softmax, cumsum, and (wave 2)
median, nansum, nanmean, count_nonzero, var_mean, cummax, logcumsumexp, aminmax, dist;
with their adjoints.

A reduction folds some axes away; its backward spreads the gradient back over
them ("sum in reverse"). So most adjoints below begin the same way: reshape
`grad` to the input's rank with the reduced axes kept as size 1 (`_kept`),
then let NumPy broadcast it. Where the math leaves a choice -- which of
several tied maxima gets the gradient, prod's adjoint at a zero, var when
N - correction <= 0 -- we make torch's choice and say so. Every function that takes a dim
accepts NumPy's axis= (and keepdims=) as torch's argument parser does: see dim_aliases.

Every backward here also runs recorded (create_graph=True, autograd/higher_order.py):
saved arrays are inputs or outputs themselves, gradients stay out of place.

Read ops/elementwise.py first; ops/shape.py comes next.
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple
from typing import Any, Callable

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.autograd.higher_order import TracedArray
from minitorch.dtypes import dtype as DType
from minitorch.ops.elementwise import sign_array
from minitorch.ops.support import (
    cast,
    check_tensor,
    dim_aliases,
    exact_where,
    float_operand,
    normalize_dim,
    normalize_dims,
    scatter_add_into,
    set_into,
)
from minitorch.registry import register
from minitorch.tensor import Tensor

# Careful: inside this module sum, max and min are the ops below, not Python's builtins.

_TORCH_NAMES = {d.name: d.kernel_name for d in dtypes.ALL_DTYPES}


def _torch_name(np_dtype: np.dtype) -> str:
    """torch's name for a dtype in its error messages: Float, Double, Long, Int, Bool."""
    return _TORCH_NAMES.get(np_dtype.name, np_dtype.name)


def _values_indices(name: str) -> type:
    """The named tuple max(dim) and min(dim) return, like torch.return_types.max."""

    def __repr__(self) -> str:
        return f"minitorch.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"

    base = namedtuple(name, ("values", "indices"))
    return type(name, (base,), {"__slots__": (), "__repr__": __repr__})


MaxResult = _values_indices("max")
MinResult = _values_indices("min")


# -- the dim argument, shapes, dtypes --------------------------------------


def _axes(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """torch's dim (None, an int, a tuple or list; () means every dim) as NumPy axes:
    a sorted tuple, or None when the reduction covers every element."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer, tuple, list)):
        raise TypeError(f"{op}(): argument 'dim' must be int or tuple of ints, not "
                        f"{type(dim).__name__}")
    return normalize_dims(dim, ndim, op)  # () for a 0-d tensor: NumPy reduces it all the same


def _kept(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The input's shape with the reduced axes kept as size 1: where grad broadcasts from."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """N, how many input elements each output element summarises."""
    if axes is None:
        return math.prod(shape)
    return math.prod(shape[i] for i in axes)


def _accumulator(input: Tensor, dtype: Any) -> tuple[Tensor, np.dtype]:
    """sum, prod, cumsum, cumprod: with dtype= cast first; else ints and bools count in int64."""
    if dtype is not None:
        d = dtypes.to_dtype(dtype)
        return cast(input, d), d.np
    if input.array.dtype.kind in "biu":
        return input, np.dtype(np.int64)
    return input, input.array.dtype


def _check_no_empty_slice(x: np.ndarray, axes: tuple[int, ...] | None, op: str) -> None:
    """max and friends have no identity element: an empty slice has no answer."""
    if axes is None:
        if x.size == 0:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


_sgn = sign_array  # sign(x) with sign(nan) = 0, which is what torch's sgn gives


def _array(g: Any) -> Any:
    """A backward's result as an array: NumPy turns 0-d results into scalars; a recorded
    gradient (create_graph=True, a TracedArray) passes as it is."""
    return g if type(g) is TracedArray else np.asarray(g)


def along_axis(index: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """The index np.put_along_axis writes through: `index` on axis, aranges broadcast on
    the other dims. With set_into it is put_along_axis on both paths (create_graph too)."""
    where = []
    for d, n in enumerate(index.shape):
        if d == axis:
            where.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            where.append(np.arange(n).reshape(shape))
    return tuple(where)


def put_along(shape: tuple[int, ...], index: np.ndarray, values: Any, axis: int) -> Any:
    """zeros(shape) with values written at index along axis (distinct places): the adjoint
    of np.take_along_axis when no index repeats along axis."""
    return set_into(np.zeros(shape, values.dtype), along_axis(index, axis),
                    values.reshape(index.shape))


def _recorded(*arrays: Any) -> bool:
    """Is this backward being recorded (create_graph=True: some operand is a TracedArray)?"""
    return any(type(a) is TracedArray for a in arrays)


def _cumprod(a: Any, axis: int) -> Any:
    """np.cumprod along axis; on a recorded gradient minitorch's own (NumPy's protocols
    do not map np.cumprod)."""
    if type(a) is TracedArray:
        return TracedArray(a.tensor.cumprod(axis))
    return np.cumprod(a, axis=axis)


# -- sum, mean, prod ---------------------------------------------------------
class Sum(Function):
    """y = sum(x, dims);  x: grad broadcast back over the summed dims."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, acc):
        ctx.shape, ctx.kept, ctx.full = x.shape, _kept(x.shape, axes), axes is None
        # np.add.reduce is what np.sum calls, the same bits without its Python wrapper
        return np.asarray(np.add.reduce(x, axis=axes, keepdims=keepdim, dtype=acc))

    @staticmethod
    def backward(ctx, grad):
        return np.broadcast_to(grad.reshape(ctx.kept), ctx.shape), None, None, None

    def name(self) -> str:  # torch: SumBackward0 for sum(x), SumBackward1 for sum(x, dim)
        return "SumBackward0" if self.full else "SumBackward1"


class Mean(Function):
    """y = sum(x, dims) / N;  x: grad / N broadcast back over the dims."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        ctx.shape, ctx.kept, ctx.full = x.shape, _kept(x.shape, axes), axes is None
        ctx.n = _count(x.shape, axes)
        total = np.add.reduce(x, axis=axes, keepdims=keepdim)  # np.sum minus its wrapper
        if ctx.n == 0:  # the mean of nothing is 0/0: nan, as in torch
            return np.full(np.shape(total), np.nan, x.dtype)
        return np.asarray(total / ctx.n)  # a Python int keeps float32 float32

    @staticmethod
    def backward(ctx, grad):
        if ctx.n == 0:
            return np.zeros(ctx.shape, grad.dtype), None, None
        return np.broadcast_to(grad.reshape(ctx.kept) / ctx.n, ctx.shape), None, None

    def name(self) -> str:
        return "MeanBackward0" if self.full else "MeanBackward1"


class Prod(Function):
    """y = prod(x, dim);  x: grad * (the product of the other elements).

    With no zero that is grad * y / x. With zeros we may not divide, so we
    multiply the others out with two exclusive cumprods (before and after
    each element) -- torch's prod_safe_zeros_backward, exactly. (Two zeros in a full
    product zero every partial, but not their derivatives: recorded, we multiply out.)
    """

    @staticmethod
    def forward(ctx, x, axes, keepdim, acc):
        y = np.asarray(np.prod(x, axis=axes, keepdims=keepdim, dtype=acc))
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.kept = axes, _kept(x.shape, axes)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        if x.ndim == 0:
            return grad, None, None, None
        grad, y = grad.reshape(ctx.kept), y.reshape(ctx.kept)
        zeros = np.count_nonzero(x == 0)
        if zeros == 0:
            return y / x * grad, None, None, None
        if ctx.axes is None:  # everything multiplied together: two zeros kill every partial
            if zeros > 1 and not _recorded(grad, x, y):  # (but not their derivatives: torch too)
                return np.zeros_like(x), None, None, None
            others = _product_of_others(x.reshape(-1), 0).reshape(x.shape)
        else:
            others = _product_of_others(x, ctx.axes[0])
        return grad * others, None, None, None

    def name(self) -> str:
        return "ProdBackward0" if self.axes is None else "ProdBackward1"


def _product_of_others(x: np.ndarray, axis: int) -> np.ndarray:
    """For each element, the product of the others along axis: (all before) * (all after)."""
    x = np.moveaxis(x, axis, -1)
    ones = np.ones(x.shape[:-1] + (1,), x.dtype)
    before = _cumprod(np.concatenate([ones, x[..., :-1]], axis=-1), -1)
    after = np.flip(_cumprod(np.concatenate([ones, np.flip(x[..., 1:], -1)], axis=-1), -1), -1)
    return np.moveaxis(before * after, -1, axis)


@dim_aliases
def sum(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None
) -> Tensor:
    check_tensor(input, "sum")
    x, acc = _accumulator(input, dtype)
    return Sum.apply(x, _axes(dim, x.array.ndim, "sum"), keepdim, acc)
register(sum, method=True)


@dim_aliases
def mean(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None
) -> Tensor:
    check_tensor(input, "mean")
    if dtype is not None:
        d = dtypes.to_dtype(dtype)
        if not d.is_floating_point:
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {_torch_name(d.np)}"
            )
        input = cast(input, d)
    elif input.array.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_torch_name(input.array.dtype)}"
        )
    return Mean.apply(input, _axes(dim, input.array.ndim, "mean"), keepdim)
register(mean, method=True)


@dim_aliases
def prod(
    input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype: DType | None = None
) -> Tensor:
    check_tensor(input, "prod")
    ndim = input.array.ndim
    if dim is None:
        if keepdim:
            raise TypeError("prod(): keepdim=True needs an int dim (torch has prod(input) or "
                            "prod(input, dim, keepdim))")
        axes = None
    else:
        axis = normalize_dim(dim, ndim, "prod")  # one int dim only, as in torch
        axes = (axis,) if ndim else ()
    x, acc = _accumulator(input, dtype)
    return Prod.apply(x, axes, keepdim, acc)
register(prod, method=True)


# -- max, min, amax, amin, argmax, argmin -------------------------------------
class Max(Function):
    """y = max(x) over every element;  x: grad split evenly among the elements equal to y
    (among the NaNs when y is NaN) -- torch's evenly_distribute_backward."""

    reduce = staticmethod(np.amax)

    @staticmethod
    def forward(ctx, x):
        y = np.asarray(ctx.reduce(x))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        hit = np.isnan(x) if np.isnan(y) else x == y
        return np.where(hit, grad / np.count_nonzero(hit), 0)

    def name(self) -> str:
        return "MaxBackward1"


class Min(Max):
    """y = min(x) over every element;  x: grad split evenly among the minima, like Max."""

    reduce = staticmethod(np.amin)

    def name(self) -> str:
        return "MinBackward1"


class MaxDim(Function):
    """values = x at indices (the first maximum along dim);  x: grad sent to those indices only.

    The indices come in from outside (np.argmax); this node just gathers, and
    its adjoint scatters. So at a tie only the returned index gets the
    gradient, as in torch.
    """

    @staticmethod
    def forward(ctx, x, index, axis, keepdim):
        ctx.save_for_backward(index)
        ctx.shape, ctx.axis = x.shape, axis
        if x.ndim == 0:
            return x.copy()
        values = np.take_along_axis(x, index, axis)
        return values if keepdim else np.squeeze(values, axis)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        if not ctx.shape:
            return grad, None, None, None
        return put_along(ctx.shape, index, grad, ctx.axis), None, None, None

    def name(self) -> str:
        return "MaxBackward0"


class MinDim(MaxDim):
    """values = x at indices (the first minimum along dim);  x: grad sent to those indices only."""

    def name(self) -> str:
        return "MinBackward0"


class Amax(Function):
    """y = amax(x, dims);  x: grad split evenly among the elements equal to y in each slice.

    That is torch's rule for amax/amin (max(dim) instead picks one index).
    A slice whose max is NaN has no element equal to it: 0 hits, and its
    whole gradient is NaN (grad / 0 * 0), as in torch.
    """

    reduce = staticmethod(np.amax)

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        y = np.asarray(ctx.reduce(x, axis=axes, keepdims=keepdim))
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.kept = axes, _kept(x.shape, axes)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        hit = x == y.reshape(ctx.kept)
        count = np.sum(hit, axis=ctx.axes, keepdims=True, dtype=grad.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _array(grad.reshape(ctx.kept) / count * hit), None, None


class Amin(Amax):
    """y = amin(x, dims);  x: grad split evenly among the minima of each slice, like Amax."""

    reduce = staticmethod(np.amin)


def _max_min(input: Any, dim: Any, keepdim: bool, op: str) -> Any:
    """max and min: over everything, along one dim (values, indices), or elementwise."""
    check_tensor(input, op)
    if isinstance(dim, Tensor):  # torch.max(a, b) is the elementwise maximum
        if keepdim:
            raise TypeError(f"{op}(input, other): keepdim is not an argument of the "
                            "elementwise form")
        return input.maximum(dim) if op == "max" else input.minimum(dim)
    x = input.array
    if dim is None:
        if keepdim:
            raise TypeError(f"{op}(): keepdim=True needs a dim, e.g. {op}(input, dim, keepdim)")
        _check_no_empty_slice(x, None, op)
        return (Max if op == "max" else Min).apply(input)
    axis = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        index = np.zeros((), np.int64)
    else:
        _check_no_empty_slice(x, (axis,), op)
        pick = np.argmax if op == "max" else np.argmin  # the first one at ties and NaNs
        index = pick(x, axis=axis, keepdims=True).astype(np.int64, copy=False)
    values = (MaxDim if op == "max" else MinDim).apply(input, index, axis, keepdim)
    indices = index if keepdim or x.ndim == 0 else np.squeeze(index, axis)
    result = MaxResult if op == "max" else MinResult
    return result(values, Tensor._make(indices, False, None))


@dim_aliases
def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """max(x): a 0-d tensor; max(x, dim): (values, indices); max(x, other): maximum."""
    return _max_min(input, dim, keepdim, "max")
register(max, method=True)


@dim_aliases
def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """min(x): a 0-d tensor; min(x, dim): (values, indices); min(x, other): minimum."""
    return _max_min(input, dim, keepdim, "min")
register(min, method=True)


@dim_aliases
def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    check_tensor(input, "amax")
    axes = _axes(dim, input.array.ndim, "amax")
    _check_no_empty_slice(input.array, axes, "amax")
    return Amax.apply(input, axes, keepdim)
register(amax, method=True)


@dim_aliases
def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    check_tensor(input, "amin")
    axes = _axes(dim, input.array.ndim, "amin")
    _check_no_empty_slice(input.array, axes, "amin")
    return Amin.apply(input, axes, keepdim)
register(amin, method=True)


def _arg_extreme(input: Tensor, dim: int | None, keepdim: bool, op: str) -> Tensor:
    check_tensor(input, op)
    x = input.array
    if x.dtype == np.bool_:
        raise RuntimeError(f"{op}(): does not support bool input")
    pick = np.argmax if op == "argmax" else np.argmin  # the first one at ties; NaN wins
    if dim is None:  # an index into the flattened tensor
        if x.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        out = pick(x, axis=None, keepdims=keepdim)
    else:
        axis = normalize_dim(dim, x.ndim, op)
        if x.ndim == 0:
            out = 0
        else:
            _check_no_empty_slice(x, (axis,), op)
            out = pick(x, axis=axis, keepdims=keepdim)
    return Tensor._make(np.asarray(out, dtype=np.int64), False, None)


@dim_aliases
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme(input, dim, keepdim, "argmax")
register(argmax, method=True, differentiable=False)


@dim_aliases
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    return _arg_extreme(input, dim, keepdim, "argmin")
register(argmin, method=True, differentiable=False)


# -- var, std -----------------------------------------------------------------
class Var(Function):
    """y = sum((x - mean)^2) / (N - correction);  x: grad * 2 (x - mean) / (N - correction)."""

    @staticmethod
    def forward(ctx, x, axes, dof, keepdim):
        ctx.save_for_backward(x)
        ctx.axes, ctx.kept, ctx.dof = axes, _kept(x.shape, axes), dof
        return _variance(x, axes, dof, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved
        return _var_adjoint(grad.reshape(ctx.kept), x, ctx.axes, ctx.dof), None, None, None


class Std(Function):
    """y = sqrt(var(x, dims));  x: var's adjoint of grad / (2y), with 0 where y == 0.

    sqrt has a kink at 0; torch takes the zero subgradient there, and so do we.
    """

    @staticmethod
    def forward(ctx, x, axes, dof, keepdim):
        # The root is taken in float64 too: a float32 variance of 3e39 would be inf already.
        y = np.asarray(np.sqrt(_variance(x, axes, dof, keepdim, np.float64)), dtype=x.dtype)
        ctx.save_for_backward(x, y)
        ctx.axes, ctx.kept, ctx.dof = axes, _kept(x.shape, axes), dof
        return y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        y = y.reshape(ctx.kept)
        with np.errstate(divide="ignore", invalid="ignore"):
            grad_var = np.where(y == 0, 0, grad.reshape(ctx.kept) / (2 * y))
        return _var_adjoint(grad_var, x, ctx.axes, ctx.dof), None, None, None


def _variance(
    x: np.ndarray, axes: tuple[int, ...] | None, dof: float, keepdim: bool, out_dtype: Any = None
) -> np.ndarray:
    """Two passes (mean, then squared deviations), accumulated in float64 as torch does;
    returned in x's dtype unless `out_dtype` says otherwise (std takes its root first)."""
    xd = x.astype(np.float64, copy=False)
    d = xd - _slice_mean(xd, axes)
    d *= d
    squares = np.sum(d, axis=axes, keepdims=keepdim)
    with np.errstate(divide="ignore", invalid="ignore"):  # torch divides by max(0, dof)
        return np.asarray(squares / (dof if dof > 0 else 0.0), dtype=out_dtype or x.dtype)


def _slice_mean(x: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
    """The mean of each slice (kept dims), shifted by the slice's first element: a constant
    slice then has exactly that mean and variance 0, as torch's Welford gives (and std's
    kink at 0 gets its zero subgradient rather than rounding noise)."""
    if x.size == 0 or x.ndim == 0:
        return np.sum(x, axis=axes, keepdims=True) / (_count(x.shape, axes) or 1)
    first = x[tuple(slice(0, 1) if axes is None or i in axes else slice(None)
                    for i in range(x.ndim))]
    # an infinite first element shifts by 0: the mean is then +-inf, as torch's, not inf - inf
    first = np.where(np.isfinite(first), first, 0)
    with np.errstate(invalid="ignore"):  # inf - inf: the slice's variance is NaN either way
        return first + np.sum(x - first, axis=axes, keepdims=True) / _count(x.shape, axes)


def _var_adjoint(
    grad: np.ndarray, x: np.ndarray, axes: tuple[int, ...] | None, dof: float
) -> np.ndarray:
    """grad * 2 (x - mean) / dof, with torch's readings of dof <= 0 (see below)."""
    mean = _slice_mean(x, axes)
    with np.errstate(divide="ignore", invalid="ignore"):
        if dof <= 0 and (axes is None or x.ndim == 0):
            # torch, reducing everything: 2/0 = inf times (x - mean), read as nan where x == mean
            return _array(grad * np.where(x == mean, np.nan, np.inf).astype(x.dtype))
        # torch, along dims: the plain formula, so a negative dof gives a finite gradient
        return _array((x - mean) * ((2 / dof if dof else math.inf) * grad))


def _var_args(input: Tensor, dim: Any, unbiased: Any, correction: Any, op: str) -> tuple:
    """(axes, dof) for var and std; torch's rules for dim, unbiased and correction."""
    check_tensor(input, op)
    if input.array.dtype.kind != "f":
        raise RuntimeError(f"{op}(): std and var only support floating point and complex "
                           f"dtypes, got {_torch_name(input.array.dtype)}")
    if isinstance(dim, bool):  # var(x, False): torch's (input, unbiased) overload
        if unbiased is not None:
            raise TypeError(f"{op}(): got unbiased twice")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    elif not isinstance(correction, (int, float, np.number)):
        raise TypeError(f"{op}(): correction must be a number, not {type(correction).__name__}")
    axes = _axes(dim, input.array.ndim, op)
    dof = _count(input.array.shape, axes) - correction
    if dof <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=4,  # the caller of var, past dim_aliases
        )
    return axes, dof


@dim_aliases
def var(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    axes, dof = _var_args(input, dim, unbiased, correction, "var")
    return Var.apply(input, axes, dof, keepdim)
register(var, method=True)


@dim_aliases
def std(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> Tensor:
    axes, dof = _var_args(input, dim, unbiased, correction, "std")
    return Std.apply(input, axes, dof, keepdim)
register(std, method=True)


# -- logsumexp, softmax, log_softmax ------------------------------------------
class LogSumExp(Function):
    """y = log(sum(exp(x), dims)) = m + log(sum(exp(x - m))), m the max, so no exp overflows;
    x: grad * exp(x - y), the softmax of x."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        with np.errstate(divide="ignore", invalid="ignore"):  # an all -inf slice: log(0)
            if x.size:
                m = np.amax(x, axis=axes, keepdims=True)
                m = np.where(np.isinf(m), 0, m)  # an infinite max would make x - m nan
                y = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True))
                y += m
            else:
                y = np.log(np.sum(np.exp(x), axis=axes, keepdims=True))
        y = np.asarray(y)
        out = y if keepdim else np.asarray(np.squeeze(y, axis=axes))
        ctx.save_for_backward(x, out)  # the output itself: create_graph traces it back
        ctx.kept = y.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        with np.errstate(invalid="ignore"):
            gx = np.exp(x - y.reshape(ctx.kept))
        return _array(gx * grad.reshape(ctx.kept)), None, None

    def name(self) -> str:
        return "LogsumexpBackward0"


class Softmax(Function):
    """y = exp(x - m) / sum(exp(x - m)) along dim, m the max, so no exp overflows;
    x: y * (grad - sum(grad * y))."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.shape, ctx.axis = x.shape, axis
        x = np.atleast_1d(x)  # a 0-d tensor is a 1-element vector along its one dim
        if x.size == 0:
            y = x.copy()
        else:
            # inf - inf in a row with +inf: nan, as torch (NumPy's warnings are silenced once,
            # in __init__). np.maximum.reduce and np.add.reduce are what np.amax and np.sum
            # call, minus their Python wrapper (~1.5 us each).
            y = x - np.maximum.reduce(x, axis=axis, keepdims=True)
            np.exp(y, out=y)
            y /= np.add.reduce(y, axis=axis, keepdims=True)
        ctx.shape1 = y.shape
        # (a 0-d input comes back 0-d; any other is already in shape: no view to link)
        out = y.reshape(ctx.shape) if y.shape != ctx.shape else y
        ctx.save_for_backward(out)  # the output itself: create_graph traces it back
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        y, grad = y.reshape(ctx.shape1), grad.reshape(ctx.shape1)
        gx = (grad - np.sum(grad * y, axis=ctx.axis, keepdims=True)) * y
        return gx.reshape(ctx.shape), None


def log_softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    """(x - m) - log(sum(exp(x - m))) along axis, m the max, so exp never overflows."""
    if x.size == 0:
        return x.copy()
    # inf - inf in a row with +inf: nan, as torch (minitorch silences NumPy's warnings once,
    # in __init__). The ufuncs' reduce methods are np.amax and np.sum minus their wrapper.
    y = x - np.maximum.reduce(x, axis=axis, keepdims=True)
    y -= np.log(np.add.reduce(np.exp(y), axis=axis, keepdims=True))
    return y


class LogSoftmax(Function):
    """y = (x - m) - log(sum(exp(x - m))) along dim, m the max;  x: grad - exp(y) * sum(grad)."""

    @staticmethod
    def forward(ctx, x, axis):
        ctx.shape, ctx.axis = x.shape, axis
        y = log_softmax_array(np.atleast_1d(x), axis)
        ctx.shape1 = y.shape
        out = y.reshape(ctx.shape) if y.shape != ctx.shape else y  # 0-d in, 0-d out
        ctx.save_for_backward(out)  # the output itself: create_graph traces it back
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved
        y, grad = y.reshape(ctx.shape1), grad.reshape(ctx.shape1)
        gx = grad - np.exp(y) * np.sum(grad, axis=ctx.axis, keepdims=True)
        return gx.reshape(ctx.shape), None


@dim_aliases
def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    check_tensor(input, "logsumexp")
    x = float_operand(input)  # torch computes an int tensor's logsumexp in the default float
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be int or tuple of ints, not NoneType")
    if isinstance(dim, (tuple, list)) and len(dim) == 0 and x.array.ndim:
        raise RuntimeError("logsumexp(): dim=() is refused by torch 2.13 too (a shape error); "
                           "name the dims to reduce")
    return LogSumExp.apply(x, _axes(dim, x.array.ndim, "logsumexp"), keepdim)
register(logsumexp, method=True)


def _softmax_operand(input: Tensor, dtype: Any, op: str) -> Tensor:
    check_tensor(input, op)
    if dtype is not None:
        input = cast(input, dtypes.to_dtype(dtype))
    if input.array.dtype.kind != "f":  # torch has no integer kernel either
        raise NotImplementedError(
            f'"{op}" not implemented for \'{_torch_name(input.array.dtype)}\': pass a floating '
            "tensor or dtype="
        )
    return input


@dim_aliases
def softmax(input: Tensor, dim: int, dtype: DType | None = None) -> Tensor:
    x = _softmax_operand(input, dtype, "softmax")
    return Softmax.apply(x, normalize_dim(dim, x.array.ndim, "softmax"))
register(softmax, method=True)


@dim_aliases
def log_softmax(input: Tensor, dim: int, dtype: DType | None = None) -> Tensor:
    x = _softmax_operand(input, dtype, "log_softmax")
    return LogSoftmax.apply(x, normalize_dim(dim, x.array.ndim, "log_softmax"))
register(log_softmax, method=True)


# -- norm ---------------------------------------------------------------------
# The nuclear norm is a sum of singular values: linear algebra, so linalg registers it here
# (MATRIX_NORMS["nuc"] = matrix_norm) when it is imported, and norm(p='nuc') calls it.
MATRIX_NORMS: dict[str, Callable[..., Tensor]] = {}


class Norm(Function):
    """y = (sum |x|^p)^(1/p) over dims; p = inf: max |x|, -inf: min |x|, 0: how many x != 0.

    x: grad * sgn(x) |x|^(p-1) / y^(p-1); for p = 2 that is grad * x / y.
    Where y == 0 we give 0 (torch's subgradient at the kink), the inf-norms
    split grad among tied |x| like amax, and p = 0 passes no gradient at all.
    Every branch is torch's norm_backward.
    """

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        ctx.p, ctx.axes, ctx.kept = p, axes, _kept(x.shape, axes)
        if p == 2 and _whole_c_float(x, axes):
            y = np.sqrt(_sum_of_squares(x.reshape(-1)))
            y = y.reshape((1,) * x.ndim) if keepdim else y
        elif p == 2:
            y = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
        elif p == 1:
            y = np.sum(np.abs(x), axis=axes, keepdims=keepdim)
        elif p == math.inf:
            y = np.amax(np.abs(x), axis=axes, keepdims=keepdim)
        elif p == -math.inf:
            y = np.amin(np.abs(x), axis=axes, keepdims=keepdim)
        elif p == 0:
            y = np.sum(x != 0, axis=axes, keepdims=keepdim, dtype=x.dtype)
        else:
            with np.errstate(divide="ignore"):  # 0 ** negative p = inf, as in torch
                y = np.sum(np.abs(x) ** p, axis=axes, keepdims=keepdim) ** (1 / p)
        y = np.asarray(y)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        (x, y), p = ctx.saved, ctx.p
        if p == 0:
            return None, None, None, None
        grad, y = grad.reshape(ctx.kept), y.reshape(ctx.kept)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p == 1:
                gx = _sgn(x) * grad
            elif p == 2 and _recorded(grad, x, y):  # torch's grouping: so is its derivative
                gx = grad * np.where(y == 0, 0, x / y)  # at y == 0 (NaN in x, 0 in grad)
            elif p == 2:  # x * (grad / y): one full-size temporary instead of three
                gx = x * np.where(y == 0, 0, grad / y)
            elif math.isinf(p):
                a = np.abs(x)
                hit = (a == y) | np.isnan(a)
                count = np.sum(hit, axis=ctx.axes, keepdims=True, dtype=x.dtype)
                gx = _sgn(x) * ((grad / count) * hit)
            elif p < 1:
                gx = _sgn(x) * np.where(x == 0, 0, np.abs(x) ** (p - 1)) * grad * y ** (1 - p)
            else:
                scaled = _sgn(x) * np.abs(x) ** (p - 1) if p < 2 else x * np.abs(x) ** (p - 2)
                gx = scaled * np.where(y == 0, 0, grad / y ** (p - 1))
        return _array(gx), None, None, None

    def name(self) -> str:
        return "LinalgVectorNormBackward0"


# NumPy sums a C-ordered array's every element pairwise (numpy's pairwise_sum): a run of
# n > 128 values is the sum of its first n2 = n // 2 - (n // 2) % 8 values plus the sum of the
# rest, down to runs of at most 128. _sum_of_squares walks that same tree down to runs of
# _SQUARES_RUN values and sums each run's squares with NumPy, in a buffer that stays in
# cache: the additions of np.sum(x * x), in the same order, without its 4 MB temporary
# (for 1024 x 1024 float32, a freshly faulted array that took longer than the sum itself).
_SQUARES_RUN = 1 << 16


def _whole_c_float(x: np.ndarray, axes: tuple[int, ...] | None) -> bool:
    """Whether sum(x * x) over axes is np.sum's flat pairwise sum of a big float array."""
    whole = axes is None or axes == tuple(range(x.ndim))
    return (whole and x.size > _SQUARES_RUN and x.dtype in (np.float32, np.float64)
            and x.flags.c_contiguous)


def _sum_of_squares(flat: np.ndarray) -> np.generic:
    """np.sum(flat * flat) bit for bit, one run of _SQUARES_RUN squares at a time."""
    buf = np.empty(flat.size if flat.size < _SQUARES_RUN else _SQUARES_RUN, flat.dtype)

    def run(lo: int, n: int) -> np.generic:
        if n <= _SQUARES_RUN:  # np.sum of the run is pairwise_sum over it: the same subtree
            part = buf[:n]
            np.multiply(flat[lo:lo + n], flat[lo:lo + n], out=part)
            return np.sum(part)
        n2 = n // 2
        n2 -= n2 % 8
        return run(lo, n2) + run(lo + n2, n - n2)

    return run(0, flat.size)


def norm(
    input: Tensor,
    p: Any = "fro",
    dim: Any = None,
    keepdim: bool = False,
    dtype: DType | None = None,
) -> Tensor:
    """torch.norm, which for every p but 'nuc' is linalg.vector_norm."""
    check_tensor(input, "norm")
    if isinstance(p, str):
        if p == "nuc":  # torch.norm hands this to linalg.matrix_norm, over every dim by default
            matrix_norm = MATRIX_NORMS.get("nuc")
            if matrix_norm is None:
                raise NotImplementedError("norm: p='nuc' needs minitorch.linalg.matrix_norm, "
                                          "which is not loaded")
            dims = list(range(input.array.ndim)) if dim is None else dim
            return matrix_norm(input, "nuc", dims, keepdim, dtype=dtype)
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                               f"{' '.join(map(str, dim))}")
        p = 2
    elif p is None:
        p = 2
    elif not isinstance(p, (int, float, np.number)):
        raise TypeError(f"norm(): argument 'p' must be a number or 'fro', not {type(p).__name__}")
    p = float(p)
    x = input
    if x.array.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_torch_name(x.array.dtype)}")
    if dtype is not None:
        d = dtypes.to_dtype(dtype)
        if not d.is_floating_point:
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {_torch_name(d.np)}")
        if d.np.itemsize < x.array.dtype.itemsize:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({_torch_name(x.array.dtype)}) "
                f"should be convertible without narrowing to the specified dtype "
                f"({_torch_name(d.np)})"
            )
        x = cast(x, d)
    axes = _axes(dim, x.array.ndim, "norm")
    _check_norm_identity(x.array.shape, p, axes)
    return Norm.apply(x, p, axes, keepdim)
register(norm, method=True)


def _check_norm_identity(shape: tuple[int, ...], p: float, axes: tuple[int, ...] | None) -> None:
    """max, min and negative powers have no value on nothing: torch refuses them there."""
    if not (p < 0 or p == math.inf):
        return
    if axes is None and math.prod(shape) == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty "
                           "tensor because the operation does not have an identity")
    for a in axes or ():
        if shape[a] == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {p:g} norm on the dimension {a} "
                "because this dimension is empty and the operation does not have an identity"
            )


# -- cumsum, cumprod ----------------------------------------------------------
class CumSum(Function):
    """y_k = x_1 + ... + x_k along dim;  x: grad summed from the end, a reversed cumsum."""

    @staticmethod
    def forward(ctx, x, axis, acc):
        ctx.axis = axis
        return np.cumsum(np.atleast_1d(x), axis=axis, dtype=acc).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        return _reversed_cumsum(np.atleast_1d(grad), ctx.axis).reshape(grad.shape), None, None

    def name(self) -> str:
        return "CumsumBackward0"


class CumProd(Function):
    """y_k = x_1 * ... * x_k along dim;  x_k: sum over j >= k of grad_j * y_j / x_k.

    Without zeros that is a reversed cumsum of grad * y, divided by x. With
    zeros we may not divide: before the first zero the formula holds as is,
    after it every y_j is 0 whatever x_k does, and at the first zero z we
    multiply out y_{z-1} * x_{z+1} * ... * x_j. That is torch's O(n)
    cumprod_backward, step by step. Its derivative is not cumprod's second one, so
    when the backward is recorded (create_graph=True) we multiply every product out,
    O(n^2), as torch does under grad mode.
    """

    @staticmethod
    def forward(ctx, x, axis, acc):
        ctx.shape, ctx.axis = x.shape, axis
        out = np.cumprod(np.atleast_1d(x), axis=axis, dtype=acc).reshape(ctx.shape)
        ctx.save_for_backward(x, out)  # input and output themselves: create_graph traces them
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        axis = ctx.axis
        if ctx.shape == () or ctx.shape[axis] <= 1:
            return grad, None, None
        w = y * grad
        zero = x == 0
        if not zero.any():
            return (_reversed_cumsum(w, axis) / x).reshape(ctx.shape), None, None
        if _recorded(grad, x, y):  # the O(n) form below is not differentiable as cumprod's
            return _cumprod_adjoint_by_products(x, grad, axis), None, None  # adjoint: torch too
        seen = np.cumsum(zero, axis=axis)  # how many zeros up to and including k
        before = seen == 0
        gx = np.where(before, _reversed_cumsum(np.where(before, w, 0), axis)
                      / np.where(before, x, 1), 0)
        first = zero & (seen == 1)
        between = (seen == 1) & ~first  # strictly after the first zero, before the second
        partial = _cumprod(np.where(between, x, 1), axis)  # x_{z+1} * ... * x_j
        at_first = np.sum(partial * np.where(seen == 1, grad, 0), axis=axis, keepdims=True)
        z = np.argmax(first, axis=axis, keepdims=True)
        y_before = np.where(z == 0, 1, np.take_along_axis(y, np.maximum(z - 1, 0), axis))
        gx = np.where(first, at_first * y_before, gx)
        return gx.reshape(ctx.shape), None, None

    def name(self) -> str:
        return "CumprodBackward0"


def _cumprod_adjoint_by_products(x: Any, grad: Any, axis: int) -> Any:
    """x_k: sum over j >= k of grad_j * (x_1 ... x_j without x_k), every product multiplied
    out, O(n^2) and differentiable at zeros: torch's cumprod_backward under grad mode."""
    n = x.shape[axis]
    xs, gs = np.moveaxis(x, axis, -1), np.moveaxis(grad, axis, -1)
    # [..., k, j]: the running product of x with x_k read as 1
    omitted = _cumprod(np.where(np.eye(n, dtype=bool), 1.0, np.expand_dims(xs, -2)), -1)
    later = np.triu(np.ones((n, n), bool))  # j >= k
    gx = np.sum(omitted * np.where(later, np.expand_dims(gs, -2), 0.0), axis=-1)
    return np.moveaxis(gx, -1, axis)


def _reversed_cumsum(a: np.ndarray, axis: int) -> np.ndarray:
    """a_k + a_{k+1} + ... + a_n along axis: the adjoint of cumsum."""
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)


def _cumulative_operand(input: Tensor, dtype: Any, op: str) -> tuple[Tensor, np.dtype]:
    check_tensor(input, op)
    x, acc = _accumulator(input, dtype)
    if acc == np.bool_:  # torch has no bool kernel for running sums and products
        raise NotImplementedError(f'"{op}_out_cpu" not implemented for \'Bool\'')
    return x, acc


@dim_aliases
def cumsum(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    x, acc = _cumulative_operand(input, dtype, "cumsum")
    return CumSum.apply(x, normalize_dim(dim, x.array.ndim, "cumsum"), acc)
register(cumsum, method=True, inplace=True)


@dim_aliases
def cumprod(input: Tensor, dim: int, *, dtype: DType | None = None) -> Tensor:
    x, acc = _cumulative_operand(input, dtype, "cumprod")
    return CumProd.apply(x, normalize_dim(dim, x.array.ndim, "cumprod"), acc)
register(cumprod, method=True, inplace=True)



# -- nansum, nanmean, count_nonzero ------------------------------------------------------------
class NanSum(Function):
    """y = sum(x, dims) with NaN read as 0;  x: grad broadcast back, times (x is not NaN)."""

    def name(self) -> str:
        return "NansumBackward0"

    @staticmethod
    def forward(ctx, x, axes, keepdim, acc):
        ctx.kept, ctx.shape = _kept(x.shape, axes), x.shape
        ctx.keep = ~np.isnan(x) if x.dtype.kind == "f" else None
        if ctx.keep is not None:
            # a C-ordered x sums as its C-ordered copy would: copy only to zero NaNs, and
            # without np.where's branches
            if not x.flags.c_contiguous:
                x = np.where(ctx.keep, x, np.zeros((), x.dtype))
            elif not ctx.keep.all():
                x = exact_where(ctx.keep, x, np.zeros((), x.dtype))
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdim, dtype=acc))

    @staticmethod
    def backward(ctx, grad):
        # A product, not a select, as torch's nansum_backward: an inf grad at a NaN gives NaN.
        with np.errstate(invalid="ignore"):
            return np.broadcast_to(grad.reshape(ctx.kept), ctx.shape) * ctx.keep, None, None, None


@dim_aliases
def nansum(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None
) -> Tensor:
    check_tensor(input, "nansum")
    x, acc = _accumulator(input, dtype)
    return NanSum.apply(x, _axes(dim, x.array.ndim, "nansum"), keepdim, acc)
register(nansum, method=True)


@dim_aliases
def nanmean(
    input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None
) -> Tensor:
    """nansum / (how many are not NaN): torch's own composition, so its gradient too
    (an all-NaN slice gives 0/0 = NaN, and NaN gradients)."""
    check_tensor(input, "nanmean")
    if dtype is not None and not dtypes.to_dtype(dtype).is_floating_point:
        raise RuntimeError(
            "nanmean(): could not infer output dtype. Optional dtype must be either a floating "
            f"point or complex dtype. Got: {_torch_name(dtypes.to_dtype(dtype).np)}"
        )
    if input.array.dtype.kind != "f":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_torch_name(input.array.dtype)}")
    axes = _axes(dim, input.array.ndim, "nanmean")
    count = np.sum(~np.isnan(input.array), axis=axes, keepdims=keepdim, dtype=np.int64)
    return nansum(input, dim, keepdim, dtype=dtype) / Tensor._make(np.asarray(count), False, None)
register(nanmean, method=True)


@dim_aliases
def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many elements are not zero (NaN counts), along dim (an int or a tuple): int64."""
    check_tensor(input, "count_nonzero")
    axes = _axes(dim, input.array.ndim, "count_nonzero")
    counts = np.count_nonzero(input.array, axis=axes)
    return Tensor._make(np.asarray(counts, dtype=np.int64), False, None)
register(count_nonzero, method=True, differentiable=False)


# -- var_mean, std_mean ----------------------------------------------------------------------
class VarMeanVar(Var):
    """var of var_mean;  x: grad * 2 (x - mean) / (N - correction)."""

    def name(self) -> str:
        return "VarMeanBackward0"


class VarMeanMean(Mean):
    """mean of var_mean and std_mean;  x: grad / N broadcast back over the dims."""

    def name(self) -> str:
        return "VarMeanBackward0"


class StdMeanStd(Std):
    """std of std_mean;  x: var's adjoint of grad / (2y), with 0 where y == 0."""

    def name(self) -> str:
        return "StdMeanBackward0"


class StdMeanMean(Mean):
    """mean of std_mean;  x: grad / N broadcast back over the dims."""

    def name(self) -> str:
        return "StdMeanBackward0"


@dim_aliases
def var_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """(var, mean) over the same dims, a plain tuple as in torch; torch records one node
    VarMeanBackward0, we record two of that name with the same gradients."""
    axes, dof = _var_args(input, dim, unbiased, correction, "var_mean")
    return VarMeanVar.apply(input, axes, dof, keepdim), VarMeanMean.apply(input, axes, keepdim)
register(var_mean)


@dim_aliases
def std_mean(
    input: Tensor,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple[Tensor, Tensor]:
    """(std, mean) over the same dims, a plain tuple as in torch."""
    axes, dof = _var_args(input, dim, unbiased, correction, "std_mean")
    return StdMeanStd.apply(input, axes, dof, keepdim), StdMeanMean.apply(input, axes, keepdim)
register(std_mean)


# -- median, nanmedian ------------------------------------------------------------------------
MedianResult = _values_indices("median")
NanMedianResult = _values_indices("nanmedian")
_NO_DIM = object()  # median(x) and median(x, dim) are two overloads; dim=None is neither


def _kth_in_order(x: np.ndarray, k: int) -> np.ndarray:
    """x flattened and partitioned so that position k holds the k-th smallest value (NaNs
    sort last): what a full sort would put there, at a quickselect's cost instead of a
    sort's (4x less at a million values)."""
    return np.partition(x, k, axis=None)


def _lower_median(x: np.ndarray) -> np.ndarray:
    """The lower of the two middle values (torch's median), NaN if there is a NaN."""
    if x.size == 0:  # torch: nan for floats, the smallest value for ints
        return np.asarray(np.nan if x.dtype.kind == "f" else np.iinfo(x.dtype).min, x.dtype)
    if x.dtype.kind == "f" and np.isnan(x).any():
        return np.asarray(np.sort(x, axis=None)[-1])  # the NaN a sort puts last
    k = (x.size - 1) // 2
    return _signed_zero(x, _kth_in_order(x, k), k)


def _lower_nanmedian(x: np.ndarray) -> np.ndarray:
    """The lower median of the values that are not NaN; NaN if every value is."""
    if x.size == 0:
        return _lower_median(x)
    n = x.size - (np.count_nonzero(np.isnan(x)) if x.dtype.kind == "f" else 0)
    k = (n - 1) // 2 if n else 0
    return _signed_zero(x, _kth_in_order(x, k), k)


_REPLAY_BUDGET = 1 << 16  # past this many elements we keep NumPy's zero (its sign may differ)


def _signed_zero(x: np.ndarray, flat: np.ndarray, k: int) -> np.ndarray:
    """flat[k] (flat: x's values with the k-th smallest at k), except that a zero median
    takes the sign torch's std::nth_element leaves.

    0.0 and -0.0 are equal, so which one lands at k depends on the partition's steps;
    only then (both zeros present) do we replay libstdc++'s nth_element as torch runs it.
    """
    v = flat[k]
    if v != 0 or x.dtype.kind != "f" or x.size > _REPLAY_BUDGET:
        return np.asarray(v)
    zeros = flat[flat == 0]
    if np.signbit(zeros).all() or not np.signbit(zeros).any():
        return np.asarray(v)
    from minitorch.ops.sorting import _stl_nth_element  # sorting imports this module

    values = x.reshape(-1).tolist()
    _stl_nth_element(values, 0, k, len(values),
                     lambda a, b: a < b or (b != b and a == a))  # torch's: NaN is the largest
    return np.asarray(values[k], x.dtype)


class Median(Max):
    """y = the lower median of every element;  x: grad split evenly among the elements equal
    to y (among the NaNs when y is NaN) -- torch's evenly_distribute_backward, as max."""

    reduce = staticmethod(_lower_median)

    def name(self) -> str:
        return "MedianBackward0"


class NanMedian(Max):
    """y = the lower median of the elements that are not NaN;  x: grad split evenly among
    the elements equal to y, as Median."""

    reduce = staticmethod(_lower_nanmedian)

    def name(self) -> str:
        return "NanmedianBackward0"


class MedianDim(MaxDim):
    """values = x at indices (the median of each slice along dim);  x: grad sent to those
    indices only."""

    def name(self) -> str:
        return "MedianBackward1"


class NanMedianDim(MaxDim):
    """values = x at indices (the NaN-skipping median along dim);  x: grad sent to those
    indices only."""

    def name(self) -> str:
        return "NanmedianBackward1"


def stable_kth(x: np.ndarray, axis: int, k: int) -> tuple[np.ndarray, int]:
    """The k-th index (k from 1) of a stable ascending argsort along axis (NaN last), kept
    dims, found by a partition instead of sorting whole rows; and the number of rows where
    other elements equal the k-th value (there torch's kthvalue, a quickselect, decides which
    of them it returns: sorting.py's `_at_ties`; equal elements elsewhere change nothing)."""
    n = x.shape[axis]
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, n)
    v = np.partition(rows, k - 1, axis=1)[:, k - 1:k]  # NaN sorts last, as in _order
    below, equal = rows < v, rows == v
    if rows.dtype.kind == "f" and np.isnan(rows).any():  # NaN: the largest, equal to itself
        row_nan, v_nan = np.isnan(rows), np.isnan(v)
        below |= ~row_nan & v_nan
        equal |= row_nan & v_nan
    need = k - np.count_nonzero(below, axis=1)  # v's place among the elements equal to it
    count = np.count_nonzero(equal, axis=1)
    tied = count > 1  # which equal one lands k-th is then quickselect's choice
    # the need-th element equal to v: the last one where it is the only one
    index = n - 1 - np.argmax(equal[:, ::-1], axis=1)
    if tied.any():
        rank = np.cumsum(equal[tied], axis=1, dtype=np.int32)
        index[tied] = np.argmax(rank == need[tied, None], axis=1)
    index = index.astype(np.int64, copy=False).reshape(moved.shape[:-1] + (1,))
    return np.moveaxis(index, -1, axis), int(np.count_nonzero(tied))


def _median_index(x: np.ndarray, axis: int, skip_nan: bool) -> np.ndarray:
    """torch's index of the median along axis, kept dims.

    torch partitions with nth_element under the order (value, index), so among equal
    values the pick is the k-th of a stable sort. median returns the first NaN if a
    slice has one; nanmedian takes the lower median of the values that are not NaN.
    """
    n = x.shape[axis]
    if x.dtype.kind in "iu" or (x.dtype.kind == "f" and not np.isnan(x).any()):
        return stable_kth(x, axis, (n - 1) // 2 + 1)[0]  # one k for every slice: no NaN
    order = np.argsort(x, axis=axis, kind="stable")  # NaNs last, in index order
    nans = (np.sum(np.isnan(x), axis=axis, keepdims=True) if x.dtype.kind == "f"
            else np.zeros(_kept(x.shape, (axis,)), np.int64))
    if skip_nan:
        k = np.maximum(n - nans - 1, 0) // 2
    else:
        k = np.where(nans > 0, n - nans, (n - 1) // 2)
    return np.take_along_axis(order, k, axis).astype(np.int64, copy=False)


def _median(input: Tensor, dim: Any, keepdim: bool, op: str) -> Any:
    check_tensor(input, op)
    x = input.array
    skip_nan = op == "nanmedian"
    if dim is _NO_DIM:
        if keepdim:
            raise TypeError(f'{op}() missing 1 required positional arguments: "dim" '
                            "(keepdim needs a dim)")
        if x.dtype == np.bool_:
            raise NotImplementedError(f"\"{op}_cpu\" not implemented for 'Bool'")
        return (NanMedian if skip_nan else Median).apply(input)
    if dim is None or isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{op}_out\" not implemented for 'Bool'")
    axis = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        index = np.zeros((), np.int64)
    else:
        _check_no_empty_slice(x, (axis,), op)
        index = _median_index(x, axis, skip_nan)
    node = NanMedianDim if skip_nan else MedianDim
    values = node.apply(input, index, axis, keepdim)
    indices = index if keepdim or x.ndim == 0 else np.squeeze(index, axis)
    result = NanMedianResult if skip_nan else MedianResult
    return result(values, Tensor._make(indices, False, None))


@dim_aliases
def median(input: Tensor, dim: Any = _NO_DIM, keepdim: bool = False) -> Any:
    """median(x): the lower median, a 0-d tensor (NaN if any NaN);
    median(x, dim): (values, indices) along dim."""
    return _median(input, dim, keepdim, "median")
register(median, method=True)


@dim_aliases
def nanmedian(input: Tensor, dim: Any = _NO_DIM, keepdim: bool = False) -> Any:
    """median that skips NaNs: NaN only where every value is NaN."""
    return _median(input, dim, keepdim, "nanmedian")
register(nanmedian, method=True)


# -- cummax, cummin, logcumsumexp ---------------------------------------------------------------
CummaxResult = _values_indices("cummax")
CumminResult = _values_indices("cummin")


class CumMax(Function):
    """values_k = x at indices_k (the running max so far, its last index at ties);
    x: grad scatter-added to those indices -- torch's cummaxmin_backward."""

    @staticmethod
    def forward(ctx, x, index, axis):
        ctx.save_for_backward(index)
        ctx.shape, ctx.axis = x.shape, axis
        return np.take_along_axis(np.atleast_1d(x), index, axis).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        if index.size == 0:
            return np.zeros(ctx.shape, grad.dtype), None, None
        rows = np.moveaxis(index, ctx.axis, -1).reshape(-1, index.shape[ctx.axis])
        g = np.moveaxis(np.atleast_1d(grad), ctx.axis, -1).reshape(rows.shape)
        where = (np.arange(rows.shape[0])[:, None], rows)
        gx = scatter_add_into(np.zeros(rows.shape, grad.dtype), where, g)  # repeats add up
        moved = np.moveaxis(np.atleast_1d(grad), ctx.axis, -1).shape
        return np.moveaxis(gx.reshape(moved), -1, ctx.axis).reshape(ctx.shape), None, None

    def name(self) -> str:
        return "CummaxBackward0"


class CumMin(CumMax):
    """values_k = x at indices_k (the running min so far, its last index at ties);
    x: grad scatter-added to those indices."""

    def name(self) -> str:
        return "CumminBackward0"


def _running_index(x: np.ndarray, axis: int, op: str) -> np.ndarray:
    """torch's cummax/cummin index: the last k' <= k whose x equals the running extreme
    (its `>=` keeps the latest tie), and once a NaN is seen, the latest NaN."""
    running = (np.maximum if op == "cummax" else np.minimum).accumulate(x, axis=axis)  # NaN sticks
    hit = x == running
    if x.dtype.kind == "f":
        hit |= np.isnan(x)  # a NaN is the running extreme from the first NaN on
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    positions = np.arange(x.shape[axis], dtype=np.int64).reshape(shape)
    return np.maximum.accumulate(np.where(hit, positions, 0), axis=axis)


def _cum_extreme(input: Tensor, dim: Any, op: str) -> Any:
    check_tensor(input, op)
    if dim is None or isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    x = input.array
    axis = normalize_dim(dim, x.ndim, op)
    index = _running_index(np.atleast_1d(x), axis, op)
    values = (CumMax if op == "cummax" else CumMin).apply(input, index, axis)
    result = CummaxResult if op == "cummax" else CumminResult
    return result(values, Tensor._make(index.reshape(x.shape), False, None))


@dim_aliases
def cummax(input: Tensor, dim: int) -> Any:
    """(values, indices): the running maximum along dim and where it was last reached."""
    return _cum_extreme(input, dim, "cummax")
register(cummax, method=True)


@dim_aliases
def cummin(input: Tensor, dim: int) -> Any:
    """(values, indices): the running minimum along dim and where it was last reached."""
    return _cum_extreme(input, dim, "cummin")
register(cummin, method=True)


class LogCumSumExp(Function):
    """y_k = log(exp(x_1) + ... + exp(x_k)) along dim, by logaddexp so nothing overflows;
    x_k: sum over i >= k of grad_i * exp(x_k - y_i), in log space as torch does.

    torch splits grad by sign and takes a reversed logcumsumexp of log|grad| - y for each
    half (TensorFlow's formula), so even huge y and tiny grad stay finite; so do we.
    """

    @staticmethod
    def running(x: np.ndarray, axis: int) -> np.ndarray:
        """The running logaddexp along axis, carried in torch's CPU accumulator type (double
        for float32, float for half) and rounded to x's dtype at each step, as torch's kernel.
        A recorded array (create_graph=True) takes minitorch's logcumsumexp, recorded."""
        if type(x) is TracedArray:
            return TracedArray(x.tensor.logcumsumexp(axis))
        acc = np.float32 if x.dtype == np.float16 else np.float64
        return np.logaddexp.accumulate(x.astype(acc), axis=axis).astype(x.dtype)

    @staticmethod
    def forward(ctx, x, axis):
        ctx.shape, ctx.axis = x.shape, axis
        x1 = np.atleast_1d(x)
        with np.errstate(invalid="ignore"):  # inf + (-inf) inside logaddexp: NaN, as torch
            y = LogCumSumExp.running(x1, axis) if x1.size else x1.copy()
        out = y.reshape(ctx.shape)
        ctx.save_for_backward(x, out)  # input and output themselves: create_graph traces them
        ctx.shape1 = y.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved
        axis = ctx.axis
        if y.size == 0:
            return grad, None
        x, y = x.reshape(ctx.shape1), y.reshape(ctx.shape1)
        grad = grad.reshape(ctx.shape1)
        lowest = np.finfo(x.dtype).min

        def reversed_lcse(a: np.ndarray) -> np.ndarray:
            return np.flip(LogCumSumExp.running(np.flip(a, axis), axis), axis)

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_abs = np.log(np.abs(grad))
            pos = np.where(grad > 0, log_abs, lowest)
            neg = np.where(grad < 0, log_abs, lowest)
            gx = np.exp(reversed_lcse(pos - y) + x) - np.exp(reversed_lcse(neg - y) + x)
        return gx.astype(x.dtype, copy=False).reshape(ctx.shape), None

    def name(self) -> str:
        return "LogcumsumexpBackward0"


@dim_aliases
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    check_tensor(input, "logcumsumexp")
    if input.array.dtype.kind != "f":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_torch_name(input.array.dtype)}'"
        )
    return LogCumSumExp.apply(input, normalize_dim(dim, input.array.ndim, "logcumsumexp"))
register(logcumsumexp, method=True)


# -- aminmax, dist ------------------------------------------------------------------------------
def _min_max_tuple() -> type:
    """torch.return_types.aminmax: a named tuple (min, max)."""

    def __repr__(self) -> str:
        return f"minitorch.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"

    base = namedtuple("aminmax", ("min", "max"))
    return type("aminmax", (base,), {"__slots__": (), "__repr__": __repr__})


AminmaxResult = _min_max_tuple()


class AminmaxMin(Amin):
    """min = amin(x, dim);  x: grad split evenly among the minima (torch's aminmax backward)."""

    def name(self) -> str:
        return "AminmaxBackward0"


class AminmaxMax(Amax):
    """max = amax(x, dim);  x: grad split evenly among the maxima (torch's aminmax backward)."""

    def name(self) -> str:
        return "AminmaxBackward0"


@dim_aliases
def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """(min, max) in one call; each gradient is split evenly among ties, as amin and amax.
    torch records one node AminmaxBackward0; we record two of that name, same gradients."""
    check_tensor(input, "aminmax")
    x = input.array
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        axes = None
    else:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
        axis = normalize_dim(dim, x.ndim, "aminmax")
        if x.ndim and x.shape[axis] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {axis} to have non-zero size.")
        axes = (axis,) if x.ndim else ()
    return AminmaxResult(AminmaxMin.apply(input, axes, keepdim),
                         AminmaxMax.apply(input, axes, keepdim))
register(aminmax, method=True)


class Dist(Norm):
    """y = norm(input - other, p) of the difference (broadcast);  input: norm's adjoint at the
    difference, other: minus that (through the subtraction before this node)."""

    def name(self) -> str:
        return "DistBackward0"


def dist(input: Tensor, other: Tensor, p: Any = 2) -> Tensor:
    """norm(input - other, p), broadcasting; its gradient is norm's, with a minus for other."""
    check_tensor(input, "dist")
    if not isinstance(other, Tensor):
        raise TypeError("dist(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if isinstance(p, bool) or not isinstance(p, (int, float, np.number)):
        raise TypeError(f"dist(): argument 'p' must be Number, not {type(p).__name__}")
    if input.array.dtype.kind != "f" and other.array.dtype.kind != "f":  # int - int stays int
        raise RuntimeError("dist(): input dtype should be either floating point or complex. "
                           f"Got {_torch_name(np.result_type(input.array, other.array))} instead.")
    diff = input - other
    p = float(p)
    _check_norm_identity(diff.array.shape, p, None)
    return Dist.apply(diff, p, None, False)
register(dist, method=True)
