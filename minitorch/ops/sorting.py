"""Sorting and selecting: sort, argsort, topk, kthvalue, unique, nonzero, masked_select,
searchsorted, bucketize, bincount, histc.

Most of these ops pick elements rather than compute them, so their adjoint is
always the same story: the gradient goes back to the positions that were
picked (a scatter), and every other position gets 0. sort, topk and kthvalue
share one Function for that (`TakeAlong`), masked_select has its own.

Ordering follows torch: NaN sorts as the largest value and indices are
int64. Which of several equal elements comes first is where torch's CPU
kernels differ from a plain stable sort: its sort(stable=False), topk and
kthvalue use std::sort, std::partial_sort / std::nth_element and a
quickselect. We sort stably with NumPy (`_order`) and then, only on rows
that hold ties, replay torch's algorithm in Python (`_at_ties`, and the
libstdc++ section at the end), so the indices are torch's too. Read
ops/reduction.py first (max(dim) is the simplest picking op); ops/sampling.py
comes next.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.ops.reduction import _torch_name, _values_indices, put_along, stable_kth
from minitorch.ops.support import (
    broadcast_shapes,
    check_tensor,
    normalize_dim,
    set_into,
    unbroadcast,
)
from minitorch.registry import register
from minitorch.tensor import Tensor

__all__ = [
    "sort", "argsort", "msort", "topk", "kthvalue", "unique", "unique_consecutive", "nonzero",
    "argwhere", "masked_select", "searchsorted", "bucketize", "bincount", "histc",
]

SortResult = _values_indices("sort")
TopkResult = _values_indices("topk")
KthvalueResult = _values_indices("kthvalue")


def _dim(dim: Any, axis: Any, default: Any, op: str) -> Any:
    """torch's `axis=` alias of `dim` (accepted by its native ops, not by unique)."""
    if axis is None:
        return dim
    if dim is not default:
        raise TypeError(f"{op}(): got both dim and its alias axis")
    return axis


def _order(x: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Indices that sort x along axis: NaN largest, equal elements in their original order.

    Descending and stable at once: sort the reversed row ascending (ties then come
    latest-first), reverse the result and map the indices back.
    """
    if not descending:
        return np.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    backwards = np.argsort(np.flip(x, axis), axis=axis, kind="stable")
    return np.flip(n - 1 - backwards, axis)


def _torch_sort_order(x: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    """sort's indices as torch's CPU kernel gives them, equal elements included."""
    index = _order(x, axis, descending)
    n = x.shape[axis]
    radix = x.ndim == 1 and x.dtype.kind in "iu" and n >= 32768 and not descending
    if stable or n <= _STL_THRESHOLD or radix:  # these paths of torch's are stable
        return index
    return _at_ties(x, index, axis, lambda row: _stl_sorted(row, descending))


def _first(a: np.ndarray, axis: int, start: int, stop: int) -> np.ndarray:
    """a[..., start:stop, ...] along axis."""
    index = [slice(None)] * a.ndim
    index[axis] = slice(start, stop)
    return a[tuple(index)]


def _long(a: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(a, dtype=np.int64), False, None)


# -- sort, topk, kthvalue: values picked at indices --------------------------------------------
class TakeAlong(Function):
    """values = x at indices along dim;  x: grad scattered back to those indices (0 elsewhere).

    The indices come in from outside (a stable argsort), so this node only
    gathers, and its adjoint only scatters: each picked element gets its own
    gradient, whichever of several equal elements it was.
    """

    torch_name = "SortBackward0"

    @staticmethod
    def forward(ctx, x, index, axis, out_shape):
        ctx.save_for_backward(index)
        ctx.shape, ctx.axis = x.shape, axis
        return np.take_along_axis(np.atleast_1d(x), index, axis).reshape(out_shape)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved
        gx = put_along(ctx.shape or (1,), index, grad, ctx.axis)
        return gx.reshape(ctx.shape), None, None, None

    def name(self) -> str:
        return self.torch_name


class Sort(TakeAlong):
    """values = x sorted along dim;  x: grad scattered back through the permutation."""

    torch_name = "SortBackward0"


class StableSort(Sort):
    """values = x sorted along dim (torch's stable= overload);  x: grad scattered back."""

    torch_name = "SortBackward1"


class Topk(TakeAlong):
    """values = the k largest (smallest) of x along dim;  x: grad scattered back to them."""

    torch_name = "TopkBackward0"


class Kthvalue(TakeAlong):
    """values = the k-th smallest of x along dim;  x: grad sent back to its index only."""

    torch_name = "KthvalueBackward0"


def _picked(node: type[TakeAlong], input: Tensor, index: np.ndarray, axis: int,
            out_shape: tuple[int, ...], result: type) -> Any:
    values = node.apply(input, index, axis, out_shape)
    return result(values, _long(index.reshape(out_shape)))


def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool | None = None,
         axis: int | None = None) -> Any:
    """(values, indices) of input sorted along dim; NaN is the largest value.

    stable=True keeps equal elements in their order; stable=False orders them as
    torch's CPU kernel does (std::sort's introsort, replayed in `_stl_sort`).
    """
    check_tensor(input, "sort")
    dim = _dim(dim, axis, -1, "sort")
    x = input.array
    ax = normalize_dim(dim, x.ndim, "sort")
    index = _torch_sort_order(np.atleast_1d(x), ax, descending, bool(stable))
    node = Sort if stable is None else StableSort  # torch's two overloads, two node names
    return _picked(node, input, index, ax, x.shape, SortResult)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool | None = None,
            axis: int | None = None) -> Tensor:
    """The indices of sort(input, dim, descending) (int64)."""
    check_tensor(input, "argsort")
    dim = _dim(dim, axis, -1, "argsort")
    x = input.array
    ax = normalize_dim(dim, x.ndim, "argsort")
    return _long(_torch_sort_order(np.atleast_1d(x), ax, descending, bool(stable))
                 .reshape(x.shape))


