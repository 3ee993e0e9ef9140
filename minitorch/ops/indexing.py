"""Indexing: t[index], t[index] = value, gather, scatter(_reduce), index_select, index_put,
index_add, index_copy, index_fill, masked_fill, masked_scatter, take, where.

torch copied NumPy's indexing rules but for one difference, and `_parse_index` is where it
lives: torch applies the basic items of an index first (ints select, slices slice, None adds
a dim), then the tensors on the dims that are left. So an int among tensors is *not* an
advanced index: `x[1, :, idx]` keeps idx's dims where idx stood, where NumPy would move them
to the front. We hand NumPy the two steps separately, and it agrees with torch.

There are two kinds of index and so two adjoints:

* basic (ints, slices, None, ...): the result is a view and no element is
  picked twice, so the backward *writes* grad into zeros (`Slice`, shape.py);
* advanced (int or bool tensors): the result is a copy and an element may be
  picked many times (x[[0, 0]]), so the backward *accumulates* (support.scatter_add_into).

Every adjoint in this file is a scatter of the gradient back to where the
values came from, or a gather of it from where they went. Read shape.py first.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import _GradMode
from minitorch.autograd.higher_order import as_tensor, delayed_error, first_order_only, traced
from minitorch.ops.creation import _scalar_for
from minitorch.ops.shape import (
    Slice,
    expand,
    reshape,
)
from minitorch.ops.support import (
    as_operand,
    binary_operands,
    broadcast_shapes,
    cast,
    check_tensor,
    dim_aliases,
    normalize_dim,
    scatter_add_into,
    set_into,
    unbroadcast,
)
from minitorch.registry import register
from minitorch.tensor import Tensor
from minitorch.views import write_inplace, zeroed_at

_INT_TYPES = (int, np.integer)
_ALL = slice(None)
_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


# -- the Functions ------------------------------------------------------------
class Select(Slice):
    """y = x[i] for one int i (a view);  x: zeros with grad written at row i."""


class Index(Function):
    """y = x[index] with int or bool arrays (a copy);  x: grad scatter-added at index.

    scatter_add_into accumulates, so an element picked twice gets both gradients. A
    single bool mask picks each element at most once: plain assignment does.
    """

    @staticmethod
    def forward(ctx, x, index, kind):
        ctx.in_shape, ctx.index, ctx.kind = x.shape, index, kind
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        g = np.zeros(ctx.in_shape, grad.dtype)
        if ctx.kind == "mask":
            return set_into(g, ctx.index, grad)
        return scatter_add_into(g, ctx.index, grad)


class SetItem(Function):
    """y = x with y[index] = value (torch calls the node CopySlices);  x: grad zeroed at index,
    value: grad[index] summed back to value's shape."""

    @staticmethod
    def forward(ctx, x, value, index):
        ctx.index = index  # (basic, advanced), as _parse_index returns them
        ctx.value_shape = value.shape if isinstance(value, np.ndarray) else None
        out = x.copy()
        _write(out, *index, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = zeroed_at(grad, lambda a, value: _write(a, *ctx.index, value))
        if ctx.needs_input_grad[1]:
            gv = _read(grad, *ctx.index)
            shape = ctx.value_shape
            if gv.ndim < len(shape):  # value had extra leading 1s
                gv = gv.reshape((1,) * (len(shape) - gv.ndim) + gv.shape)
            gv = unbroadcast(gv, shape)
        return gx, gv

    def name(self) -> str:
        return "CopySlices"


class Gather(Function):
    """y[..i..] = x[..index[..i..]..] along dim;  x: grad scatter-added at the gathered places."""

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.in_shape, ctx.pos = x.shape, _along_flat(x.shape, index, dim)
        if x.flags.c_contiguous:  # a flat take: 6x faster than x[tuple of index arrays]
            return x.reshape(-1)[ctx.pos]
        return x[_along(index, dim)]  # (an expanded x: no copy of it)

    @staticmethod
    def backward(ctx, grad):
        # an index may repeat along dim: accumulate
        g = scatter_add_into(np.zeros(int(np.prod(ctx.in_shape)), grad.dtype), ctx.pos, grad)
        return g.reshape(ctx.in_shape), None, None


class Scatter(Function):
    """y = x with y[..index[..i..]..] = src[..i..] along dim;  x: grad zeroed where written,
    src: grad gathered from where it was written."""

    @staticmethod
    def forward(ctx, x, index, src, dim):
        ctx.pos = _along_flat(x.shape, index, dim)
        ctx.src_shape = src.shape if isinstance(src, np.ndarray) else None
        ctx.part = tuple(slice(n) for n in index.shape)  # src may be larger than index
        out = x.copy()  # C order: its flat view takes the flat positions
        out.reshape(-1)[ctx.pos] = src[ctx.part] if ctx.src_shape is not None else src
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = zeroed_at(grad, _flat_writer(ctx.pos))
        if ctx.src_shape is not None and ctx.needs_input_grad[2]:
            gsrc = _into_part(ctx.src_shape, ctx.part, _flat_take(grad, ctx.pos))
        return gx, None, gsrc, None


class ScatterAdd(Function):
    """y = x, then y[..index[..i..]..] += src[..i..] along dim;  x: grad,
    src: grad gathered from where it was added."""

    @staticmethod
    def forward(ctx, x, index, src, dim):
        ctx.pos = _along_flat(x.shape, index, dim)
        ctx.src_shape = src.shape
        ctx.part = tuple(slice(n) for n in index.shape)
        out = x.copy()  # C order: its flat view takes the flat positions
        scatter_add_into(out.reshape(-1), ctx.pos, src[ctx.part])
        return out

    @staticmethod
    def backward(ctx, grad):
        gsrc = None
        if ctx.needs_input_grad[2]:
            gsrc = _into_part(ctx.src_shape, ctx.part, _flat_take(grad, ctx.pos))
        return grad, None, gsrc, None


class ScatterWithReduce(Function):
    """y = x, then y[..index..] (+= or *=) src along dim;  no derivative (none in torch either)."""

    @staticmethod
    def forward(ctx, x, index, src, dim, reduce):
        ctx.reduce = reduce
        pos = _along_flat(x.shape, index, dim).reshape(-1)
        if isinstance(src, np.ndarray):
            src = src[tuple(slice(n) for n in index.shape)].reshape(-1)
        out = x.copy()  # ufunc.at is fast only with one flat index (20x slower with a tuple)
        (np.add if reduce == "add" else np.multiply).at(out.reshape(-1), pos, src)
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            f"scatter: the derivative for 'scatter' with reduce='{ctx.reduce}' is not "
            "implemented (torch does not implement it either)"
        )


