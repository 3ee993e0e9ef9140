"""User-defined autograd.Function, Tensor hooks and anomaly mode, each against torch.

Every test runs one small program twice, once with `lib = torch` and once with
`lib = minitorch`, and compares what comes out: values, gradients, grad_fn
names, and the exception class and message where torch refuses.
"""

from __future__ import annotations

import gc
import warnings
import weakref

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch.autograd import hooks

LIBS = (torch, mt)
X = np.array([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]])


def arr(t):
    if t is None:
        return None
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.array


def same(a, b, atol=1e-6):
    a, b = arr(a), arr(b)
    assert (a is None) == (b is None)
    if a is not None:
        assert a.shape == b.shape and str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=atol)


def both(program):
    return program(torch), program(mt)


def leaf(lib, values=X, dtype="float64"):
    return lib.tensor(np.asarray(values), dtype=getattr(lib, dtype), requires_grad=True)


def once_differentiable(lib):
    if lib is torch:
        return torch.autograd.function.once_differentiable
    return mt.autograd.once_differentiable


def anomaly_enabled(lib):
    return torch.is_anomaly_enabled() if lib is torch else mt.autograd.is_anomaly_enabled()


# -- the Functions of torch's tutorial, written once for either library ---------------------------
def make(lib):
    F = lib.autograd.Function

    class Exp(F):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class ScaledSinCos(F):
        """Two outputs and a non-Tensor argument: (k sin x, k cos x)."""

        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x.sin() * k, x.cos() * k

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return ctx.k * (g_sin * x.cos() - g_cos * x.sin()), None

    class MaxWithIndex(F):
        """(max, argmax): the index is marked non-differentiable."""

        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return x.max(), idx

        @staticmethod
        def backward(ctx, g, g_idx):
            x, idx = ctx.saved_tensors
            out = lib.zeros_like(x).reshape(-1)
            out[idx] = g
            return out.reshape(x.shape)

    class MulAdd(F):
        """torch 2.x style: forward without ctx, setup_context, a default argument."""

        @staticmethod
        def forward(x, y, alpha=2.0):
            return x * y + alpha * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, alpha = inputs
            ctx.save_for_backward(x, y)
            ctx.alpha = alpha

        @staticmethod
        def backward(ctx, grad):
            x, y = ctx.saved_tensors
            gx = grad * (y + ctx.alpha) if ctx.needs_input_grad[0] else None
            gy = grad * x if ctx.needs_input_grad[1] else None
            return gx, gy, None

    class DoubleInPlace(F):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    class Cube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        @once_differentiable(lib)
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2

    return dict(Exp=Exp, ScaledSinCos=ScaledSinCos, MaxWithIndex=MaxWithIndex, MulAdd=MulAdd,
                DoubleInPlace=DoubleInPlace, Cube=Cube)


def test_exp_values_grads_and_grad_fn():
    def program(lib):
        x = leaf(lib)
        y = make(lib)["Exp"].apply(x)
        (y * y).sum().backward()
        return y, x.grad, y.grad_fn.name(), type(y.grad_fn).__name__, len(y.grad_fn.next_functions)

    t, m = both(program)
    same(t[0], m[0])
    same(t[1], m[1])
    assert t[2:] == m[2:] == ("ExpBackward", "ExpBackward", 1)


def test_two_outputs_non_tensor_argument_and_ctx_attributes():
    def program(lib):
        x = leaf(lib)
        s, c = make(lib)["ScaledSinCos"].apply(x, 3.0)
        (s * c + c).sum().backward()
        return s, c, x.grad, s.grad_fn.name(), s.grad_fn.k

    t, m = both(program)
    for a, b in zip(t[:3], m[:3]):
        same(a, b)
    assert t[3:] == m[3:] == ("ScaledSinCosBackward", 3.0)


@pytest.mark.parametrize("which", [0, 1])
def test_an_unused_output_gets_zeros(which):
    def program(lib):
        x = leaf(lib)
        outs = make(lib)["ScaledSinCos"].apply(x, 1.5)
        outs[which].sum().backward()
        return x.grad

    same(*both(program))