def msort(input: Tensor) -> Tensor:
    """input sorted along its first dim: sort(input, dim=0).values."""
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True,
         *, axis: int | None = None) -> Any:
    """(values, indices) of the k largest (largest=False: smallest) elements along dim.

    Among equal elements, and in the order of sorted=False, we follow torch's kernel
    (std::partial_sort or std::nth_element, replayed below).
    """
    check_tensor(input, "topk")
    dim = _dim(dim, axis, -1, "topk")
    x = input.array
    ax = normalize_dim(dim, x.ndim, "topk")
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    n = x.shape[ax] if x.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range (topk: k={k}, dim {dim} has size {n})")
    if not x.ndim:  # torch gives the one element for k = 0 too
        return _picked(Topk, input, np.zeros(1, np.int64), 0, (), TopkResult)
    partial = k * 64 <= n  # torch's switch between std::partial_sort and std::nth_element
    every_row = not sorted and not partial
    if not every_row and 0 < 4 * k <= n and x.dtype.kind in "fiu":
        index, tied_rows = _stable_top(x, ax, k, largest)
        # no row whose pick depends on ties, or more than _at_ties would replay: it is final
        replay = 0 < tied_rows * n <= _REPLAY_BUDGET
    else:
        index, replay = _first(_order(x, ax, largest), ax, 0, k), True
    if replay:  # torch's own pick among equal elements; sorted=False: its (unsorted) order
        index = _at_ties(x, index, ax, lambda row: _stl_topk(row, k, largest, sorted),
                         every_row=every_row)
    out_shape = index.shape
    return _picked(Topk, input, index, ax, out_shape, TopkResult)


