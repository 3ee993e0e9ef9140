"""The engine's own laws, checked without torch: graph order, accumulation,
grad mode, freed graphs, and unbroadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch as mt
from minitorch.autograd.engine import toposort
from minitorch.ops.support import unbroadcast
from minitorch.tensor import Tensor


def leaf(values, dtype=np.float64) -> Tensor:
    return Tensor._make(np.asarray(values, dtype=dtype), True, None)


def test_toposort_lists_each_node_after_all_nodes_it_consumes():
    x = leaf([1.0, 2.0])
    a = x * 2
    b = a + x
    c = b * a
    order = toposort([c.grad_fn])
    pos = {id(n): i for i, n in enumerate(order)}
    assert len(order) == 3
    assert pos[id(a.grad_fn)] < pos[id(b.grad_fn)] < pos[id(c.grad_fn)]


def test_toposort_when_a_shortcut_reaches_a_node_before_its_consumer():
    # c consumes a directly and through b: a must still come before b.
    x = leaf([1.0])
    a = x * 3
    b = a * a
    c = a + b
    order = toposort([c.grad_fn])
    pos = {id(n): i for i, n in enumerate(order)}
    assert pos[id(a.grad_fn)] < pos[id(b.grad_fn)] < pos[id(c.grad_fn)]


def test_diamond_graph_sums_both_paths():
    x = leaf([3.0])
    a = x * x  # da/dx = 2x
    y = a * 2 + a * 5  # dy/dx = 7 * 2x = 42
    y.backward(Tensor._make(np.ones(1), False, None))
    assert x.grad.array.tolist() == [42.0]


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    for _ in range(3):
        (x * 4).backward(Tensor._make(np.ones(2), False, None))
    assert x.grad.array.tolist() == [12.0, 12.0]


def test_same_tensor_used_twice_in_one_op():
    x = leaf([5.0])
    (x * x).backward(Tensor._make(np.ones(1), False, None))
    assert x.grad.array.tolist() == [10.0]


def test_chain_of_100000_ops_does_not_hit_the_recursion_limit():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward(Tensor._make(np.ones(1), False, None))
    assert x.grad.array.tolist() == [1.0]


def test_grad_is_a_tensor_of_the_leafs_dtype_and_shape():
    x = leaf(np.ones((2, 3)), np.float32)
    y = x * Tensor._make(np.full((3,), 2.0), False, None)  # promotes to float64
    assert y.array.dtype == np.float64
    y.backward(Tensor._make(np.ones((2, 3)), False, None))
    assert x.grad.array.dtype == np.float32 and x.grad.shape == (2, 3)


def test_no_grad_records_nothing_and_enable_grad_inside_it_does():
    x = leaf([1.0])
    with mt.no_grad():
        assert not mt.is_grad_enabled()
        y = x * 2
        with mt.enable_grad():
            z = x * 2
    assert y.grad_fn is None and not y.requires_grad
    assert z.grad_fn is not None and mt.is_grad_enabled()


def test_no_grad_as_a_decorator():
    @mt.no_grad()
    def f(t):
        return t * 2

    assert f(leaf([1.0])).grad_fn is None


def test_second_backward_through_a_freed_graph_raises():
    x = leaf([2.0])
    y = x * x  # Mul saves its inputs
    seed = Tensor._make(np.ones(1), False, None)
    y.backward(seed)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward(seed)


def test_retain_graph_allows_a_second_backward():
    x = leaf([2.0])
    y = x * x
    seed = Tensor._make(np.ones(1), False, None)
    y.backward(seed, retain_graph=True)
    y.backward(seed)
    assert x.grad.array.tolist() == [8.0]


def test_graph_without_saved_arrays_can_be_walked_twice():
    x = leaf([2.0])
    y = x + 1  # Add saves nothing, so nothing is freed (torch behaves the same)
    seed = Tensor._make(np.ones(1), False, None)
    y.backward(seed)
    y.backward(seed)
    assert x.grad.array.tolist() == [2.0]


def test_retain_grad_keeps_a_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).backward(Tensor._make(np.ones(2), False, None))
    assert h.grad.array.tolist() == [6.0, 12.0]
    assert x.grad.array.tolist() == [18.0, 36.0]


def test_autograd_grad_returns_without_touching_dot_grad():
    x = leaf([1.0, 2.0])
    h = x * x
    y = h * 2
    gx, gh = mt.autograd.grad(y, [x, h], Tensor._make(np.ones(2), False, None))
    assert gx.array.tolist() == [4.0, 8.0] and gh.array.tolist() == [2.0, 2.0]
    assert x.grad is None


def test_autograd_grad_unused_input():
    x, z = leaf([1.0]), leaf([1.0])
    y = x * 2
    seed = Tensor._make(np.ones(1), False, None)
    with pytest.raises(RuntimeError, match="not have been used"):
        mt.autograd.grad(y, [x, z], seed, retain_graph=True)
    assert mt.autograd.grad(y, [x, z], seed, allow_unused=True)[1] is None


def test_backward_needs_a_scalar_or_a_gradient():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        y.backward()


def test_backward_on_a_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor._make(np.ones(1), False, None).backward()


def test_integer_results_do_not_require_grad():
    x = leaf([1.5, 2.5])
    assert not (x.floor_divide(1.0) > 1).requires_grad


def test_inplace_on_a_leaf_that_requires_grad_raises_and_changes_nothing():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.add_(1)
    assert x.array.tolist() == [1.0]


def test_inplace_on_a_non_leaf_is_recorded():
    x = leaf([2.0])
    y = x * 3
    y.mul_(x)  # y = 3x * x
    y.backward(Tensor._make(np.ones(1), False, None))
    assert x.grad.array.tolist() == [12.0]


def test_modifying_a_saved_input_in_place_is_detected():
    x = leaf([2.0])
    w = Tensor._make(np.array([3.0]), False, None)
    y = x * w  # Mul saved w's array
    w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(Tensor._make(np.ones(1), False, None))


def test_inplace_under_no_grad_writes_through_to_views():
    base = Tensor._make(np.zeros(4), False, None)
    view = Tensor._make(base.array[1:3], False, None)
    with mt.no_grad():
        view.add_(5)
    assert base.array.tolist() == [0.0, 5.0, 5.0, 0.0]


# -- unbroadcast: the adjoint of broadcasting ---------------------------------

@st.composite
def broadcastable_pair(draw):
    out = draw(st.lists(st.integers(1, 4), min_size=0, max_size=4))
    keep = draw(st.integers(0, len(out)))
    small = [n if draw(st.booleans()) else 1 for n in out[len(out) - keep:]]
    return tuple(out), tuple(small)


@settings(max_examples=200, deadline=None)
@given(broadcastable_pair(), st.integers(0, 2**31 - 1))
def test_unbroadcast_is_the_adjoint_of_broadcasting(pair, seed):
    out_shape, small_shape = pair
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(out_shape)
    v = rng.standard_normal(small_shape)
    folded = unbroadcast(g, small_shape)
    assert folded.shape == small_shape
    # <broadcast(v), g> == <v, unbroadcast(g)>: the defining property of an adjoint.
    np.testing.assert_allclose(
        np.sum(np.broadcast_to(v, out_shape) * g), np.sum(v * folded), rtol=1e-12, atol=1e-12
    )


@settings(max_examples=100, deadline=None)
@given(broadcastable_pair(), st.booleans())
def test_binary_op_gradient_has_each_inputs_shape(pair, swap):
    big, small = pair
    a, b = leaf(np.ones(big)), leaf(np.ones(small))
    if swap:
        a, b = b, a
    out = a * b
    out.backward(Tensor._make(np.ones(out.shape), False, None))
    assert a.grad.shape == a.shape and b.grad.shape == b.shape


def test_modifying_a_saved_output_in_place_is_detected():
    x = leaf([1.0, 2.0])
    y = x.exp()  # Exp saved its output
    with mt.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(Tensor._make(np.ones(2), False, None))


def test_zero_dim_results_stay_arrays_and_keep_their_dtype():
    a = Tensor._make(np.array(-1.2), True, None)  # float64, 0-d
    for out in (1 - a, a - 1, 2 * a, a / 2, a.exp()):
        assert type(out.array) is np.ndarray and out.array.dtype == np.float64
    assert ((1 - a) ** 2).array.dtype == np.float64
