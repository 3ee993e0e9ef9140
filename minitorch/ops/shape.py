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
from collections.abc import Sequence
from typing import Any

import numpy as np

from minitorch import dtypes
from minitorch.autograd.function import Function
from minitorch.ops.inplace import rebind_inplace_form
from minitorch.ops.support import cast, normalize_dim, normalize_dims, shape_arg, unbroadcast
from minitorch.registry import register
from minitorch.tensor import Tensor


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
        back = -ctx.shifts if isinstance(ctx.shifts, int) else tuple(-s for s in ctx.shifts)
        return np.roll(grad, back, ctx.dims)


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
        pieces = iter(np.split(grad, ctx.bounds, axis=ctx.dim))
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
        g = np.zeros(ctx.in_shape, grad.dtype)
        g[ctx.index] = grad
        return g


class Split(Slice):
    """y = one piece of x.split(...) (a view);  x: zeros with grad written at the piece."""


class Unbind(Slice):
    """y = x.select(dim, i) for one i (a view);  x: zeros with grad written at i."""


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


def tensor_arg(input: Any, op: str) -> None:
    """torch's TypeError for an input that is not a tensor (never an AttributeError)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )


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
    first = tensors[0].data.dtype
    if all(t.data.dtype == first for t in tensors):
        return tensors
    result = dtypes.from_numpy_dtype(first)
    for t in tensors[1:]:
        result = dtypes.promote_types(result, dtypes.from_numpy_dtype(t.data.dtype))
    return [cast(t, result) for t in tensors]


# -- views: reshape and friends -------------------------------------------------
def reshape(input: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape: a view when the strides allow, else a copy."""
    tensor_arg(input, "reshape")
    new = _infer_shape(shape_arg(shape, "reshape"), input.data.size, "reshape")
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
    tensor_arg(input, "view")
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):
        try:
            return Tensor._make(input.data.view(shape[0].np), False, None)
        except ValueError as e:
            raise RuntimeError(f"view: cannot view {input.dtype} as {shape[0]}: {e}") from None
    new = _infer_shape(shape_arg(shape, "view"), input.data.size, "view")
    try:
        return View.apply(input, new, False)
    except ValueError:
        raise RuntimeError(
            f"view: view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
            f"(input shape {_fmt(input.shape)}, strides {input.data.strides}, view {_fmt(new)})"
        ) from None
register(view, function=False, method=True)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """input.view(other.shape)."""
    return view(input, other.shape)
register(view_as, function=False, method=True)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one (a 0-d tensor becomes shape (1,))."""
    tensor_arg(input, "flatten")
    shape = input.data.shape
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


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim into `sizes` (one of them may be -1)."""
    tensor_arg(input, "unflatten")
    shape = input.data.shape
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


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims (all of them, or those in dim; a dim of another size stays)."""
    tensor_arg(input, "squeeze")
    shape = input.data.shape
    dims = normalize_dims(dim, len(shape), "squeeze")
    return Squeeze.apply(input, tuple(n for i, n in enumerate(shape) if n != 1 or i not in dims))
register(squeeze, method=True, inplace=rebind_inplace_form(squeeze))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at position dim (in [-ndim-1, ndim])."""
    tensor_arg(input, "unsqueeze")
    shape = input.data.shape
    d = normalize_dim(dim, len(shape) + 1, "unsqueeze")
    return Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])
register(unsqueeze, method=True, inplace=rebind_inplace_form(unsqueeze))


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder the dims (a view): output dim i is input dim dims[i]."""
    tensor_arg(input, "permute")
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    ndim = input.data.ndim
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
    tensor_arg(input, "transpose")
    ndim = input.data.ndim
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
    tensor_arg(input, "t")
    ndim = input.data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return Transpose.apply(input, 0, ndim - 1 if ndim else 0)
register(t, method=True, inplace=rebind_inplace_form(t))


def T(input: Tensor) -> Tensor:  # noqa: N802
    """Tensor.T: every dimension reversed."""
    return permute(input, *range(input.data.ndim - 1, -1, -1))
register(T, function=False, method=property(T))


def mT(input: Tensor) -> Tensor:  # noqa: N802
    """Tensor.mT: the last two dimensions swapped (a batch of matrices transposed)."""
    if input.data.ndim < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {input.data.ndim}-D tensor."
        )
    return transpose(input, -2, -1)
register(mT, function=False, method=property(mT))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims at `source` to positions `destination`, keeping the others in order."""
    tensor_arg(input, "movedim")
    ndim = input.data.ndim
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
    tensor_arg(input, "expand")
    sizes = shape_arg(sizes, "expand")
    shape = input.data.shape
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
    tensor_arg(input, "broadcast_to")
    return expand(input, shape)