class IndexSelect(Function):
    """y = x.take(index, dim);  x: grad scatter-added at index along dim (repeats accumulate)."""

    @staticmethod
    def forward(ctx, x, index, dim):
        ctx.in_shape, ctx.index, ctx.dim = x.shape, index, dim
        return np.take(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        where = (slice(None),) * ctx.dim + (ctx.index,)
        return scatter_add_into(np.zeros(ctx.in_shape, grad.dtype), where, grad)


class RepeatInterleave(IndexSelect):
    """y = x with slice i along dim repeated counts[i] times (np.repeat);  x: index_select's
    adjoint, with the picks (i repeated counts[i] times) built only when a gradient is asked."""

    @staticmethod
    def forward(ctx, x, counts, dim):
        ctx.in_shape, ctx.counts, ctx.dim = x.shape, counts, dim
        return np.repeat(x, counts, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        ctx.index = np.repeat(np.arange(ctx.counts.size), ctx.counts)
        return IndexSelect.backward(ctx, grad)

    def name(self) -> str:
        return "IndexSelectBackward0"  # torch's repeat_interleave is an index_select


class MaskedFill(Function):
    """y = where(mask, value, x);  x: grad where not mask, value: sum of grad where mask."""

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask, ctx.in_shape = mask, x.shape
        ctx.value_dtype = value.dtype if isinstance(value, np.ndarray) else None
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        gx = gv = None
        zero = grad.dtype.type(0)
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(np.where(ctx.mask, zero, grad), ctx.in_shape)
        if ctx.value_dtype is not None and ctx.needs_input_grad[2]:
            gv = _total(np.where(ctx.mask, grad, zero), ctx.value_dtype)
        return gx, None, gv


class Where(Function):
    """y = where(c, a, b);  a: grad where c, b: grad where not c (each unbroadcast)."""

    @staticmethod
    def forward(ctx, c, a, b, np_dtype):
        ctx.c, ctx.a_shape, ctx.b_shape = c, np.shape(a), np.shape(b)
        out = np.where(c, a, b)
        return out if out.dtype == np_dtype else out.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        ga = gb = None
        zero = grad.dtype.type(0)
        if ctx.needs_input_grad[1]:
            ga = unbroadcast(np.where(ctx.c, grad, zero), ctx.a_shape)
        if ctx.needs_input_grad[2]:
            gb = unbroadcast(np.where(ctx.c, zero, grad), ctx.b_shape)
        return None, ga, gb, None


# -- reading an index the way torch does -------------------------------------------
def _fmt(shape: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _index_tuple(index: Any) -> tuple:
    """torch (like old NumPy) reads a short list holding sequences, slices or None as a tuple."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32:
        for item in index:
            if item is None or item is Ellipsis or isinstance(
                item, (list, tuple, slice, Tensor, np.ndarray)
            ):
                return tuple(index)
    return (index,)


def _index_array(item: Any, op: str) -> np.ndarray:
    """An int or bool array from a Tensor, ndarray or (nested) list used as an index."""
    if isinstance(item, Tensor):
        arr = item.array
    else:
        try:
            arr = np.asarray(item)
        except ValueError:
            raise IndexError(f"{op}: could not read index {item!r} as an array of ints") from None
        if arr.size == 0 and arr.dtype.kind == "f":  # x[[]] is an empty int index
            arr = arr.astype(np.int64)
    if arr.dtype.kind not in "biu":
        raise IndexError(
            f"{op}: tensors used as indices must be long, int, byte or bool tensors, "
            f"got dtype {arr.dtype}"
        )
    return arr


def _parse_index(index: Any, shape: tuple[int, ...], op: str) -> tuple[tuple, tuple | None, str]:
    """Check an index against `shape` as torch does and split it the way torch applies it.

    torch applies the basic items first (ints and 0-d int tensors select, slices slice, None
    and Python bools add a dim) and only then the tensors, on the dims that are left. So an
    int among tensors is not an advanced index as in NumPy: `x[1, :, idx]` keeps idx's dims
    where idx stood. Returns (basic, advanced, kind): `basic` a NumPy basic index (a view),
    `advanced` a tuple of full slices and arrays for the view, or None; kind is 'basic',
    'mask' (one bool array: each element picked at most once) or 'advanced'.
    """
    items: list[Any] = []
    uses: list[int] = []  # how many dims of `shape` each item consumes
    ellipses = 0
    for item in _index_tuple(index):
        if item is None:
            items.append(None)
            uses.append(0)
        elif item is Ellipsis:
            ellipses += 1
            if ellipses == 1:  # torch lets later ones stand for no dims at all
                items.append(Ellipsis)
                uses.append(0)
        elif isinstance(item, (bool, np.bool_)):
            items.append(bool(item))
            uses.append(0)
        elif isinstance(item, _INT_TYPES):
            items.append(int(item))
            uses.append(1)
        elif isinstance(item, slice):
            if item.step is not None:
                step = int(item.step)
                if step == 0:
                    raise ValueError(f"{op}: slice step cannot be zero")
                if step < 0:
                    raise ValueError(f"{op}: step must be greater than zero (got {step})")
            items.append(item)
            uses.append(1)
        elif isinstance(item, (Tensor, np.ndarray, list, tuple)):
            arr = _index_array(item, op)
            if arr.ndim == 0:  # a 0-d tensor acts like a Python int or bool
                items.append(bool(arr) if arr.dtype.kind == "b" else int(arr))
                uses.append(0 if arr.dtype.kind == "b" else 1)
                continue
            uses.append(arr.ndim if arr.dtype.kind == "b" else 1)
            items.append(arr)
        elif isinstance(item, float):
            raise IndexError(
                f"{op}: only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                f"Variables are valid indices (got float)"
            )
        else:
            raise TypeError(f"{op}: invalid index of type {type(item).__name__}")
    consumed = sum(uses)
    if consumed > len(shape):
        raise IndexError(f"{op}: too many indices for tensor of dimension {len(shape)}")
    _check_bounds(items, uses, shape, consumed, op)
    basic: list[Any] = []
    advanced: list[Any] = []  # one entry per dim of the basic view (a mask covers several)
    arrays = masks = 0
    for item, k in zip(items, uses):
        if item is Ellipsis:
            basic.append(Ellipsis)
            advanced.extend([slice(None)] * (len(shape) - consumed))
        elif isinstance(item, bool):  # a new dim of size 1, indexed by [0] (True) or [] (False)
            basic.append(None)
            advanced.append(np.zeros(int(item), np.int64))
            arrays += 1
        elif isinstance(item, int):
            basic.append(item)
        elif isinstance(item, np.ndarray):
            basic.extend([slice(None)] * k)
            advanced.append(item)
            arrays += 1
            masks += item.dtype.kind == "b"
        else:  # a slice or None: one dim of the view
            basic.append(item)
            advanced.append(slice(None))
    if not ellipses:
        basic.append(Ellipsis)  # keeps x[0, 0] a 0-d array (a view), not a NumPy scalar
    if not arrays:
        return tuple(basic), None, "basic"
    kind = "mask" if arrays == masks == 1 else "advanced"
    return tuple(basic), tuple(advanced) + (Ellipsis,), kind


def _read(a: np.ndarray, basic: tuple, advanced: tuple | None) -> np.ndarray:
    """a[index] in torch's order: the basic view, then the tensors on it."""
    view = a[basic]
    return view if advanced is None else view[advanced]


def _write(a: np.ndarray, basic: tuple, advanced: tuple | None, value: Any) -> None:
    """a[index] = value in torch's order (the basic part is a view, so this writes into a)."""
    if advanced is None:
        a[basic] = value
    else:
        a[basic][advanced] = value


def _check_bounds(
    items: list, uses: list[int], shape: tuple[int, ...], consumed: int, op: str
) -> None:
    """IndexError for an int or int array out of range, or a mask of the wrong shape."""
    d = 0
    for item, k in zip(items, uses):
        if item is Ellipsis:
            d += len(shape) - consumed
            continue
        if isinstance(item, int) and not isinstance(item, bool):
            n = shape[d]
            if not -n <= item < n:
                raise IndexError(_out_of_bounds(op, item, d, n))
        elif isinstance(item, np.ndarray) and item.dtype.kind == "b":
            if item.shape != shape[d : d + k]:
                raise IndexError(
                    f"{op}: The shape of the mask {_fmt(item.shape)} at index 0 does not match "
                    f"the shape of the indexed tensor {_fmt(shape[d:])} at index {d}"
                )
        elif isinstance(item, np.ndarray) and item.size:
            n = shape[d]
            lo, hi = item.min(), item.max()
            if lo < -n or hi >= n:
                bad = int(hi if hi >= n else lo)
                raise IndexError(_out_of_bounds(op, bad, d, n))
        d += k


def _out_of_bounds(op: str, index: int, d: int, n: int) -> str:
    return f"{op}: index {index} is out of bounds for dimension {d} with size {n}"


def _along(index: np.ndarray, dim: int) -> tuple:
    """The NumPy index picking x[i0, .., index[i0, .., ik], .., ik] for each position of index:
    index itself on `dim`, open aranges (broadcasting against it) on the other dims."""
    k = index.ndim
    where = [
        np.arange(n).reshape((1,) * i + (n,) + (1,) * (k - 1 - i))
        for i, n in enumerate(index.shape)
    ]
    where[dim] = index
    return tuple(where)


def _along_flat(shape: tuple[int, ...], index: np.ndarray, dim: int) -> np.ndarray:
    """The flat C-order positions, in an array of `shape`, of the elements _along(index, dim)
    picks, shaped like index: index times dim's stride plus the other dims' aranges times
    theirs (one broadcast add). The one index form that np.take and ufunc.at are fast with;
    gather's and the scatters' indices are checked in range (none negative)."""
    strides = [int(np.prod(shape[k + 1:])) for k in range(len(shape))]
    pos = index.astype(np.intp, copy=False)
    if strides[dim] != 1:
        pos = pos * strides[dim]
    offset = None
    for k, m in enumerate(index.shape):
        if k != dim and m > 1:
            term = np.arange(m).reshape((1,) * k + (m,) + (1,) * (index.ndim - 1 - k))
            term = term * strides[k]
            offset = term if offset is None else offset + term
    return pos if offset is None else pos + offset


def _flat_take(a: Any, pos: np.ndarray) -> Any:
    """a's elements at flat C-order positions (a[_along(..)] for pos = _along_flat(..));
    also on a recorded gradient."""
    return a.reshape(-1)[pos]


def _flat_writer(pos: np.ndarray) -> Any:
    """For zeroed_at: write a value at flat positions of a C-contiguous array (a fresh copy)."""
    def write(a: np.ndarray, value: Any) -> None:
        if a.flags.c_contiguous:
            a.reshape(-1)[pos] = value  # a view of a
        else:
            a.flat[pos] = value
    return write


def _into_part(shape: tuple[int, ...], part: tuple, g: Any) -> Any:
    """src's gradient: g (index's shape) in the leading `part` of zeros of src's shape."""
    if g.shape == shape:
        return g
    return set_into(np.zeros(shape, g.dtype), part, g)


def _index_tensor(index: Any, op: str, ints_msg: str, empty_any: bool = False) -> np.ndarray:
    """index's int32/int64 array; with empty_any (gather, the scatters) an empty index of any
    dtype is accepted as torch does, as an empty int64 array."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index.array.dtype not in _INDEX_DTYPES:
        if empty_any and index.array.size == 0:
            return index.array.astype(np.int64)
        raise RuntimeError(f"{op}(): {ints_msg}, got {index.dtype}")
    return index.array


def _scalar_as(value: Any, input: Tensor, op: str) -> Any:
    """A Python number as torch's kernel sees it: converted to input's dtype, checked as C++'s
    checked_convert (uint8: -1 wraps to 255, but -1.5 or 300 overflow; 2.5 -> 2 for ints)."""
    if not isinstance(value, (bool, int, float)):
        return value
    kind = input.array.dtype.kind
    if kind == "u" and isinstance(value, float) and value < 0:
        value = float("-inf")  # a negative float never fits an unsigned type
    return np.array(_scalar_for(value, input.dtype, op)).astype(input.array.dtype)[()]


def _check_in_range(index: np.ndarray, n: int, d: int, op: str) -> None:
    """gather/scatter/index_select take no negative indices (unlike t[idx])."""
    if index.size:
        lo, hi = index.min(), index.max()
        if lo < 0 or hi >= n:
            bad = int(lo if lo < 0 else hi)
            raise RuntimeError(_out_of_bounds(op + "()", bad, d, n))


def _check_scatter_shapes(
    input: Tensor, index: np.ndarray, d: int, op: str, src: np.ndarray | None = None
) -> None:
    shape = input.array.shape
    if index.size == 0:  # torch checks nothing more: an empty index writes and reads nothing
        return
    if max(index.ndim, 1) != max(len(shape), 1):
        raise RuntimeError(
            f"{op}(): Index tensor must have the same number of dimensions as input tensor "
            f"(index {_fmt(index.shape)}, input {_fmt(shape)})"
        )
    for k in range(index.ndim if index.ndim == len(shape) else 0):
        too_big = src is not None and index.shape[k] > src.shape[k]
        if too_big or (k != d and index.shape[k] > shape[k]):
            extra = "" if src is None else f" and to be no larger size than src {_fmt(src.shape)}"
            raise RuntimeError(
                f"{op}(): Expected index {_fmt(index.shape)} to be no larger than self "
                f"{_fmt(shape)} apart from dimension {d}{extra}"
            )
    _check_in_range(index, shape[d] if shape else 1, d, op)


# -- t[index] and t[index] = value ---------------------------------------------------
def getitem(input: Tensor, index: Any) -> Tensor:
    """t[index]: a view for ints, slices, None and ...; a copy for int and bool tensors."""
    if type(index) is int and input.array.ndim:  # the commonest case, kept fast
        n = input.array.shape[0]
        if not -n <= index < n:
            raise IndexError(_out_of_bounds("index", index, 0, n))
        return Select.apply(input, (index, Ellipsis))
    basic, advanced, kind = _parse_index(index, input.array.shape, "index")
    if advanced is None:
        return Slice.apply(input, basic)
    if all(b is Ellipsis or b == _ALL for b in basic):  # tensors only: no view needed first
        return Index.apply(input, advanced, kind)
    return Index.apply(Slice.apply(input, basic), advanced, kind)
register(getitem, function=False, operators=("__getitem__",))


def setitem(input: Tensor, index: Any, value: Any) -> None:
    """t[index] = value, in place (views.py's write_inplace: under autograd, t becomes
    SetItem(old t, value), and if t is itself a view, its base's history is rewritten)."""
    basic, advanced, kind = _parse_index(index, input.array.shape, "setitem")
    idx = (basic, advanced)
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (Tensor, bool, int, float)):
        raise TypeError(f"setitem: can't assign a {type(value).__name__} to a {input.dtype} tensor")
    if _GradMode.enabled and input.requires_grad and input.grad_fn is None:
        view = "a view of " if kind == "basic" else ""
        raise RuntimeError(
            f"setitem: {view}a leaf Variable that requires grad is being used in an in-place "
            "operation."
        )
    if isinstance(value, Tensor) and input.array.dtype.kind == "f":
        value = cast(value, dtypes.from_numpy_dtype(input.array.dtype))

    def compute(before: Tensor) -> Tensor:
        try:
            return SetItem.apply(before, value, idx)
        except (ValueError, OverflowError):
            raise _setitem_error(input, idx, value) from None

    def direct() -> None:  # no gradient involved: write only the indexed elements
        try:
            source = value.array if isinstance(value, Tensor) else value
            _write(input.array, basic, advanced, source)
        except (ValueError, OverflowError):
            raise _setitem_error(input, idx, value) from None

    write_inplace(input, compute, (value,), "setitem", direct)
register(setitem, function=False, operators=("__setitem__",))


def _setitem_error(input: Tensor, idx: tuple, value: Any) -> RuntimeError:
    """torch's error for an assignment NumPy refused: a shape that does not fit, or a
    value the dtype cannot hold."""
    target = _read(input.array, *idx).shape
    if isinstance(value, Tensor):
        shape = value.array.shape
        fits = len(shape) <= len(target)  # NumPy would also drop extra leading 1s
        try:
            np.broadcast_shapes(shape, target)
        except ValueError:
            fits = False
        if not fits:
            return RuntimeError(
                f"setitem: shape mismatch: value tensor of shape {_fmt(shape)} cannot be "
                f"broadcast to indexing result of shape {_fmt(target)}"
            )
    return RuntimeError(
        f"setitem: value {value!r} cannot be converted to type {input.dtype} without overflow"
    )


# -- gather, scatter, index_select ---------------------------------------------------
@dim_aliases
def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """out[i][j] = input[i][index[i][j]] (for dim=1); out has index's shape."""
    check_tensor(input, "gather")
    idx = _index_tensor(index, "gather", "Expected dtype int32/int64 for index", True)
    d = normalize_dim(dim, input.array.ndim, "gather")
    _check_scatter_shapes(input, idx, d, "gather")
    if input.array.ndim and idx.ndim and (idx.size or idx.ndim == input.array.ndim):
        return Gather.apply(input, idx, d)
    # as in torch, a 0-d input or index is treated as 1-d, and an empty index may have any
    # number of dims (the result has its shape)
    out = Gather.apply(reshape(input, -1), idx.reshape(-1), 0)
    return reshape(out, idx.shape)
register(gather, method=True)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, reduce: str | None = None,
            *, value: Any = None) -> Tensor:
    """A copy of input with out[i][index[i][j]] = src[i][j] (for dim=1); src may be a number,
    also given as value=. A 0-d input, index or src is treated as 1-d, as in torch."""
    check_tensor(input, "scatter")
    if (src is None) == (value is None):
        raise TypeError("scatter() received an invalid combination of arguments: give src "
                        "(a Tensor or a number) or value (a number), not both")
    src = value if src is None else src
    if isinstance(index, Tensor) and (input.array.ndim == 0 or index.array.ndim == 0):
        return _as_1d(scatter, input, dim, index, src, reduce=reduce)
    idx = _index_tensor(index, "scatter", "Expected dtype int32/int64 for index", True)
    d = normalize_dim(dim, input.array.ndim, "scatter")
    if isinstance(src, Tensor):
        if src.array.dtype != input.array.dtype:
            raise RuntimeError(
                f"scatter(): Expected self.dtype to be equal to src.dtype "
                f"(got {input.dtype} and {src.dtype})"
            )
        _check_scatter_shapes(input, idx, d, "scatter", src.array)
    else:
        src = as_operand(src, "scatter")
        if isinstance(src, Tensor):
            raise TypeError("scatter(): argument 'src' must be a Tensor or a number")
        src = _scalar_as(src, input, "scatter")
        _check_scatter_shapes(input, idx, d, "scatter")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(
                f"scatter(): reduce argument must be either add or multiply, got {reduce!r}"
            )
        return _scatter_apply(ScatterWithReduce, input, idx, src, d, reduce)
    return _scatter_apply(Scatter, input, idx, src, d)
register(scatter, method=True, inplace=True)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of input with out[i][index[i][j]] += src[i][j] (for dim=1; repeats add up)."""
    check_tensor(input, "scatter_add")
    idx = _index_tensor(index, "scatter_add", "Expected dtype int32/int64 for index", True)
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' must be Tensor, not {type(src).__name__}")
    if src.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"scatter_add(): Expected self.dtype to be equal to src.dtype "
            f"(got {input.dtype} and {src.dtype})"
        )
    d = normalize_dim(dim, input.array.ndim, "scatter_add")
    if input.array.ndim == 0 or idx.ndim == 0:
        return _as_1d(scatter_add, input, dim, index, src)
    _check_scatter_shapes(input, idx, d, "scatter_add", src.array)
    return _scatter_apply(ScatterAdd, input, idx, src, d)
register(scatter_add, method=True, inplace=True)


def _scatter_apply(fn: type[Function], input: Tensor, idx: np.ndarray, src: Any, d: int,
                   *args: Any) -> Tensor:
    """fn.apply(input, idx, src, d, *args); an empty index whose number of dims differs from
    input's or src's (torch accepts it) goes through flattened operands: nothing is written,
    and src's gradient is zeros."""
    dims = {input.array.ndim, idx.ndim, src.array.ndim if isinstance(src, Tensor) else idx.ndim}
    if idx.size or len(dims) == 1:
        return fn.apply(input, idx, src, d, *args)
    flat_src = reshape(src, -1) if isinstance(src, Tensor) else src
    out = fn.apply(reshape(input, -1), idx.reshape(-1), flat_src, 0, *args)
    return reshape(out, input.shape)


def _as_1d(op: Any, input: Tensor, dim: int, index: Tensor, src: Any, **kw: Any) -> Tensor:
    """torch runs a scatter with a 0-d input, index or src as if each were 1-d."""
    normalize_dim(dim, input.array.ndim, op.__name__)
    flat = [reshape(t, -1) if isinstance(t, Tensor) and t.array.ndim == 0 else t
            for t in (input, index, src)]
    out = op(flat[0], 0, flat[1], flat[2], **kw)
    return reshape(out, ()) if input.array.ndim == 0 else out


@dim_aliases
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of input at positions `index` (a vector) along dim."""
    check_tensor(input, "index_select")
    idx = _index_tensor(index, "index_select", "Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError(
            f"index_select(): Index is supposed to be a vector, got shape {_fmt(idx.shape)}"
        )
    shape = input.array.shape
    d = normalize_dim(dim, len(shape), "index_select")
    if idx.size and (idx.min() < 0 or idx.max() >= (shape[d] if shape else 1)):
        if d == 0:  # torch's two kernels raise two different classes
            raise IndexError(f"index_select(): index out of range in self (dim 0 of {_fmt(shape)})")
        _check_in_range(idx, shape[d], d, "index_select")
    if not shape:  # a 0-d input is treated as 1-d, as in torch
        return reshape(IndexSelect.apply(reshape(input, 1), idx.reshape(-1), 0), ())
    return IndexSelect.apply(input, idx.reshape(-1), d)
register(index_select, method=True)


@dim_aliases
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """gather after broadcasting input and indices against each other (except along dim);
    with dim=None, over the flattened tensor. Negative indices count from the end."""
    check_tensor(input, "take_along_dim")
    if dim is not None and isinstance(indices, Tensor) and indices.array.dtype != np.int64:
        raise RuntimeError(  # torch checks Long here; with dim=None it is gather's check
            f"torch.take_along_dim(): dtype of indices should be Long but got {indices.dtype}"
        )
    idx = _index_tensor(indices, "take_along_dim", "Expected dtype int32/int64 for indices",
                        True)
    if dim is None:
        input, idx = reshape(input, -1), idx.reshape(-1)
        d = 0
    else:
        d = normalize_dim(dim, input.array.ndim, "take_along_dim")
        if idx.ndim != input.array.ndim:
            raise RuntimeError(
                f"torch.take_along_dim(): input and indices should have the same number of "
                f"dimensions, but got {input.array.ndim} dimensions for input, and {idx.ndim} "
                f"dimensions for indices"
            )
    n = input.array.shape[d] if input.array.ndim else 1
    if idx.size and idx.min() < 0:
        idx = np.where(idx < 0, idx + n, idx)
    if dim is not None and input.array.ndim:
        in_sizes = list(input.array.shape)
        in_sizes[d] = idx.shape[d]
        idx = np.broadcast_to(idx, broadcast_shapes(tuple(in_sizes), idx.shape, "take_along_dim"))
        idx_sizes = list(idx.shape)
        idx_sizes[d] = n
        in_shape = broadcast_shapes(tuple(idx_sizes), input.array.shape, "take_along_dim")
        input = expand(input, in_shape)
    return gather(input, d, Tensor._make(idx, False, None))
register(take_along_dim, method=True)


# -- masks -------------------------------------------------------------------
def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """A copy of input with `value` where mask (a bool tensor, broadcast) is True."""
    check_tensor(input, "masked_fill")
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_fill(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask.array.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill: masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{mask.dtype}"
        )
    if isinstance(value, Tensor):
        if value.array.ndim:
            raise RuntimeError(
                f"masked_fill: masked_fill_ only supports a 0-dimensional value tensor, but got "
                f"tensor with {value.array.ndim} dimension(s)."
            )
    else:
        value = as_operand(value, "masked_fill")
        if isinstance(value, Tensor):
            raise TypeError("masked_fill(): argument 'value' must be a number or a 0-d tensor")
        kind = input.array.dtype.kind
        if kind in "iu" and not np.isfinite(value):
            raise RuntimeError(
                f"masked_fill: value cannot be converted to type {input.dtype} without overflow"
            )
    if mask.array.shape != input.array.shape:
        broadcast_shapes(input.array.shape, mask.array.shape, "masked_fill")
    return MaskedFill.apply(input, mask.array, value)
register(masked_fill, method=True, inplace=True)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """input where condition (a bool tensor) else other; types promote as in a binary op.

    With only a condition, the indices of its True entries (like nonzero(as_tuple=True)).
    """
    if isinstance(condition, np.ndarray):
        condition = Tensor._make(condition, False, None)
    if not isinstance(condition, Tensor):
        raise TypeError(
            f"where(): argument 'condition' must be Tensor, not {type(condition).__name__}"
        )
    c = condition.array
    if c.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype}"
        )
    if input is None and other is None:
        return tuple(Tensor._make(i.astype(np.int64), False, None) for i in np.nonzero(c))
    a, b, result = binary_operands(input, other, "where")
    shape = np.broadcast_shapes(np.shape(a.array if isinstance(a, Tensor) else a),
                                np.shape(b.array if isinstance(b, Tensor) else b))
    if c.shape != shape:
        broadcast_shapes(c.shape, shape, "where")
    return Where.apply(condition, a, b, result.np)
register(where, method=lambda self, condition, other: where(condition, self, other))



# -- scatter_reduce --------------------------------------------------------------------
_IDENTITY = {"sum": 0, "mean": 0, "prod": 1}
_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
          "amin": np.minimum}


def _scatter_reduced(x: np.ndarray, pos: np.ndarray, src: np.ndarray, reduce: str,
                     include_self: bool) -> np.ndarray:
    """x with src reduced into the flat positions `pos` (_along_flat's; the forward, also
    reused by the adjoint). ufunc.at is fast only with one flat index (20x slower with a
    tuple of arrays)."""
    out = x.copy()  # C order: `flat` is a view of it
    flat, pos, src = out.reshape(-1), pos.reshape(-1), src.reshape(-1)
    if not include_self:
        if reduce in _IDENTITY:
            flat[pos] = _IDENTITY[reduce]
        else:
            big = np.inf if x.dtype.kind == "f" else (
                np.iinfo(x.dtype).max if x.dtype.kind in "iu" else True)
            lowest = -big if x.dtype.kind != "u" else 0  # -max would not fit an unsigned type
            flat[pos] = lowest if reduce == "amax" and x.dtype.kind != "b" else big
            if x.dtype.kind == "b":
                flat[pos] = reduce == "amin"
    _UFUNC[reduce].at(flat, pos, src)
    if reduce == "mean":
        count = _mean_count(x.shape, pos, include_self)
        out = out / count if x.dtype.kind == "f" else np.floor_divide(out, count.astype(x.dtype))
        out = out.astype(x.dtype, copy=False)
    return out


def _mean_count(shape: tuple[int, ...], pos: np.ndarray, include_self: bool) -> np.ndarray:
    """How many values each place of a scatter mean averages (1 where nothing landed), as
    float64: a count of the flat positions (np.bincount), plus self."""
    count = np.bincount(pos.reshape(-1), minlength=int(np.prod(shape))).astype(np.float64)
    count = count.reshape(shape)
    if include_self:
        count += 1.0
    count[count == 0] = 1.0
    return count


class ScatterReduce(Function):
    """y = x with src reduced in along dim (sum prod mean amax amin, include_self);
    x and src as torch's scatter_reduce_backward: sum: grad, grad.gather; mean: grad / N;
    prod: grad * y / x (zeros excluded); amax/amin: grad shared evenly among the ties."""

    @staticmethod
    def forward(ctx, x, index, src, dim, reduce, include_self):
        pos = _along_flat(x.shape, index, dim)
        part = tuple(slice(n) for n in index.shape)  # src may be larger than index
        out = _scatter_reduced(x, pos, src[part], reduce, include_self)
        ctx.args = (pos, reduce, include_self, part, index, dim)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        pos, reduce, include_self, part, index, dim = ctx.args
        x, full_src, out = ctx.saved
        src = full_src[part]
        if reduce == "sum":
            gx, gsrc = grad, _flat_take(grad, pos)
        elif reduce == "mean":
            count = _mean_count(x.shape, pos, include_self).astype(grad.dtype)
            gx = grad / count
            gsrc = _flat_take(gx, pos)
        elif reduce == "prod":
            gx, gsrc = _prod_adjoint(grad, x, src, out, pos, index, dim, include_self)
        else:
            value = _flat_take(out, pos)
            x_is = (x == out).astype(grad.dtype)
            src_is = (src == value).astype(grad.dtype)
            share = np.array(x_is, order="C")  # torch counts a tie with self even when
            np.add.at(share.reshape(-1), pos.reshape(-1), src_is.reshape(-1))  # self is out
            spread = grad / np.where(share == 0, 1, share)
            gx, gsrc = x_is * spread, src_is * _flat_take(spread, pos)
        if not include_self:
            gx = zeroed_at(gx, _flat_writer(pos))
        full = set_into(np.zeros(full_src.shape, grad.dtype), part, gsrc)
        return gx, None, full, None, None, None


def _prod_adjoint(grad, x, src, out, pos, index, dim, include_self):
    """The product's adjoint: d out / d v is the product of the others, computed without
    dividing by a zero (a lone zero gets the product of the rest), as torch does."""
    masked_x = np.where(x == 0, 1, x)
    gx = grad * _product_into(masked_x, src, index, dim, include_self) / masked_x
    zero = src == 0
    zeros_at = np.bincount(pos.reshape(-1), zero.reshape(-1), minlength=int(np.prod(x.shape)))
    zeros_here = zeros_at[pos]  # how many zeros of src share each one's place
    single = zero & (zeros_here == 1)
    masked_src = np.where(single, 1, src)
    rest = _product_into(x, masked_src, index, dim, include_self)
    gsrc = np.where(single, _flat_take(grad * rest, pos),
                    _flat_take(grad * out, pos) / np.where(zero, 1, src))
    if (zeros_here > 1).any():  # as torch
        gsrc = first_order_only(delayed_error(
            "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src "
            "are scattered to the same position in self"), lambda g: g, gsrc)
    return gx, gsrc


def _product_into(x: Any, src: Any, index: np.ndarray, dim: int, include_self: bool) -> Any:
    """x.scatter_reduce(dim, index, src, 'prod'): on arrays, or, on the recorded path
    (create_graph=True: x or src a TracedArray), as the recorded op itself."""
    if isinstance(x, np.ndarray) and isinstance(src, np.ndarray):
        return _scatter_reduced(x, _along_flat(x.shape, index, dim), src, "prod", include_self)
    return traced(ScatterReduce.apply(as_tensor(x), index, as_tensor(src), dim, "prod",
                                      include_self))


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """A copy of input with src reduced into it at index along dim: reduce is 'sum', 'prod',
    'mean', 'amax' or 'amin'; include_self=False leaves input's own value out where written."""
    check_tensor(input, "scatter_reduce")
    idx = _index_tensor(index, "scatter_reduce", "Expected dtype int32/int64 for index",
                        True)
    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_reduce(): argument 'src' must be Tensor, not {type(src).__name__}"
        )
    if reduce not in _UFUNC:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if src.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"scatter(): Expected self.dtype to be equal to src.dtype "
            f"(got {input.dtype} and {src.dtype})"
        )
    if reduce == "mean" and input.array.dtype == np.bool_:
        raise NotImplementedError("scatter_reduce(): reduce='mean' is not implemented for bool")
    d = normalize_dim(dim, input.array.ndim, "scatter_reduce")
    if input.array.ndim == 0 or idx.ndim == 0:
        return _as_1d(lambda i, _, x, s: scatter_reduce(i, 0, x, s, reduce,
                                                        include_self=include_self),
                      input, dim, index, src)
    _check_scatter_shapes(input, idx, d, "scatter_reduce", src.array)
    return _scatter_apply(ScatterReduce, input, idx, src, d, reduce, bool(include_self))
