"""Shared mechanisms every op uses, written once: broadcasting and its
reverse, dtype promotion of operands, and checking of `dim` arguments.

Read this first among ops/: every binary op's forward calls `binary_operands`
and every binary op's backward ends with `unbroadcast`.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.autograd.higher_order import TracedArray, traced
from minitorch.tensor import Tensor

Scalar = (int, float, bool)


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The adjoint of broadcasting is a sum: fold grad back onto `shape`.

    Broadcasting prepended axes and stretched size-1 axes; so we sum over
    the prepended ones and, keeping dims, over the stretched ones.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def keep_where(grad: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """grad where `keep`, else exactly 0: the backward of every mask (relu, clamp, max).

    `grad * keep` is ten times faster than np.where on a random mask, but
    inf * 0 is nan; only when that happens do we pay for the exact select.
    """
    if (type(grad) is np.ndarray and grad.dtype.kind == "f" and type(keep) is np.ndarray
            and keep.dtype == np.bool_ and keep.shape == grad.shape):
        # the same product, as a cast to floats then a float multiply: NumPy's float * bool
        # loop casts in a buffer, 1.25-1.7x slower (measured at 256^2 and 1024^2)
        g = keep.astype(grad.dtype)
        np.multiply(grad, g, out=g)
    else:
        g = grad * keep
    if g.dtype.kind == "f" and np.isnan(g).any():
        g = np.where(keep, grad, np.zeros((), grad.dtype))
    return g


# The unsigned integer of each float width: a float select done on the bits is exact.
_BITS = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def exact_where(cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """np.where(cond, a, b) bit for bit (NaN payloads, signed zeros), for a and b of one
    float dtype; any other pair goes to np.where itself.

    np.where branches on every element: on a random mask it is ~5 ns an element, ten times
    a multiply. Selecting the bits with a mask (a & m | b & ~m) never branches.
    """
    if type(a) is TracedArray or type(b) is TracedArray:  # create_graph: a recorded where
        return np.where(cond, a, b)
    a, b = np.asarray(a), np.asarray(b)
    bits = _BITS.get(a.dtype.itemsize)
    if a.dtype != b.dtype or a.dtype.kind != "f" or bits is None or np.ndim(cond) == 0:
        return np.where(cond, a, b)
    mask = np.asarray(cond).astype(bits)
    np.negative(mask, out=mask)  # True -> all ones, False -> 0
    # a fresh float array written through its bits (a view of a bit array would look, to
    # Function.apply, like a view of the inputs)
    out = np.empty(np.broadcast_shapes(mask.shape, a.shape, b.shape), dtype=a.dtype)
    bits_out = out.view(bits)
    np.bitwise_and(a.view(bits), mask, out=bits_out)
    if b.ndim == 0 and b.view(bits) == 0:  # b is +0.0: its bits add nothing
        return out
    np.invert(mask, out=mask)
    if mask.shape == out.shape:  # reuse the mask's memory: fresh pages are the cost here
        other = np.bitwise_and(b.view(bits), mask, out=mask)
    else:
        other = np.bitwise_and(b.view(bits), mask)
    np.bitwise_or(bits_out, other, out=bits_out)
    return out


def flat_positions(shape: tuple[int, ...], where: Any) -> np.ndarray:
    """The C-order flat positions, in an array of `shape`, of the elements `a[where]` reads,
    shaped like a[where]: the one form of an index that np.add.at scatters into fast.

    Two forms are computed directly (strides times indices): an int array per dim, as
    gather's index broadcast with aranges; and full slices around one int array, as
    index_select and embedding. Any other index is read off an arange, which costs a pass
    over the whole array.
    """
    if not isinstance(where, tuple):
        where = (where,)
    if where and where[-1] is Ellipsis and not any(w is Ellipsis for w in where[:-1]):
        where = where[:-1]  # a trailing ... stands for full slices, as implied dims do
    arrays = [k for k, w in enumerate(where) if isinstance(w, np.ndarray)]
    full = all(isinstance(w, np.ndarray) and w.dtype.kind in "iu"
               or isinstance(w, slice) and w == _FULL for w in where)
    if full and len(where) == len(shape) and len(arrays) == len(shape):
        pos, stride = None, 1
        for n, idx in zip(reversed(shape), reversed(where)):
            term = _wrapped(idx, n) * stride if stride != 1 else _wrapped(idx, n)
            pos, stride = term if pos is None else pos + term, stride * n
        return pos
    if full and len(arrays) == 1 and len(where) <= len(shape):
        d = arrays[0]
        idx, n = _wrapped(where[d], shape[d]), shape[d]
        trail = shape[d + 1:]
        block = int(np.prod(trail))
        pos = idx.reshape(idx.shape + (1,) * len(trail))
        if block != 1:
            pos = pos * block + np.arange(block).reshape(trail)
        if d:  # the full slices before the array stay in front
            lead = np.arange(int(np.prod(shape[:d]))).reshape(shape[:d]) * (n * block)
            pos = lead.reshape(shape[:d] + (1,) * pos.ndim) + pos
        return pos
    return np.arange(int(np.prod(shape))).reshape(shape)[where]


_FULL = slice(None)


def _wrapped(idx: np.ndarray, n: int) -> np.ndarray:
    """idx as intp with negative entries counted from the end, as NumPy's indexing reads them."""
    idx = idx.astype(np.intp, copy=False)
    if idx.size and idx.min() < 0:
        idx = np.where(idx < 0, idx + n, idx)
    return idx