def test_set_materialize_grads_false_passes_none():
    def program(lib):
        seen = []

        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 1, x * 2

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append((g1 is None, g2 is None))
                return g1 * 1 if g2 is None else g1 + 2 * g2

        x = leaf(lib)
        a, _ = Two.apply(x)
        a.sum().backward()
        return seen, x.grad

    t, m = both(program)
    assert t[0] == m[0] == [(False, True)]
    same(t[1], m[1])


def test_mark_non_differentiable_output():
    def program(lib):
        x = leaf(lib)
        value, idx = make(lib)["MaxWithIndex"].apply(x)
        (value * 3).backward()
        return value, idx, idx.requires_grad, idx.grad_fn is None, x.grad

    t, m = both(program)
    same(t[0], m[0])
    assert int(t[1]) == int(m[1]) and t[2:4] == m[2:4] == (False, True)
    same(t[4], m[4])


def test_setup_context_style_with_defaults_and_needs_input_grad():
    def program(lib):
        x, y = leaf(lib), leaf(lib, X[::-1].copy())
        z = make(lib)["MulAdd"].apply(x, y)
        z2 = make(lib)["MulAdd"].apply(x, y.detach(), 0.5)
        (z.sum() + z2.sum()).backward()
        return z, x.grad, y.grad, z.grad_fn.name()

    t, m = both(program)
    for a, b in zip(t[:3], m[:3]):
        same(a, b)
    assert t[3] == m[3] == "MulAddBackward"


def test_needs_input_grad_seen_in_forward_and_backward():
    def program(lib):
        seen = []

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y, k):
                seen.append(("forward", ctx.needs_input_grad, lib.is_grad_enabled()))
                return x * y * k

            @staticmethod
            def backward(ctx, g):
                seen.append(("backward", ctx.needs_input_grad, lib.is_grad_enabled()))
                return g, None, None

        F.apply(leaf(lib), lib.ones(2, 3, dtype=lib.float64), 3).sum().backward()
        return seen

    t, m = both(program)
    assert t == m


def test_mark_dirty_in_place_function():
    def program(lib):
        x = leaf(lib)
        z = x.clone()
        out = make(lib)["DoubleInPlace"].apply(z)
        (out * out).sum().backward()
        return out is z, z._version, out.grad_fn.name(), out, x.grad

    t, m = both(program)
    assert t[:3] == m[:3]
    same(t[3], m[3])
    same(t[4], m[4])


def test_mark_dirty_on_a_leaf_that_requires_grad_is_refused():
    for lib in LIBS:
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            make(lib)["DoubleInPlace"].apply(leaf(lib))


def test_once_differentiable_backward():
    def program(lib):
        x = leaf(lib)
        y = make(lib)["Cube"].apply(x)
        y.sum().backward()
        return y, x.grad

    t, m = both(program)
    same(t[0], m[0])
    same(t[1], m[1])


def test_returning_an_input_gives_a_new_alias_with_history():
    def program(lib):
        class Ident(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 5

        x = leaf(lib)
        y = Ident.apply(x)
        y.sum().backward()
        return y is x, y.grad_fn.name(), x.grad_fn is None, x.grad

    t, m = both(program)
    assert t[:3] == m[:3]
    same(t[3], m[3])


def test_no_graph_without_inputs_that_need_grad():
    for lib in LIBS:
        exp = make(lib)["Exp"]
        assert not exp.apply(lib.ones(2)).requires_grad
        with lib.no_grad():
            y = exp.apply(leaf(lib))
        assert not y.requires_grad and y.grad_fn is None


def test_broadcast_gradient_is_summed_to_the_input_shape():
    def program(lib):
        class Spread(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.sum()

            @staticmethod
            def backward(ctx, g):
                return g * lib.ones(4, 2, 3, dtype=lib.float64)  # broadcast: summed back

        x = leaf(lib)
        Spread.apply(x).backward()
        return x.grad

    same(*both(program))


def test_keyword_arguments_reach_forward():
    def program(lib):
        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k=2.0):
                ctx.k = k
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None

        x = leaf(lib)
        Scale.apply(x, k=3.0).sum().backward()
        return x.grad

    same(*both(program))


# -- what torch refuses, refused the same way -----------------------------------------------------
def _bad(lib, backward, n_args=1):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, *rest):
            return x * 2

    Bad.backward = staticmethod(backward)
    return Bad


