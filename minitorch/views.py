"""Views and in-place writes: torch's storage model, in NumPy terms.

A tensor's values live in memory it may share with other tensors: `b[0:2]`,
`b.t()`, `b.view(6)` are *views*, NumPy arrays over b's memory, so a write
through any of them is seen by all (NumPy gives us that for free). What torch
adds, and this file writes out, is the bookkeeping autograd needs on top:

1. **One version counter per memory block.** Every in-place write bumps it.
   A tensor keeps the counter on its `_owner` (itself, or the tensor it is a
   view or a detach() of), so `b`, `b[0:2]` and `b.detach()` all see one
   number. A node that saved a tensor remembers the number it saw; if it has
   moved when backward runs, backward refuses ("modified by an inplace
   operation"), because the saved values are not the ones forward used.
2. **A view knows its base** (`_base`): Function.apply marks any result whose
   array lies in an input's memory (mark_view), so no view op needs to say so.
3. **An in-place op on a view rewrites its base's history** (write_inplace).
   `b[0:2].mul_(3)` makes b = CopySlices(old b, 3 * old b[0:2]): b's gradient
   passes unchanged outside the slice and through the mul inside it. Other
   views of b notice that b's history moved on and re-derive theirs from the
   new b the next time they are used (refresh_view: an AsStrided node).
4. **What torch refuses, we refuse**: writing into a leaf that requires grad
   or a view of one, into an output of split/unbind, into a view made under
   no_grad, or into expanded memory (one element seen at many places).

Where a view sits inside its base is worked out from memory addresses
(element_positions), so one mechanism serves slicing, transpose, view,
diagonal, expand and anything NumPy can express as strides.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

import numpy as np

from minitorch.autograd.function import Function
from minitorch.autograd.grad_mode import _GradMode
from minitorch.tensor import Tensor

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_ERROR = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
_NO_GRAD_VIEW = ("a view made under no_grad",)  # its _base_fn: never re-derived from the base


# -- 1. versions and memory ----------------------------------------------------
def memory_root(a: np.ndarray) -> Any:
    """The object that owns a's memory (NumPy's `.base` chain, followed to its end)."""
    while True:
        b = a.base
        if b is None:
            return a
        if not isinstance(b, np.ndarray):
            b = getattr(b, "base", None)  # as_strided wraps its source in a DummyArray
            if not isinstance(b, np.ndarray):
                return a.base
        a = b


def bump_version(t: Tensor) -> None:
    """One more in-place write into t's memory: every tensor sharing the counter sees it."""
    owner = t._owner if t._owner is not None else t
    owner._ver += 1


