"""The whole of autograd: `toposort` orders the graph, `backward` walks it.

The graph is made of Function nodes (see function.py); each points at the
nodes (or leaves) that made its inputs. To push a gradient from the output
back to the leaves we must visit a node only after every node that uses its
result, so that its gradient is complete: that is a reverse topological
order. Both walks are iterative, so a chain of a million ops does not hit
Python's recursion limit, and both cost the same per node at any graph size.

Gradients of gradients (create_graph=True): the same walk, but every node's
backward runs on TracedArrays -- ndarray look-alikes that turn each NumPy call
into a recorded minitorch op (higher_order.py) -- so the gradients it returns
carry a graph of their own, to any order. Each op's backward is written once,
in NumPy: the first-order walk hands it plain arrays, as before (what it costs
there: forward notes which saved array is which input, function.py's saved_roles).

We leave Python's cycle collector settings alone: pausing it while the
user's forward runs would be switching it off for their whole program.
Instead the graph stays out of its way: nodes are untracked (collector.py),
and the walk keeps no new object per node alive (a dict of counts, a dict of
pending sums, a stack) and adds no attribute to a node, so it starts no
collections either.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Iterable, Sequence

import numpy as np

from minitorch.autograd import higher_order, hooks
from minitorch.autograd.anomaly_mode import _AnomalyMode, check_nan
from minitorch.autograd.function import _FREED, Function, _refresh_if_stale
from minitorch.tensor import Tensor


def toposort(roots: Iterable[Function]) -> list[Function]:
    """Every node reachable from `roots`, each listed after all nodes it consumes.

    Depth-first with an explicit stack: a node is pushed once to be expanded
    and once more to be emitted after everything above it is done. (backward
    does not need this list; it counts consumers instead, see run_backward.)
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
            if isinstance(parent, Function) and parent not in expanded:
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
    if out is not None and out._version != node.output_version:
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: the output of {node.name()} (shape {tuple(out.shape)}) is at "
            f"version {out._version}; expected version {node.output_version} instead."
        )
    for inp, version in zip(node.inputs, node.versions):
        if isinstance(inp, Tensor) and inp._version != version:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {node.name()}'s input of shape {tuple(inp.shape)} is at "
                f"version {inp._version}; expected version {version} instead."
            )