register(scatter_reduce, method=True, inplace=True)


# -- repeat_interleave, take, tril_indices ------------------------------------------------
@dim_aliases
def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Each element (or slice along dim) repeated `repeats` times (an int or one count per
    element); with only a tensor of counts, the indices repeated by them."""
    check_tensor(input, "repeat_interleave")
    if repeats is None:  # torch.repeat_interleave(counts)
        counts = _repeat_counts(input, input.array.size)
        out = np.repeat(np.arange(counts.size), counts)
        _check_output_size(out.size, output_size)
        return Tensor._make(out.astype(input.array.dtype), False, None)
    if dim is None:
        input, d = reshape(input, -1), 0
    else:
        d = normalize_dim(dim, input.array.ndim, "repeat_interleave")
        if input.array.ndim == 0:
            input = reshape(input, 1)
    n = input.array.shape[d]
    if isinstance(repeats, Tensor):
        counts = _repeat_counts(repeats, n, d)
    else:
        if int(repeats) < 0:
            raise RuntimeError("Repeats must be non-negative")
        counts = np.full(n, int(repeats))
    _check_output_size(int(counts.sum()), output_size)
    return RepeatInterleave.apply(input, counts, d)
register(repeat_interleave, method=True)


def _repeat_counts(repeats: Tensor, n: int, d: int = 0) -> np.ndarray:
    r = repeats.array
    if r.dtype.kind not in "iu":
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for {repeats.dtype}')
    if r.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    r = r.reshape(-1)
    if r.size == 1:
        r = np.full(n, r[0])
    if r.size != n:
        raise RuntimeError(
            f"repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{r.size} and input.size({d}) = {n}"
        )
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return r


def _check_output_size(size: int, output_size: int | None) -> None:
    if output_size is not None and int(output_size) != size:
        raise RuntimeError(
            f"allocated size does not match required size (output_size={output_size}, "
            f"required {size})"
        )


def take(input: Tensor, index: Tensor) -> Tensor:
    """input flattened, read at index (negative counts from the end); index's shape."""
    check_tensor(input, "take")
    if not isinstance(index, Tensor):
        raise TypeError(f"take(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index.array
    if idx.dtype != np.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_KERNEL[idx.dtype.name]}"
        )
    n = input.array.size
    if idx.size and n == 0:
        raise IndexError("take(): tried to take from an empty tensor")
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return Index.apply(reshape(input, -1), (idx,), "advanced")
register(take, method=True)


