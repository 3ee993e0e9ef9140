"""In-place ops (`add_`, `mul_`, `+=`, ...): one mechanism for all of them.

Two cases, as in torch:
- No gradient involved (grad mode off, as in an optimizer step, or no input
  requires grad): compute the result and write it into the tensor's own
  memory, so every view of it sees the change; bump `_version`.
- A gradient is involved: a leaf that requires grad refuses (its value is
  what the gradient is *about*). Any other tensor takes on the op's result
  and its history: the graph records `old -> op -> new` and the tensor now
  points at the new node. The old array stays untouched for the nodes that
  saved it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from minitorch import dtypes
from minitorch.autograd.grad_mode import _GradMode
from minitorch.ops.support import cast
from minitorch.registry import _inplace
from minitorch.tensor import Tensor

__all__ = ["inplace", "check_inplace_allowed", "rebind_inplace_form"]

LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."


def check_inplace_allowed(t: Tensor, op: str) -> None:
    """Raise torch's error for an in-place op on a leaf that requires grad (grad mode on)."""
    if t.requires_grad and t.grad_fn is None and _GradMode.enabled:
        raise RuntimeError(f"{op}: {LEAF_ERROR}")


def inplace(self: Tensor, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """Apply `op(self, *args)` and store the result in `self`."""
    name = op.__name__ + "_"
    check_inplace_allowed(self, name)
    records = _GradMode.enabled and (
        self.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )
    if records:
        old = Tensor._make(self.array, self.requires_grad, self.grad_fn)
        out = _fit(op(old, *args, **kwargs), self, name)
        self.array, self.grad_fn, self.requires_grad = out.array, out.grad_fn, True
    else:
        out = _fit(op(self, *args, **kwargs), self, name)
        if not self.array.flags.writeable:
            raise RuntimeError(
                f"{name}: unsupported operation: more than one element of the written-to tensor "
                "refers to a single memory location (an expanded tensor). Please clone() it first."
            )
        np.copyto(self.array, out.array)
    self._version += 1
    return self


def rebind_inplace_form(view_op: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """The in-place form of a view op that changes the shape (t_, squeeze_, transpose_ ...).

    No value changes, so nothing is written: self simply becomes the view (its new
    shape and strides over the same memory) and takes on the view's history.
    """

    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        out = view_op(self, *args, **kwargs)
        self.array, self.grad_fn = out.array, out.grad_fn
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
