"""Shape ops: reshape, permute, expand, cat, split and friends, with their adjoints.

Almost everything here moves no numbers at all. Like torch, reshape,
permute, transpose, squeeze and expand return *views* (NumPy views: the same
memory seen through other strides), and their backward is the inverse
re-arrangement of the gradient. The two adjoints worth remembering:

* expand (broadcasting by hand) is undone by a sum: `unbroadcast`;
* a piece taken out of a tensor (split, unbind, x[0]) sends its gradient
  back into a zero tensor of the input's shape, at the place it came from.

Read support.py first; indexing.py builds on `Slice` from this file.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function, _refresh_if_stale
from minitorch.autograd.grad_mode import _GradMode
from minitorch.autograd.higher_order import TracedArray
from minitorch.ops.inplace import rebind_inplace_form
from minitorch.ops.support import (
    broadcast_shapes,
    cast,
    check_tensor,
    dim_aliases,
    normalize_dim,
    normalize_dims,
    scatter_add_into,
    set_into,
    shape_arg,
    unbroadcast,
)
from minitorch.registry import register
from minitorch.tensor import Tensor
from minitorch.views import link_view


# -- the Functions ------------------------------------------------------------
class View(Function):
    """y = x.reshape(shape);  x: grad.reshape(x.shape)."""

    @staticmethod
    def forward(ctx, x, shape, copy=None):
        ctx.in_shape = x.shape
        return x.reshape(shape, copy=copy)  # copy=False: a view or an error, never a copy

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class Squeeze(View):
    """y = x without some size-1 dims (a view);  x: grad.reshape(x.shape)."""


class Unsqueeze(View):
    """y = x with a new size-1 dim (a view);  x: grad.reshape(x.shape)."""


class Permute(Function):
    """y = x.permute(dims) (a view);  x: grad.permute(argsort(dims))."""

    @staticmethod
    def forward(ctx, x, dims):
        inverse = [0] * len(dims)
        for i, d in enumerate(dims):
            inverse[d] = i
        ctx.inverse = inverse
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(ctx.inverse)


class Transpose(Function):
    """y = x.transpose(d0, d1) (a view);  x: grad.transpose(d0, d1)."""

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d0, ctx.d1 = d0, d1
        return x.swapaxes(d0, d1) if x.ndim else x.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.swapaxes(ctx.d0, ctx.d1) if grad.ndim else grad


class Expand(Function):
    """y = x broadcast to shape (a read-only view, no copy);  x: unbroadcast(grad, x.shape)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.view() if x.shape == shape else np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.in_shape)


class Repeat(Function):
    """y = x tiled reps times along each dim;  x: grad summed over the copies."""

    @staticmethod
    def forward(ctx, x, reps):
        ctx.in_shape, ctx.reps = x.shape, reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, grad):
        # View the gradient as (r0, s0, r1, s1, ...) and sum the r axes away.
        padded = (1,) * (len(ctx.reps) - len(ctx.in_shape)) + ctx.in_shape
        pairs = tuple(n for rs in zip(ctx.reps, padded) for n in rs)
        summed = grad.reshape(pairs).sum(axis=tuple(range(0, len(pairs), 2)))
        return summed.reshape(ctx.in_shape)