_KERNEL = {"bool": "Bool", "int32": "Int", "int64": "Long", "float32": "Float",
           "float64": "Double"}


def _triangle_indices(row: int, col: int, offset: int, dtype: Any, op: str,
                      upper: bool) -> Tensor:
    if row < 0 or col < 0:
        which = "row" if row < 0 else "col"
        raise RuntimeError(f"{which} must be non-negative, got{row if row < 0 else col}")
    d = dtypes.int64 if dtype is None else dtype
    if not isinstance(d, dtypes.dtype):
        raise TypeError(f"{op}(): argument 'dtype' must be minitorch.dtype, not {type(d).__name__}")
    if d.np.kind not in "iu":
        raise NotImplementedError(f'"{op}" not implemented for \'{_KERNEL[d.name]}\'')
    r, c = np.triu_indices(row, offset, col) if upper else np.tril_indices(row, offset, col)
    return Tensor._make(np.stack([r, c]).astype(d.np).reshape(2, -1), False, None)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The (row, col) coordinates of the lower triangle of a row x col matrix, as 2 x N."""
    return _triangle_indices(int(row), int(col), int(offset), dtype, "tril_indices", False)
register(tril_indices, differentiable=False)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The (row, col) coordinates of the upper triangle of a row x col matrix, as 2 x N."""
    return _triangle_indices(int(row), int(col), int(offset), dtype, "triu_indices", True)
