"""Tensor hooks: look at (or replace) a gradient as backward computes it.

`t.register_hook(hook)` calls `hook(grad)` with the gradient of t, a Tensor,
once per backward; a hook that returns a Tensor replaces the gradient from
there on (into t.grad for a leaf, into t's grad_fn for a non-leaf).
`leaf.register_post_accumulate_grad_hook(hook)` calls `hook(leaf)` after
backward has added into `leaf.grad` (optimizers that step per parameter use it).

Where hooks live: a non-leaf's hooks on its grad_fn node (`node._hooks`), run
when the node is ready, so they see the summed gradient; a leaf's in the
`LEAF_HOOKS` table, keyed by id, which engine.run_backward reads to hold a
hooked leaf's gradients until all are summed, then runs the hooks once, as
torch's AccumulateGrad does. Both are empty unless you register a hook, so
backward without hooks pays one falsy check. Read engine.py's run_backward.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any, Callable

import numpy as np

from minitorch.autograd.collector import track
from minitorch.tensor import Tensor

_next_id = itertools.count()


class _LeafHooks:
    """The hooks of one leaf: pre hooks see its gradient, post hooks run after accumulation."""

    __slots__ = ("ref", "pre", "post")

    def __init__(self, leaf: Tensor) -> None:
        key = id(leaf)
        self.ref = weakref.ref(leaf, lambda _: LEAF_HOOKS.pop(key, None))  # dies with the leaf
        self.pre: dict[int, Callable] = {}
        self.post: dict[int, Callable] = {}


LEAF_HOOKS: dict[int, _LeafHooks] = {}  # id(leaf) -> its hooks, while the leaf lives


class RemovableHandle:
    """What register_hook returns: `handle.remove()` unregisters the hook (twice is harmless)."""

    def __init__(self, table: dict[int, Callable]) -> None:
        self.id = next(_next_id)
        self._table = table

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _leaf_entry(leaf: Tensor) -> _LeafHooks:
    entry = LEAF_HOOKS.get(id(leaf))
    if entry is None or entry.ref() is not leaf:
        entry = LEAF_HOOKS[id(leaf)] = _LeafHooks(leaf)
    return entry


def _refuse_no_grad(t: Tensor) -> None:
    if not t.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")


def register_hook(self: Tensor, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
    """Call hook(grad) with this tensor's gradient at every backward; a returned Tensor
    replaces the gradient. Returns a handle whose remove() unregisters the hook."""
    _refuse_no_grad(self)
    if self.grad_fn is None:
        table = _leaf_entry(self).pre
    else:
        node = self.grad_fn
        if node._hooks is None:
            node._hooks = {}
            track(node)  # the hook may hold this node's tensor: a loop the collector must see
        table = node._hooks
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


def register_post_accumulate_grad_hook(self: Tensor,
                                       hook: Callable[[Tensor], None]) -> RemovableHandle:
    """Call hook(tensor) after backward has accumulated into this leaf's `.grad`."""
    _refuse_no_grad(self)
    if self.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    table = _leaf_entry(self).post
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


def run_hooks(hooks: dict[int, Callable], grad: np.ndarray) -> np.ndarray:
    """Pass grad through each hook in registration order; a returned Tensor replaces it."""
    if type(grad) is not np.ndarray:  # create_graph=True: the hook sees the recorded tensor
        return _run_hooks_recorded(hooks, grad)
    for hook in list(hooks.values()):  # a hook may remove itself
        result = hook(Tensor._make(grad, False, None))
        if result is None:
            continue
        if not isinstance(result, Tensor):
            raise TypeError(
                f"hook '{_name(hook)}' returned {type(result).__name__}: expected a Tensor or None"
            )
        new = result.array
        if new.shape != grad.shape:
            raise RuntimeError(f"hook '{_name(hook)}' has changed the size of value")
        if new.dtype != grad.dtype:
            raise RuntimeError(
                f"hook '{_name(hook)}' has changed the type of value (was "
                f"{Tensor._make(grad, False, None).dtype} got {result.dtype})"
            )
        grad = new.copy()  # the hook's caller may keep its tensor; .grad must not alias it
    return grad


def _run_hooks_recorded(hooks: dict[int, Callable], grad: Any) -> Any:
    from minitorch.autograd.higher_order import as_tensor, traced

    t = as_tensor(grad)
    for hook in list(hooks.values()):
        result = hook(t)
        if result is None:
            continue
        if not isinstance(result, Tensor):
            raise TypeError(
                f"hook '{_name(hook)}' returned {type(result).__name__}: expected a Tensor or None"
            )
        if tuple(result.shape) != tuple(t.shape):
            raise RuntimeError(f"hook '{_name(hook)}' has changed the size of value")
        t = result
    return traced(t)


def run_post_hooks(leaf: Tensor) -> None:
    entry = LEAF_HOOKS.get(id(leaf))
    if entry is not None and entry.post:
        for hook in list(entry.post.values()):
            hook(leaf)


def _name(hook: Callable) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


# The methods, put on Tensor here so tensor.py stays what a tensor *is*.
Tensor.register_hook = register_hook
Tensor.register_post_accumulate_grad_hook = register_post_accumulate_grad_hook