class Flip(Function):
    """y = x reversed along dims;  x: grad reversed along dims."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return np.flip(x, dims).copy()  # torch's flip copies, so writes to y leave x alone

    @staticmethod
    def backward(ctx, grad):
        return np.flip(grad, ctx.dims)


class Roll(Function):
    """y = x rolled by shifts along dims;  x: grad rolled back by -shifts."""

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        if type(grad) is not TracedArray:  # (first order: np.roll, one pass over all dims)
            back = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
            return np.roll(grad, back, ctx.dims)
        if ctx.dims is None:  # over the flattened tensor
            return _rolled(grad.reshape(-1), -ctx.shifts, 0).reshape(grad.shape)
        for shift, dim in zip(ctx.shifts, ctx.dims):
            grad = _rolled(grad, -shift, dim)
        return grad


def _rolled(a: Any, shift: int, dim: int) -> Any:
    """np.roll(a, shift, dim) as two slices put back together: np.concatenate, which a
    recorded gradient (create_graph=True) also takes, where np.roll has no entry."""
    n = a.shape[dim]
    k = shift % n if n else 0
    if not k:
        return a
    before = (slice(None),) * dim
    return np.concatenate([a[before + (slice(n - k, None),)], a[before + (slice(0, n - k),)]],
                          axis=dim)


class Contiguous(Function):
    """y = a C-contiguous copy of x;  x: grad."""

    @staticmethod
    def forward(ctx, x):
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Cat(Function):
    """y = concatenate(xs, dim);  x_i: grad's slice of x_i's extent along dim."""

    @staticmethod
    def forward(ctx, *xs, dim, skip):
        ctx.dim, ctx.skip = dim, skip
        kept = [x for x, s in zip(xs, skip) if not s]
        ctx.bounds = list(itertools.accumulate(x.shape[dim] for x in kept))[:-1]
        return np.concatenate(kept, axis=dim) if kept else np.zeros((0,), xs[0].dtype)

    @staticmethod
    def backward(ctx, grad):
        before, starts = (slice(None),) * ctx.dim, [0] + ctx.bounds
        pieces = iter([grad[before + (slice(lo, hi),)]
                       for lo, hi in zip(starts, ctx.bounds + [None])])
        empty = np.zeros((0,), grad.dtype)  # a skipped legacy (0,) input gets an empty grad
        return tuple(empty if s else next(pieces) for s in ctx.skip)


class Stack(Function):
    """y = stack(xs, dim);  x_i: grad.select(dim, i)."""

    @staticmethod
    def forward(ctx, *xs, dim):
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(np.moveaxis(grad, ctx.dim, 0))


class Slice(Function):
    """y = x[index] for ints, slices and None (a view);  x: zeros with grad written at index.

    Basic indexing never picks an element twice, so the adjoint may assign
    rather than accumulate.
    """

    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x.shape, index
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        return set_into(np.zeros(ctx.in_shape, grad.dtype), ctx.index, grad)


class Split(Slice):
    """y = one piece of x.split(...) (a view);  x: zeros with grad written at the piece."""

    multi_output_view = True  # torch refuses in-place writes into these views (views.py)


class Unbind(Slice):
    """y = x.select(dim, i) for one i (a view);  x: zeros with grad written at i."""

    multi_output_view = True


class Tril(Function):
    """y = x with the part above diagonal k zeroed;  x: tril(grad, k)."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.tril(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.tril(grad, ctx.k)


class Triu(Function):
    """y = x with the part below diagonal k zeroed;  x: triu(grad, k)."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return np.triu(x, k)

    @staticmethod
    def backward(ctx, grad):
        return np.triu(grad, ctx.k)


# -- argument checking, shared by the public functions ----------------------
def _fmt(shape: Sequence[int]) -> str:
    """A shape as torch prints it in messages: [2, 3]."""
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"




def _infer_shape(shape: tuple[int, ...], numel: int, op: str) -> tuple[int, ...]:
    """Resolve one -1 in `shape` so that it holds `numel` elements, or raise like torch."""
    if math.prod(shape) == numel and min(shape, default=0) >= 0:
        return shape  # the common case: nothing to infer
    infer, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError(f"{op}: only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(
                f"{op}: invalid shape dimension {s} at index {i} of shape {_fmt(shape)}"
            )
        else:
            known *= s
    if infer is None:
        if known != numel:
            raise RuntimeError(f"{op}: shape '{_fmt(shape)}' is invalid for input of size {numel}")
        return shape
    if known == 0:
        if numel == 0:
            raise RuntimeError(
                f"{op}: cannot reshape tensor of 0 elements into shape {_fmt(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        raise RuntimeError(f"{op}: shape '{_fmt(shape)}' is invalid for input of size {numel}")
    if numel % known:
        raise RuntimeError(f"{op}: shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return shape[:infer] + (numel // known,) + shape[infer + 1 :]


def _int_list(arg: Any, what: str, op: str) -> tuple[int, ...]:
    """An int or a sequence of ints as a tuple (TypeError for anything else, as torch)."""
    if isinstance(arg, (int, np.integer)) and not isinstance(arg, bool):
        return (int(arg),)
    if isinstance(arg, (tuple, list)) and all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in arg
    ):
        return tuple(int(a) for a in arg)
    raise TypeError(f"{op}(): argument '{what}' must be an int or a tuple of ints, got {arg!r}")


def _tensor_list(tensors: Any, op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{op}(): argument 'tensors' must be tuple of Tensors, not {type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{op}(): expected Tensor as element {i} in argument 'tensors', "
                f"but got {type(t).__name__}"
            )
    return list(tensors)


def _promoted(tensors: list[Tensor]) -> list[Tensor]:
    """cat and stack promote their inputs to one dtype, as torch does."""
    first = tensors[0].array.dtype
    if all(t.array.dtype == first for t in tensors):
        return tensors
    result = dtypes.from_numpy_dtype(first)
    for t in tensors[1:]:
        result = dtypes.promote_types(result, dtypes.from_numpy_dtype(t.array.dtype))
    return [cast(t, result) for t in tensors]


# -- views: reshape and friends -------------------------------------------------
def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape: a view when the strides allow, else a copy."""
    check_tensor(input, "reshape")
    new = _infer_shape(shape_arg(shape, "reshape"), input.array.size, "reshape")
    return View.apply(input, new)