def scatter_add_into(out: np.ndarray, where: Any, values: Any) -> np.ndarray:
    """out[where] += values where repeated places accumulate (np.add.at's meaning); returns out.

    The adjoint of every gather (index_select, gather, embedding, t[idx]) and the forward of
    scatter_add and index_add. torch's CPU kernels add one value at a time in the index's
    order, in out's dtype, and so does every path here (the sums are bit-exact):
    np.add.at on flat positions (it is fast only with one flat int index: 20x slower with a
    tuple of arrays), or, for whole rows (index_select, embedding, index_add over rows of
    256+ elements), one vectorised add per row or per group of rows (_add_rows).
    """
    if type(values) is TracedArray:  # create_graph: the same sum, recorded, out of place
        return _recorded_put(out, where, values, accumulate=True)
    if not out.flags.c_contiguous:
        np.add.at(out, where, values)
        return out
    if out.ndim == 1 and isinstance(where, np.ndarray) and where.dtype.kind in "iu":
        # already flat positions (gather's adjoint): np.add.at reads negatives itself
        values = np.broadcast_to(values, where.shape).reshape(-1)
        np.add.at(out, where.reshape(-1), values)
        return out
    rows = _row_index(out.shape, where)
    if rows is not None and _add_rows(out, *rows, values):
        return out
    pos = flat_positions(out.shape, where)
    values = np.broadcast_to(values, pos.shape).reshape(-1)
    np.add.at(out.reshape(-1), pos.reshape(-1), values)
    return out


def _row_index(shape: tuple[int, ...], where: Any) -> tuple[int, np.ndarray] | None:
    """(d, idx) when `where` is full slices around one int array idx at dim d (index_select's
    and embedding's form, flat_positions's second one); else None."""
    if not isinstance(where, tuple):
        where = (where,)
    if where and where[-1] is Ellipsis:
        where = where[:-1]
    arrays = [k for k, w in enumerate(where) if isinstance(w, np.ndarray)]
    if len(arrays) != 1 or len(where) > len(shape):
        return None
    d = arrays[0]
    if where[d].dtype.kind not in "iu" or not all(
            isinstance(w, slice) and w == _FULL for k, w in enumerate(where) if k != d):
        return None
    return d, where[d]


# The costs that pick _add_rows's method, measured 2026-12-02 (1 thread, Xeon): a row add
# per index ~2 us + 0.4 ns an element; a group ~6 us (take + reduce + add), plus ~0.15 us
# per index in it (reduce's outer loop) and ~0.6 ns an element (copy + add); np.add.at on
# flat positions ~5 ns an element (building the int64 positions, then its loop).
_ROW_STEP_US, _ROW_NS = 2.0, 0.4
_GROUP_STEP_US, _GROUP_INDEX_US, _GROUP_NS = 6.0, 0.15, 0.6
_AT_NS = 5.0
_GROUP_MAX_K = 1 << 16  # grouping sorts the keys (a stable argsort, ~0.05 us a key)