def element_positions(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """For each element of `view`, the flat (C-order) index of the element of `base` at the
    same address. Both arrays' byte offsets are laid out, sorted, and matched."""

    def offsets(a: np.ndarray) -> np.ndarray:
        out = np.zeros(a.shape, dtype=np.int64)
        for d, (n, stride) in enumerate(zip(a.shape, a.strides)):
            shape = [1] * a.ndim
            shape[d] = n
            out = out + np.arange(n, dtype=np.int64).reshape(shape) * stride
        return out

    base_off = offsets(base).ravel()
    view_off = offsets(view) + (view.ctypes.data - base.ctypes.data)
    if base_off.size == 0 or view_off.size == 0:
        return np.zeros(view.shape, dtype=np.int64)
    order = np.argsort(base_off, kind="stable")
    sorted_off = base_off[order]
    pos = np.clip(np.searchsorted(sorted_off, view_off), 0, sorted_off.size - 1)
    if not np.array_equal(sorted_off[pos], view_off):
        raise RuntimeError(
            f"a view of shape {tuple(view.shape)} no longer lies in the memory of its base of "
            f"shape {tuple(base.shape)} (was the base's .data reassigned?)"
        )
    return order[pos]


# -- 2. marking views --------------------------------------------------------
def mark_view(result: Tensor, args: tuple) -> None:
    """If result's array lies in an input's memory, result is a view of that input.

    Called by Function.apply for results whose array has a NumPy base (or is an input's
    array itself). A view shares its source's version counter and remembers its base.
    """
    root = memory_root(result.array)
    for a in args:
        if isinstance(a, Tensor) and memory_root(a.array) is root:
            link_view(result, a)
            return


def link_view(result: Tensor, source: Tensor) -> None:
    """Make result a view of source: it shares source's version counter and base."""
    base = source if source._base is None else source._base
    result._owner = source if source._owner is None else source._owner
    result._base = base
    result._base_fn = base.grad_fn if _GradMode.enabled else _NO_GRAD_VIEW


class AsStrided(Function):
    """y = the elements of base at `positions` (a view re-derived from its base);
    base: grad added back at those positions (accumulated: an expanded view repeats some)."""

    @staticmethod
    def forward(ctx, base, view_array, positions):
        ctx.positions, ctx.base_shape = positions, base.shape
        return view_array  # the values are already there: the view shares base's memory

    @staticmethod
    def backward(ctx, grad):
        from minitorch.ops.support import scatter_add_into  # (late: ops import this file)

        g = np.zeros(int(np.prod(ctx.base_shape)), dtype=grad.dtype)
        g = scatter_add_into(g, ctx.positions.ravel(), grad.ravel())
        return g.reshape(ctx.base_shape), None, None


def zeroed_at(grad: Any, where: Any) -> Any:
    """grad with the elements at `where` set to zero: the adjoint of an overwrite, for what
    was there before. `where` is a NumPy index, or a function writing a value there.

    A copy written in place; a recorded gradient (create_graph=True, a TracedArray) cannot
    be written, so there it is np.where over a mask of the written places (same values).
    """
    write = where if callable(where) else lambda a, value: a.__setitem__(where, value)
    if isinstance(grad, np.ndarray):
        g = grad.copy()
        write(g, 0)
        return g
    mask = np.zeros(grad.shape, dtype=bool)
    write(mask, True)
    return np.where(mask, grad.dtype.type(0), grad)


def refresh_view(v: Tensor) -> None:
    """v's base has a new history (an in-place op): v becomes a view of the new base."""
    base = v._base
    v._base_fn = base.grad_fn
    if not base.requires_grad:
        v.grad_fn, v.requires_grad = None, False
        return
    positions = element_positions(base.array, v.array)
    node = AsStrided.apply(base, v.array, positions).grad_fn
    v.grad_fn, v.requires_grad = node, True


class CopySlices(Function):
    """new_base = old_base with the view's elements replaced by `out` (torch's CopySlices);
    old_base: grad with those elements zeroed,  out: grad at those elements."""

    @staticmethod
    def forward(ctx, old_base, out, positions):
        ctx.positions = positions
        return old_base  # the base's memory already holds the new values

    @staticmethod
    def backward(ctx, grad):
        flat = grad.reshape(-1)
        g_base = zeroed_at(flat, ctx.positions).reshape(grad.shape)
        return g_base, flat[ctx.positions], None

    def name(self) -> str:
        return "CopySlices"


# -- 3. in-place writes ------------------------------------------------------
def check_inplace_allowed(t: Tensor, op: str) -> None:
    """torch's refusals for writing into t with grad mode on (see the module docstring)."""
    if not _GradMode.enabled:
        return
    base = t._base
    if base is None:
        if t.requires_grad and t.grad_fn is None:
            raise RuntimeError(f"{op}: {LEAF_ERROR}")
        return
    if t._base_fn is _NO_GRAD_VIEW:
        if base.requires_grad:
            raise RuntimeError(
                f"{op}: A view was created in no_grad mode and is being modified inplace with "
                "grad mode enabled. Given that this use case is ambiguous and error-prone, it "
                "is forbidden. You can clarify your code by moving both the view and the "
                "inplace either both inside the no_grad block (if you don't want the inplace "
                "to be tracked) or both outside (if you want the inplace to be tracked)."
            )
        return
    if base.requires_grad and base.grad_fn is None:
        raise RuntimeError(f"{op}: {VIEW_OF_LEAF_ERROR}")
    if t.requires_grad and getattr(t.grad_fn, "multi_output_view", False):
        kind = type(t.grad_fn).__name__
        raise RuntimeError(
            f"{op}: Output 0 of {kind} is a view and is being modified inplace. This view is "
            "the output of a function that returns multiple views. Such functions do not allow "
            "the output views to be modified inplace. You should replace the inplace operation "
            "by an out-of-place one."
        )


def _check_writeable(t: Tensor, op: str) -> None:
    if not t.array.flags.writeable:
        raise RuntimeError(
            f"{op}: unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before performing "
            "the operation."
        )


def store(t: Tensor, values: Any, op: str) -> None:
    """Write values into t's memory (broadcast, cast like C++) and bump t's version."""
    _check_writeable(t, op)
    with np.errstate(invalid="ignore"):
        np.copyto(t.array, values, casting="unsafe")
    bump_version(t)


def write_inplace(t: Tensor, compute: Callable[[Tensor], Tensor], others: Any, op: str,
                  direct: Callable[[], None] | None = None) -> None:
    """The one way a tensor's values change in place.

    `compute(x)` is the out-of-place op (x stands for t as it is now); its result is
    written into t's memory. If a gradient is involved (grad mode on, and t or one of
    `others` requires grad), t's history becomes that op's node -- and if t is a view,
    its base's history becomes CopySlices(old base, the op's result), as torch records it.
    Without a gradient, `direct()` (if given) writes into t's memory itself, cheaper than
    computing the whole result first (setitem writes only the indexed elements).
    """
    check_inplace_allowed(t, op)
    records = False
    if _GradMode.enabled:
        base = t._base
        if base is not None and t._base_fn is not base.grad_fn and t._base_fn is not _NO_GRAD_VIEW:
            refresh_view(t)
        records = t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others)
    if not records:
        if direct is None:
            store(t, compute(t).array, op)
        else:
            _check_writeable(t, op)
            direct()
            bump_version(t)
        return
    # "t as it was": its own copy of the values, since the node may save them and we are
    # about to overwrite t's memory.
    before = Tensor._make(t.array.copy(), t.requires_grad, t.grad_fn)
    out = compute(before)
    store(t, out.array, op)
    node = out.grad_fn
    if node is not None and node.output_ref is not None and node.output_ref() is out:
        node.output_ref, node.output_version = weakref.ref(t), t._version  # saved output = t
    base = t._base
    if base is not None:
        positions = element_positions(base.array, t.array)
        old_base = Tensor._make(base.array, base.requires_grad, base.grad_fn)
        new_base = CopySlices.apply(old_base, out, positions)
        base.grad_fn, base.requires_grad = new_base.grad_fn, True
        t._base_fn = base.grad_fn
    t.grad_fn, t.requires_grad = node, out.requires_grad