def _count_consumers(roots: list[Function]) -> dict[Function, int]:
    """For every node reachable from roots: how many edges of the graph point at it."""
    consumers = dict.fromkeys(roots, 0)
    stack = list(roots)
    while stack:
        for parent in stack.pop().next_fns:
            if isinstance(parent, Function):
                n = consumers.get(parent)
                if n is None:
                    consumers[parent] = 1
                    stack.append(parent)
                else:
                    consumers[parent] = n + 1
    return consumers


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[np.ndarray],
    retain_graph: bool,
    capture: dict[int, Tensor] | None = None,
    create_graph: bool = False,
) -> dict[int, np.ndarray]:
    """Walk the graph from `roots`, each node once, after all of its consumers.

    First count each node's consumers; a node is ready when the last of them
    has run (Kahn's algorithm, as torch's engine does it). Each node's
    incoming gradients are summed in `pending` until then; its backward then
    splits that sum among its edges. Leaves accumulate into `.grad` -- unless
    `capture` names tensors whose gradients we return instead (autograd.grad).
    Only a stack, a dict of counts and a dict of pending sums: no list of the
    whole graph, and no new objects per node that the cyclic collector would see.

    With `create_graph`, the same walk runs each backward on TracedArrays
    (higher_order.py), so the gradients it produces carry a graph of their own.
    """
    pending: dict[Function, np.ndarray] = {}
    captured: dict[int, np.ndarray] = {}
    leaf_hooks = hooks.LEAF_HOOKS  # empty unless someone called register_hook on a leaf
    held: dict[int, tuple[Tensor, np.ndarray]] = {}  # hooked leaves: their summed gradient
    stored: set[int] = set()  # ids of the arrays already handed to a leaf's .grad in this walk

    accumulate = _accumulate_into_leaf_graph if create_graph else _accumulate_into_leaf

    def to_leaf(t: Tensor, g: np.ndarray, hooked: bool = False) -> None:
        if leaf_hooks and not hooked and id(t) in leaf_hooks:  # the hook sees the sum, once
            prev = held.get(id(t))
            held[id(t)] = (t, g if prev is None else prev[1] + g)
            return
        if capture is None:
            if not create_graph:
                # One array can reach two leaves (add's backward returns grad twice): the
                # second leaf gets its own copy, so that x.grad and y.grad never share memory.
                if id(g) in stored:
                    g = g.copy()
                stored.add(id(g))
            accumulate(t, g)
        elif id(t) in capture:  # a leaf that autograd.grad asked for
            prev = captured.get(id(t))
            captured[id(t)] = g if prev is None else prev + g

    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        if fn is None:
            to_leaf(t, g)
        else:
            prev = pending.get(fn)
            pending[fn] = g if prev is None else prev + g

    root_nodes = list(dict.fromkeys(t.grad_fn for t in roots if t.grad_fn is not None))
    consumers = _count_consumers(root_nodes)
    ready = [node for node in root_nodes if consumers[node] == 0]
    while ready:
        node = ready.pop()
        grad = pending.pop(node, None)
        if grad is None:  # no gradient flowed into this branch: just release its parents
            in_grads: tuple = ()
        else:
            if node._hooks is not None:  # Tensor.register_hook on this node's output (hooks.py)
                grad = hooks.run_hooks(node._hooks, grad)
            if node._retained is not None:
                kept = node._retained()
                if kept is not None:
                    if capture is not None and id(kept) in capture:
                        captured[id(kept)] = grad
                    elif capture is None:
                        accumulate(kept, grad)
            saved = node.saved
            if saved:  # only a node that saved arrays can find them freed or stale
                _check_not_freed(node)
            if create_graph:
                in_grads = higher_order.backward_traced(node, grad)
            else:
                in_grads = node.backward(node, grad)
            if type(in_grads) is not tuple:
                in_grads = (in_grads,)
            if _AnomalyMode.enabled:  # detect_anomaly(): a NaN stops here, naming the node
                check_nan(node, in_grads)
            if saved and not retain_graph:  # keep the edges, drop the activations
                _release(node)
        edges = node.next_fns
        if len(in_grads) != len(edges):  # every edge must hear back, gradient or not
            in_grads = (tuple(in_grads) + (None,) * len(edges))[: len(edges)]
        for edge, g in zip(edges, in_grads):
            if edge is None:
                continue
            if isinstance(edge, Function):
                if g is not None:
                    prev = pending.get(edge)
                    pending[edge] = g if prev is None else prev + g
                n = consumers[edge] - 1
                consumers[edge] = n
                if n == 0:
                    ready.append(edge)
            elif g is not None:
                to_leaf(edge, g)
    for t, g in held.values():  # hooked leaves, now that every gradient has arrived
        entry = leaf_hooks.get(id(t))
        if entry is not None:
            g = hooks.run_hooks(entry.pre, g)
        to_leaf(t, g, hooked=True)
        if capture is None:
            hooks.run_post_hooks(t)
    return captured


def _release(node: Function) -> None:
    """Drop what a node saved. Only attributes it has are reset: a new attribute would
    turn the node's compact attribute storage into a dict the cycle collector walks."""
    node.saved = _FREED
    if node.inputs:
        node.inputs, node.versions = (), ()
    if node.output_ref is not None:
        node.output_ref = None


def _accumulate_into_leaf(leaf: Tensor, g: np.ndarray) -> None:
    """leaf.grad += g, as a Tensor of the leaf's own dtype and shape."""
    data = leaf.array
    if g.shape != data.shape:
        _wrong_leaf_shape(g.shape, data.shape)
    if g.dtype != data.dtype:
        g = g.astype(data.dtype)
    elif g.base is not None or not g.flags.writeable:
        g = g.copy()  # never alias another array (a broadcast view, the caller's gradient)
    if leaf.grad is None:
        leaf.grad = Tensor._make(g, False, None)
    else:
        leaf.grad.array = leaf.grad.array + g


def _wrong_leaf_shape(got: tuple[int, ...], want: tuple[int, ...]) -> None:
    raise RuntimeError(
        f"backward: gradient of shape {got} does not match the tensor's shape {want} (an op's "
        "backward forgot to unbroadcast)"
    )