def _add_rows(out: np.ndarray, d: int, idx: np.ndarray, values: Any) -> bool:
    """out[..., idx[i], ...] += values[..., i, ...] (along dim d) in i's order, whole rows at a
    time; False (nothing done) where np.add.at on flat positions is cheaper.

    out is seen as (L, n, B): L the dims before d, B the elements after it; values as
    (L, k, B). Either each i adds its (L, B) slab in turn (torch's index_add loop), or the
    i's are grouped by row (a stable sort keeps their order) and each group is summed by
    np.add.reduce over its middle axis: with B >= 2 NumPy's reduce runs that axis in an
    outer loop, one in-order elementwise add per i (never pairwise), so the sum is the same
    sequence of float adds. A group sum S lands as out[u] + S, which equals the in-order
    ((out[u] + v1) + v2) ... when out[u] is +0 (whether NumPy's reduce starts from v1 or
    from 0), the adjoints' fresh zeros; any other out[u] is summed as the group's first
    element (index_add's forward).
    """
    if out.dtype not in _EXACT_ROW_DTYPES or getattr(values, "dtype", None) != out.dtype:
        return False  # (a sum in another dtype would round differently from add.at's)
    shape = out.shape
    n = shape[d] if shape else 1
    L, B = int(np.prod(shape[:d])), int(np.prod(shape[d + 1:]))
    k = idx.size
    if B < 2 or k == 0:
        return False
    elements = k * L * B
    t_at = elements * _AT_NS / 1000
    t_row = k * _ROW_STEP_US + elements * _ROW_NS / 1000
    if k > _GROUP_MAX_K and t_row >= t_at:
        return False
    keys = idx.reshape(-1).astype(np.intp, copy=False)
    if keys.min() < 0:
        keys = np.where(keys < 0, keys + n, keys)
    out3 = out.reshape(L, n, B)
    vals = np.broadcast_to(values, shape[:d] + idx.shape + shape[d + 1:]).reshape(L, k, B)
    if k <= _GROUP_MAX_K:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
        used = sorted_keys[starts]
        base = out3[:, used]
        zero = not (base.any() or np.signbit(base).any())
        t_group = (k * (0.05 + _GROUP_INDEX_US) + starts.size * _GROUP_STEP_US
                   + elements * _GROUP_NS * (1 if zero else 1.5) / 1000)
        if t_group < min(t_at, t_row):
            bounds = np.append(starts, k)
            for g, u in enumerate(used.tolist()):
                sel = order[bounds[g]:bounds[g + 1]]  # the group's i's, in index order
                if zero:
                    out3[:, u] += np.add.reduce(vals[:, sel], axis=1)
                else:  # out[u] first, then the group; -0 + v is v for every v
                    group = np.empty((L, sel.size + 1, B), out.dtype)
                    group[:, 0] = base[:, g]
                    np.take(vals, sel, axis=1, out=group[:, 1:], mode="clip")
                    out3[:, u] = np.add.reduce(group, axis=1, initial=-0.0)
            return True
    if t_row < t_at:
        for i, u in enumerate(keys.tolist()):
            out3[:, u] += vals[:, i]
        return True
    return False


_EXACT_ROW_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def set_into(out: np.ndarray, where: Any, values: Any) -> Any:
    """out[where] = values; returns out. The adjoint of a read at distinct places (a slice,
    a diagonal, a permutation): where each place is read once, writing is adding.

    On the recorded path (create_graph=True) `out` is left alone and a new, recorded array
    is returned: so always use the result.
    """
    if type(values) is TracedArray:
        return _recorded_put(out, where, values, accumulate=False)
    out[where] = values
    return out


def _recorded_put(out: np.ndarray, where: Any, values: TracedArray, accumulate: bool) -> Any:
    """out with values written (or added) at `where`, as a recorded index_put on out's flat
    positions: one mechanism for every index form that flat_positions reads."""
    pos = flat_positions(out.shape, where)
    flat = Tensor._make(np.array(out).reshape(-1), False, None)
    vals = np.broadcast_to(values, pos.shape).reshape(-1)
    index = (Tensor._make(pos.reshape(-1).astype(np.int64), False, None),)
    result = flat.index_put(index, vals.tensor, accumulate=accumulate).reshape(out.shape)
    if out.dtype.kind == "f":  # a caller that ignored the result would read NaN: loud
        out[...] = np.nan
    return traced(result)


def broadcast_shapes(a: tuple[int, ...], b: tuple[int, ...], op: str) -> tuple[int, ...]:
    """The broadcast shape of a and b, or torch's RuntimeError naming the op and the sizes."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        m = a[-i] if i <= len(a) else 1
        n = b[-i] if i <= len(b) else 1
        if m != n and m != 1 and n != 1:
            raise RuntimeError(
                f"{op}: the size of tensor a ({m}) must match the size of tensor b ({n}) at "
                f"non-singleton dimension {max(len(a), len(b)) - i}; shapes {a} and {b}"
            )
        out.append(n if m == 1 else m)
    return tuple(reversed(out))


class Cast(Function):
    """y = x.to(dtype);  x: grad.to(x.dtype)."""

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.in_dtype = x.dtype
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.in_dtype), None


def cast(t: Tensor, d: dtypes.dtype) -> Tensor:
    """t converted to dtype d (a differentiable op when both are floating)."""
    if t.array.dtype == d.np:
        return t
    return Cast.apply(t, d.np)


def shape_of(x: Any) -> tuple[int, ...]:
    """The shape of an array operand (a TracedArray's too); () for a Python scalar."""
    return getattr(x, "shape", ())


def as_operand(x: Any, op: str) -> Any:
    """A Tensor or a Python scalar; NumPy arrays are wrapped, anything else is refused."""
    if isinstance(x, Tensor) or isinstance(x, Scalar):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x, False, None)
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(
        f"{op}(): expected a Tensor or a number as argument, but got {type(x).__name__}"
    )


