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


def _c_api(name: str) -> Callable[[int], None] | None:
    """CPython's C function `name(PyObject *)`, called with the object's address (its id),
    or None on another Python. An address passes through ctypes about twice as fast as a
    py_object argument, and this runs once per node of a long graph."""
    try:
        address = ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value
    except AttributeError:
        return None
    return ctypes.PYFUNCTYPE(None, ctypes.c_void_p)(address)


_GC_UNTRACK = _c_api("PyObject_GC_UnTrack")  # a no-op on an object already untracked
_GC_TRACK = _c_api("PyObject_GC_Track")  # aborts CPython on an object already tracked
_NODE_TYPE: list[type] = []  # the engine's Function, set by install()


def track(node: Any) -> None:
    """Hand `node` (and its parts) back to the collector for good: something that may
    loop back now hangs on it."""
    node.keep_tracked = True
    if _GC_TRACK is None:
        return
    for obj in (node, node.next_fns, node.inputs, node.output_ref):
        if obj and not gc.is_tracked(obj):  # tracking twice aborts CPython
            _GC_TRACK(id(obj))


_NODE_CLASSES: set[type] = set()  # the classes met so far that are graph nodes ...
_OTHER_CLASSES: set[type] = set()  # ... and that are not


def _is_node_class(cls: type) -> bool:
    # type(obj), not isinstance(obj): isinstance may run an object's own __class__ (a
    # property on some library objects, with side effects such as warnings)
    is_node = issubclass(cls, _NODE_TYPE[0])
    (_NODE_CLASSES if is_node else _OTHER_CLASSES).add(cls)
    return is_node


def _untrack_graph_nodes(phase: str, info: dict[str, int]) -> None:
    """gc callback: before a collection of the middle or oldest generation, take the graph
    nodes that have survived a young collection off the collector's lists, each with its
    tuple of edges, its tuple of saved tensors and its weak reference to its output: none
    of them can close a loop. (CPython does not untrack the edges' tuple by itself: it
    does so only for a tuple of atoms and untracked tuples, and nodes are neither.)

    A long graph passes through here once per node, so the loop is written flat: two set
    lookups instead of issubclass, addresses instead of objects for ctypes, and no check
    before untracking (the C function does nothing to an object already untracked)."""
    if phase != "start" or info["generation"] == 0:
        return
    untrack, nodes, others = _GC_UNTRACK, _NODE_CLASSES, _OTHER_CLASSES
    for generation in (0, 1):
        for obj in gc.get_objects(generation=generation):
            cls = type(obj)
            if cls in others or (cls not in nodes and not _is_node_class(cls)):
                continue
            if obj.keep_tracked:
                continue
            untrack(id(obj))
            untrack(id(obj.next_fns))
            if obj.inputs:
                untrack(id(obj.inputs))
            if obj.output_ref is not None:
                untrack(id(obj.output_ref))


def install(node_type: type) -> None:
    """Register the callback once, for the engine's node class (function.py calls this)."""
    if _GC_UNTRACK is None or _NODE_TYPE:
        return
    _NODE_TYPE.append(node_type)
    gc.callbacks.append(_untrack_graph_nodes)