register(broadcast_to, method=True)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    """Tile the data `sizes` times along each dim (a copy; extra sizes add leading dims)."""
    tensor_arg(input, "repeat")
    reps = shape_arg(sizes, "repeat")
    if len(reps) < input.data.ndim:
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
    tensor_arg(input, "tile")
    reps = _int_list(dims, "dims", "tile")
    reps = (1,) * (input.data.ndim - len(reps)) + reps
    return repeat(input, reps)
register(tile, method=True)


def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order of elements along dims (a copy, as in torch)."""
    tensor_arg(input, "flip")
    ndim = input.data.ndim
    return Flip.apply(input, normalize_dims(_int_list(dims, "dims", "flip"), ndim, "flip"))
register(flip, method=True)


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically along dims (over the flattened tensor when dims is None)."""
    tensor_arg(input, "roll")
    shift_list = _int_list(shifts, "shifts", "roll")
    ndim = input.data.ndim
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
    dim_list = tuple(normalize_dim(d, ndim, "roll") for d in dim_list)
    if not ndim:
        return Roll.apply(input, 0, None)
    return Roll.apply(input, shift_list, dim_list)
register(roll, method=True)


def contiguous(input: Tensor) -> Tensor:
    """The tensor itself when already C-contiguous, else a contiguous copy."""
    tensor_arg(input, "contiguous")
    if input.data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)
register(contiguous, function=False, method=True)


# -- joining and splitting --------------------------------------------------------
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; dtypes are promoted, legacy (0,) tensors skipped."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if x.data.ndim == 0:
            raise RuntimeError(
                f"cat: zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
    # torch still accepts shape-(0,) tensors as "empty" next to tensors of any shape
    skip = tuple(x.data.shape == (0,) for x in tensors)
    kept = [(i, x.data.shape) for i, x in enumerate(tensors) if not skip[i]]
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


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join equal-shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0].data.shape
    for i, x in enumerate(tensors):
        if x.data.shape != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {_fmt(ref)} at entry 0 and "
                f"{_fmt(x.data.shape)} at entry {i}"
            )
    d = normalize_dim(dim, len(ref) + 1, "stack")
    return Stack.apply(*_promoted(tensors), dim=d)
register(stack)


def _pieces(input: Tensor, sizes: Sequence[int], d: int, cls: type[Slice]) -> tuple[Tensor, ...]:
    """Views of consecutive pieces of the given sizes along dim d."""
    before = (slice(None),) * d
    out, start = [], 0
    for n in sizes:
        out.append(cls.apply(input, before + (slice(start, start + n), Ellipsis)))
        start += n
    return tuple(out)


def split(input: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of pieces of size split_size (the last may be smaller), or of the given sizes."""
    tensor_arg(input, "split")
    shape = input.data.shape
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


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into `chunks` pieces of size ceil(n / chunks) (so possibly fewer pieces)."""
    tensor_arg(input, "chunk")
    shape = input.data.shape
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


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along dim, each with that dim removed (views)."""
    tensor_arg(input, "unbind")
    shape = input.data.shape
    if not shape:
        raise IndexError("unbind: Dimension specified as 0 but tensor has no dimensions")
    d = normalize_dim(dim, len(shape), "unbind")
    before = (slice(None),) * d
    return tuple(Unbind.apply(input, before + (i, Ellipsis)) for i in range(shape[d]))
register(unbind, method=True)


# -- triangles ----------------------------------------------------------------
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """Keep the lower triangle (on and below `diagonal`) of the last two dims."""
    tensor_arg(input, "tril")
    if input.data.ndim < 2:
        raise RuntimeError(
            f"tril: input tensor must have at least 2 dimensions, got shape {_fmt(input.shape)}"
        )
    return Tril.apply(input, int(diagonal))
register(tril, method=True, inplace=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """Keep the upper triangle (on and above `diagonal`) of the last two dims."""
    tensor_arg(input, "triu")
    if input.data.ndim < 2:
        raise RuntimeError(
            f"triu: input tensor must have at least 2 dimensions, got shape {_fmt(input.shape)}"
        )
    return Triu.apply(input, int(diagonal))
register(triu, method=True, inplace=True)

