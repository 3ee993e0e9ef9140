"""Keeping the graph out of the way of Python's cycle collector.

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
alone frees every node, so walking nodes is wasted work. `untrack(node)`
tells CPython to stop walking one (its C API `PyObject_GC_UnTrack`, reached
through ctypes: the engine's one use of Python's internals). apply also
untracks the node's tuple of edges, its tuple of saved tensors and its weak
reference to its output: none of them can close a loop either.

Two things can attach to a node something that leads back to it, and both
hand the node (and its tuples) back to the collector with `track(node)`: a hook (a user's
function, which may hold the tensor whose node it is) and the in-place form
of a view op (the node becomes the grad_fn of its own input). The
collector's settings are left alone. On a Python without this C API, both
functions do nothing.
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


def _keep_tracked(node: Any) -> None:
    """Without the C API every object stays tracked: nothing to do."""


_GC_UNTRACK = _c_api("PyObject_GC_UnTrack")
_GC_TRACK = _c_api("PyObject_GC_Track")

# Stop the collector walking a node (it can never be part of a loop). This is the C
# function itself, called straight from Function.apply: no Python frame per op.
untrack: Callable[[Any], None] = _GC_UNTRACK if _GC_UNTRACK is not None else _keep_tracked


def track(node: Any) -> None:
    """Let the collector walk `node` again, and the tuples of edges and saved tensors that
    apply untracked with it: something that may loop back now hangs on the node."""
    if _GC_TRACK is None:
        return
    for obj in (node, node.next_fns, node.inputs):
        if obj and not gc.is_tracked(obj):  # tracking twice aborts CPython
            _GC_TRACK(obj)