register(reshape, method=True)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """input.reshape(other.shape)."""
    return reshape(input, other.shape)
register(reshape_as, function=False, method=True)


def view(input: Tensor, *shape: Any) -> Tensor:
    """Like reshape, but always a view: refuses (as torch) when the strides do not allow one.

    view(dtype) reinterprets the same bytes as another dtype (no gradient flows through it).
    """
    check_tensor(input, "view")
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        try:
            return Tensor._make(input.array.view(shape[0].np), False, None)
        except ValueError as e:
            raise RuntimeError(f"view: cannot view {input.dtype} as {shape[0]}: {e}") from None
    new = _infer_shape(shape_arg(shape, "view"), input.array.size, "view")
    try:
        return View.apply(input, new, False)
    except ValueError:
        raise RuntimeError(
            f"view: view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(input shape {_fmt(input.shape)}, strides {input.array.strides}, view {_fmt(new)})"
        ) from None
register(view, function=False, method=True)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """input.view(other.shape)."""
    return view(input, other.shape)
register(view_as, function=False, method=True)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes shape (1,))."""
    check_tensor(input, "flatten")
    shape = input.array.shape
    if not shape:
        return View.apply(input, (1,))
    s = normalize_dim(start_dim, len(shape), "flatten")
    e = normalize_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return View.apply(input, shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])
register(flatten, method=True)


@dim_aliases
def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim into `sizes` (one of them may be -1)."""
    check_tensor(input, "unflatten")
    shape = input.array.shape
    d = normalize_dim(dim, len(shape), "unflatten")
    sizes = _int_list(sizes, "sizes", "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer_shape(sizes, shape[d], "unflatten")
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {_fmt(sizes)} don't multiply up to the size of dim {d} "
            f"({shape[d]}) in the input tensor"
        ) from None
    return View.apply(input, shape[:d] + sizes + shape[d + 1 :])
register(unflatten, method=True)


@dim_aliases
def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims (all of them, or those in dim; a dim of another size stays)."""
    check_tensor(input, "squeeze")
    shape = input.array.shape
    dims = normalize_dims(dim, len(shape), "squeeze")
    return Squeeze.apply(input, tuple(n for i, n in enumerate(shape) if n != 1 or i not in dims))
register(squeeze, method=True, inplace=rebind_inplace_form(squeeze))


@dim_aliases
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at position dim (in [-ndim-1, ndim])."""
    check_tensor(input, "unsqueeze")
    shape = input.array.shape
    d = normalize_dim(dim, len(shape) + 1, "unsqueeze")
    return Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])
register(unsqueeze, method=True, inplace=rebind_inplace_form(unsqueeze))


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dims (a view): output dim i is input dim dims[i]."""
    check_tensor(input, "permute")
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    ndim = input.array.ndim
    if len(dims) != ndim:
        raise RuntimeError(
            f"permute(): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal to "
            f"len(dims) = {len(dims)}"
        )
    dims = tuple(normalize_dim(d, ndim, "permute") for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {dims})")
    return Permute.apply(input, dims)
register(permute, method=True)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view)."""
    check_tensor(input, "transpose")
    ndim = input.array.ndim
    d0 = normalize_dim(dim0, ndim, "transpose")
    d1 = normalize_dim(dim1, ndim, "transpose")
    return Transpose.apply(input, d0, d1)
register(transpose, method=True, inplace=rebind_inplace_form(transpose))


swapaxes = transpose
register(transpose, name='swapaxes', method=True, inplace=rebind_inplace_form(transpose))
swapdims = transpose
register(transpose, name='swapdims', method=True, inplace=rebind_inplace_form(transpose))


def t(input: Tensor) -> Tensor:
    """Transpose a matrix; a 0-d or 1-d tensor comes back as it is (as a view)."""
    check_tensor(input, "t")
    ndim = input.array.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return Transpose.apply(input, 0, ndim - 1 if ndim else 0)
register(t, method=True, inplace=rebind_inplace_form(t))


