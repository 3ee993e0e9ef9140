"""autograd.functional (vjp, jacobian, jvp, hessian, vhp, hvp) and autograd.gradcheck /
gradgradcheck, against torch.

Each function of torch.autograd.functional is called on the same inputs in both
libraries and must agree in structure (tensor or tuple, nested as torch nests it),
shapes, dtypes and values; refusals must raise torch's class with torch's message.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import minitorch as mt

LIBS = (torch, mt)
rng = np.random.default_rng(7)
A = rng.normal(size=(2, 3))
B = rng.normal(size=(3,))


def tensors(lib, dtype="float64"):
    d = getattr(lib, dtype)
    return lib.tensor(A, dtype=d), lib.tensor(B, dtype=d)


def two_outputs(a, b):
    return (a * b).exp().sum(1), a.tanh()


def assert_same_structure(t, m, atol=1e-6):
    if isinstance(t, tuple):
        assert isinstance(m, tuple) and len(t) == len(m)
        for p, q in zip(t, m):
            assert_same_structure(p, q, atol)
        return
    assert isinstance(m, mt.Tensor) and not m.requires_grad
    assert tuple(t.shape) == tuple(m.shape) and str(t.dtype)[6:] == str(m.dtype)[10:]
    np.testing.assert_allclose(m.array, t.detach().numpy(), rtol=1e-5, atol=atol)


CASES = {
    "vjp one": lambda lib, F, a, b: F.vjp(lambda x: x.exp().sum(1), a, lib.ones(2, dtype=a.dtype)),
    "vjp tuple": lambda lib, F, a, b: F.vjp(
        two_outputs, (a, b), (lib.ones(2, dtype=a.dtype), lib.full((2, 3), 0.5, dtype=a.dtype))),
    "vjp scalar no v": lambda lib, F, a, b: F.vjp(lambda x: (x ** 2).sum(), a),
    "jacobian one": lambda lib, F, a, b: F.jacobian(lambda x: x.sin() * 2, a),
    "jacobian tuple": lambda lib, F, a, b: F.jacobian(two_outputs, (a, b)),
    "jacobian (a,)": lambda lib, F, a, b: F.jacobian(lambda x: x.sum(0), (a,)),
    "jacobian unused input": lambda lib, F, a, b: F.jacobian(lambda x, y: x * 3, (a, b)),
    "jacobian vectorize": lambda lib, F, a, b: F.jacobian(two_outputs, (a, b), vectorize=True),
    "jacobian forward-mode": lambda lib, F, a, b: F.jacobian(
        lambda x: x.cos(), a, vectorize=True, strategy="forward-mode"),
    "jvp one": lambda lib, F, a, b: F.jvp(
        lambda x: x.exp().sum(1), a, lib.ones(2, 3, dtype=a.dtype)),
    "jvp tuple": lambda lib, F, a, b: F.jvp(
        two_outputs, (a, b), (lib.ones(2, 3, dtype=a.dtype), lib.ones(3, dtype=a.dtype))),
    "jvp single element no v": lambda lib, F, a, b: F.jvp(lambda x: x.sin() * 3, a[0, :1]),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", list(CASES))
def test_functional_matches_torch(case, dtype):
    results = []
    for lib in LIBS:
        a, b = tensors(lib, dtype)
        results.append(CASES[case](lib, lib.autograd.functional, a, b))
    assert_same_structure(*results, atol=1e-6 if dtype == "float64" else 1e-5)


def test_inputs_are_detached_copies_and_grad_mode_is_kept():
    a = mt.tensor(A, requires_grad=True)
    out, grad = mt.autograd.functional.vjp(lambda x: (x * x).sum(), a)
    assert a.grad is None and not out.requires_grad and not grad.requires_grad
    with mt.no_grad():  # functional turns recording on for func, as torch
        jac = mt.autograd.functional.jacobian(lambda x: x * 2, a)
    np.testing.assert_allclose(jac.array.reshape(6, 6), 2 * np.eye(6))


REFUSED = {
    "strict jacobian": (lambda lib, F, a, b: F.jacobian(lambda x, y: x * 2, (a, b), strict=True),
                        RuntimeError),
    "strict vjp": (lambda lib, F, a, b: F.vjp(lambda x, y: x * 2, (a, b),
                                              lib.ones(2, 3, dtype=a.dtype), strict=True),
                   RuntimeError),
    "strict jvp": (lambda lib, F, a, b: F.jvp(lambda x, y: x * 2, (a, b), (a, b), strict=True),
                   RuntimeError),
    "strict output without grad": (lambda lib, F, a, b: F.vjp(
        lambda x: x.detach(), a, a, strict=True), RuntimeError),
    "vjp needs v": (lambda lib, F, a, b: F.vjp(lambda x: x * 2, a), RuntimeError),
    "jvp needs v": (lambda lib, F, a, b: F.jvp(lambda x: x * 2, a), RuntimeError),
    "v of wrong size": (lambda lib, F, a, b: F.vjp(lambda x: x * 2, a, b), RuntimeError),
    "v tuple of wrong length": (lambda lib, F, a, b: F.jvp(two_outputs, (a, b), (a,)),
                                RuntimeError),
    "a list of inputs": (lambda lib, F, a, b: F.vjp(lambda x: x, [a], a), TypeError),
    "non-tensor output": (lambda lib, F, a, b: F.jacobian(lambda x: 3.0, a), TypeError),
    "bad strategy": (lambda lib, F, a, b: F.jacobian(lambda x: x, a, strategy="fwd"),
                     AssertionError),
    "forward-mode without vectorize": (lambda lib, F, a, b: F.jacobian(
        lambda x: x, a, strategy="forward-mode"), NotImplementedError),
    "forward-mode strict": (lambda lib, F, a, b: F.jacobian(
        lambda x: x, a, strict=True, vectorize=True, strategy="forward-mode"), RuntimeError),
    "vectorize strict": (lambda lib, F, a, b: F.jacobian(
        lambda x: x, a, strict=True, vectorize=True), RuntimeError),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refusals_match_torch(case):
    call, exc = REFUSED[case]
    messages = []
    for lib in LIBS:
        a, b = tensors(lib)
        with pytest.raises(exc) as err:
            call(lib, lib.autograd.functional, a, b)
        messages.append(str(err.value).replace("torch.Size([", "(").replace("])", ")"))
    if case not in ("v of wrong size",):
        assert messages[0].replace(" isonly", " is only") == messages[1]


SECOND_ORDER = {
    "hessian": lambda lib, F, a, b: F.hessian(lambda x: (x.exp() * x).sum(), a),
    "hessian of two inputs": lambda lib, F, a, b: F.hessian(
        lambda x, y: (x.tanh() @ y).sum() * y.sum(), (a, b)),
    "hvp": lambda lib, F, a, b: F.hvp(lambda x: (x.sin() * x).sum(), a, a),
    "vhp": lambda lib, F, a, b: F.vhp(lambda x: (x.sin() * x).sum(), a, a),
    "hvp of two inputs": lambda lib, F, a, b: F.hvp(
        lambda x, y: (x.tanh() @ y).sum() * y.sum(), (a, b), (a * 2, b)),
    "vjp create_graph": lambda lib, F, a, b: F.vjp(lambda x: x.exp(), a, a, create_graph=True),
    "jvp create_graph": lambda lib, F, a, b: F.jvp(lambda x: x.exp() * x, a, a,
                                                    create_graph=True),
    "jacobian create_graph": lambda lib, F, a, b: F.jacobian(lambda x: x.exp(), b,
                                                             create_graph=True),
    "hessian create_graph": lambda lib, F, a, b: F.hessian(lambda x: (x ** 3).sum(), b,
                                                           create_graph=True),
}


def _leaves(out):
    return [x for o in out for x in _leaves(o)] if isinstance(out, tuple) else [out]


@pytest.mark.parametrize("case", list(SECOND_ORDER))
def test_second_order_functions_match_torch(case):
    results = []
    for lib in LIBS:
        a, b = tensors(lib)
        out = SECOND_ORDER[case](lib, lib.autograd.functional, a, b)
        results.append([(tuple(t.shape), bool(t.requires_grad), t.detach().numpy())
                        for t in _leaves(out)])
    for (shape_t, rg_t, val_t), (shape_m, rg_m, val_m) in zip(*results):
        assert shape_m == shape_t and rg_m == rg_t
        np.testing.assert_allclose(val_m, val_t, rtol=1e-10, atol=1e-12)


def test_create_graph_results_can_be_differentiated_again():
    grads = []
    for lib in LIBS:
        a = lib.tensor(B, requires_grad=True)
        _, g = lib.autograd.functional.vjp(lambda x: (x ** 3).sum(), a, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), a)  # d/da sum(3 a^2) = 6a
        grads.append(h.detach().numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12)
    np.testing.assert_allclose(grads[1], 6 * B, rtol=1e-12)


def test_gradgradcheck_passes_and_catches_a_wrong_double_backward():
    from minitorch.autograd.function import Function

    x = mt.tensor(B, requires_grad=True)
    assert mt.autograd.gradgradcheck(lambda t: (t.tanh() * t.exp()).sum(0), (x,))

    class CubeStraysWhenRecorded(Function):
        """y = x^3;  x: grad * 3x^2 -- but a wrong 3x^3 on the recorded path."""

        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t * t * t

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved
            return grad * 3 * (t * t if type(grad) is np.ndarray else t * t * t)

    assert mt.autograd.gradcheck(CubeStraysWhenRecorded.apply, (x,))
    assert not mt.autograd.gradgradcheck(CubeStraysWhenRecorded.apply, (x,),
                                         raise_exception=False)


# -- gradcheck ----------------------------------------------------------------------------------
def planted(lib):
    """A correct backward, a wrong derivative, and one that ignores grad_output."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    class WrongCube(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x ** 2

    class IgnoresZeroGrad(Cube):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2 + (g.abs().sum() == 0) * 1.0

    return {"correct": Cube.apply, "wrong": WrongCube.apply, "ignores": IgnoresZeroGrad.apply,
            "no differentiable output": lambda x: (x * 2).argmax(),
            "detached output": lambda x: x.detach() * 2,
            "two inputs": lambda x, y: (x * y).sin(),
            "non-tensor argument": lambda x, k: x.tanh() * k}


