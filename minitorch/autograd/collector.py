"""Keeping a long graph out of the way of Python's cycle collector.

Python frees an object the moment its last reference goes (reference
counting). The cycle collector is only for garbage that points at itself in
a loop: to find it, it walks the objects it tracks, and a *full* collection
walks all of them. CPython starts a full collection each time the objects
that survived since the last one reach a quarter of all survivors, so a
graph of a million nodes, alive until backward, is walked again and again
while it grows: the longer the graph, the slower each new op. torch keeps
its nodes in C++, where the collector never looks.

Our nodes never form a loop: edges point from a result back to its inputs
only, and a node holds its own output by weak reference. Reference counting
alone frees every node, so walking them is wasted work. So when the
collector is about to walk its middle or oldest generation -- objects that
have already survived a young collection -- `_untrack_graph_nodes` (a
`gc.callbacks` hook) takes the graph nodes among them off its lists, with
their tuples of edges and of saved tensors and their weak reference to
their output (CPython's `PyObject_GC_UnTrack`, reached through ctypes: the
engine's one use of Python's internals). A short-lived graph (one training
step) is gone before that and costs nothing; a long one is walked once.
The collector's settings are left alone, and every other object stays
under its watch.

Two things can attach to a node something that leads back to it: a hook (a
user's function, which may hold the tensor whose node it is) and the
in-place form of a view op (the node becomes the grad_fn of its own input).
Both call `track(node)`, which hands the node back to the collector for
good. A user-defined autograd.Function's node is never untracked (its ctx
may hold anything). On a Python without this C API, nothing is untracked.
"""

from __future__ import annotations

import ctypes
import gc
from typing import Any, Callable


def _c_api(name: str) -> Callable[[Any], None] | None:
    """CPython's C function `name(PyObject *)`, or None on another Python."""
    try:
        fn = getattr(ctypes.pythonapi, name)
    except AttributeError:
        return None
    fn.argtypes, fn.restype = [ctypes.py_object], None
    return fn


_GC_UNTRACK = _c_api("PyObject_GC_UnTrack")
_GC_TRACK = _c_api("PyObject_GC_Track")
_NODE_TYPE: list[type] = []  # the engine's Function, set by install()


def _parts(node: Any) -> tuple:
    """A node, its tuple of edges, its tuple of saved tensors, its weak reference to its
    output: what apply leaves alive per op, and what goes in and out of the walks together."""
    return node, node.next_fns, node.inputs, node.output_ref


def untrack_node(node: Any) -> None:
    """Take a node and its parts off the collector's lists: none can close a loop."""
    for obj in _parts(node):
        if obj is not None and gc.is_tracked(obj):
            _GC_UNTRACK(obj)


def track(node: Any) -> None:
    """Hand `node` (and its tuples) back to the collector for good: something that may
    loop back now hangs on it."""
    node.keep_tracked = True
    if _GC_TRACK is None:
        return
    for obj in _parts(node):
        if obj and not gc.is_tracked(obj):  # tracking twice aborts CPython
            _GC_TRACK(obj)


def _untrack_graph_nodes(phase: str, info: dict[str, int]) -> None:
    """gc callback: before a collection of the middle or oldest generation, untrack the
    graph nodes that have survived a young collection (or are about to be walked)."""
    if phase != "start" or info["generation"] == 0:
        return
    node_type = _NODE_TYPE[0]
    for generation in (0, 1):
        for obj in gc.get_objects(generation=generation):
            # type(), not isinstance(): isinstance may run an object's own __class__ (a
            # property on some library objects, with side effects such as warnings)
            if issubclass(type(obj), node_type) and not obj.keep_tracked:
                untrack_node(obj)


def install(node_type: type) -> None:
    """Register the callback once, for the engine's node class (function.py calls this)."""
    if _GC_UNTRACK is None or _NODE_TYPE:
        return
    _NODE_TYPE.append(node_type)
    gc.callbacks.append(_untrack_graph_nodes)