def T(input: Tensor) -> Tensor:
    """Tensor.T: every dimension reversed."""
    return permute(input, *range(input.array.ndim - 1, -1, -1))
register(T, function=False, method=property(T))


def mT(input: Tensor) -> Tensor:
    """Tensor.mT: the last two dimensions swapped (a batch of matrices transposed)."""
    if input.array.ndim < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {input.array.ndim}-D tensor."
        )
    return transpose(input, -2, -1)
register(mT, function=False, method=property(mT))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims at `source` to positions `destination`, keeping the others in order."""
    check_tensor(input, "movedim")
    ndim = input.array.ndim
    src = tuple(normalize_dim(d, ndim, "movedim") for d in _int_list(source, "source", "movedim"))
    dst = tuple(
        normalize_dim(d, ndim, "movedim") for d in _int_list(destination, "destination", "movedim")
    )
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [d for d in range(ndim) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, tuple(order))
register(movedim, method=True)


moveaxis = movedim
register(movedim, name='moveaxis', method=True)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to `sizes` without copying; -1 keeps a size, new dims go in front."""
    check_tensor(input, "expand")
    sizes = shape_arg(sizes, "expand")
    shape = input.array.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)}); tensor sizes {_fmt(shape)}"
        )
    target = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            continue
        n = shape[i - lead]
        if s == -1:
            target[i] = n
        elif s != n and (n != 1 or s < 0):
            raise RuntimeError(
                f"expand: The expanded size of the tensor ({s}) must match the existing size ({n}) "
                f"at non-singleton dimension {i}.  Target sizes: {_fmt(sizes)}.  "
                f"Tensor sizes: {_fmt(shape)}"
            )
    return Expand.apply(input, tuple(target))
register(expand, function=False, method=True)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """input.expand(other.shape)."""
    return expand(input, other.shape)
register(expand_as, function=False, method=True)


def broadcast_to(input: Tensor, shape: Sequence[int]) -> Tensor:
    """torch.broadcast_to is expand."""
    check_tensor(input, "broadcast_to")
    return expand(input, shape)
register(broadcast_to, method=True)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile the data `sizes` times along each dim (a copy; extra sizes add leading dims)."""
    check_tensor(input, "repeat")
    reps = shape_arg(sizes, "repeat")
    if len(reps) < input.array.ndim:
        raise RuntimeError(
            "repeat: Number of dimensions of repeat dims can not be smaller than number of "
            f"dimensions of tensor (repeats {_fmt(reps)}, tensor sizes {_fmt(input.shape)})"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {_fmt(reps)}")
    return Repeat.apply(input, reps)
register(repeat, function=False, method=True)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """repeat, except that fewer dims than the tensor has are padded with 1s in front."""
    check_tensor(input, "tile")
    reps = _int_list(dims, "dims", "tile")
    reps = (1,) * (input.array.ndim - len(reps)) + reps
    return repeat(input, reps)
register(tile, method=True)


def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along dims (a copy, as in torch)."""
    check_tensor(input, "flip")
    if isinstance(dims, (int, np.integer)):  # the method takes ints (_flip_method), not this
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    ndim = input.array.ndim
    return Flip.apply(input, normalize_dims(_int_list(dims, "dims", "flip"), ndim, "flip"))


def _flip_method(self: Tensor, *dims: Any, **kwargs: Any) -> Tensor:
    """Tensor.flip takes its dims spread out too (x.flip(0, 1)), as torch's method does."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)) or kwargs:
        return flip(self, *dims, **kwargs)
    return flip(self, dims)
register(flip, method=_flip_method)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically along dims (over the flattened tensor when dims is None)."""
    check_tensor(input, "roll")
    shift_list = _int_list(shifts, "shifts", "roll")
    ndim = input.array.ndim
    if dims is None:
        if len(shift_list) != 1:
            raise RuntimeError(
                f"roll: shifts and dimensions must align. shifts: {len(shift_list)}, dims:0"
            )
        return Roll.apply(input, shift_list[0], None)
    dim_list = _int_list(dims, "dims", "roll")
    if len(shift_list) != len(dim_list):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shift_list)}, "
            f"dims:{len(dim_list)}"
        )
    if not ndim:
        raise IndexError(f"roll: Dimension specified as {dim_list[0]} but tensor has no dimensions")
    dim_list = tuple(normalize_dim(d, ndim, "roll") for d in dim_list)
    return Roll.apply(input, shift_list, dim_list)