def _args(lib, case):
    x = lib.tensor(np.linspace(-1.0, 1.0, 5), dtype=lib.float64, requires_grad=True)
    if case == "two inputs":
        return (x, lib.tensor(np.linspace(0.5, 2.0, 5), dtype=lib.float64, requires_grad=True))
    if case == "non-tensor argument":
        return (x, 2.5)
    return (x,)


@pytest.mark.parametrize("case", list(planted(torch)))
def test_gradcheck_verdicts_match_torch(case):
    verdicts, messages = [], []
    for lib in LIBS:
        fn = planted(lib)[case]
        verdicts.append(lib.autograd.gradcheck(fn, _args(lib, case), raise_exception=False))
        try:
            lib.autograd.gradcheck(fn, _args(lib, case))
            messages.append(None)
        except RuntimeError as err:
            assert type(err).__name__ == "GradcheckError"
            messages.append(str(err).splitlines()[0])
    assert verdicts[0] == verdicts[1]
    assert messages[0] == messages[1]


def test_gradcheck_argument_checks_match_torch():
    for lib in LIBS:
        with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
            lib.autograd.gradcheck(lambda x: x * 2, (lib.ones(3, dtype=lib.float64),))
        with pytest.raises(AssertionError, match="check_forward_ad or check_backward_ad"):
            lib.autograd.gradcheck(lambda x: x, (lib.ones(1, requires_grad=True),),
                                   check_backward_ad=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.autograd.gradcheck(lambda x: x * 2, (lib.ones(3, requires_grad=True),),
                                   raise_exception=False)
        assert any("not a double precision" in str(w.message) for w in caught)


def test_gradcheck_error_class_is_shared_with_testing():
    from minitorch.autograd.gradcheck import GradcheckError

    assert GradcheckError is mt.testing.GradcheckError
    assert issubclass(GradcheckError, RuntimeError)