def _stable_top(x: np.ndarray, axis: int, k: int, largest: bool) -> tuple[np.ndarray, int]:
    """The first k of `_order(x, axis, largest)` without sorting whole rows, and the number
    of rows whose pick depends on the order among equal elements.

    A partition finds each row's k-th value v; the pick is every element before v in the
    order, then the earliest elements equal to v, and only those k are sorted (stably, so
    equal ones stay in index order). A row where more than the needed elements equal v, or
    two picked ones are equal, is counted: there torch's algorithm decides (`_at_ties`);
    equal elements elsewhere in a row change nothing.
    """
    n = x.shape[axis]
    moved = np.moveaxis(x, axis, -1)
    rows = moved.reshape(-1, n)
    kth = n - k if largest else k - 1
    v = np.partition(rows, kth, axis=1)[:, kth:kth + 1]  # NaN sorts last, as in _order
    before = rows > v if largest else rows < v
    equal = rows == v
    if rows.dtype.kind == "f" and np.isnan(rows).any():  # NaN: the largest, equal to itself
        row_nan, v_nan = np.isnan(rows), np.isnan(v)
        before |= row_nan & ~v_nan if largest else ~row_nan & v_nan
        equal |= row_nan & v_nan
    need = k - np.count_nonzero(before, axis=1)
    tied = np.count_nonzero(equal, axis=1) > need
    if tied.any():  # keep the earliest `need` of the elements equal to v
        rank = np.cumsum(equal[tied], axis=1, dtype=np.int32)
        equal[tied] &= rank <= need[tied, None]
    # each row's k positions, in index order
    where = (np.flatnonzero(before | equal) % n).reshape(-1, k)
    values = np.take_along_axis(rows, where, axis=1)
    in_order = np.sort(values, axis=1)
    tied |= (in_order[:, 1:] == in_order[:, :-1]).any(axis=1)
    if values.dtype.kind == "f":
        tied |= np.isnan(values).sum(axis=1) > 1
    index = np.take_along_axis(where, _order(values, 1, largest), axis=1)
    index = np.moveaxis(index.reshape(moved.shape[:-1] + (k,)), -1, axis)
    return index, int(np.count_nonzero(tied))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *,
             axis: int | None = None, keepdims: bool | None = None) -> Any:
    """(values, indices) of the k-th smallest element along dim (k counts from 1).

    Among equal elements we return the index torch returns (its quickselect's pick).
    """
    check_tensor(input, "kthvalue")
    dim = _dim(dim, axis, -1, "kthvalue")
    keepdim = keepdim if keepdims is None else keepdims
    x = input.array
    ax = normalize_dim(dim, x.ndim, "kthvalue")
    if x.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    n = x.shape[ax] if x.ndim else 1
    if n == 0:
        raise IndexError(f"kthvalue(): Expected reduction dim {ax} to have non-zero size.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"kthvalue(): argument 'k' must be int, not {type(k).__name__}")
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax} "
                           f"(k={k}, size {n})")
    replay = True
    if x.ndim and x.dtype.kind in "fiu":
        index, tied_rows = stable_kth(x, ax, k)
        # no row where the k-th value is tied, or more than _at_ties would replay: final
        replay = 0 < tied_rows * n <= _REPLAY_BUDGET
    if replay:
        index = _first(_order(np.atleast_1d(x), ax, False), ax, k - 1, k)
        index = _at_ties(np.atleast_1d(x), index, ax, lambda row: [_quickselect(row, k - 1)])
    if not x.ndim:
        out_shape: tuple[int, ...] = ()
    else:
        out_shape = index.shape if keepdim else index.shape[:ax] + index.shape[ax + 1:]
    return _picked(Kthvalue, input, index, ax, out_shape, KthvalueResult)


