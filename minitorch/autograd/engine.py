"""The whole of autograd: `toposort` orders the graph, `backward` walks it.

The graph is made of Function nodes (see function.py); each knows the
tensors it consumed. To push a gradient from the output back to the leaves
we must visit a node only after every node that uses its result, so that its
gradient is complete: that is a reverse topological order. Both walks are
iterative, so a chain of 100,000 ops does not hit Python's recursion limit.
"""

from __future__ import annotations

import weakref
from typing import Iterable, Sequence

import numpy as np

from minitorch.autograd.function import _FREED, Function
from minitorch.tensor import Tensor


def toposort(roots: Iterable[Function]) -> list[Function]:
    """Every node reachable from `roots`, each listed after all nodes it consumes.

    Depth-first with an explicit stack: a node is pushed once to be expanded
    and once more to be emitted after everything above it is done.
    """
    order: list[Function] = []
    expanded: set[Function] = set()  # nodes hash by identity
    stack: list[tuple[Function, bool]] = [(r, False) for r in roots]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if node in expanded:
            continue
        expanded.add(node)
        stack.append((node, True))
        for parent in node.next_fns:
            if parent is not None and parent not in expanded:
                stack.append((parent, False))
    return order


def _check_not_freed(node: Function) -> None:
    if node.saved is _FREED:
        raise RuntimeError(
            f"Trying to backward through the graph a second time (or directly access saved "
            f"tensors after they have already been freed) at {node.name()}. Saved intermediate "
            "values of the graph are freed when you call .backward() or autograd.grad(). "
            "Specify retain_graph=True if you need to backward through the graph a second time."
        )
    out = node.output_ref() if node.output_ref is not None else None
    if out is not None and out._version != 0:
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: the output of {node.name()} (shape {tuple(out.shape)}) is at "
            f"version {out._version}; expected version 0 instead."
        )
    for inp, version in zip(node.inputs, node.versions):
        if isinstance(inp, Tensor) and inp._version != version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {node.name()}'s input of shape {tuple(inp.shape)} is at "
                f"version {inp._version}; expected version {version} instead."
            )


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[np.ndarray],
    retain_graph: bool,
    capture: dict[int, Tensor] | None = None,
) -> dict[int, np.ndarray]:
    """Walk the graph from `roots` in reverse topological order.

    Each node's incoming gradients are summed in `pending` until the node's
    turn comes; then its backward splits that sum among its inputs. Leaves
    accumulate into `.grad` -- unless `capture` names tensors whose gradients
    we return instead (that is `autograd.grad`).
    """
    pending: dict[Function, np.ndarray] = {}
    captured: dict[int, np.ndarray] = {}

    def deliver(t: Tensor, fn: Function | None, g: np.ndarray) -> None:
        if capture is not None and fn is None:  # a leaf that autograd.grad asked for
            if id(t) in capture:
                captured[id(t)] = g if id(t) not in captured else captured[id(t)] + g
        elif fn is None:
            _accumulate_into_leaf(t, g)
        else:
            prev = pending.get(fn)
            pending[fn] = g if prev is None else prev + g

    for t, g in zip(roots, root_grads):
        deliver(t, t.grad_fn, g)

    for node in reversed(toposort(t.grad_fn for t in roots if t.grad_fn is not None)):
        grad = pending.pop(node, None)
        if grad is None:  # no gradient flowed into this branch
            continue
        if node._retained is not None:
            kept = node._retained()
            if kept is not None:
                if capture is not None and id(kept) in capture:
                    captured[id(kept)] = grad
                elif capture is None:
                    _accumulate_into_leaf(kept, grad)
        if node.saved:  # only a node that saved arrays can find them freed or stale
            _check_not_freed(node)
        in_grads = node.backward(node, grad)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        if not retain_graph and node.saved:
            node.saved = _FREED
        for inp, fn, g, needed in zip(node.inputs, node.next_fns, in_grads, node.needs_input_grad):
            if needed and g is not None:
                deliver(inp, fn, g)
    return captured


def _accumulate_into_leaf(leaf: Tensor, g: np.ndarray) -> None:
    """leaf.grad += g, as a Tensor of the leaf's own dtype and shape."""
    data = leaf.data
    if g.shape != data.shape:
        raise RuntimeError(
            f"backward: gradient of shape {g.shape} does not match the tensor's shape "
            f"{data.shape} (an op's backward forgot to unbroadcast)"
        )
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    elif g.base is not None or not g.flags.writeable:
        g = g.copy()  # never alias another array (a broadcast view, the caller's gradient)
    if leaf.grad is None:
        leaf.grad = Tensor._make(g, False, None)
    else:
        leaf.grad.data = leaf.grad.data + g


def _initial_grad(t: Tensor, g: Tensor | None, what: str) -> np.ndarray:
    if not t.requires_grad:
        raise RuntimeError(
            f"{what}: element 0 of tensors does not require grad and does not have a grad_fn"
        )
    if g is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for scalar outputs, "
                f"got shape {tuple(t.shape)}"
            )
        return np.ones_like(t.data)
    garr = g.data if isinstance(g, Tensor) else np.asarray(g)
    if garr.shape != t.data.shape:
        raise RuntimeError(
            f"{what}: Mismatch in shape: grad_output has a shape of {garr.shape} and output "
            f"has a shape of {t.data.shape}"
        )
    return np.array(garr, dtype=t.data.dtype)  # a private copy


def backward(
    tensor: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Tensor.backward: accumulate d(tensor)/d(leaf) into every leaf's `.grad`."""
    if create_graph:
        raise NotImplementedError(
            "backward: create_graph=True (higher-order gradients) is not implemented in minitorch"
        )
    run_backward([tensor], [_initial_grad(tensor, gradient, "backward")], bool(retain_graph))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
) -> tuple[Tensor | None, ...]:
    """autograd.grad: d(outputs)/d(inputs), returned instead of accumulated into `.grad`."""
    if create_graph:
        raise NotImplementedError(
            "autograd.grad: create_graph=True (higher-order gradients) is not implemented"
        )
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"autograd.grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    if not inputs:
        raise RuntimeError("autograd.grad: grad requires non-empty inputs.")
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError(
                "autograd.grad: One of the differentiated Tensors does not require grad"
            )
    root_grads = [_initial_grad(o, g, "autograd.grad") for o, g in zip(outputs, grad_outputs)]
    # Non-leaf inputs: ask their nodes to report the gradient that reaches them.
    restore = []
    for t in inputs:
        if t.grad_fn is not None and t.grad_fn._retained is None:
            t.grad_fn._retained = weakref.ref(t)
            restore.append(t.grad_fn)
    try:
        captured = run_backward(
            outputs, root_grads, bool(retain_graph), capture={id(t): t for t in inputs}
        )
    finally:
        for fn in restore:
            fn._retained = None
    result = []
    for t in inputs:
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                "autograd.grad: One of the differentiated Tensors appears to not have been used "
                "in the graph. Set allow_unused=True if this is the desired behavior."
            )
        if g is not None:
            g = Tensor._make(np.array(g, dtype=t.data.dtype), False, None)
        result.append(g)
    return tuple(result)
