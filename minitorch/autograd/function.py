"""Function: an op's forward and backward, and the node it leaves in the graph.

Every differentiable op is a subclass with two static methods written in
NumPy: `forward(ctx, *inputs)` computes the result and saves what the
backward will need; `backward(ctx, grad)` turns the gradient of the output
into one gradient per input (None where an input needs none).

`apply` is the one place where the graph is recorded. The instance of the
Function *is* the context and the graph node: it remembers its inputs, the
arrays it saved, and becomes the output's `grad_fn`. Read engine.py next.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from minitorch.autograd.grad_mode import _GradMode

_FREED = ("freed",)
_new = object.__new__  # what `saved` becomes once backward has released it


class Function:
    """Base class of every differentiable op (see ops/ for dozens of small examples)."""

    saved: tuple = ()
    inputs: tuple = ()
    next_fns: tuple = ()
    versions: tuple = ()
    needs_input_grad: tuple = ()
    _retained = None  # weakref to a non-leaf output whose .grad we keep (retain_grad)
    output_ref = None  # weakref to the output, when backward needs the output's value

    # -- the two methods every op writes ---------------------------------
    @staticmethod
    def forward(ctx: Function, *args: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Function, grad: np.ndarray) -> Any:
        raise NotImplementedError

    # -- used inside forward ---------------------------------------------
    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for backward; they are released after backward unless retain_graph."""
        self.saved = arrays

    # -- recording -------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run forward on the inputs' arrays and, if any input needs a gradient, record a node."""
        ctx = _new(cls)
        arrays = []
        needs = []  # which inputs want a gradient
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                needs.append(a.requires_grad)
            else:
                arrays.append(a)
                needs.append(False)
        out = cls.forward(ctx, *arrays, **kwargs)
        if type(out) is not np.ndarray:  # NumPy turns 0-d results into scalars; keep arrays
            out = np.asarray(out)
        result = _new(Tensor)
        result.data, result.grad, result._version = out, None, 0
        if True in needs and _GradMode.enabled and out.dtype.kind == "f":
            ctx.inputs = args
            ctx.needs_input_grad = needs
            # The edges: which node made each input *now* (an in-place op may later point
            # the same tensor at a newer node; our gradient must still flow to this one).
            ctx.next_fns = [a.grad_fn if n else None for a, n in zip(args, needs)]
            result.requires_grad, result.grad_fn = True, ctx
            if ctx.saved:  # remember versions so backward can refuse stale saved arrays
                ctx.versions = [a._version if isinstance(a, Tensor) else 0 for a in args]
                for a in ctx.saved:
                    if a is out:  # the op saved its own output (exp, tanh, ...): watch it too
                        ctx.output_ref = weakref.ref(result)
                        break
        else:
            result.requires_grad, result.grad_fn = False, None
        return result

    # -- what users see as grad_fn ---------------------------------------
    def name(self) -> str:
        """torch's name for this node, e.g. 'MulBackward0'."""
        return type(self).__name__ + "Backward0"

    @property
    def next_functions(self) -> tuple:
        """The nodes that produced this node's inputs (None for leaves and constants)."""
        return tuple((fn, 0) for fn in self.next_fns)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


from minitorch.tensor import Tensor  # noqa: E402  (Tensor needs Function first)