register(triu_indices, differentiable=False)


# -- index_put, index_add, index_copy, index_fill, masked_scatter -------------------------
class IndexPut(Function):
    """y = x with y[indices] = values (or += with accumulate);  x: grad (zeroed at indices
    unless accumulate), values: grad[indices] summed back to values' shape."""

    @staticmethod
    def forward(ctx, x, values, index, accumulate):
        ctx.index, ctx.accumulate, ctx.value_shape = index, accumulate, values.shape
        out = x.copy()
        if accumulate:
            target = out[index]
            np.add.at(out, index, np.broadcast_to(values, target.shape))
        else:
            out[index] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = grad if ctx.accumulate else zeroed_at(grad, ctx.index)
        if ctx.needs_input_grad[1]:
            gv = _fold(grad[ctx.index], ctx.value_shape)
        return gx, gv, None, None


def _total(g: Any, dtype: np.dtype) -> Any:
    """The sum of all of g as a 0-d array of dtype (a recorded one under create_graph)."""
    return g.sum(keepdims=True).reshape(()).astype(dtype)


def _fold(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """unbroadcast, also for a value that had extra leading 1s (torch drops them)."""
    if g.ndim < len(shape):
        g = g.reshape((1,) * (len(shape) - g.ndim) + g.shape)
    return unbroadcast(g, shape)


class IndexAdd(Function):
    """y = x, then y.select(dim, index[i]) += alpha * source.select(dim, i);
    x: grad, source: alpha * grad.index_select(dim, index)."""

    @staticmethod
    def forward(ctx, x, index, source, dim, alpha):
        ctx.where, ctx.alpha = (slice(None),) * dim + (index,), alpha
        return scatter_add_into(x.copy(), ctx.where, source * alpha if alpha != 1 else source)

    @staticmethod
    def backward(ctx, grad):
        gs = grad[ctx.where]
        return grad, None, gs * ctx.alpha if ctx.alpha != 1 else gs, None, None


class IndexCopy(Function):
    """y = x with y.select(dim, index[i]) = source.select(dim, i);
    x: grad zeroed at index, source: grad.index_select(dim, index)."""

    @staticmethod
    def forward(ctx, x, index, source, dim):
        ctx.where = (slice(None),) * dim + (index,)
        out = x.copy()
        out[ctx.where] = source
        return out

    @staticmethod
    def backward(ctx, grad):
        return zeroed_at(grad, ctx.where), None, grad[ctx.where], None


class IndexFill(Function):
    """y = x with every slice at index along dim set to value;
    x: grad zeroed at index, value: sum of grad at index."""

    @staticmethod
    def forward(ctx, x, index, value, dim):
        ctx.where = (slice(None),) * dim + (np.unique(index),)
        ctx.value_dtype = value.dtype if isinstance(value, np.ndarray) else None
        out = x.copy()
        out[ctx.where] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        gv = None
        if ctx.value_dtype is not None:
            gv = _total(grad[ctx.where], ctx.value_dtype)
        return zeroed_at(grad, ctx.where), None, gv, None


class MaskedScatter(Function):
    """y = x with y[mask] = the first mask.sum() elements of source, in order;
    x: grad where not mask, source: grad[mask] in the first places, zeros after."""

    @staticmethod
    def forward(ctx, x, mask, source):
        out = np.array(np.broadcast_to(x, mask.shape) if x.shape != mask.shape else x)
        mask = np.broadcast_to(mask, out.shape)
        k = int(mask.sum())
        ctx.mask, ctx.k, ctx.x_shape, ctx.source_shape = mask, k, x.shape, source.shape
        out[mask] = source.reshape(-1)[:k]
        return out

    @staticmethod
    def backward(ctx, grad):
        zero = grad.dtype.type(0)
        gx = unbroadcast(np.where(ctx.mask, zero, grad), ctx.x_shape)
        gs = set_into(np.zeros(int(np.prod(ctx.source_shape)), grad.dtype), slice(0, ctx.k),
                      grad[ctx.mask])
        return gx, None, gs.reshape(ctx.source_shape)


def _index_vector(index: Any, op: str, ints: tuple[np.dtype, ...], msg: str,
                  cls: type[Exception]) -> np.ndarray:
    """The 0-d or 1-d int index of index_add / index_copy / index_fill, as a 1-d array."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index.array
    if idx.dtype not in ints:
        raise cls(msg.format(_KERNEL.get(idx.dtype.name, idx.dtype.name)))
    if idx.ndim > 1:
        raise IndexError(
            f"{op}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{_KERNEL[idx.dtype.name]} and size: {_fmt(idx.shape)}"
        )
    return idx.reshape(-1).astype(np.int64)


def _check_source(input: Tensor, source: Any, d: int, count: int, op: str) -> Tensor:
    """source must be a tensor of input's dtype and shape, except `count` slices along d."""
    if not isinstance(source, Tensor):
        raise TypeError(f"{op}(): argument 'source' must be Tensor, not {type(source).__name__}")
    if source.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"{op}(): self ({_KERNEL[input.array.dtype.name]}) and source "
            f"({_KERNEL[source.array.dtype.name]}) must have the same scalar type"
        )
    want = list(input.array.shape)
    if want:
        want[d] = count
    if source.array.shape != tuple(want):
        raise RuntimeError(
            f"{op}(): source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {_fmt(input.array.shape)} source.shape = "
            f"{_fmt(source.array.shape)} (index of length {count})"
        )
    return source


