"""Graph nodes stay out of the cycle collector's walks, and nothing leaks for it.

collector.py untracks the graph nodes that survive a young collection (nodes
never form reference loops), and hands a node back to the collector where a
loop can appear: a hook, and the in-place form of a view op. These tests check
both halves: nodes get untracked and are freed by reference counting alone;
the loops that can form are collected.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import minitorch as mt
from minitorch.autograd import collector

pytestmark = pytest.mark.skipif(
    collector._GC_UNTRACK is None, reason="this Python has no PyObject_GC_UnTrack")


def _nodes(y: mt.Tensor) -> list:
    out, node = [], y.grad_fn
    while node is not None:
        out.append(node)
        parents = [e for e in node.next_fns if isinstance(e, mt.autograd.Function)]
        node = parents[0] if parents else None
    return out


def _chain(n: int) -> tuple[mt.Tensor, mt.Tensor]:
    x = mt.tensor(np.ones(4, np.float32), requires_grad=True)
    y = x
    for _ in range(n):
        y = (y * 1.0001 + 1e-4).tanh()
    return x, y


def test_nodes_that_outlive_a_young_collection_are_untracked() -> None:
    _, y = _chain(3)
    w = mt.tensor(np.ones(4, np.float32), requires_grad=True)
    z = (y * w).exp()  # saves its inputs (a tuple of tensors) and its output (a weakref)
    assert gc.is_tracked(z.grad_fn)  # a new node is left alone: most die young
    gc.collect(1)  # the collector is about to walk older objects: nodes leave its lists
    for node in _nodes(z) + [z.grad_fn.next_fns[0]]:
        assert not gc.is_tracked(node), node.name()
        assert not gc.is_tracked(node.next_fns)
    mul = z.grad_fn.next_fns[0]
    assert mul.inputs and not gc.is_tracked(mul.inputs)
    assert z.grad_fn.output_ref is not None and not gc.is_tracked(z.grad_fn.output_ref)


def test_many_graph_nodes_never_reach_the_oldest_generation() -> None:
    before = len(gc.get_objects(generation=2))
    _, y = _chain(3000)  # 9,000 nodes: enough for several young and middle collections
    gc.collect(1)
    old = gc.get_objects(generation=2)
    assert not any(isinstance(o, mt.autograd.Function) for o in old)
    assert len(old) - before < 0.1 * 9000  # a few small tuples (shapes), no node, no edges
    assert not any(gc.is_tracked(n) for n in _nodes(y))


def test_reference_counting_alone_frees_an_untracked_graph() -> None:
    was = gc.isenabled()
    gc.disable()  # prove it without the collector's help
    try:
        x, y = _chain(50)
        gc.collect(1)  # untrack them (an explicit collect runs while automatic ones are off)
        assert not gc.is_tracked(y.grad_fn)
        first = weakref.ref(y.grad_fn)
        last = y.grad_fn
        while any(isinstance(e, mt.autograd.Function) for e in last.next_fns):
            last = next(e for e in last.next_fns if isinstance(e, mt.autograd.Function))
        deepest = weakref.ref(last)
        del y, last
        assert first() is None and deepest() is None
    finally:
        if was:
            gc.enable()


def test_backward_through_an_untracked_graph_matches_the_closed_form() -> None:
    x = mt.tensor(np.linspace(-1, 1, 5), requires_grad=True)
    y = (x * 3.0).tanh().sum()
    y.backward()
    expected = 3.0 * (1 - np.tanh(3.0 * np.linspace(-1, 1, 5)) ** 2)
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-12)


def test_a_hook_that_holds_its_tensor_is_a_loop_the_collector_frees() -> None:
    x = mt.tensor(np.ones(3), requires_grad=True)
    y = x * 2.0
    gc.collect(1)
    y.register_hook(lambda g, keep=y: g)  # y -> node -> hook -> y
    assert gc.is_tracked(y.grad_fn)
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


def test_in_place_view_form_loop_is_collected() -> None:
    x = mt.tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 1.0
    gc.collect(1)
    y.t_()  # y becomes a view of itself: its node may hold y
    node = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert node() is None


def test_track_hands_back_the_node_and_its_tuples_for_good() -> None:
    x = mt.tensor(np.ones(3), requires_grad=True)
    w = mt.tensor(np.ones(3), requires_grad=True)
    z = x * w
    node = z.grad_fn  # mul saved both inputs: node.inputs holds them
    gc.collect(1)
    assert node.inputs and not gc.is_tracked(node.inputs)
    collector.track(node)
    assert gc.is_tracked(node) and gc.is_tracked(node.next_fns) and gc.is_tracked(node.inputs)
    gc.collect(1)  # a node handed back stays with the collector
    assert gc.is_tracked(node)


def test_a_user_function_node_stays_tracked() -> None:
    class Double(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Double.apply(mt.tensor(np.ones(2), requires_grad=True))
    gc.collect(1)
    assert gc.is_tracked(y.grad_fn)


def test_track_twice_is_harmless() -> None:
    _, y = _chain(1)
    collector.track(y.grad_fn)
    collector.track(y.grad_fn)  # CPython aborts on a second PyObject_GC_Track: guarded
    assert gc.is_tracked(y.grad_fn)