def _at_ties(x: np.ndarray, index: np.ndarray, axis: int, pick: Any,
             every_row: bool = False) -> np.ndarray:
    """index (picked along axis by a stable argsort), with each row of x that holds equal
    elements (or every row) picked again by `pick(row as a list) -> its indices`: torch's
    own algorithm, which alone knows which of several equal elements comes first."""
    if x.size == 0 or index.size == 0:
        return index
    n = x.shape[axis]
    rows = np.moveaxis(x, axis, -1).reshape(-1, n)
    if every_row:
        redo = np.ones(rows.shape[0], bool)
    else:
        in_order = np.sort(rows, axis=1)
        redo = (in_order[:, 1:] == in_order[:, :-1]).any(axis=1)
        if rows.dtype.kind == "f":
            redo |= np.isnan(rows).sum(axis=1) > 1  # NaNs tie with each other
        if not redo.any():  # without ties the order is the same whoever sorts
            return index
    if np.count_nonzero(redo) * n > _REPLAY_BUDGET:
        return index  # too big to replay in Python: equal elements stay in stable order
    moved = np.moveaxis(index, axis, -1)
    picks = moved.reshape(-1, moved.shape[-1]).copy()
    for r in np.flatnonzero(redo):
        picks[r] = pick(rows[r].tolist())
    return np.moveaxis(picks.reshape(moved.shape), -1, axis)