def _bounds(idx: np.ndarray, n: int, d: int, op: str, negative: bool, cls: type) -> np.ndarray:
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if hi >= n or lo < (-n if negative else 0):
            bad_index = int(hi if hi >= n else lo)
            raise cls(f"{op}(): index {bad_index} is out of bounds for dimension {d} with size {n}")
    return idx % n if negative and idx.size else idx


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    """A copy of input with alpha * source added at positions index along dim (repeats add)."""
    check_tensor(input, "index_add")
    idx = _index_vector(index, "index_add_", _INDEX_DTYPES,
                        "index_add_(): Expected dtype int32/int64 for index but got: {}",
                        RuntimeError)
    d = normalize_dim(dim, input.array.ndim, "index_add")
    if isinstance(source, Tensor) and source.array.ndim and idx.size != (
            source.array.shape[d] if source.array.ndim > d else 1):
        raise RuntimeError(
            f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({source.array.shape[d] if source.array.ndim > d else 1}), for dim: {d}"
        )
    source = _check_source(input, source, d, idx.size, "index_add_")
    _bounds(idx, input.array.shape[d] if input.array.ndim else 1, d, "index_add_", False,
            RuntimeError)
    alpha = _scalar_as(alpha, input, "index_add_")
    if not input.array.ndim:
        return reshape(IndexAdd.apply(reshape(input, 1), idx, reshape(source, -1), 0, alpha), ())
    return IndexAdd.apply(input, idx, source, d, alpha)