register(roll, method=True)


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself when already C-contiguous, else a contiguous copy."""
    check_tensor(input, "contiguous")
    if input.array.flags.c_contiguous:
        return input
    return Contiguous.apply(input)
register(contiguous, function=False, method=True)


# -- joining and splitting --------------------------------------------------------
@dim_aliases  # cat(xs, axis=1), as torch's parser allows
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; dtypes are promoted, legacy (0,) tensors skipped."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x.array.ndim == 0:
            raise RuntimeError(
                f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
    # torch still accepts shape-(0,) tensors as "empty" next to tensors of any shape
    skip = tuple(x.array.shape == (0,) for x in tensors)
    kept = [(i, x.array.shape) for i, x in enumerate(tensors) if not skip[i]]
    d = 0
    if kept:
        first_i, ref = kept[0]
        d = normalize_dim(dim, len(ref), "cat")
        for i, s in kept[1:]:
            if len(s) != len(ref):
                raise RuntimeError(
                    f"cat: Tensors must have same number of dimensions: got {len(ref)} and {len(s)}"
                )
            for k in range(len(ref)):
                if k != d and s[k] != ref[k]:
                    raise RuntimeError(
                        f"cat: Sizes of tensors must match except in dimension {d}. Expected size "
                        f"{ref[k]} but got size {s[k]} for tensor number {i} in the list "
                        f"(shapes {_fmt(ref)} and {_fmt(s)})."
                    )
    return Cat.apply(*_promoted(tensors), dim=d, skip=skip)
register(cat)


concat = cat
register(cat, name='concat')
concatenate = cat
register(cat, name='concatenate')


@dim_aliases
def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0].array.shape
    for i, x in enumerate(tensors):
        if x.array.shape != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {_fmt(ref)} at entry 0 and "
                f"{_fmt(x.array.shape)} at entry {i}"
            )
    d = normalize_dim(dim, len(ref) + 1, "stack")
    return Stack.apply(*_promoted(tensors), dim=d)
register(stack)


def _views(input: Tensor, indexes: list[tuple], cls: type[Slice]) -> tuple[Tensor, ...]:
    """input[index] for each index (basic indexing: views), as cls.apply makes them.

    When no gradient is wanted, Function.apply records nothing and only marks its result as
    a view of input: we make those tensors directly, without a node per piece (split into
    512 pieces or unbind of 1024 rows paid ~1.7 us a piece for the nodes it threw away).
    """
    if input.requires_grad and _GradMode.enabled:
        return tuple(cls.apply(input, index) for index in indexes)
    if input._base is not None and input._base_fn is not input._base.grad_fn:
        _refresh_if_stale(input)  # a view whose base was written in place since (as apply)
    array = input.array
    out = []
    for index in indexes:
        t = Tensor._make(array[index], False, None)
        link_view(t, input)  # what Function.apply's mark_view records
        out.append(t)
    return tuple(out)


def _pieces(input: Tensor, sizes: Sequence[int], d: int, cls: type[Slice]) -> tuple[Tensor, ...]:
    """Views of consecutive pieces of the given sizes along dim d."""
    before = (slice(None),) * d
    starts = itertools.accumulate(sizes, initial=0)
    return _views(input, [before + (slice(start, start + n), Ellipsis)
                          for start, n in zip(starts, sizes)], cls)


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of pieces of size split_size (the last may be smaller), or of the given sizes."""
    check_tensor(input, "split")
    shape = input.array.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = normalize_dim(dim, len(shape), "split")
    n = shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        if size == 0 and n != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        count = max(-(-n // size), 1) if size else 1
        sizes = [min(size, n - i * size) for i in range(count)]
    else:
        sizes = list(_int_list(split_size_or_sections, "split_size_or_sections", "split"))
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
    return _pieces(input, sizes, d, Split)
register(split, method=True)


@dim_aliases
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into `chunks` pieces of size ceil(n / chunks) (so possibly fewer pieces)."""
    check_tensor(input, "chunk")
    shape = input.array.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = normalize_dim(dim, len(shape), "chunk")
    n = shape[d]
    if n == 0:
        return _pieces(input, [0] * chunks, d, Split)
    return split(input, -(-n // chunks), d)
register(chunk, method=True)


@dim_aliases
def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along dim, each with that dim removed (views)."""
    check_tensor(input, "unbind")
    shape = input.array.shape
    if not shape:
        raise IndexError("unbind: Dimension specified as 0 but tensor has no dimensions")
    d = normalize_dim(dim, len(shape), "unbind")
    before = (slice(None),) * d
    return _views(input, [before + (i, Ellipsis) for i in range(shape[d])], Unbind)
register(unbind, method=True)


# -- triangles ----------------------------------------------------------------
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Keep the lower triangle (on and below `diagonal`) of the last two dims."""
    check_tensor(input, "tril")
    if input.array.ndim < 2:
        raise RuntimeError(
            f"tril: input tensor must have at least 2 dimensions, got shape {_fmt(input.shape)}"
        )
    return Tril.apply(input, int(diagonal))
register(tril, method=True, inplace=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Keep the upper triangle (on and above `diagonal`) of the last two dims."""
    check_tensor(input, "triu")
    if input.array.ndim < 2:
        raise RuntimeError(
            f"triu: input tensor must have at least 2 dimensions, got shape {_fmt(input.shape)}"
        )
    return Triu.apply(input, int(diagonal))
register(triu, method=True, inplace=True)



# -- pieces and diagonals (wave 2) ----------------------------------------------
class Diagonal(Function):
    """y = x.diagonal(offset, d1, d2) (a writable view, diagonal last);
    x: zeros with grad written on the diagonal."""

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        ctx.in_shape, ctx.args = x.shape, (offset, d1, d2)
        return _diagonal_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        where, at = _diagonal_index(ctx.in_shape, *ctx.args)
        return set_into(np.zeros(ctx.in_shape, grad.dtype), where, np.moveaxis(grad, -1, at))


def _diagonal_index(shape: tuple[int, ...], offset: int, d1: int, d2: int) -> tuple[tuple, int]:
    """The NumPy index of the (offset, d1, d2) diagonal of an array of `shape`, and where its
    index puts the diagonal's dim (np.diagonal puts it last): at d1 if d1, d2 are adjacent,
    else first (NumPy's rule for separated index arrays)."""
    rows = np.arange(max(0, -offset), shape[d1])
    rows = rows[: max(0, min(rows.size, shape[d2] - max(0, offset)))]
    where: list[Any] = [slice(None)] * len(shape)
    where[d1], where[d2] = rows, rows + offset
    return tuple(where), min(d1, d2) if abs(d1 - d2) == 1 else 0


def _diagonal_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """np.diagonal, made writable as torch's view is (it shares a's memory either way)."""
    d = np.diagonal(a, offset, d1, d2)
    if a.flags.writeable:
        d.flags.writeable = True
    return d


class DiagEmbed(Function):
    """y = zeros with x's last dim on the (offset, d1, d2) diagonal;  x: grad.diagonal(...)."""

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        n = x.shape[-1] + abs(offset) if x.ndim else 1 + abs(offset)
        rest = list(x.shape[:-1])
        out_shape = rest[:]
        for d in sorted((d1, d2)):
            out_shape.insert(d, n)
        out = np.zeros(out_shape, x.dtype)
        _diagonal_view(out, offset, d1, d2)[...] = x
        ctx.args = (offset, d1, d2)
        return out

    @staticmethod
    def backward(ctx, grad):
        return np.diagonal(grad, *ctx.args).copy()


class Unfold(Function):
    """y[..., i, ..., j] = x[..., i*step + j, ...] (a view, windows last);
    x: grad scatter-added from every window back to its place."""

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.in_shape, ctx.args = x.shape, (dim, size, step)
        return _windows(x, dim, size, step)

    @staticmethod
    def backward(ctx, grad):
        dim, size, step = ctx.args
        if not ctx.in_shape:
            return grad.reshape(())
        g = np.zeros(ctx.in_shape, grad.dtype)
        if not grad.size:
            return g
        if type(grad) is not TracedArray:  # (first order: strided adds, twice np.add.at's speed)
            windows = _windows(g, dim, size, step)
            for j in range(size):  # one window offset at a time: within it no element repeats
                windows[..., j] += grad[..., j]
            return g
        # The same sum, recorded: window offset j outermost, so each place still adds its
        # values in order of j.
        k = len(ctx.in_shape)
        count = grad.shape[dim]
        where = [np.arange(n).reshape((1,) * (i + 1) + (n,) + (1,) * (k - 1 - i))
                 for i, n in enumerate(ctx.in_shape)]
        starts = (np.arange(count) * step).reshape((1,) * (dim + 1) + (count,)
                                                   + (1,) * (k - 1 - dim))
        where[dim] = starts + np.arange(size).reshape((size,) + (1,) * k)
        return scatter_add_into(g, tuple(where), np.moveaxis(grad, -1, 0))


def _windows(a: np.ndarray, dim: int, size: int, step: int) -> np.ndarray:
    """The sliding windows of a along dim as a strided view (writable when a is)."""
    if not a.ndim:
        return a.reshape(1)
    count = (a.shape[dim] - size) // step + 1
    shape = a.shape[:dim] + (count,) + a.shape[dim + 1:] + (size,)
    strides = a.strides[:dim] + (a.strides[dim] * step,) + a.strides[dim + 1:] + (a.strides[dim],)
    if a.flags.c_contiguous and a.size:  # a's buffer, read through the window strides:
        return np.ndarray(shape, a.dtype, buffer=a, strides=strides)  # 1 us, as_strided 7
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


@dim_aliases
def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """input[..., start:start+length, ...] along dim (a view); start may be negative."""
    check_tensor(input, "narrow")
    shape = input.array.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, len(shape), "narrow")
    if isinstance(start, Tensor):
        if start.array.ndim or start.array.dtype.kind not in "iu":
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = int(start.array)
    n, start, length = shape[d], int(start), int(length)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    start = start % n if n and start < 0 else start
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Slice.apply(input, (slice(None),) * d + (slice(start, start + length), Ellipsis))
register(narrow, method=True)


@dim_aliases
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """input[..., index, ...] along dim, that dim removed (a view)."""
    check_tensor(input, "select")
    shape = input.array.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = normalize_dim(dim, len(shape), "select")
    i = int(index)
    if not -shape[d] <= i < shape[d]:
        raise IndexError(
            f"select(): index {i} out of range for tensor of size {_fmt(shape)} at dimension {d}"
        )
    return Slice.apply(input, (slice(None),) * d + (i, Ellipsis))
register(select, method=True)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes as a new last dim (a view)."""
    check_tensor(input, "diagonal")
    ndim = input.array.ndim
    d1, d2 = normalize_dim(dim1, ndim, "diagonal"), normalize_dim(dim2, ndim, "diagonal")
    if ndim < 2 or d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)
register(diagonal, method=True)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-d input becomes a square matrix with it on a diagonal; a 2-d input gives its
    diagonal (a copy, unlike Tensor.diagonal)."""
    check_tensor(input, "diag")
    ndim = input.array.ndim
    if ndim == 1:
        return DiagEmbed.apply(input, int(diagonal), 0, 1)
    if ndim == 2:
        return Contiguous.apply(Diagonal.apply(input, int(diagonal), 0, 1))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
register(diag, method=True)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Put the last dim of input on the (dim1, dim2) diagonal of a zero tensor one dim larger."""
    check_tensor(input, "diag_embed")
    ndim = input.array.ndim + 1
    d1, d2 = normalize_dim(dim1, ndim, "diag_embed"), normalize_dim(dim2, ndim, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, int(offset), d1, d2)
register(diag_embed, method=True)


def _unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Tensor.unfold: sliding windows of `size` every `step` along dimension, as a new last dim
    (a view). torch.unfold does not exist; F.unfold is im2col, another op."""
    check_tensor(input, "unfold")
    shape = input.array.shape
    d = normalize_dim(dimension, len(shape), "unfold")
    n = shape[d] if shape else 1
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, d, int(size), int(step))


