"""In-place ops (`add_`, `mul_`, `+=`, ...): the out-of-place op, written back.

`x.mul_(y)` computes `mul(x, y)` and writes the result into x's memory, so
every view of x sees it; views.py's write_inplace does the writing and the
bookkeeping (the version counter, x's new history, and CopySlices when x is a
view). This file adds what is particular to ops: the result must keep x's
shape and be castable to x's dtype.
"""

from __future__ import annotations

from typing import Any, Callable

from minitorch import dtypes
from minitorch.autograd.collector import track
from minitorch.ops.support import cast
from minitorch.registry import _inplace
from minitorch.tensor import Tensor
from minitorch.views import check_inplace_allowed, write_inplace

__all__ = ["inplace", "check_inplace_allowed", "rebind_inplace_form"]


def inplace(self: Tensor, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """Apply `op(self, *args)` and store the result in `self`."""
    name = op.__name__ + "_"
    a = self.array
    if 0 in a.strides and a.size > 1 and any(s == 0 and n > 1 for n, s in zip(a.shape, a.strides)):
        # torch's elementwise kernels refuse an output whose elements share memory
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor "
            f"(shape {list(a.shape)}, strides {list(self.stride())}) refers to a single memory "
            "location. Please clone() the tensor before performing the operation."
        )
    write_inplace(
        self, lambda x: _fit(op(x, *args, **kwargs), self, name), (*args, *kwargs.values()), name
    )
    return self


def rebind_inplace_form(view_op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """The in-place form of a view op that changes the shape (t_, squeeze_, transpose_ ...).

    No value changes, so nothing is written: self simply becomes the view (its new
    shape and strides over the same memory) and takes on the view's history.
    """

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        out = view_op(self, *args, **kwargs)
        self.array, self.grad_fn = out.array, out.grad_fn
        if out.grad_fn is not None:  # self is now its own node's input: a loop, keep it seen
            track(out.grad_fn)
        return self

    method.__name__ = method.__qualname__ = view_op.__name__ + "_"
    return method


def _fit(out: Tensor, self: Tensor, name: str) -> Tensor:
    """The result must keep self's shape and be castable to self's dtype (torch's rule)."""
    if out.array.shape != self.array.shape:
        raise RuntimeError(
            f"{name}: output with shape {list(self.array.shape)} doesn't match the broadcast "
            f"shape {list(out.array.shape)}"
        )
    if out.array.dtype != self.array.dtype:
        have, want = out.dtype, self.dtype
        if have.category > want.category:
            raise RuntimeError(
                f"{name}: result type {_torch_type_name(have)} can't be cast to the desired "
                f"output type {_torch_type_name(want)}"
            )
        out = cast(out, want)
    return out


def _torch_type_name(d: dtypes.dtype) -> str:
    return d.kernel_name


_inplace.append(inplace)  # generated in-place forms (registry.py) call this