def _accumulate_into_leaf_graph(leaf: Tensor, g: object) -> None:
    """leaf.grad = leaf.grad + g, recorded (create_graph=True): .grad keeps its graph."""
    tg = higher_order.as_tensor(g, leaf.array.dtype)
    if tg.array.shape != leaf.array.shape:
        _wrong_leaf_shape(tg.array.shape, leaf.array.shape)
    if tg.requires_grad:
        warnings.warn(_GRAPH_IN_GRAD_WARNING, UserWarning, stacklevel=4)
    if leaf.grad is None:
        leaf.grad = tg if tg.requires_grad else Tensor._make(tg.array.copy(), False, None)
    else:
        leaf.grad = leaf.grad + tg


# torch's words: leaf.grad now holds a graph that leads back to the leaf (a loop that
# reference counting cannot free, and whose nodes the cycle collector does not walk).
_GRAPH_IN_GRAD_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak."
)


def _initial_grad(t: Tensor, g: Tensor | None, what: str) -> np.ndarray:
    if not t.requires_grad:
        raise RuntimeError(
            f"{what}: element 0 of tensors does not require grad and does not have a grad_fn"
        )
    if g is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"{what}: grad can be implicitly created only for scalar outputs, "
                f"got shape {tuple(t.shape)}"
            )
        return np.ones_like(t.array)
    garr = g.array if isinstance(g, Tensor) else np.asarray(g)
    if garr.shape != t.array.shape:
        raise RuntimeError(
            f"{what}: Mismatch in shape: grad_output has a shape of {garr.shape} and output "
            f"has a shape of {t.array.shape}"
        )
    if garr.dtype != t.array.dtype:
        return garr.astype(t.array.dtype)
    # Not copied (a full pass at every backward(g)): a read-only view instead, so that no
    # backward writes into the caller's array, and a leaf receiving it as is copies it.
    view = garr.view()
    view.flags.writeable = False
    return view


def _traced_root(root: np.ndarray, gradient: Tensor | None) -> object:
    """The cotangent a recorded backward starts from: traced if it carries a graph itself."""
    if isinstance(gradient, Tensor) and gradient.requires_grad:
        return higher_order.traced(higher_order.as_tensor(gradient, root.dtype))
    return root


def backward(
    tensor: Tensor,
    gradient: Tensor | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Tensor.backward: accumulate d(tensor)/d(leaf) into every leaf's `.grad`."""
    if tensor._base is not None and tensor._base_fn is not tensor._base.grad_fn:
        _refresh_if_stale(tensor)  # a view whose base was written in place since
    if retain_graph is None:
        retain_graph = create_graph  # torch's default: a recorded backward keeps its graph
    root = _initial_grad(tensor, gradient, "backward")
    if create_graph:
        root = _traced_root(root, gradient)
    run_backward([tensor], [root], bool(retain_graph), create_graph=create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
) -> tuple[Tensor | None, ...]:
    """autograd.grad: d(outputs)/d(inputs), returned instead of accumulated into `.grad`."""
    if retain_graph is None:
        retain_graph = create_graph
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
    for t in (*outputs, *inputs):
        if t._base is not None and t._base_fn is not t._base.grad_fn:
            _refresh_if_stale(t)  # a view whose base was written in place since
    root_grads = [_initial_grad(o, g, "autograd.grad") for o, g in zip(outputs, grad_outputs)]
    if create_graph:
        root_grads = [_traced_root(r, g) for r, g in zip(root_grads, grad_outputs)]
    # Non-leaf inputs: ask their nodes to report the gradient that reaches them.
    restore = []
    for t in inputs:
        if t.grad_fn is not None and t.grad_fn._retained is None:
            t.grad_fn._retained = weakref.ref(t)
            restore.append(t.grad_fn)
    try:
        captured = run_backward(
            outputs, root_grads, bool(retain_graph), capture={id(t): t for t in inputs},
            create_graph=create_graph,
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
        if g is not None and create_graph:
            g = higher_order.as_tensor(g, t.array.dtype)
            if not g.requires_grad:  # a gradient with no graph: a fresh tensor, as torch
                g = Tensor._make(g.array.copy(), False, None)
        elif g is not None:
            g = Tensor._make(np.array(g, dtype=t.array.dtype), False, None)
        result.append(g)
    return tuple(result)