_unfold.__name__ = "unfold"
register(_unfold, name="unfold", function=False, method=True)


@dim_aliases
def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of input split into n nearly equal sections, or at the given indices, along dim."""
    check_tensor(input, "tensor_split")
    shape = input.array.shape
    if not shape:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = normalize_dim(dim, len(shape), "tensor_split")
    n = shape[d]
    arg = indices_or_sections
    if isinstance(arg, Tensor):
        if arg.array.dtype.kind not in "iu" or arg.array.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor of integers, but got a tensor with {arg.array.ndim} dims"
            )
        arg = int(arg.array) if arg.array.ndim == 0 else [int(i) for i in arg.array]
    if isinstance(arg, (int, np.integer)):
        sections = int(arg)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        size, extra = divmod(n, sections)
        bounds = list(itertools.accumulate([size + 1] * extra + [size] * (sections - extra)))
        starts = [0] + bounds[:-1]
    else:
        cuts = list(_int_list(list(arg), "indices", "tensor_split"))
        starts, bounds = [0] + cuts, cuts + [n]
    before = (slice(None),) * d
    pieces = []
    for lo, hi in zip(starts, bounds):
        lo, hi = _clip_cut(lo, n), _clip_cut(hi, n)
        pieces.append(Split.apply(input, before + (slice(lo, max(hi, lo)), Ellipsis)))
    return tuple(pieces)
register(tensor_split, method=True)


def _clip_cut(i: int, n: int) -> int:
    """A split index as Python slicing reads it: negative counts from the end, clipped to n."""
    return min(max(i + n if i < 0 else i, 0), n)


# -- stacking helpers ------------------------------------------------------------
# torch's layouts: (n,) -> (1, n) -> (1, n, 1); (m, n) -> (m, n, 1).
_ATLEAST = {
    1: {0: lambda s: (1,)},
    2: {0: lambda s: (1, 1), 1: lambda s: (1,) + s},
    3: {0: lambda s: (1, 1, 1), 1: lambda s: (1,) + s + (1,), 2: lambda s: s + (1,)},
}


def _atleast(tensors: tuple[Any, ...], ndim: int, op: str) -> Any:
    listed = len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
    if listed:  # a list or tuple gives a tuple back, even of one tensor
        tensors = tuple(tensors[0])
    out = []
    for t in tensors:
        check_tensor(t, op)
        shape = t.array.shape
        if len(shape) < ndim:
            t = View.apply(t, _ATLEAST[ndim][len(shape)](shape))
        out.append(t)
    return out[0] if len(out) == 1 and not listed else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 1 dim (a 0-d tensor becomes shape (1,))."""
    return _atleast(tensors, 1, "atleast_1d")