def binary_operands(a: Any, b: Any, op: str) -> tuple[Any, Any, dtypes.dtype]:
    """Promote a and b to torch's result dtype and check that they broadcast.

    Returns the two operands (tensors cast where needed, scalars untouched:
    NumPy keeps a Python scalar from upcasting an array) and the result dtype.
    Two Python numbers compute as torch does, in a 0-dim tensor of the result dtype:
    add(1.5, 2.0) is float32 (the default dtype), add(True, True) is bool.
    """
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    # The common cases first, kept fast: same dtypes, or a float tensor and a Python float.
    if ta and tb and a.array.dtype == b.array.dtype:
        if a.array.shape != b.array.shape:
            broadcast_shapes(a.array.shape, b.array.shape, op)
        return a, b, dtypes.from_numpy_dtype(a.array.dtype)
    if ta and type(b) is float and a.array.dtype.kind == "f":
        return a, b, dtypes.from_numpy_dtype(a.array.dtype)
    if tb and type(a) is float and b.array.dtype.kind == "f":
        return a, b, dtypes.from_numpy_dtype(b.array.dtype)
    a, b = as_operand(a, op), as_operand(b, op)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    result = dtypes.result_type(a, b)
    if ta and tb and a.array.shape != b.array.shape:
        broadcast_shapes(a.array.shape, b.array.shape, op)
    if ta:
        a = cast(a, result)
    elif not tb:
        a = Tensor._make(np.asarray(a, dtype=result.np), False, None)
    else:
        a = _scalar_as(a, result)
    if tb:
        b = cast(b, result)
    else:
        b = _scalar_as(b, result)
    return a, b, result


def _scalar_as(x: Any, d: dtypes.dtype) -> Any:
    """A Python scalar in the result's dtype's kind (so NumPy does not promote it).

    An int outside the range of a narrow integer dtype wraps around, as in torch
    (int8 tensor * 1000); NumPy would refuse it.
    """
    if d.category == 2:
        return float(x)
    if d.category == 1:
        x = int(x)
        info = np.iinfo(d.np)
        if not info.min <= x <= info.max:
            return np.asarray(x % (1 << (8 * d.itemsize))).astype(d.np)[()]
        return x
    return x


def float_operand(x: Tensor) -> Tensor:
    """Ops such as sqrt or exp on an integer tensor compute in the default float dtype."""
    if x.array.dtype.kind == "f":
        return x
    return cast(x, dtypes.get_default_dtype())


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """A dim in [-ndim, ndim) made non-negative (a 0-d tensor accepts -1 and 0)."""
    n = max(ndim, 1)
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return int(dim) % n


def normalize_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...]:
    """dim as int, tuple or None (all dims) -> a sorted tuple of distinct non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dims = (normalize_dim(dim, ndim, op),)
    else:
        dims = tuple(normalize_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {tuple(dim)} appears multiple times in the list of dims")
    if ndim == 0:
        return ()
    return tuple(sorted(dims))


def shape_arg(shape: Sequence[Any], op: str) -> tuple[int, ...]:
    """Accept f(2, 3), f((2, 3)) and f([2, 3]) alike, as torch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    elif len(shape) == 1 and isinstance(shape[0], Tensor):
        shape = shape[0].tolist()
    try:
        return tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: sizes must be ints, got {shape!r}") from None


def check_tensor(x: Any, op: str, arg: str = "input", position: int = 1) -> Tensor:
    """x itself if it is a Tensor; torch's TypeError otherwise (never an AttributeError)."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}(): argument '{arg}' (position {position}) must be Tensor, not "
            f"{type(x).__name__}"
        )
    return x


def dim_aliases(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Accept NumPy's spellings as torch's argument parser does: axis= for dim=, and
    keepdims= for keepdim= where the op has a keepdim. Giving both spellings is a TypeError."""
    op = fn.__name__
    has_keepdim = "keepdim" in inspect.signature(fn).parameters

    @functools.wraps(fn)
    def accepting(*args: Any, **kwargs: Any) -> Any:
        if kwargs:  # the common call has none: pay nothing for the aliases then
            if "axis" in kwargs:
                kwargs = _renamed(kwargs, "axis", "dim", op)
            if "keepdims" in kwargs and has_keepdim:
                kwargs = _renamed(kwargs, "keepdims", "keepdim", op)
        return fn(*args, **kwargs)

    return accepting


def _renamed(kwargs: dict[str, Any], alias: str, name: str, op: str) -> dict[str, Any]:
    if name in kwargs:  # torch's parser reports the alias as the unexpected one
        raise TypeError(f"{op}() got an unexpected keyword argument '{alias}' (it is an alias "
                        f"of '{name}', which is given too)")
    kwargs = dict(kwargs)
    kwargs[name] = kwargs.pop(alias)
    return kwargs