def _quickselect(values: list, k: int) -> int:
    """torch's quick_select_template (ATen SortingUtils.h), step for step: where the k-th
    smallest ends up among equal elements is decided by its median-of-three pivots."""
    index = list(range(len(values)))

    def greater_or_nan(a: Any, b: Any) -> bool:  # NaN is larger than everything
        return (a != a and b == b) or a > b

    def swap(i: int, j: int) -> None:
        values[i], values[j] = values[j], values[i]
        index[i], index[j] = index[j], index[i]

    left, right = 0, len(values) - 1
    while right > left:
        if right == left + 1:
            if greater_or_nan(values[left], values[right]):
                swap(left, right)
            break
        swap(left + (right - left) // 2, left + 1)
        if greater_or_nan(values[left + 1], values[right]):
            swap(left + 1, right)
        if greater_or_nan(values[left], values[right]):
            swap(left, right)
        if greater_or_nan(values[left + 1], values[left]):
            swap(left + 1, left)
        i, j, pivot = left + 1, right, values[left]
        while True:
            i += 1
            while greater_or_nan(pivot, values[i]):
                i += 1
            j -= 1
            while greater_or_nan(values[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(left, j)
        if j <= k:
            left = i
        if j >= k:
            right = j - 1
    return index[k]


# -- unique, unique_consecutive --------------------------------------------------------------
class NoDerivative(Function):
    """y = the op's result, already computed;  x: not differentiable (backward raises).

    torch records such ops in the graph (the output requires grad) and refuses
    only when a gradient is asked for; so do we.
    """

    @staticmethod
    def forward(ctx, x, result, torch_name, error):
        ctx.torch_name, ctx.error = torch_name, error
        return result

    @staticmethod
    def backward(ctx, grad):
        raise ctx.error[0](ctx.error[1])

    def name(self) -> str:
        return self.torch_name


def _groups(rows: np.ndarray) -> np.ndarray:
    """Where a new group starts in rows (n, m) already in order: row i differs from row i-1.

    NaN != NaN, so every NaN (every row holding one) is a group of its own, as in torch.
    """
    starts = np.ones(rows.shape[0], bool)
    if rows.shape[0] > 1 and rows.shape[1] == 1:  # single values: one comparison pass
        np.not_equal(rows[1:, 0], rows[:-1, 0], out=starts[1:])
    elif rows.shape[0] > 1:
        differs = rows[1:] != rows[:-1]
        starts[1:] = differs.any(axis=1) if rows.shape[1] else False
    return starts


def _unique_impl(input: Tensor, dim: Any, return_inverse: bool, return_counts: bool,
                 ordered: bool, op: str) -> Any:
    check_tensor(input, op)
    x = input.array
    if dim is None:
        rows, shape_of_inverse = x.reshape(-1, 1), x.shape
        ax = None
    else:
        ax = normalize_dim(dim, x.ndim, op)
        xd = np.atleast_1d(x)
        if xd.size == 0 and xd.shape[ax] != 0:
            raise RuntimeError(f"{op}: There are 0 sized dimensions, and they aren't selected, "
                               f"so unique cannot be applied (shape {x.shape}, dim {ax})")
        moved = np.moveaxis(xd, ax, 0)
        rows = moved.reshape(moved.shape[0], int(np.prod(moved.shape[1:])))
        shape_of_inverse = (moved.shape[0],)
    n = rows.shape[0]
    # unique sorts the rows first (lexicographic over the columns, stable, NaN last);
    # unique_consecutive keeps them in place (perm None: no permutation, no copy), and the
    # inverse and the counts are computed only when asked for (each is a pass over n).
    perm = None
    if ordered and rows.shape[1]:
        perm = np.lexsort(rows.T[::-1])
    starts = _groups(rows if perm is None else rows[perm])
    begins = np.flatnonzero(starts)  # where each group starts, in the ordered rows
    first = begins if perm is None else perm[begins]
    if return_inverse:
        group = np.cumsum(starts) - 1  # each ordered row's group
        if perm is None:
            inverse = group
        else:
            inverse = np.empty(n, np.int64)
            inverse[perm] = group
    if return_counts:
        counts = np.diff(np.append(begins, n))
    if ax is None:
        values = rows[first, 0] if n else x.reshape(-1)
    else:
        kept = np.take(np.atleast_1d(x), first, axis=ax)
        values = kept
    torch_name = {"unique": "Unique2Backward0" if ax is None else "UniqueDimBackward0",
                  "unique_consecutive": "UniqueConsecutiveBackward0"}[op]
    aten = {"unique": "_unique2" if ax is None else "unique_dim",
            "unique_consecutive": "unique_consecutive"}[op]
    out = NoDerivative.apply(input, np.ascontiguousarray(values), torch_name,
                             (NotImplementedError, f"the derivative for '{aten}' is not "
                                                   "implemented."))
    result = [out]
    if return_inverse:
        result.append(_long(inverse.reshape(shape_of_inverse)))
    if return_counts:
        result.append(_long(counts))
    return result[0] if len(result) == 1 else tuple(result)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements (dim=None) or slices along dim, in ascending order.

    With return_inverse, where each element (slice) of input went; with return_counts,
    how many times each occurs. NaNs are all distinct. torch on CPU sorts even with
    sorted=False, and so do we.
    """
    return _unique_impl(input, dim, return_inverse, return_counts, True, "unique")


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """Collapse each run of equal consecutive elements (slices along dim) into one."""
    return _unique_impl(input, dim, return_inverse, return_counts, False, "unique_consecutive")


# -- nonzero, argwhere, masked_select -----------------------------------------------------------
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of input's nonzero elements: an (n, ndim) int64 tensor, or one 1-d
    tensor per dim with as_tuple=True (a 0-d input counts as 1-d there, as in torch)."""
    check_tensor(input, "nonzero")
    x = input.array
    if as_tuple:
        return tuple(_long(i) for i in np.nonzero(np.atleast_1d(x)))
    return _long(np.argwhere(x))


def argwhere(input: Tensor) -> Tensor:
    """nonzero(input): the (n, ndim) indices of the nonzero elements."""
    check_tensor(input, "argwhere")
    return _long(np.argwhere(input.array))


class MaskedSelect(Function):
    """y = the elements of x where mask (both broadcast), as a 1-d tensor;
    x: grad scattered back to the masked positions, summed over the broadcast dims."""

    @staticmethod
    def forward(ctx, x, mask, shape):
        mask = np.broadcast_to(mask, shape)
        ctx.save_for_backward(mask)
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)[mask]

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved
        gx = set_into(np.zeros(mask.shape, grad.dtype), mask, grad)
        return unbroadcast(gx, ctx.in_shape), None, None


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of input where mask (a bool tensor) is True, broadcast together, 1-d."""
    check_tensor(input, "masked_select")
    if not isinstance(mask, Tensor):
        raise TypeError(f"masked_select(): argument 'mask' must be Tensor, not "
                        f"{type(mask).__name__}")
    if mask.array.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
    shape = broadcast_shapes(input.array.shape, mask.array.shape, "masked_select")
    return MaskedSelect.apply(input, mask.array, shape)


# -- searchsorted, bucketize ------------------------------------------------------------------
def _binary_search(seq: np.ndarray, values: np.ndarray, right: bool) -> np.ndarray:
    """torch's cus_lower_bound / cus_upper_bound, run on every value at once.

    seq is (rows, m) and values (rows, k). The loop is torch's, comparison for
    comparison, so even a NaN inside seq (where "sorted" means nothing) gives
    torch's answer: a comparison with NaN is false, and the search moves right.
    """
    rows, m = seq.shape
    if rows <= 64 and _sorted_without_nan(seq) and not (
            values.dtype.kind == "f" and np.isnan(values).any()):
        # a sorted sequence without NaN has one answer whoever searches: NumPy's C search
        side = "right" if right else "left"
        return np.stack([np.searchsorted(s, v, side) for s, v in zip(seq, values)]).astype(
            np.int64, copy=False)
    start = np.zeros(values.shape, np.int64)
    end = np.full(values.shape, m, np.int64)
    row = np.arange(rows)[:, None]
    active = start < end
    while active.any():
        mid = start + ((end - start) >> 1)
        mid_val = seq[row, np.minimum(mid, m - 1)]
        go_right = ~(mid_val > values) if right else ~(mid_val >= values)
        start = np.where(active & go_right, mid + 1, start)
        end = np.where(active & ~go_right, mid, end)
        active = start < end
    return start


def _sorted_without_nan(seq: np.ndarray) -> bool:
    """Whether every row of seq is in nondecreasing order and holds no NaN."""
    if seq.dtype.kind == "f" and np.isnan(seq).any():
        return False
    return bool((seq[:, 1:] >= seq[:, :-1]).all())


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None,
                 sorter: Tensor | None = None) -> Tensor:
    """For each value of input, the index where it would go in sorted_sequence (along its
    last dim) to keep it sorted: the first position with sequence >= value, or > value
    with right=True / side='right'."""
    op = "torch.searchsorted()"
    check_tensor(sorted_sequence, "searchsorted")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of "
                               f"{side} while right was True")
        right = side == "right"
    seq = sorted_sequence.array
    if seq.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    scalar = not isinstance(input, Tensor)
    if scalar:
        if isinstance(input, np.ndarray) or not isinstance(input, (int, float, bool, np.number)):
            raise TypeError(f"searchsorted(): argument 'input' must be Tensor or Number, not "
                            f"{type(input).__name__}")
        values = np.asarray(input)
    else:
        values = input.array
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            f"{op}: boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(values.shape)}")
    if sorter is not None:
        s = sorter.array
        if s.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: sorter must be a tensor of long dtype but got "
                               f"{_torch_name(s.dtype)}")
        if s.shape != seq.shape:
            raise RuntimeError(f"{op}: boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(s.shape)}")
        m = seq.shape[-1]
        if s.size and (s.min() < 0 or s.max() >= m):
            raise RuntimeError(f"{op}: sorter index out of range")
        seq = np.take_along_axis(seq, s, -1)
    # Compare in the common dtype, as torch promotes the two tensors.
    common = np.result_type(seq.dtype, values.dtype) if not scalar else seq.dtype
    if scalar and isinstance(input, float) and seq.dtype.kind != "f":
        common = dtypes.get_default_dtype().np
    m = seq.shape[-1]
    if m == 0 or values.size == 0:  # nothing to search, or nothing to place: every index is 0
        return Tensor._make(np.zeros(values.shape, np.int32 if out_int32 else np.int64),
                            False, None)
    flat_seq = seq.reshape(-1, m).astype(common, copy=False)
    if seq.ndim == 1:
        flat_values = values.reshape(1, -1).astype(common, copy=False)
    else:
        flat_values = values.reshape(flat_seq.shape[0], -1).astype(common, copy=False)
    found = _binary_search(flat_seq, flat_values, right).reshape(values.shape)
    return Tensor._make(found.astype(np.int32 if out_int32 else np.int64), False, None)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value: boundaries[i-1] < x <= boundaries[i] (right=True:
    boundaries[i-1] <= x < boundaries[i]), boundaries being 1-d and sorted."""
    check_tensor(boundaries, "bucketize")
    if boundaries.array.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim"
                           f"({boundaries.array.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# -- bincount, histc --------------------------------------------------------------------------
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How many times each value 0, 1, ..., max(input) occurs in a 1-d int tensor (at least
    minlength bins); with weights, the sum of the weights instead (float32 weights give
    float32, any other weights float64)."""
    check_tensor(input, "bincount")
    x = input.array
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{_torch_name(x.dtype)}'")
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs. "
                           f"(got shape {x.shape}{', a negative value' if x.ndim == 1 else ''})")
    if weights is not None:
        w = weights.array
        if w.ndim != 1 or w.shape[0] != x.shape[0]:
            raise RuntimeError(f"bincount: weights should be 1-d and have the same length as "
                               f"input (input {x.shape}, weights {w.shape})")
    n = max(int(x.max()) + 1 if x.size else 0, int(minlength))
    if weights is None:
        return Tensor._make(np.bincount(x, minlength=n).astype(np.int64), False, None)
    acc = np.float32 if weights.array.dtype == np.float32 else np.float64
    counts = np.zeros(n, acc)
    np.add.at(counts, x, weights.array.astype(acc))  # one add at a time, as torch's loop
    return NoDerivative.apply(weights, counts, "NotImplemented",
                              (RuntimeError, "derivative for aten::bincount is not implemented"))


def histc(input: Tensor, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:
    """A histogram of input in `bins` equal bins over [min, max] (min = max = 0: the data's
    own range). Elements outside are ignored; max itself lands in the last bin."""
    check_tensor(input, "histc")
    x = input.array
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{_torch_name(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(np.min(x)), float(np.max(x))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    if not lo < hi:
        raise RuntimeError(f"torch.histc: max must be larger than min (min={lo:g}, max={hi:g})")
    t = x.dtype.type
    left, right = t(lo), t(hi)  # torch's edges are linspace(lo, hi) in input's dtype
    values = x.reshape(-1)
    values = values[(values >= left) & (values <= right)]
    pos = ((values - left) * t(bins) / (right - left)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)  # x == max: into the last bin, not past it
    return Tensor._make(np.bincount(pos, minlength=bins).astype(x.dtype), False, None)


register(sort, method=True)
register(argsort, method=True)
register(msort, method=True)
register(topk, method=True)
register(kthvalue, method=True)
register(unique, method=True, differentiable=False)
register(unique_consecutive, method=True, differentiable=False)
register(nonzero, method=True, differentiable=False)
register(argwhere, method=True, differentiable=False)
register(masked_select, method=True)
register(searchsorted, differentiable=False)
register(bucketize, differentiable=False)
register(bincount, method=True, differentiable=False)
register(histc, method=True, differentiable=False)


# -- torch's order among equal elements: libstdc++'s algorithms, replayed -----------------------
# torch's CPU sort (stable=False) calls std::sort, its topk std::partial_sort or
# std::nth_element, on (value, index) pairs compared by value only, NaN largest. Which of
# several equal values lands first is decided by those algorithms' pivots and heaps, so to
# give torch's indices we replay them, step for step, on the rows that hold ties.
_STL_THRESHOLD = 16  # std::sort leaves runs this short to a final insertion sort
# Replaying costs Python time; past this many elements in tied rows we keep the stable
# order instead (same values, and the same indices wherever there is no tie).
_REPLAY_BUDGET = 1 << 16


def _less(descending: bool) -> Any:
    """torch's comparators on (value, index) pairs: NaN is larger than every number."""
    if descending:
        return lambda a, b: (a[0] != a[0] and b[0] == b[0]) or a[0] > b[0]
    return lambda a, b: (a[0] == a[0] and b[0] != b[0]) or a[0] < b[0]


def _stl_sorted(row: list, descending: bool) -> list[int]:
    pairs = [(v, i) for i, v in enumerate(row)]
    _stl_sort(pairs, 0, len(pairs), _less(descending))
    return [i for _, i in pairs]


def _stl_topk(row: list, k: int, largest: bool, ordered: bool) -> list[int]:
    """torch's topk_impl_loop: partial_sort when k * 64 <= n, else nth_element (+ sort)."""
    pairs = [(v, i) for i, v in enumerate(row)]
    n, less = len(pairs), _less(largest)
    if k * 64 <= n:
        _stl_partial_sort(pairs, 0, k, n, less)
    else:
        _stl_nth_element(pairs, 0, k - 1, n, less)
        if ordered:
            _stl_sort(pairs, 0, k - 1, less)
    return [i for _, i in pairs[:k]]


def _lg(n: int) -> int:
    return n.bit_length() - 1


def _stl_sort(a: list, first: int, last: int, less: Any) -> None:
    """std::sort: introsort down to runs of 16, then one insertion sort over everything."""
    if first != last:
        _introsort_loop(a, first, last, _lg(last - first) * 2, less)
        _final_insertion_sort(a, first, last, less)


def _stl_nth_element(a: list, first: int, nth: int, last: int, less: Any) -> None:
    """std::nth_element: introselect down to 3 elements, then insertion sort."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last, less)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, less)


def _stl_partial_sort(a: list, first: int, middle: int, last: int, less: Any) -> None:
    """std::partial_sort: a heap of the first (middle - first), then sort_heap."""
    _heap_select(a, first, middle, last, less)
    while middle - first > 1:
        middle -= 1
        _pop_heap(a, first, middle, middle, less)


def _introsort_loop(a: list, first: int, last: int, depth: int, less: Any) -> None:
    while last - first > _STL_THRESHOLD:
        if depth == 0:  # too many bad pivots: heapsort the rest
            _stl_partial_sort(a, first, last, last, less)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(a, first, last, less)
        _introsort_loop(a, cut, last, depth, less)
        last = cut


def _unguarded_partition_pivot(a: list, first: int, last: int, less: Any) -> int:
    """Median of (first + 1, middle, last - 1) moved to first, then Hoare's partition."""
    x, y, z = first + 1, first + (last - first) // 2, last - 1
    if less(a[x], a[y]):
        m = (y if less(a[y], a[z]) else z if less(a[x], a[z]) else x)
    else:
        m = (x if less(a[x], a[z]) else z if less(a[y], a[z]) else y)
    a[first], a[m] = a[m], a[first]
    lo, hi = first + 1, last
    while True:
        while less(a[lo], a[first]):
            lo += 1
        hi -= 1
        while less(a[first], a[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _final_insertion_sort(a: list, first: int, last: int, less: Any) -> None:
    if last - first > _STL_THRESHOLD:
        _insertion_sort(a, first, first + _STL_THRESHOLD, less)
        for i in range(first + _STL_THRESHOLD, last):
            _linear_insert(a, i, less)
    else:
        _insertion_sort(a, first, last, less)


def _insertion_sort(a: list, first: int, last: int, less: Any) -> None:
    for i in range(first + 1, last):
        if less(a[i], a[first]):
            a[first:i + 1] = [a[i]] + a[first:i]
        else:
            _linear_insert(a, i, less)


def _linear_insert(a: list, last: int, less: Any) -> None:
    value = a[last]
    while less(value, a[last - 1]):
        a[last] = a[last - 1]
        last -= 1
    a[last] = value


def _heap_select(a: list, first: int, middle: int, last: int, less: Any) -> None:
    n = middle - first
    if n >= 2:  # make_heap
        for parent in range((n - 2) // 2, -1, -1):
            _adjust_heap(a, first, parent, n, a[first + parent], less)
    for i in range(middle, last):
        if less(a[i], a[first]):
            _pop_heap(a, first, middle, i, less)


def _pop_heap(a: list, first: int, last: int, result: int, less: Any) -> None:
    value = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, value, less)


def _adjust_heap(a: list, first: int, hole: int, n: int, value: Any, less: Any) -> None:
    """Sift the hole down to a leaf, then push value up from there (libstdc++'s way)."""
    top = child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if less(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value