register(atleast_1d)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 2 dims: (n,) becomes (1, n)."""
    return _atleast(tensors, 2, "atleast_2d")
register(atleast_2d)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 3 dims: (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    return _atleast(tensors, 3, "atleast_3d")
register(atleast_3d)


def _stack_list(tensors: Any, op: str) -> list[Tensor]:
    tensors = _tensor_list(tensors, op)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """cat along dim 1 (dim 0 when every tensor is 1-d), after atleast_1d."""
    ts = [atleast_1d(t) for t in _stack_list(tensors, "hstack")]
    return cat(ts, 0 if ts[0].array.ndim == 1 else 1)
register(hstack)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """cat along dim 0 after atleast_2d (1-d tensors become rows)."""
    return cat([atleast_2d(t) for t in _stack_list(tensors, "vstack")], 0)
register(vstack)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """cat along dim 2 after atleast_3d."""
    return cat([atleast_3d(t) for t in _stack_list(tensors, "dstack")], 2)
register(dstack)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """hstack, with 0-d and 1-d tensors first made into columns (n, 1)."""
    ts = _stack_list(tensors, "column_stack")
    cols = [View.apply(t, (t.array.size, 1)) if t.array.ndim <= 1 else t for t in ts]
    return cat(cols, 1)
register(column_stack)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Every tensor expanded (as a view) to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = _tensor_list(list(tensors), "broadcast_tensors")
    shape: tuple[int, ...] = ()
    for t in ts:
        shape = broadcast_shapes(shape, t.array.shape, "broadcast_tensors")
    return tuple(Expand.apply(t, shape) for t in ts)
register(broadcast_tensors)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 0-d or 1-d tensors: indexing='ij' (matrix) or 'xy' (Cartesian,
    the first two dims swapped). Leaving indexing out means 'ij' with torch's warning."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    ts = _tensor_list(list(tensors), "meshgrid")
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}"
        )
    if not ts:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in ts:
        if t.array.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"{t.array.ndim}D tensor of shape {_fmt(t.array.shape)}"
            )
        if t.array.dtype != ts[0].array.dtype:
            raise RuntimeError(
                "meshgrid expects all tensors to have the same dtype "
                f"(got {ts[0].dtype} and {t.dtype})"
            )
    swap = indexing == "xy" and len(ts) >= 2
    order = [1, 0] + list(range(2, len(ts))) if swap else list(range(len(ts)))
    sizes = [ts[i].array.size for i in order]
    grids = []
    for k, t in enumerate(ts):
        pos = order.index(k)
        line = [1] * len(ts)
        line[pos] = sizes[pos]
        grids.append(Expand.apply(View.apply(t, tuple(line)), tuple(sizes)))
    return tuple(grids)
register(meshgrid)


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees k times in the plane dims, from dims[0] towards dims[1]."""
    check_tensor(input, "rot90")
    dims = list(_int_list(list(dims), "dims", "rot90"))
    ndim = input.array.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    d0, d1 = (normalize_dim(d, ndim, "rot90") for d in dims)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k = int(k) % 4
    if k == 1:
        return transpose(flip(input, [d1]), d0, d1)
    if k == 2:
        return flip(input, [d0, d1])
    if k == 3:
        return flip(transpose(input, d0, d1), [d1])
    return flip(input, [])  # k = 0: a copy, as torch's clone
register(rot90, method=True)