@pytest.mark.parametrize("backward, n_args, match", [
    (lambda ctx, g: (g, g), 1, r"function BadBackward returned an incorrect number of gradients "
                               r"\(expected 1, got 2\)"),
    (lambda ctx, g: g, 2, r"incorrect number of gradients \(expected 2, got 1\)"),
    (lambda ctx, g: g[0], 1, "returned an invalid gradient at index 0 - got \\[3\\] but expected "
                             "shape compatible with \\[2, 3\\]"),
    (lambda ctx, g: (g, g), 2, "returned a gradient different than None at position 2, but the "
                               "corresponding forward input was not a Variable"),
])
def test_bad_backward_answers(backward, n_args, match):
    for lib in LIBS:
        args = (leaf(lib),) + (1.5,) * (n_args - 1)
        y = _bad(lib, backward).apply(*args)
        with pytest.raises(RuntimeError, match=match):
            y.sum().backward()


def test_saved_tensor_modified_in_place_is_refused():
    for lib in LIBS:
        y = make(lib)["Exp"].apply(leaf(lib))
        with lib.no_grad():
            y.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation: .*which is "
                                               "output 0 of Exp, is at version 1; expected "
                                               "version 0 instead"):
            y.sum().backward()


def test_saved_input_modified_in_place_is_refused():
    for lib in LIBS:
        x = leaf(lib)
        z = x * 1
        y = make(lib)["Cube"].apply(z)
        with lib.no_grad():
            z.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_backward_twice_needs_retain_graph():
    for lib in LIBS:
        y = make(lib)["Exp"].apply(leaf(lib)).sum()
        y.backward(retain_graph=True)
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_non_tensor_saved_and_legacy_call_refused():
    for lib in LIBS:
        class SavesInt(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x

        with pytest.raises(TypeError, match="save_for_backward can only save variables"):
            SavesInt.apply(leaf(lib))
        with pytest.warns(DeprecationWarning, match="should not be instantiated"):
            instance = make(lib)["Exp"]()
        with pytest.raises(RuntimeError, match="Legacy autograd function"):
            instance(leaf(lib))


def test_graph_of_a_custom_function_is_freed_by_reference_counting():
    gc.disable()
    try:
        y = make(mt)["Exp"].apply(leaf(mt))
        s, c = make(mt)["ScaledSinCos"].apply(leaf(mt), 2.0)
        nodes = [weakref.ref(y.grad_fn), weakref.ref(s.grad_fn.owner)]
        del y, s, c
        assert all(n() is None for n in nodes)
    finally:
        gc.enable()


def test_gradcheck_of_custom_functions():
    for lib in LIBS:
        fns = make(lib)
        x = leaf(lib)
        assert lib.autograd.gradcheck(fns["Exp"].apply, (x,))
        assert lib.autograd.gradcheck(fns["ScaledSinCos"].apply, (x, 0.5))
        assert lib.autograd.gradcheck(fns["MulAdd"].apply, (x, leaf(lib, X * 2)))


# -- register_hook ---------------------------------------------------------------------------------
def test_leaf_hook_sees_the_summed_gradient_once_and_can_replace_it():
    def program(lib):
        x = leaf(lib)
        calls = []
        h = x.register_hook(lambda g: calls.append(g.clone()))
        ((x * 2).sum() + (x * 3).sum()).backward()
        h.remove()
        h2 = x.register_hook(lambda g: g * 10)
        (x * x).sum().backward()
        h2.remove()
        (x * 1).sum().backward()
        return calls, x.grad

    t, m = both(program)
    assert len(t[0]) == len(m[0]) == 1
    same(t[0][0], m[0][0])
    same(t[1], m[1])


def test_non_leaf_hook_runs_before_retain_grad_and_reaches_the_leaf():
    def program(lib):
        x = leaf(lib)
        a = x * 1
        seen = []
        a.register_hook(lambda g: seen.append(g.clone()) or g * 2)
        a.retain_grad()
        (a * a).sum().backward()
        return seen[0], a.grad, x.grad

    t, m = both(program)
    for p, q in zip(t, m):
        same(p, q)


def test_hooks_run_under_autograd_grad():
    def program(lib):
        x = leaf(lib)
        x.register_hook(lambda g: g + 1)
        b = x * 1
        b.register_hook(lambda g: g * 2)
        return lib.autograd.grad((b * 5).sum(), x)[0], lib.autograd.grad((x * 2).sum(), x)[0]

    t, m = both(program)
    same(t[0], m[0])
    same(t[1], m[1])


def test_hook_on_an_output_of_a_two_output_function():
    def program(lib):
        x = leaf(lib)
        s, c = make(lib)["ScaledSinCos"].apply(x, 1.0)
        c.register_hook(lambda g: g * 0)
        (s + c).sum().backward()
        return x.grad

    same(*both(program))


def test_post_accumulate_grad_hook():
    def program(lib):
        x = leaf(lib)
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        return seen

    t, m = both(program)
    assert len(t) == len(m) == 2
    same(t[0], m[0])
    same(t[1], m[1])


@pytest.mark.parametrize("how, match", [
    ("no grad", "cannot register a hook on a tensor that doesn't require gradient"),
    ("size", "hook '<lambda>' has changed the size of value"),
    ("dtype", "hook '<lambda>' has changed the type of value"),
    ("post on non-leaf", "post accumulate grad hooks cannot be registered on non-leaf tensors"),
])
def test_hook_errors(how, match):
    for lib in LIBS:
        with pytest.raises(RuntimeError, match=match):
            x = leaf(lib, dtype="float32")
            if how == "no grad":
                lib.ones(2).register_hook(lambda g: g)
            elif how == "post on non-leaf":
                (x * 2).register_post_accumulate_grad_hook(lambda t: None)
            else:
                y = x * 1
                y.register_hook(lambda g, lib=lib: lib.ones(2) if how == "size" else g.double())
                (y * 1).sum().backward()


def test_leaf_hook_table_forgets_dead_leaves():
    x = leaf(mt)
    x.register_hook(lambda g: g)
    key = id(x)
    assert key in hooks.LEAF_HOOKS
    del x
    assert key not in hooks.LEAF_HOOKS


# -- anomaly mode ------------------------------------------------------------------------------
def _nan_backward(lib):
    z = lib.tensor([0.0, 1.0], requires_grad=True)
    (z.sqrt() * lib.tensor([0.0, 1.0])).sum().backward()
    return z.grad


def test_detect_anomaly_names_the_node_that_made_a_nan():
    messages = []
    for lib in LIBS:
        with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
            ctx = lib.autograd.detect_anomaly()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch also warns with the forward traceback
            with ctx, pytest.raises(RuntimeError) as err:
                _nan_backward(lib)
        messages.append(str(err.value))
        assert not anomaly_enabled(lib)
    expected = "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert messages[0] == messages[1] == expected


def test_set_detect_anomaly_switches_at_once_and_restores():
    for lib in LIBS:
        assert np.isnan(arr(_nan_backward(lib))).any()  # off: the NaN reaches .grad
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert anomaly_enabled(lib)
            assert np.isnan(arr(_nan_backward(lib))).any()  # check_nan=False: no check
        assert not anomaly_enabled(lib)
        lib.autograd.set_detect_anomaly(True)  # a plain call switches at once
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with pytest.raises(RuntimeError, match="returned nan values"):
                    _nan_backward(lib)
        finally:
            lib.autograd.set_detect_anomaly(False)
        assert not anomaly_enabled(lib)


def test_hooks_around_an_in_place_op_see_the_gradients_torch_gives_them():
    def program(lib):
        x = leaf(lib, [1.0, 2.0])
        a = x * 1
        seen = []
        a.register_hook(lambda g: seen.append(("before", g.tolist())))
        a.mul_(3)
        a.register_hook(lambda g: seen.append(("after", g.tolist())))
        (a * lib.tensor([5.0, 7.0], dtype=lib.float64)).sum().backward()
        return seen, x.grad

    t, m = both(program)
    assert t[0] == m[0]
    same(t[1], m[1])