register(index_add, method=True, inplace=True)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of input with the slices of source written at positions index along dim."""
    check_tensor(input, "index_copy")
    idx = _index_vector(index, "index_copy_", (np.dtype(np.int64),),
                        "index_copy_(): Expected a long tensor for index, but got {}",
                        RuntimeError)
    d = normalize_dim(dim, input.array.ndim, "index_copy")
    source = _check_source(input, source, d, idx.size, "index_copy_")
    _bounds(idx, input.array.shape[d] if input.array.ndim else 1, d, "index_copy_", False,
            IndexError)
    if not input.array.ndim:
        return reshape(IndexCopy.apply(reshape(input, 1), idx, reshape(source, -1), 0), ())
    return IndexCopy.apply(input, idx, source, d)
register(index_copy, method=True, inplace=True)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of input with every slice at positions index along dim set to value (a number
    or a 0-d tensor); negative indices count from the end."""
    check_tensor(input, "index_fill")
    idx = _index_vector(index, "index_fill_", (np.dtype(np.int64),),
                        "index_fill_(): Expected dtype int64 for index.", IndexError)
    d = normalize_dim(dim, input.array.ndim, "index_fill")
    if isinstance(value, Tensor):
        if value.array.ndim:
            raise RuntimeError(
                f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.array.ndim} dimension(s)."
            )
        value = cast(value, dtypes.from_numpy_dtype(input.array.dtype))
    else:
        value = as_operand(value, "index_fill")
        if isinstance(value, Tensor):
            raise TypeError("index_fill(): argument 'value' must be a number or a 0-d tensor")
    n = input.array.shape[d] if input.array.ndim else 1
    idx = _bounds(idx, n, d, "index_fill_", True, IndexError)
    if not input.array.ndim:
        return reshape(IndexFill.apply(reshape(input, 1), idx, value, 0), ())
    return IndexFill.apply(input, idx, value, d)
