"""Function: an op's forward and backward, and the node it leaves in the graph.

Every differentiable op is a subclass with two static methods written in
NumPy: `forward(ctx, *inputs)` computes the result and saves what the
backward will need; `backward(ctx, grad)` turns the gradient of the output
into one gradient per input (None where an input needs none).

`apply` is the one place where the graph is recorded. The instance of the
Function *is* the context and the graph node. What a node holds, and why:

* `next_fns`, its edges, one per input: the node that made that input, the
  input itself if it is a leaf that wants a gradient (torch would put an
  AccumulateGrad there; we build one only when you ask `next_functions`), or
  None. Edges point one way only, from a result back to its inputs, so a
  graph has no reference cycles: when you drop the last tensor, reference
  counting frees the whole graph at once, and Python's cyclic collector finds
  nothing to do in it.
* `saved`, the arrays forward kept, and -- only for nodes that saved arrays --
  `inputs` and their `versions`, so backward can refuse arrays an in-place op
  has changed since. Backward drops all three (unless retain_graph), so a
  loss you keep holds its graph's shape, not its activations.

Few objects per op matters: every tensor and node alive is one more object
Python's cycle collector walks on each full collection, and a long graph
makes those walks long. A recorded op keeps about three objects alive (node,
edges, and the input tensors if it saved arrays), and since nodes never form
a loop, a node that outlives a young collection is taken off the collector's
lists (collector.py), so a long graph is not walked again and again.
Read engine.py next.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from minitorch.autograd import collector
from minitorch.autograd.grad_mode import _GradMode

ROLE_OUTPUT, ROLE_OTHER = -1, -2  # saved_roles entries besides an input's index
_FREED = ("freed",)  # what `saved` becomes once backward has released it
_new = object.__new__


class _NeedsInputGrad:
    """ctx.needs_input_grad, worked out from the edges when backward asks.

    Recording an op never pays for it. Not cached on the node: a new attribute
    would turn the node's compact attribute storage into a dict (collector.py).
    """

    def __get__(self, node: Function | None, owner: type | None = None) -> Any:
        if node is None:
            return self
        return tuple([e is not None for e in node.next_fns])


class Function:
    """Base class of every differentiable op (see ops/ for dozens of small examples)."""

    saved: tuple = ()
    next_fns: tuple = ()  # per input: its node, itself (a leaf that wants a grad), or None
    inputs: tuple = ()  # only for nodes that saved arrays, until backward
    versions: tuple = ()
    needs_input_grad = _NeedsInputGrad()
    _retained = None  # weakref to a non-leaf output whose .grad we keep (retain_grad)
    _hooks = None  # hooks registered on its output with register_hook (autograd/hooks.py)
    output_ref = None  # weakref to the output, when backward needs the output's value
    output_version = 0  # ... and the version it must still be at
    # watch_when[i]: the inputs whose gradients need saved input i. If none of them wants
    # one, torch would not have saved input i, so an in-place change to it is no error.
    watch_when: tuple | None = None
    saved_roles: tuple = ()  # per saved array: which input it is, or the output (higher_order.py)
    # True if the float arrays forward saves, other than inputs and output, do not depend on
    # the inputs (masks, random draws): create_graph=True may then treat them as constants.
    derived_saved_are_constant = False
    # True if backward, on the recorded path, recomputes such arrays from its traced inputs
    # (a fast first-order path keeps them): they are then handed to it as None, never read.
    derived_saved_recomputed = False
    traced_backward = None  # a user autograd.Function's node runs its own (custom_function.py)
    keep_tracked = False  # True once something that may loop back hangs on it (collector.py)

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
        edges = []
        wanted = False  # does any input want a gradient?
        for a in args:
            if isinstance(a, Tensor):
                if a._base is not None and a._base_fn is not a._base.grad_fn:
                    _refresh_if_stale(a)  # a view whose base was written in place since
                arrays.append(a.array)
                if a.requires_grad:
                    # The node that made `a` *now* (an in-place op may later point `a` at a
                    # newer node; our gradient must still flow to this one), or `a` itself.
                    edges.append(a.grad_fn or a)
                    wanted = True
                    continue
            else:
                arrays.append(a)
            edges.append(None)
        out = cls.forward(ctx, *arrays, **kwargs)
        if type(out) is not np.ndarray:  # NumPy turns 0-d results into scalars; keep arrays
            out = np.asarray(out)
        result = _new(Tensor)
        result.array, result.grad = out, None
        result._ver, result._owner, result._base = 0, None, None
        if out.base is not None or (arrays and out is arrays[0]):
            mark_view(result, args)  # out lies in an input's memory: result is a view of it
        if wanted and _GradMode.enabled and out.dtype.kind == "f":
            ctx.next_fns = tuple(edges)
            result.requires_grad, result.grad_fn = True, ctx
            if ctx.saved:  # remember versions so backward can refuse stale saved arrays
                _watch_saved(ctx, args, out, result)
        else:
            result.requires_grad, result.grad_fn = False, None
        return result

    # -- what users see as grad_fn ---------------------------------------
    def name(self) -> str:
        """torch's name for this node, e.g. 'MulBackward0'."""
        return type(self).__name__ + "Backward0"

    @property
    def next_functions(self) -> tuple:
        """The nodes that produced this node's inputs: AccumulateGrad for a leaf, else None."""
        return tuple(
            (AccumulateGrad(e) if isinstance(e, Tensor) else e, 0) for e in self.next_fns
        )

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


def _watch_saved(ctx: Function, args: tuple, out: np.ndarray, result: Tensor) -> None:
    """Note the version of every tensor whose memory a saved array shares: an input, or
    the output itself (exp and tanh save their result). Arrays computed from the inputs
    are private to the node and need no watching."""
    watched = []
    roles = []  # per saved array: the input it is, or ROLE_OUTPUT, or ROLE_OTHER
    rule = ctx.watch_when
    for s in ctx.saved:
        if type(s) is not np.ndarray:
            roles.append(ROLE_OTHER)
            continue
        if s is out:
            ctx.output_ref = weakref.ref(result)
            roles.append(ROLE_OUTPUT)
            continue
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a.array is s:
                if rule is None or any(ctx.next_fns[j] is not None for j in rule[i]):
                    watched.append(a)
                roles.append(i)
                break
        else:
            roles.append(ROLE_OTHER)
            if s.base is not None:  # a view of something: of an input, or of the output?
                root = memory_root(s)
                if root is memory_root(out):
                    ctx.output_ref = weakref.ref(result)
                watched += [
                    a for a in args if isinstance(a, Tensor) and memory_root(a.array) is root
                ]
    ctx.saved_roles = tuple(roles)  # for create_graph=True (higher_order.py)
    if watched:
        ctx.inputs = tuple(watched)
        ctx.versions = tuple([a._version for a in watched])


def _refresh_if_stale(v: Tensor) -> None:
    if v._base_fn is not _NO_GRAD_VIEW:
        refresh_view(v)


class AccumulateGrad:
    """The node torch shows for a leaf in `next_functions`: it adds into `variable.grad`.

    minitorch's edges point at the leaf itself; this wrapper is made when you look.
    """

    next_functions: tuple = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __eq__(self, other: object) -> bool:  # two looks at the same leaf: the same node
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self) -> int:
        return id(self.variable)

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


from minitorch.tensor import Tensor  # noqa: E402  (Tensor needs Function first)
from minitorch.views import _NO_GRAD_VIEW, mark_view, memory_root, refresh_view  # noqa: E402

collector.install(Function)  # long-lived nodes leave the cycle collector's walks