register(index_fill, method=True, inplace=True)


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of input with values written (or, with accumulate, added: repeats add up) at
    input[indices], indices a tuple of int or bool tensors."""
    check_tensor(input, "index_put")
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            "index_put(): argument 'indices' must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    if not isinstance(values, Tensor):
        raise TypeError(
            f"index_put(): argument 'values' (position 2) must be Tensor, not "
            f"{type(values).__name__}"
        )
    if values.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{_KERNEL[input.array.dtype.name]} for the destination and "
            f"{_KERNEL[values.array.dtype.name]} for the source."
        )
    if len(indices) > max(input.array.ndim, 1):
        raise IndexError(f"too many indices for tensor of dimension {input.array.ndim} "
                         f"(got {len(indices)})")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"index_put(): expected Tensor as element {i} in argument 'indices', "
                            f"but got {type(t).__name__}")
    items = tuple(_index_array(i, "index_put") for i in indices)
    _check_bounds(list(items), [i.ndim if isinstance(i, np.ndarray) and i.dtype.kind == "b"
                                else 1 for i in items], input.array.shape, len(items),
                  "index_put")
    index = items + (Ellipsis,)
    target = input.array[index].shape
    v = values.array.shape
    while len(v) > len(target) and v[0] == 1:  # torch drops extra leading 1s of a value
        v = v[1:]
    try:
        fits = len(v) <= len(target) and np.broadcast_shapes(v, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {_fmt(values.array.shape)} cannot be "
            f"broadcast to indexing result of shape {_fmt(target)}"
        )
    return IndexPut.apply(input, values, index, bool(accumulate))
register(index_put, method=True, inplace=True)


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of input (broadcast with mask) whose masked places take source's elements in
    order (row-major), the first mask.sum() of them."""
    check_tensor(input, "masked_scatter")
    if not isinstance(mask, Tensor):
        raise TypeError(
            f"masked_scatter(): argument 'mask' must be Tensor, not {type(mask).__name__}"
        )
    if not isinstance(source, Tensor):
        raise TypeError(
            f"masked_scatter(): argument 'source' must be Tensor, not {type(source).__name__}"
        )
    if mask.array.dtype != np.bool_:
        raise RuntimeError(
            f"masked_scatter_ only supports boolean masks, but got mask with dtype {mask.dtype}"
        )
    if source.array.dtype != input.array.dtype:
        raise RuntimeError(
            f"masked_scatter: expected self and source to have same dtypes but got "
            f"{_KERNEL[input.array.dtype.name]} and {_KERNEL[source.array.dtype.name]}"
        )
    shape = broadcast_shapes(input.array.shape, mask.array.shape, "masked_scatter")
    m = np.broadcast_to(mask.array, shape)
    if int(m.sum()) > source.array.size:
        raise RuntimeError(
            f"masked_scatter: Number of elements of source < number of ones in mask "
            f"({source.array.size} < {int(m.sum())})"
        )
    return MaskedScatter.apply(input, m, source)
register(masked_scatter, method=True, inplace=True)
